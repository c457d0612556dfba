# Runs the cdefc command on a module description and turns its diagnostics into exceptions.
#
# The description (the JSON of compiler/driver/options.h `read_description`) goes to the
# command's stdin (`--description -`). cdefc prints Clang-style diagnostics on stderr:
#     foo_build.py:12:5: error: ...      (then the source line and a caret; notes follow)
# What kind of failure it was comes from the exit status:
#     0 success, 1 usage or I/O error, 2 the cdef does not parse (CDefError),
#     3 Clang found the cdef and the C source disagree, or the C source has errors
#       (VerificationError).
# The warnings of a successful run become Python warnings (cdefc.VerificationWarning, one per
# diagnostic with its source line, caret and notes), as CFFI's build-time warnings are.
import functools
import json
import os
import re
import subprocess
import sys
import warnings

from .errors import CDefError, Diagnostic, FFIError, VerificationError, VerificationWarning
from .paths import compiler_path

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_CDEF = 2
EXIT_VERIFICATION = 3

_LOG_PREFIX = "cdefc: "                      # spdlog lines of `-v`, and usage errors
_TOOL_ERROR = re.compile(r"^cdefc: (error|warning): ")
_SUMMARY = re.compile(
    r"^\d+ (error|errors|warning|warnings)( and \d+ (error|errors))? generated\.$")
_INCLUDED_FROM = re.compile(r"^(In file included from |\s+from ).*:\d+:$")
_DIAGNOSTIC = re.compile(
    r"^(?P<file>.*?)(?::(?P<line>\d+):(?P<column>\d+))?: (?P<severity>error|warning|note): "
    r"(?P<message>.*)$")


def _resolve(exe):
    if exe is not None:
        return exe
    try:
        return compiler_path()
    except FileNotFoundError as error:
        raise FFIError(str(error)) from None


