# Cross build for linux/aarch64 (Debian: apt-get install gcc-aarch64-linux-gnu), to check that the
# non-x86 build compiles (no AVX2 walk, no x86 flags):
#   cmake -S native -B /tmp/a64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake && cmake --build /tmp/a64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
