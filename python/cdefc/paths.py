# Where the files cdefc needs are: the compiler, the runtime library and its headers.
#
# An installed package carries them (setup.py copies them from the CMake build):
#   cdefc/bin/cdefc, cdefc/lib/libcdefc_runtime.a, cdefc/include/cdefc/*.h
# An environment variable, when set, wins over the bundled file; this is how the test suite
# and developers point the source package (PYTHONPATH=python) at a CMake build tree:
#   CDEFC_COMPILER, CDEFC_RUNTIME_LIBRARY, CDEFC_INCLUDE_DIR
import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
RUNTIME_LIBRARY_NAME = "libcdefc_runtime.a"


def _find(env_name: str, bundled: Path, what: str, check) -> str:
    """$env_name if set, else the bundled path if it exists; FileNotFoundError otherwise."""
    env = os.environ.get(env_name)
    if env:
        return os.path.abspath(env)  # builds run in other directories
    if check(bundled):
        return str(bundled)
    raise FileNotFoundError(
        f"{what} is not installed at {bundled} and {env_name} is not set")


def compiler_path() -> str:
    """Path of the `cdefc` executable: $CDEFC_COMPILER if set, else the one installed with
    this package."""
    return _find("CDEFC_COMPILER", _PACKAGE_DIR / "bin" / "cdefc", "the cdefc compiler",
                 Path.is_file)


def get_include() -> str:
    """The directory to add to the include path of generated modules: it holds
    `cdefc/module.h` and the other runtime headers ($CDEFC_INCLUDE_DIR if set)."""
    return _find("CDEFC_INCLUDE_DIR", _PACKAGE_DIR / "include", "the cdefc runtime headers",
                 lambda p: (p / "cdefc").is_dir())


def get_library() -> str:
    """Path of the static runtime library linked into every generated module
    ($CDEFC_RUNTIME_LIBRARY if set)."""
    return _find("CDEFC_RUNTIME_LIBRARY", _PACKAGE_DIR / "lib" / RUNTIME_LIBRARY_NAME,
                 "the cdefc runtime library", Path.is_file)
