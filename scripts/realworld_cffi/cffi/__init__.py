# Stand-in `cffi` for scripts/realworld.py: a build script's `import cffi` gets cdefc's builder.
from cdefc import *  # noqa: F401,F403
from cdefc import CDefError, FFI, FFIError, PkgConfigError, VerificationError  # noqa: F401
from cdefc import __version__  # noqa: F401
