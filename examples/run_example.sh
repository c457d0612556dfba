#!/usr/bin/env bash
# The main job of ./run.sh: build the zlib example module with cdefc, then round-trip a file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../build/examples/zlib"
mkdir -p "$out"
python="${CDEFC_PYTHON:-python}"   # run.sh puts .venv/bin first on PATH
"$python" "$here/zlib/zlib_build.py" "$out"
PYTHONPATH="$out" "$python" "$here/zlib/compress_file.py" "${1:-/usr/share/common-licenses/GPL-3}"
