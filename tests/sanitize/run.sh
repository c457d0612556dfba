#!/usr/bin/env bash
# The pytest suites under AddressSanitizer and UndefinedBehaviorSanitizer: the compiler, the
# runtime and the hand-made runtime modules are built with them in build-asan/, every module the
# tests build is compiled and linked with them too (CFLAGS/LDFLAGS), and Python runs with the
# ASan runtime preloaded and PYTHONMALLOC=malloc (so ASan sees Python's allocations as well).
# Leak checking is off here: the interpreter's and the C compiler's own allocations (they
# inherit the preload) would drown it; leaks are tests/leaks/run.sh's job. UB aborts.
# Usage: tests/sanitize/run.sh [PYTEST ARGS...]  (default: the runtime, python and
# differential suites)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/build-asan"
python="$root/.venv/bin/python"
cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDEFC_SANITIZE=ON \
  "-DCDEFC_TEST_PYTHON=$python" >/dev/null
cmake --build "$out" -j2 --target cdefc cdefc_runtime cdefc_runtime_handmade \
  cdefc_runtime_handmade2 >"$out/build.log" || { tail -40 "$out/build.log"; exit 1; }
cc="${CC:-gcc}"
export LD_PRELOAD="$("$cc" -print-file-name=libasan.so):$("$cc" -print-file-name=libubsan.so)"
# Reports go to files (pytest captures the tests' stderr), shown below when a run fails.
rm -f "$out"/sanitizer.*
# allocator_may_return_null: a huge ffi.new() is a MemoryError, as without ASan.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:log_path=$out/sanitizer"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$out/sanitizer"
export PYTHONMALLOC=malloc
export CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export LDFLAGS="-fsanitize=address,undefined"
export CDEFC_SANITIZE=1  # tests that read freed memory on purpose skip themselves
export CDEFC_BUILD_DIR="$out" CDEFC_HANDMADE_DIR="$out/tests/runtime/modules"
export CDEFC_HANDMADE_C="$root/tests/runtime/handmade.c" PYTHONDONTWRITEBYTECODE=1
report() {
  local status=$?
  if ((status)); then
    for f in "$out"/sanitizer.*; do [[ -e "$f" ]] && { echo "== $f"; head -60 "$f"; }; done
  fi
  exit $status
}
trap report EXIT
cd "$root"
if (($#)); then
  "$python" -m pytest -q -p no:cacheprovider "$@"
else
  "$python" -m pytest -q -p no:cacheprovider tests/runtime/test_runtime.py tests/differential
  # (not the wheel and e2e suites, which install into fresh venvs, nor symbol hygiene, which
  # the sanitizer flags change: the normal run checks those)
  "$python" -m pytest -q -p no:cacheprovider tests/python --ignore=tests/python/test_wheel.py \
    --ignore=tests/python/test_build_e2e.py --ignore=tests/python/test_symbols.py
fi
