#!/usr/bin/env bash
# Install dependencies, build cdefc, install it into .venv, then run the bundled example.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/setup.sh"
cdefc_setup
cd "$CDEFC_ROOT"

# Main job: the example's own hook if it exists, else print the resolved model of examples/zlib.
# Arguments to run.sh are passed on (e.g. ./run.sh -v).
if [[ -f examples/run_example.sh ]]; then
  PATH="$CDEFC_VENV/bin:$PATH" bash examples/run_example.sh "$@"
else
  "$CDEFC_VENV/bin/cdefc" --module _zlib --cdef examples/zlib/zlib.cdef \
    --source examples/zlib/zlib_source.h -l z "$@" --dump-model
fi
