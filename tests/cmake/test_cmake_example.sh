#!/usr/bin/env bash
# `cmake --install` of this build tree into a temporary prefix, then find_package(cdefc) +
# cdefc_add_module() from other CMake projects (examples/cmake/ and tests/cmake/project/),
# built with Ninja and imported with the test Python.
# Usage: test_cmake_example.sh BUILD_DIR SOURCE_DIR PYTHON WORK_PARENT
# Works in a fresh WORK_PARENT/cmake_example.XXXXXX (concurrent ctest runs do not collide),
# removed on success and kept, for a look, on failure.
set -eu
build="$1"; source="$2"; python="$3"
mkdir -p "$4"
work=$(mktemp -d "$4/cmake_example.XXXXXX")
trap 'status=$?; if [ $status -eq 0 ]; then rm -rf "$work"; else echo "kept: $work"; fi' EXIT
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
test -f "$prefix/lib/cmake/cdefc/cdefcConfig.cmake"
test -f "$prefix/lib/cmake/cdefc/cdefcConfigVersion.cmake"

configure_and_build() {  # configure_and_build SOURCE BINARY
  cmake -S "$1" -B "$2" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
        -DPython3_EXECUTABLE="$python" > "$2.configure.log" 2>&1 \
    || { cat "$2.configure.log"; exit 1; }
  cmake --build "$2" > "$2.build.log" 2>&1 || { cat "$2.build.log"; exit 1; }
}

# A copy of examples/cmake/, so that the rebuild check below can touch its cdef.
cp -R "$source/examples/cmake" "$work/example-src"
configure_and_build "$work/example-src" "$work/example"
test -f "$work/example/geometry/_shapes.abi3.so"
PYTHONPATH="$work/example" "$python" - <<'PY'
from geometry._shapes import ffi, lib
assert lib.gcd(84, 36) == 12, lib.gcd(84, 36)
assert lib.SHAPES_MAX_POINTS == 64
square = ffi.new("struct point[4]", [(0, 0), (4, 0), (4, 3), (0, 3)])
assert lib.polygon_area(square, 4) == 12.0
import ctypes
import geometry._shapes as module
so = ctypes.CDLL(module.__file__)
assert hasattr(so, "PyInit__shapes")
assert not hasattr(so, "gcd") and not hasattr(so, "cdefc_call_python")
print("ok: examples/cmake: geometry._shapes (abi3, exports PyInit__shapes alone)")
PY

configure_and_build "$source/tests/cmake/project" "$work/project"
PYTHONPATH="$work/project/site" "$python" - <<'PY'
import importlib.machinery
import pkg.sub._full as full
import pkg._cxx as cxx
assert full.lib.full_answer(2) == 42
assert cxx.lib.cxx_length(b"hello") == 5
assert full.__file__.endswith(importlib.machinery.EXTENSION_SUFFIXES[0]), full.__file__
assert cxx.__file__.endswith(".abi3.so"), cxx.__file__
import zlib
import pkg._zheaders as zh
assert zh.lib.crc32(0, b"cdefc", 5) == zlib.crc32(b"cdefc")
assert zh.ffi.string(zh.lib.zlibVersion()) == zh.ffi.string(zh.lib.ZLIB_VERSION)
assert zh.lib.Z_OK == 0 and not hasattr(zh.lib, "deflate")
assert not hasattr(zh.lib, "zlib_lacks_this")  # declared, but libz does not export it
print("ok: tests/cmake/project: pkg.sub._full (full ABI), pkg._cxx (C++), pkg._zheaders (headers)")
PY

# Nothing to do the second time; touching the cdef regenerates and rebuilds the module.
cmake --build "$work/example" | grep -q "no work to do"
touch "$work/example-src/shapes.cdef"
cmake --build "$work/example" | grep -q "cdefc: generating geometry._shapes"
echo "ok: rebuilds follow the cdef"
