#!/usr/bin/env bash
# Install dependencies, build cdefc, install it into .venv, then run every test through ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/setup.sh"
cdefc_setup
ctest --test-dir "$CDEFC_BUILD" --output-on-failure --no-tests=error -j2
