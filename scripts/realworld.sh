#!/usr/bin/env bash
# Builds real CFFI API-mode packages with cdefc and with CFFI, runs their test suites: a report.
#
#   scripts/realworld.sh [--cdefc-only | --cffi-only] [--timeout SECONDS] [package...]
#
# Packages: bcrypt argon2-cffi pygit2 python-zstandard tpm2-pytss (default: all), from the
# tarballs in $CDEFC_REALWORLD_DIR (default: <repo>/../shared/realworld). Installs their C
# libraries and test dependencies with apt-get, builds cdefc into build/ and .venv/ (as
# run.sh does), then scripts/realworld.py does the work in build/realworld/<package>/ and prints
# one line per package. Exits 0 when the report was made, whatever the packages did.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

export CDEFC_REALWORLD_DIR="${CDEFC_REALWORLD_DIR:-$CDEFC_ROOT/../shared/realworld}"
[[ -d "$CDEFC_REALWORLD_DIR" ]] ||
  cdefc_die "no tarballs in $CDEFC_REALWORLD_DIR (set CDEFC_REALWORLD_DIR)"

# The packages' C libraries, build helpers and test dependencies (Debian's).
CDEFC_PACKAGES+=(
  libargon2-dev libgit2-dev libtss2-dev
  python3-hypothesis python3-pkgconfig python3-pycparser python3-asn1crypto
  python3-cryptography python3-packaging python3-yaml swtpm swtpm-tools
)

cffi_only=false
for arg in "$@"; do
  case "$arg" in
    -h|--help) exec /usr/bin/python3 "$CDEFC_ROOT/scripts/realworld.py" --help ;;
    --cffi-only) cffi_only=true ;;
  esac
done

if $cffi_only; then cdefc_install_packages; else cdefc_setup; fi
# pytest-xdist only speeds tpm2-pytss up (-n 4); without it the suite runs in one process.
xdist=python3-pytest-xdist
if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$xdist" 2>/dev/null)" != installed ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$xdist" >/dev/null ||
    cdefc_log "$xdist is not installable: tpm2-pytss's tests run in one process"
fi

/usr/bin/python3 "$CDEFC_ROOT/scripts/realworld.py" --cdefc-python "$CDEFC_VENV/bin/python" \
  --tarballs "$CDEFC_REALWORLD_DIR" "$@"
