#!/usr/bin/env bash
# Builds and tests libbigarrays for the Maven build (java/pom.xml runs it).
#   build-native.sh build TARGET   configure + build (Release, with the C tests) into TARGET/native-build,
#                                  copy the library to TARGET/classes/native/<os>/<arch>/
#   build-native.sh test TARGET    run the C tests (ctest), then build and run them again under
#                                  ASan+UBSan in TARGET/native-build-sanitize
# Without cmake or a C compiler it warns and exits 0: the jar then has no native library and
# the Java kernels are used.
set -euo pipefail
mode=$1
target=$2
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v cmake >/dev/null 2>&1 || ! { command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1; }; then
  echo "[WARNING] bigarrays native: cmake or a C compiler is missing; the native kernels are NOT built (Java kernels will be used)" >&2
  exit 0
fi
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
jobs=$(nproc 2>/dev/null || echo 2)

configure() { # dir, extra args...
  local dir=$1; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$here" -B "$dir" "${generator[@]}" -DBIGARRAYS_BUILD_TESTS=ON "$@" >/dev/null
  fi
  # Quiet unless it fails.
  if ! cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
    cat "$dir/build.log" >&2
    exit 1
  fi
}

case "$mode" in
  build)
    configure "$target/native-build" -DCMAKE_BUILD_TYPE=Release
    os=$(uname -s | tr '[:upper:]' '[:lower:]')
    arch=$(uname -m)
    case "$arch" in amd64) arch=x86_64 ;; arm64) arch=aarch64 ;; esac
    mkdir -p "$target/classes/native/$os/$arch"
    cp "$target/native-build/libbigarrays.so" "$target/classes/native/$os/$arch/libbigarrays.so"
    ;;
  test)
    (cd "$target/native-build" && ctest --output-on-failure)
    configure "$target/native-build-sanitize" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBIGARRAYS_SANITIZE=ON
    (cd "$target/native-build-sanitize" && ctest --output-on-failure)
    ;;
  *)
    echo "usage: $0 build|test TARGET_DIR" >&2
    exit 2
    ;;
esac
