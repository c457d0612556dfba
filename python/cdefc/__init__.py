# The cdefc Python package: CFFI's build API (`from cdefc import FFI`), its errors, and where
# the bundled compiler, runtime library and headers are.
from .api import FFI
from .errors import (CDefError, FFIError, PkgConfigError, VerificationError,
                     VerificationWarning)
from .paths import compiler_path, get_include, get_library

__version__ = "0.1.0"
__version_info__ = (0, 1, 0)

__all__ = ["FFI", "CDefError", "FFIError", "PkgConfigError", "VerificationError",
           "VerificationWarning",
           "compiler_path", "get_include", "get_library", "__version__", "__version_info__"]
