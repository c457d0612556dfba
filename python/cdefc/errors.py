# The exceptions of the build API, named and used like CFFI's (cffi.CDefError, ...).
from typing import NamedTuple


class Diagnostic(NamedTuple):
    """One Clang-style diagnostic line of the cdefc command: `file:line:col: severity: message`.

    `line` and `column` are 0 when the diagnostic has no location; notes ("declared here")
    follow the error they belong to, with severity "note".
    """

    severity: str  # "error", "warning" or "note"
    file: str
    line: int
    column: int
    message: str

    def location(self) -> str:
        """'file:line:col', or just the file when there is no line."""
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


class _DiagnosedError(Exception):
    """Common base: the message, plus the parsed diagnostics of the cdefc run, if any."""

    def __init__(self, message: str, diagnostics=()):
        super().__init__(message)
        #: the Diagnostic tuples of the failed cdefc run, errors and their notes, in order
        self.diagnostics = list(diagnostics)


class FFIError(_DiagnosedError):
    """The builder cannot do what was asked: no compiler, a cdefc usage error or crash, an
    unsupported feature. (cffi.FFIError)"""

    __module__ = "cdefc"


class CDefError(_DiagnosedError):
    """The cdef text does not parse (syntax, unknown type names, redefinitions). The message
    is Clang-style, pointing at the build script's line. (cffi.CDefError)"""

    __module__ = "cdefc"


class VerificationError(_DiagnosedError):
    """The cdef does not match the C source (found by Clang), the C source itself has errors,
    or the C compiler/linker failed. The message names both places. (cffi.VerificationError)"""

    __module__ = "cdefc"


class VerificationWarning(UserWarning):
    """A warning of the cdefc compiler: what C accepts but the cdef does not say (a wrong exact
    layout or value, a conversion, an ignored `#pragma`), issued when cdef() or the build runs.
    Its text is Clang-style, like the errors'. set_source(strict=True) makes these errors.
    (A UserWarning, the class of CFFI's own build-time warnings.)"""

    __module__ = "cdefc"


class PkgConfigError(Exception):
    """pkg-config is missing or does not know a package (set_source_pkgconfig).
    (cffi.PkgConfigError)"""

    __module__ = "cdefc"
