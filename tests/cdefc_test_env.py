# Shared by the pytest suites: test the package of this checkout with the compiler and runtime
# of a CMake build tree (CDEFC_BUILD_DIR, by default build/; ctest passes all of these).
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("CDEFC_BUILD_DIR", ROOT / "build")).resolve()

sys.path.insert(0, str(ROOT / "python"))
for _var, _path in (("CDEFC_COMPILER", BUILD / "compiler" / "cdefc"),
                    ("CDEFC_RUNTIME_LIBRARY", BUILD / "runtime" / "libcdefc_runtime.a"),
                    ("CDEFC_INCLUDE_DIR", ROOT / "include")):
    if not os.environ.get(_var) and _path.exists():
        os.environ[_var] = str(_path)
