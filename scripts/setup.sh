# shellcheck shell=bash
# Shared setup sourced by run.sh and test.sh: Debian packages, the CMake build in build/, .venv with cdefc.

CDEFC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CDEFC_BUILD="$CDEFC_ROOT/build"
CDEFC_VENV="$CDEFC_ROOT/.venv"
PYTHON="${PYTHON:-/usr/bin/python3}"

# Everything the build, the tests and the examples need (DESIGN.md, "Dependencies"; the
# compiler also includes nlohmann/json.hpp and cxxopts.hpp).
CDEFC_PACKAGES=(
  libclang-cpp14-dev llvm-14-dev libclang-14-dev clang-14
  libffi-dev libspdlog-dev libgtest-dev googletest nlohmann-json3-dev libcxxopts-dev
  python3-dev python3-pytest python3-setuptools python3-wheel python3-build
  python3-venv python3-pip python3-cffi python3-mypy
  cmake ninja-build pkg-config zlib1g-dev gcc g++ clang libclang-rt-14-dev python3-dbg
  libsqlite3-dev liblzma-dev libexpat1-dev binutils
)

cdefc_log() { printf '==> %s\n' "$*" >&2; }
cdefc_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install the missing Debian packages; touches apt only when something is missing.
cdefc_install_packages() {
  local pkg missing=() sudo=()
  for pkg in "${CDEFC_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" == installed ]] || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  ((EUID == 0)) || sudo=(sudo)
  cdefc_log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# Configure and build build/ with CMake + Ninja (-Werror exactly when CI=true).
cdefc_build() {
  local args=(-S "$CDEFC_ROOT" -B "$CDEFC_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
              "-DPython3_EXECUTABLE=$PYTHON" "-DCDEFC_TEST_PYTHON=$CDEFC_VENV/bin/python")
  if [[ "${CI:-}" == true ]]; then args+=(-DCDEFC_WERROR=ON); else args+=(-DCDEFC_WERROR=OFF); fi
  # A tree configured by another generator cannot be reused.
  if [[ -f "$CDEFC_BUILD/CMakeCache.txt" ]] &&
     ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$CDEFC_BUILD/CMakeCache.txt"; then
    cdefc_log "build/ was not configured for Ninja; starting it afresh"
    rm -rf "$CDEFC_BUILD"
  fi
  cmake "${args[@]}"
  cmake --build "$CDEFC_BUILD" -j2
}

# Create .venv from $PYTHON (re-created when $PYTHON changes) and install cdefc into it,
# reusing build/ (setup.py reads CDEFC_BUILD_DIR). pip is quiet unless it fails.
cdefc_venv() {
  local vpy="$CDEFC_VENV/bin/python" log="$CDEFC_BUILD/pip-install.log"
  if [[ ! -x "$vpy" || "$(cat "$CDEFC_VENV/.cdefc-python" 2>/dev/null)" != "$PYTHON" ]]; then
    rm -rf "$CDEFC_VENV"
    "$PYTHON" -m venv --system-site-packages "$CDEFC_VENV"
    printf '%s\n' "$PYTHON" >"$CDEFC_VENV/.cdefc-python"
  fi
  cdefc_venv_fallback
  if ! (cd "$CDEFC_ROOT" && CDEFC_BUILD_DIR="$CDEFC_BUILD" "$CDEFC_VENV/bin/pip" install \
          --no-build-isolation --no-index --disable-pip-version-check . >"$log" 2>&1); then
    cat "$log" >&2
    cdefc_die "pip install of cdefc into .venv failed (log: $log)"
  fi
}

# A non-Debian $PYTHON (e.g. pyenv's) may lack wheel and pytest, and PyPI is unreachable: link
# Debian's pure-Python copies of just the missing ones into .venv/debian-fallback.
cdefc_venv_fallback() {
  "$CDEFC_VENV/bin/python" -c 'import setuptools' 2>/dev/null ||
    cdefc_die "$PYTHON has no setuptools (Debian's is patched for Debian's python3 only)"
  "$CDEFC_VENV/bin/python" - wheel:wheel pytest:pytest _pytest py:py pluggy:pluggy \
      iniconfig:iniconfig packaging:packaging attr:attrs tomli:tomli exceptiongroup:exceptiongroup <<'PY'
import glob, importlib.util, os, sys, sysconfig
debian, fallback = "/usr/lib/python3/dist-packages", os.path.join(sys.prefix, "debian-fallback")
for arg in sys.argv[1:]:  # MODULE[:DISTRIBUTION]; a distribution's metadata is linked too
    module, _, dist = arg.partition(":")
    if importlib.util.find_spec(module) is not None:
        continue
    entries = [e for e in (module, module + ".py") if os.path.exists(os.path.join(debian, e))][:1]
    if entries and dist:
        entries += [os.path.basename(p) for p in glob.glob(f"{debian}/{dist}-*.*-info")]
    for entry in entries:
        os.makedirs(fallback, exist_ok=True)
        if not os.path.lexists(os.path.join(fallback, entry)):
            os.symlink(os.path.join(debian, entry), os.path.join(fallback, entry))
if os.path.isdir(fallback):
    with open(os.path.join(sysconfig.get_paths()["purelib"], "_cdefc_debian_fallback.pth"), "w") as f:
        f.write(fallback + "\n")
PY
}

# The whole setup, in order.
cdefc_setup() {
  cdefc_install_packages
  PYTHON="$(command -v "$PYTHON")" || cdefc_die "PYTHON=$PYTHON is not an executable"
  cdefc_build
  cdefc_venv
}