@functools.lru_cache(maxsize=None)
def _help_options(exe: str, _mtime_ns: int) -> frozenset:
    try:
        out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False).stdout
    except OSError as error:
        raise FFIError(f"cannot run the cdefc compiler {exe}: {error}") from None
    return frozenset(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", out))


def supported_options(exe=None) -> frozenset:
    """The long options `cdefc --help` lists (e.g. '--emit-c'), cached per executable."""
    exe = _resolve(exe)
    try:
        mtime = os.stat(exe).st_mtime_ns
    except OSError as error:
        raise FFIError(f"cannot run the cdefc compiler {exe}: {error}") from None
    return _help_options(exe, mtime)


def parse_diagnostics(text: str) -> list:
    """The Diagnostic tuples of Clang-style `text` (each located diagnostic line may be
    followed by its source line and a caret line, which are skipped)."""
    found, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _DIAGNOSTIC.match(lines[i])
        if m and not lines[i].startswith(_LOG_PREFIX):
            found.append(Diagnostic(m["severity"], m["file"], int(m["line"] or 0),
                                    int(m["column"] or 0), m["message"]))
            if m["line"] and i + 2 < len(lines) and lines[i + 2].strip() == "^":
                i += 2
        i += 1
    return found


def split_diagnostics(text: str) -> list:
    """The diagnostics of Clang-style `text`, one string each: the `file:line:col: warning:`
    (or error) line with the lines that follow it (source line, caret, notes), and before it
    any `In file included from` lines."""
    found, pending = [], []
    for line in text.splitlines():
        m = _DIAGNOSTIC.match(line)
        if _INCLUDED_FROM.match(line):
            pending.append(line)
        elif (m and m["severity"] != "note") or not found or _TOOL_ERROR.match(line):
            found.append(pending + [line])
            pending = []
        else:
            found[-1] += pending + [line]
            pending = []
    if pending:
        found.append(pending)
    return ["\n".join(lines) for lines in found]


def _first_outside_frame_stacklevel() -> int:
    """The `stacklevel` of warnings.warn() (called by our caller) that names the first frame
    outside this package: the build script's call of cdef(), compile(), ..."""
    package = __name__.split(".")[0]
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == package:
        frame, level = frame.f_back, level + 1
    return level if frame is not None else 1


def _warn(text: str, warned) -> None:
    """Issue each diagnostic of `text` as a VerificationWarning, unless its first line (place
    and message) is in `warned` (the same builder re-runs cdefc on its earlier cdefs, and the
    source line shown may have gone meanwhile, e.g. a deleted temporary header); add it there."""
    stacklevel = _first_outside_frame_stacklevel()
    for warning in split_diagnostics(text):
        if warned is not None:
            key = warning.split("\n", 1)[0]
            if key in warned:
                continue
            warned.add(key)
        warnings.warn(VerificationWarning(warning), stacklevel=stacklevel)


def _split_stderr(stderr: str):
    """(log lines, diagnostics text, cdefc's own error lines) of the command's stderr."""
    log, diagnostics, tool = [], [], []
    for line in stderr.splitlines(keepends=True):
        if _TOOL_ERROR.match(line):
            tool.append(line)
        elif line.startswith(_LOG_PREFIX):
            log.append(line)
        elif not _SUMMARY.match(line.rstrip("\n")):
            diagnostics.append(line)
    return "".join(log), "".join(diagnostics), "".join(tool)


def run(description: dict, *, emit_c=None, parse_only=False, cwd=None, verbose=False,
        exe=None, warned=None, strict=False, dump_model=None, pieces=0,
        print_cdef=False) -> str:
    """Run cdefc on `description`; with `emit_c`, write the module's C code to that path
    (only if its content changed), and with `pieces` > 1 a big module's wrappers into at
    most that many more files beside it, whose paths cdefc prints (one per line on stdout,
    for compiling them in parallel); with `dump_model`, write the resolved module as JSON
    to that path (cdefc --dump-model); with `parse_only`, only parse its cdefs; with
    `print_cdef`, return its cdefs (those of cdef_from_headers() written). Returns cdefc's
    stdout. Raises CDefError, VerificationError or FFIError (see the top of this file).
    Warnings are issued as VerificationWarning, except those whose text is in the set
    `warned` (see _warn). With "strict" in the description (or "-Werror" in its
    extra_compile_args) cdefc itself reports every warning as an error, its message ending
    in " [strict]" (" [-Werror]"), and fails; `strict` is accepted for the callers' sake."""
    exe = _resolve(exe)
    args = [exe, "--description", "-"] + (["-v"] if verbose else [])
    if emit_c is not None:
        args += ["--emit-c", os.fspath(emit_c)]
        if pieces > 1 and "--pieces" in supported_options(exe):
            args += ["--pieces", str(pieces)]
    if dump_model is not None:
        args.append(f"--dump-model={os.fspath(dump_model)}")
    if parse_only:
        args.append("--parse-only")
    if print_cdef:
        args.append("--print-cdef")
    try:
        proc = subprocess.run(args, input=json.dumps(description), capture_output=True,
                              encoding="utf-8", errors="replace", cwd=cwd, check=False)
    except OSError as error:
        raise FFIError(f"cannot run the cdefc compiler {exe}: {error}") from None
    log, diagnostics_text, tool_errors = _split_stderr(proc.stderr)
    if verbose and log:
        sys.stderr.write(log)
    if proc.returncode == EXIT_OK:
        warnings_text = (tool_errors + diagnostics_text).rstrip("\n")
        if warnings_text:
            _warn(warnings_text, warned)
        return proc.stdout

    diagnostics = parse_diagnostics(diagnostics_text)
    message = (tool_errors + diagnostics_text).rstrip("\n")
    if proc.returncode < 0:
        raise FFIError(f"the cdefc compiler {exe} was killed by signal {-proc.returncode}"
                       + (f"\n{message}" if message else ""), diagnostics)
    if not message:
        message = f"the cdefc compiler {exe} failed with exit status {proc.returncode}"
    if proc.returncode == EXIT_CDEF:
        raise CDefError(message, diagnostics)
    if proc.returncode == EXIT_VERIFICATION:
        raise VerificationError(message, diagnostics)
    raise FFIError(message, diagnostics)
