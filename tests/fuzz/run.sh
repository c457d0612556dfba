#!/usr/bin/env bash
# Build the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and run each on its corpus for
# SECONDS (default 30; ./test.sh's short form). A crash fails the run; its input is kept in
# build-fuzz/crashes/ (add it to the corpus and a regression test). New inputs stay in
# build-fuzz/corpus/. Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/build-fuzz"
seconds="${1:-30}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(cdef type_name front_end headers)
cc="$(command -v clang-14 || command -v clang)"
cxx="$(command -v clang++-14 || command -v clang++)"
cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDEFC_FUZZ=ON \
  -DCDEFC_BUILD_TESTS=OFF "-DCMAKE_C_COMPILER=$cc" "-DCMAKE_CXX_COMPILER=$cxx" >/dev/null
cmake --build "$out" -j2 --target "${targets[@]/#/cdefc_fuzz_}"
mkdir -p "$out/crashes"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  seeds=("$root/tests/fuzz/corpus/$t")
  [ "$t" = headers ] && seeds+=("$root/tests/headers")  # the golden headers seed it too
  log="$out/fuzz_$t.log"
  # -timeout: an input that runs 10 s is a hang; -rss_limit_mb: one that eats 4 GB a blow-up.
  if ASAN_OPTIONS=detect_leaks=0 "$out/tests/fuzz/cdefc_fuzz_$t" -max_total_time="$seconds" \
       -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" \
       "$out/corpus/$t" "${seeds[@]}" >"$log" 2>&1; then
    runs="$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    printf 'fuzz %-10s %s executions in %ss, no crash\n' "$t" "$runs" "$seconds"
  else
    printf 'fuzz %-10s FAILED (log: %s):\n' "$t" "$log"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
    status=1
  fi
done
exit $status
