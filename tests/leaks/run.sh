#!/usr/bin/env bash
# The leak check under Debian's debug interpreter (python3-dbg): the runtime is built again
# against its headers in build-dbg/ (so that every reference it takes is counted), then
# leak_check.py builds a module with this checkout's cdefc and repeats every operation.
# Usage: tests/leaks/run.sh [WORKDIR]  (the cdefc command of build/ must exist)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/build-dbg"
py="$(command -v python3-dbg)"
cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDEFC_BUILD_TESTS=OFF \
  "-DPython3_EXECUTABLE=$py" >/dev/null
cmake --build "$out" -j2 --target cdefc_runtime >"$out/build.log" ||
  { tail -40 "$out/build.log"; exit 1; }
work="${1:-$(mktemp -d)}"
PYTHONPATH="$root/python" CDEFC_COMPILER="$root/build/compiler/cdefc" \
  CDEFC_RUNTIME_LIBRARY="$out/runtime/libcdefc_runtime.a" CDEFC_INCLUDE_DIR="$root/include" \
  "$py" "$root/tests/leaks/leak_check.py" "$work"
