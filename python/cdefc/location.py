# Where a cdef()/set_source() string starts in the calling build script, for diagnostics.
#
# cdefc reports `file:line:col` of the text it is given, counting from the `line` the build
# API says the text starts on. To make those point into the build script, we find the caller's
# frame, parse the script with `ast`, and look for the string literal whose value is the text:
# first among the arguments of the call being executed, then anywhere in the script (a
# module-level `CDEF = """..."""` passed by name), then among the arguments of the calls being
# executed further out (a helper function that calls cdef() for the script). When the
# literal's source is the text character for character (raw strings, or no escapes), its lines
# are the script's lines, and we pad the text's first line with whitespace so that columns on
# it match the script too. Otherwise we give the literal's line. A text that no literal holds
# (read from a file, or computed) is its own file, as in CFFI: `<cdef source string>` line 1
# for a cdef (`<set_source>` for a source); `# N "file"` lines inside it still re-map it.
import ast
import linecache
import os
import sys
from typing import NamedTuple

_THIS_PACKAGE = __name__.split(".")[0]


class TextOrigin(NamedTuple):
    """Where a text given to the build API comes from."""

    file: str    # the build script's file name as Python knows it (co_filename)
    line: int    # line of the script on which the text's first line is
    pad: str     # whitespace to put before the text so first-line columns match the script

    def place(self, text: str) -> dict:
        """The {"text", "file", "line"} entry of the module description."""
        return {"text": self.pad + text, "file": self.file, "line": self.line}


def _caller_frames(limit: int = 8):
    """The frames outside this package, innermost (the build API's caller) first."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == _THIS_PACKAGE:
        frame = frame.f_back
    while frame is not None and limit > 0:
        yield frame
        frame, limit = frame.f_back, limit - 1


# filename -> (the linecache list it was parsed from, [str Constant nodes], [Call nodes])
_parsed: dict = {}


def _script_nodes(filename: str, frame_globals):
    """The string constants and calls of a script, parsed once per version of its text."""
    lines = linecache.getlines(filename, frame_globals)
    if not lines:
        return None, [], []
    cached = _parsed.get(filename)
    if cached is not None and cached[0] is lines:
        return cached
    try:
        tree = ast.parse("".join(lines), filename)
    except (SyntaxError, ValueError):
        entry = (lines, [], [])
    else:
        strings, calls = [], []
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append(node)
            elif isinstance(node, ast.Call):
                calls.append(node)
        strings.sort(key=lambda n: (n.lineno, n.col_offset))
        entry = (lines, strings, calls)
    _parsed[filename] = entry
    return entry


def _literal_origin(node: ast.Constant, lines, text: str, filename: str) -> TextOrigin:
    """The origin of `text`, the value of the literal `node`; padded when the literal is
    written exactly as its value (then the script's lines and columns are the text's)."""
    first = lines[node.lineno - 1]
    if node.end_lineno is None or node.end_col_offset is None:
        return TextOrigin(filename, node.lineno, "")
    segment_lines = lines[node.lineno - 1:node.end_lineno]
    raw = [line.encode("utf-8") for line in segment_lines]
    raw[-1] = raw[-1][:node.end_col_offset]
    raw[0] = raw[0][node.col_offset:]
    segment = b"".join(raw).decode("utf-8", "replace")
    prefix = ""
    while segment[len(prefix):len(prefix) + 1].isalpha():
        prefix += segment[len(prefix)]
    rest = segment[len(prefix):]
    quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
    body = rest[len(quote):len(rest) - len(quote)]
    if not quote or not rest.endswith(quote) or body != text:
        return TextOrigin(filename, node.lineno, "")
    # Columns are counted in bytes (as Clang does); keep tabs so that editors agree.
    before = first.encode("utf-8")[:node.col_offset + len(prefix) + len(quote)]
    pad = "".join("\t" if ch == "\t" else " " * len(ch.encode("utf-8"))
                  for ch in before.decode("utf-8", "replace"))
    return TextOrigin(filename, node.lineno, pad)


def _shown_name(filename: str) -> str:
    """The script's name as diagnostics show it: relative to the current directory when the
    script is below it (as the user typed it, usually), else as Python knows it."""
    if os.path.isabs(filename):
        try:
            relative = os.path.relpath(filename)
        except ValueError:
            return filename
        if not relative.startswith(os.pardir + os.sep) and relative != os.pardir:
            return relative
    return filename


def _find_literal(frame, text: str, method, anywhere: bool):
    """The str literal of frame's script whose value is `text`: an argument of the call being
    executed (named `method`, when given), else (if `anywhere`) the last one before that
    line, else the first one after it. Returns (lines, node) or (lines, None)."""
    call_line = frame.f_lineno or 1
    lines, strings, calls = _script_nodes(frame.f_code.co_filename, frame.f_globals)
    if not lines:
        return lines, None

    def name_of(call):
        func = call.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)

    current = [c for c in calls
               if (method is None or name_of(c) == method)
               and c.lineno <= call_line <= (c.end_lineno or c.lineno)]
    current.sort(key=lambda c: ((c.end_lineno or c.lineno) - c.lineno, -c.lineno))
    for call in current:
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(arg, ast.Constant) and arg.value == text:
                return lines, arg
    if not anywhere:
        return lines, None
    matches = [s for s in strings if s.value == text]
    before = [s for s in matches if s.lineno <= call_line]
    return lines, (before[-1] if before else matches[0]) if matches else None


#: The file name of a cdef text that is not written in the build script (CFFI's name).
CDEF_SOURCE_STRING = "<cdef source string>"
#: The same for a set_source() text (what `cdefc --source-text` calls it too).
SET_SOURCE_STRING = "<set_source>"


def caller_origin(text: str, method: str, own_name: str = CDEF_SOURCE_STRING) -> TextOrigin:
    """Where `text`, just passed to FFI.<method>() by the build script, starts in it: the
    literal holding it in the caller's script, or a literal argument of a call further out
    (a helper that calls cdef() for the build script); else line 1 of the text itself,
    named `own_name` (the text was read from a file or computed)."""
    frames = list(_caller_frames())
    for depth, frame in enumerate(frames):
        lines, node = _find_literal(frame, text, method if depth == 0 else None,
                                    anywhere=depth == 0)
        if node is not None:
            return _literal_origin(node, lines, text, _shown_name(frame.f_code.co_filename))
    return TextOrigin(own_name, 1, "")


def call_site() -> tuple:
    """(file, line, column) of the build script's call into the build API being executed
    (the column of the call's first character, from 1)."""
    for frame in _caller_frames():
        column = 1
        positions = getattr(frame.f_code, "co_positions", None)  # Python 3.11+
        if positions is not None and frame.f_lasti >= 0:
            for i, (line, _, start, _) in enumerate(positions()):
                if i == frame.f_lasti // 2:
                    if line == frame.f_lineno and start is not None:
                        column = start + 1
                    break
        return _shown_name(frame.f_code.co_filename), frame.f_lineno, column
    return "<unknown>", 1, 1
