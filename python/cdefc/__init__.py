# The cdefc Python package: for now the version and where the bundled compiler is.
import os
from pathlib import Path

__version__ = "0.1.0"


def compiler_path() -> str:
    """Path of the `cdefc` executable: the one installed with this package, else $CDEFC_COMPILER."""
    bundled = Path(__file__).resolve().parent / "bin" / "cdefc"
    if bundled.is_file():
        return str(bundled)
    env = os.environ.get("CDEFC_COMPILER")
    if env:
        return env
    raise FileNotFoundError(
        f"the cdefc compiler is not installed at {bundled} and CDEFC_COMPILER is not set")
