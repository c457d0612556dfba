#!/usr/bin/env bash
# Install dependencies, build cdefc, install it into .venv, then run every test through ctest,
# the leak check under python3-dbg, the pytest suites under ASan + UBSan, and the fuzz targets
# for a short while.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/setup.sh"
cdefc_setup
ctest --test-dir "$CDEFC_BUILD" --output-on-failure --no-tests=error -j2
# Reference and memory leaks, under Debian's debug interpreter.
"$CDEFC_ROOT/tests/leaks/run.sh"
# The pytest suites again under AddressSanitizer and UndefinedBehaviorSanitizer.
"$CDEFC_ROOT/tests/sanitize/run.sh"
# The libFuzzer targets, briefly (tests/fuzz/run.sh SECONDS runs them longer).
"$CDEFC_ROOT/tests/fuzz/run.sh" "${CDEFC_FUZZ_SECONDS:-30}"
