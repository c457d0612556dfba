# Runs the cdefc command on a module description and turns its diagnostics into exceptions.
#
# The description (the JSON of compiler/driver/options.h `read_description`) goes to the
# command's stdin (`--description -`). cdefc prints Clang-style diagnostics on stderr:
#     foo_build.py:12:5: error: ...      (then the source line and a caret; notes follow)
# What kind of failure it was comes from the exit status:
#     0 success, 1 usage or I/O error, 2 the cdef does not parse (CDefError),
#     3 Clang found the cdef and the C source disagree, or the C source has errors
#       (VerificationError).
import functools
import json
import os
import re
import subprocess
import sys

from .errors import CDefError, Diagnostic, FFIError, VerificationError
from .paths import compiler_path

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_CDEF = 2
EXIT_VERIFICATION = 3

_LOG_PREFIX = "cdefc: "                      # spdlog lines of `-v`, and usage errors
_TOOL_ERROR = re.compile(r"^cdefc: (error|warning): ")
_SUMMARY = re.compile(
    r"^\d+ (error|errors|warning|warnings)( and \d+ (error|errors))? generated\.$")
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
        exe=None) -> str:
    """Run cdefc on `description`; with `emit_c`, write the module's C code to that path
    (only if its content changed); with `parse_only`, only parse its cdefs. Returns cdefc's stdout. Raises CDefError,
    VerificationError or FFIError (see the top of this file)."""
    exe = _resolve(exe)
    args = [exe, "--description", "-"] + (["-v"] if verbose else [])
    if emit_c is not None:
        args += ["--emit-c", os.fspath(emit_c)]
    if parse_only:
        args.append("--parse-only")
    try:
        proc = subprocess.run(args, input=json.dumps(description), capture_output=True,
                              encoding="utf-8", errors="replace", cwd=cwd, check=False)
    except OSError as error:
        raise FFIError(f"cannot run the cdefc compiler {exe}: {error}") from None
    log, diagnostics_text, tool_errors = _split_stderr(proc.stderr)
    if verbose and log:
        sys.stderr.write(log)
    if proc.returncode == EXIT_OK:
        if diagnostics_text or tool_errors:  # warnings
            sys.stderr.write(tool_errors + diagnostics_text)
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
