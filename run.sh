#!/usr/bin/env bash
# Install dependencies, build cdefc, install it into .venv, then run the bundled example.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/setup.sh"
cdefc_setup
cd "$CDEFC_ROOT"

# Main job: build the zlib example module with cdefc and round-trip a file through it
# (examples/run_example.sh; an argument names the file to compress).
PATH="$CDEFC_VENV/bin:$PATH" bash examples/run_example.sh "$@"
