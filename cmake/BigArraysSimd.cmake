# SIMD flags: the library targets baseline x86-64 (never -march=native, so the shipped .so runs
# on any x86-64); files that need more get it per function/file and are only called after a
# cpuid check (see native/src/dispatch.c).
function(bigarrays_portable_baseline target)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(${target} PRIVATE -march=x86-64 -mtune=generic)
  endif()
endfunction()
