# Build errors and warnings (cdefc only: CFFI finds these late or not at all). A cdef that C
# cannot use (a missing function) makes compile() raise cdefc.VerificationError naming the build
# script's line (the cdef) and the C source's line, and leaves no module behind. A cdef that C
# can use but that differs from the C source (a wrong exact layout, a wrong #define value, an
# incompatible pointer) is a VerificationWarning naming the same two places; set_source(...,
# strict=True) makes it such an error. (tests/differential/test_leniency.py compares what the
# modules then do with CFFI's.)
import warnings
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


def build_warnings(tmp_path, module_name, cdef, source, **keywords):
    """Check the module with cdefc (emit_c_code: no C compiler run), expecting warnings; return
    their texts joined by newlines."""
    builder = cdefc.FFI()
    builder.cdef(cdef)
    builder.set_source(module_name, source, **keywords)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        builder.emit_c_code(str(tmp_path / f"{module_name}.c"))
    texts = [str(w.message) for w in caught if w.category is cdefc.VerificationWarning]
    assert texts, "no VerificationWarning"
    assert (tmp_path / f"{module_name}.c").exists()
    return "\n".join(texts)


def locations(error, file_name):
    """(severity, line) of the message's 'FILE:LINE:COL: severity:' lines naming file_name."""
    pattern = re.compile(r"^(?:.*[/\\])?" + re.escape(file_name) + r":(\d+):\d+: (\w+):",
                         re.MULTILINE)
    return [(severity, int(line)) for line, severity in pattern.findall(str(error))]


def assert_warned_then_strict(tmp_path, module_name, cdef, source, cdef_line, source_line,
                              source_file=os.path.basename(THIS_FILE), **keywords):
    """The mismatch is a warning at cdef_line with a note at source_line (in source_file);
    with strict=True, an error at the same places that leaves no module. Returns both texts."""
    text = build_warnings(tmp_path, module_name, cdef, source, **keywords)
    found = locations(text, os.path.basename(THIS_FILE))
    assert ("warning", cdef_line) in found, text
    assert ("note", source_line) in locations(text, source_file), text
    assert not [severity for severity, _ in found if severity == "error"], text
    error = failed_build(tmp_path, module_name, cdef, source, strict=True, **keywords)
    found = locations(error, os.path.basename(THIS_FILE))
    assert ("error", cdef_line) in found, str(error)
    assert ("note", source_line) in locations(error, source_file), str(error)
    assert any(d.severity == "error" and d.line == cdef_line and d.message.endswith(" [strict]")
               for d in error.diagnostics), str(error)
    return text, str(error)


def test_wrong_exact_struct(tmp_path):
    text, error = assert_warned_then_strict(
        tmp_path, "_e_struct", WRONG_STRUCT_CDEF, WRONG_STRUCT_SOURCE,
        line_in_this_file("WRONG_STRUCT_CDEF", "struct point"),
        line_in_this_file("WRONG_STRUCT_SOURCE", "struct point"))
    assert "warning: 'struct point' has size 16 in " in text
    assert "error: 'struct point' has size 16 in " in error


def test_wrong_define_value(tmp_path):
    text, error = assert_warned_then_strict(
        tmp_path, "_e_define", WRONG_DEFINE_CDEF, WRONG_DEFINE_SOURCE,
        line_in_this_file("WRONG_DEFINE_CDEF", "LIMIT"),
        line_in_this_file("WRONG_DEFINE_SOURCE", "LIMIT"))
    assert "warning: 'LIMIT' is 42 in " in text and text.count(", cdef says 41\n") == 1
    assert ", cdef says 41 [strict]\n" in error


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
    text, _ = assert_warned_then_strict(
        tmp_path, "_e_pointer", WRONG_POINTER_CDEF, WRONG_POINTER_SOURCE,
        line_in_this_file("WRONG_POINTER_CDEF", "takes_ptr"),
        line_in_this_file("WRONG_POINTER_SOURCE", "takes_ptr"))
    assert "warning: argument 1 of 'takes_ptr' is 'double *' in " in text


def test_mismatch_in_a_header_names_the_header_line(tmp_path):
    include = tmp_path / "include"
    include.mkdir()
    (include / "rec.h").write_text(HEADER_TEXT)
    text, _ = assert_warned_then_strict(
        tmp_path, "_e_header", HEADER_CDEF, '#include "rec.h"\n',
        line_in_this_file("HEADER_CDEF", "struct rec"), 4, source_file="rec.h",
        include_dirs=[str(include)])
    assert "warning: field 'a' of 'struct rec' is at offset 4 in " in text


def test_a_good_build_after_a_failed_one(tmp_path):
    """The same module name builds once the cdef is fixed (nothing stale is left)."""
    failed_build(tmp_path, "_e_fixed", WRONG_DEFINE_CDEF, WRONG_DEFINE_SOURCE, strict=True)
    builder = cdefc.FFI()
    builder.cdef("#define LIMIT 42")
    builder.set_source("_e_fixed", WRONG_DEFINE_SOURCE, strict=True)
    path = builder.compile(tmpdir=str(tmp_path))
    assert os.path.exists(path) and os.path.basename(path).startswith("_e_fixed")
