#!/usr/bin/env bash
# Install dependencies, build cdefc, install it into .venv, then run every test through ctest,
# then the fuzz targets for a short while.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/setup.sh"
cdefc_setup
ctest --test-dir "$CDEFC_BUILD" --output-on-failure --no-tests=error -j2
# The libFuzzer targets, briefly (tests/fuzz/run.sh SECONDS runs them longer).
"$CDEFC_ROOT/tests/fuzz/run.sh" "${CDEFC_FUZZ_SECONDS:-30}"
