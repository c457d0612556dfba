# Build errors (cdefc only: CFFI finds these late or not at all): a cdef that does not match
# its C source makes compile() raise cdefc.VerificationError naming the build script's line
# (the cdef) and the C source's line, and leaves no module behind.
import os
import re

import pytest

import cdefc

THIS_FILE = os.path.abspath(__file__)

WRONG_STRUCT_CDEF = """
    struct point { int x; int y; };
"""
WRONG_STRUCT_SOURCE = """
    struct point { long tag; int x; int y; };
"""

WRONG_DEFINE_CDEF = """
    #define LIMIT 41
"""
WRONG_DEFINE_SOURCE = """
    #define LIMIT 42
"""

MISSING_FUNCTION_CDEF = """
    int present(int a);
    int missing_function(int a);
"""
MISSING_FUNCTION_SOURCE = """
    static int present(int a) { return a; }
"""

WRONG_POINTER_CDEF = """
    int takes_ptr(int *p);
"""
WRONG_POINTER_SOURCE = """
    static int takes_ptr(double *p) { return p != 0; }
"""

HEADER_CDEF = """
    struct rec { int a; int b; };
"""
HEADER_TEXT = "/* rec.h */\nstruct rec {\n    int b;\n    int a;\n};\n"


def line_in_this_file(name, needle):
    """The 1-based line of this file holding `needle` inside the literal of constant `name`
    (the literal starts on the line that assigns it)."""
    with open(THIS_FILE) as f:
        starts = [number for number, line in enumerate(f, 1)
                  if line.startswith(f'{name} = """')]
    assert len(starts) == 1, (name, starts)
    offsets = [i for i, line in enumerate(globals()[name].split("\n")) if needle in line]
    assert len(offsets) == 1, (name, needle, offsets)
    return starts[0] + offsets[0]


def failed_build(tmp_path, module_name, cdef, source, **keywords):
    """Compile with cdefc, expecting a VerificationError; return it, after checking that no
    module of that name is left in tmp_path."""
    builder = cdefc.FFI()
    builder.cdef(cdef)
    builder.set_source(module_name, source, **keywords)
    with pytest.raises(cdefc.VerificationError) as info:
        builder.compile(tmpdir=str(tmp_path))
    left = [p.name for p in tmp_path.rglob(f"{module_name}*") if p.suffix in (".so", ".pyd")]
    assert left == [], f"compile() failed but left {left}"
    return info.value


def locations(error, file_name):
    """(severity, line) of the message's 'FILE:LINE:COL: severity:' lines naming file_name."""
    pattern = re.compile(r"^(?:.*[/\\])?" + re.escape(file_name) + r":(\d+):\d+: (\w+):",
                         re.MULTILINE)
    return [(severity, int(line)) for line, severity in pattern.findall(str(error))]


def test_wrong_exact_struct(tmp_path):
    error = failed_build(tmp_path, "_e_struct", WRONG_STRUCT_CDEF, WRONG_STRUCT_SOURCE)
    found = locations(error, os.path.basename(THIS_FILE))
    cdef_line = line_in_this_file("WRONG_STRUCT_CDEF", "struct point")
    source_line = line_in_this_file("WRONG_STRUCT_SOURCE", "struct point")
    assert ("error", cdef_line) in found, str(error)
    assert ("note", source_line) in found, str(error)
    assert "struct point" in str(error)
    assert any(d.severity == "error" and d.line == cdef_line for d in error.diagnostics)


def test_wrong_define_value(tmp_path):
    error = failed_build(tmp_path, "_e_define", WRONG_DEFINE_CDEF, WRONG_DEFINE_SOURCE)
    found = locations(error, os.path.basename(THIS_FILE))
    assert ("error", line_in_this_file("WRONG_DEFINE_CDEF", "LIMIT")) in found, str(error)
    assert ("note", line_in_this_file("WRONG_DEFINE_SOURCE", "LIMIT")) in found, str(error)
    assert "LIMIT" in str(error) and "42" in str(error) and "41" in str(error)


def test_missing_function_names_the_cdef_line(tmp_path):
    error = failed_build(tmp_path, "_e_missing", MISSING_FUNCTION_CDEF, MISSING_FUNCTION_SOURCE)
    found = locations(error, os.path.basename(THIS_FILE))
    cdef_line = line_in_this_file("MISSING_FUNCTION_CDEF", "missing_function")
    assert ("error", cdef_line) in found, str(error)
    assert "missing_function" in str(error)


def test_missing_function_names_the_c_source(tmp_path):
    # There is no C line declaring it: the message must still point into the C source
    # (the set_source() text), as the other mismatches do.
    error = failed_build(tmp_path, "_e_missing2", MISSING_FUNCTION_CDEF, MISSING_FUNCTION_SOURCE)
    found = locations(error, os.path.basename(THIS_FILE))
    source_first = line_in_this_file("MISSING_FUNCTION_SOURCE", "present") - 1
    source_last = source_first + MISSING_FUNCTION_SOURCE.count("\n")
    assert any(severity == "note" and source_first <= line <= source_last
               for severity, line in found), str(error)


def test_wrong_pointer_argument(tmp_path):
    error = failed_build(tmp_path, "_e_pointer", WRONG_POINTER_CDEF, WRONG_POINTER_SOURCE)
    found = locations(error, os.path.basename(THIS_FILE))
    assert ("error", line_in_this_file("WRONG_POINTER_CDEF", "takes_ptr")) in found, str(error)
    assert ("note", line_in_this_file("WRONG_POINTER_SOURCE", "takes_ptr")) in found, str(error)


def test_mismatch_in_a_header_names_the_header_line(tmp_path):
    include = tmp_path / "include"
    include.mkdir()
    (include / "rec.h").write_text(HEADER_TEXT)
    error = failed_build(tmp_path, "_e_header", HEADER_CDEF, '#include "rec.h"\n',
                         include_dirs=[str(include)])
    assert ("error", line_in_this_file("HEADER_CDEF", "struct rec")) in \
        locations(error, os.path.basename(THIS_FILE)), str(error)
    assert ("note", 4) in locations(error, "rec.h"), str(error)


def test_a_good_build_after_a_failed_one(tmp_path):
    """The same module name builds once the cdef is fixed (nothing stale is left)."""
    failed_build(tmp_path, "_e_fixed", WRONG_DEFINE_CDEF, WRONG_DEFINE_SOURCE)
    builder = cdefc.FFI()
    builder.cdef("#define LIMIT 42")
    builder.set_source("_e_fixed", WRONG_DEFINE_SOURCE)
    path = builder.compile(tmpdir=str(tmp_path))
    assert os.path.exists(path) and os.path.basename(path).startswith("_e_fixed")
