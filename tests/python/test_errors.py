# Errors of real cdefc runs as the builder raises them: the class (CDefError for the cdef
# language, VerificationError for what Clang finds), the Clang-style message pointing at the
# build script, and no module left behind.
import importlib.machinery
import runpy
import sys

import pytest

import cdefc
from cdefc import compiler
from conftest import column_of, import_from, line_of, run_python, write_script


def failure(script, method="compile", *args):
    """Run the build script in-process, then ffibuilder.<method>(); return the exception
    (a cdef that does not parse raises in cdef() already, as in CFFI)."""
    with pytest.raises(Exception) as info:
        ffibuilder = runpy.run_path(str(script))["ffibuilder"]
        getattr(ffibuilder, method)(*args)
    return info.value


def test_malformed_cdef_is_a_cdef_error(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("""
            int ok(int);
            foo_t make_foo(int n);
        """)
        ffibuilder.set_source("_foo", "int ok(int x) { return x; }")
    ''')
    error = failure(script)
    assert type(error) is cdefc.CDefError
    line, column = line_of(script, "foo_t make_foo"), column_of(script, "foo_t make_foo")
    lines = str(error).splitlines()
    assert lines[0] == f"foo_build.py:{line}:{column}: error: unknown type name 'foo_t'"
    assert lines[1].strip() == "foo_t make_foo(int n);"
    assert lines[2] == " " * (column - 1) + "^"
    [diagnostic] = error.diagnostics
    assert diagnostic == ("error", "foo_build.py", line, column, "unknown type name 'foo_t'")


def test_error_on_a_single_line_cdef_has_the_script_column(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int first(void) int second(void);")
        ffibuilder.set_source("_foo", "")
    ''')
    error = failure(script)
    assert type(error) is cdefc.CDefError
    first = error.diagnostics[0]
    assert (first.line, first.column) == (line_of(script, "int first"),
                                          column_of(script, " int second"))  # right after ")"
    assert "expected ';'" in first.message


def test_line_directive_remaps_the_location(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("""
        # 42 "library.h"
        bad_type_t broken(void);
        """)
        ffibuilder.set_source("_foo", "")
    ''')
    error = failure(script)
    assert type(error) is cdefc.CDefError
    assert str(error).startswith("library.h:42:1: error: unknown type name 'bad_type_t'")


def compile_warnings(script, *args):
    """Run the build script in-process, then ffibuilder.compile(*args); return the
    VerificationWarnings issued, as (Diagnostic list, message text) pairs."""
    with pytest.warns(cdefc.VerificationWarning) as record:
        ffibuilder = runpy.run_path(str(script))["ffibuilder"]
        ffibuilder.compile(*args)
    return [(compiler.parse_diagnostics(str(w.message)), str(w.message))
            for w in record if w.category is cdefc.VerificationWarning]


POINT_SCRIPT = '''
    from cdefc import FFI
    ffibuilder = FFI()
    ffibuilder.cdef("""
        struct point {
            int x;
            int y;
        };
    """)
    ffibuilder.set_source("_e_point", '#include "point.h"', include_dirs=["."]{keywords})
'''


def test_wrong_exact_struct_names_both_places(in_tmp):
    # A wrong exact layout is what CFFI finds lazily: a warning at build time naming the cdef
    # line and the header's, and CFFI's ffi.error at the struct's first use.
    (in_tmp / "point.h").write_text("struct point {\n    long pad;\n    int y;\n    int x;\n};\n")
    script = write_script(in_tmp, "foo_build.py", POINT_SCRIPT.replace("{keywords}", ""))
    found = compile_warnings(script)
    assert all(d[0].severity == "warning" for d, _ in found)
    diagnostics, text = next((d, t) for d, t in found if "field 'x'" in d[0].message)
    x, note = diagnostics
    assert (x.file, x.line, x.column) == ("foo_build.py", line_of(script, "int x;"),
                                          column_of(script, "x;"))
    assert x.message == "field 'x' of 'struct point' is at offset 12 in ./point.h:4, cdef says 0"
    assert (note.severity, note.file, note.line, note.message) == (
        "note", "./point.h", 4, "declared here")
    assert text.startswith(f"foo_build.py:{x.line}:{x.column}: warning: field 'x'")
    messages = [d[0].message for d, _ in found]
    assert "'struct point' has size 16 in ./point.h:1, cdef says 8" in messages
    # The module is built; the struct's first use raises what CFFI raises.
    module = import_from(in_tmp, "_e_point")
    with pytest.raises(module.ffi.error) as info:
        module.ffi.new("struct point *")
    assert str(info.value) == (
        "struct point: wrong offset for field 'x' (cdef says 0, but C compiler says 12). fix "
        "it or use \"...;\" as the last field in the cdef for struct point to make it flexible")


def test_wrong_exact_struct_is_an_error_with_strict(in_tmp):
    (in_tmp / "point.h").write_text("struct point {\n    long pad;\n    int y;\n    int x;\n};\n")
    script = write_script(in_tmp, "foo_build.py",
                          POINT_SCRIPT.replace("{keywords}", ", strict=True"))
    error = failure(script)
    assert type(error) is cdefc.VerificationError
    x = next(d for d in error.diagnostics if "field 'x'" in d.message)
    assert (x.severity, x.file, x.line) == ("error", "foo_build.py", line_of(script, "int x;"))
    assert x.message.endswith("cdef says 0 [strict]")
    assert any(n.severity == "note" and n.file.endswith("point.h") and n.line == 4
               for n in error.diagnostics)
    assert not list(in_tmp.glob("_e_point*.so"))


def test_wrong_define_points_into_the_script_twice(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("""
            #define LIMIT 100
        """)
        ffibuilder.set_source("_e_limit", """
            #define LIMIT 128
        """)
    ''')
    [(diagnostics, _)] = compile_warnings(script)
    w, note = diagnostics
    assert (w.severity, w.file, w.line, w.column) == (
        "warning", "foo_build.py", line_of(script, "LIMIT 100"), column_of(script, "LIMIT 100"))
    source_line = line_of(script, "LIMIT 128")
    assert w.message == f"'LIMIT' is 128 in foo_build.py:{source_line}, cdef says 100"
    assert (note.severity, note.file, note.line, note.column) == (
        "note", "foo_build.py", line_of(script, "LIMIT 128"), column_of(script, "LIMIT 128"))
    # Reading it raises CFFI's error.
    module = import_from(in_tmp, "_e_limit")
    with pytest.raises(module.ffi.error) as info:
        module.lib.LIMIT
    assert str(info.value) == \
        "the C compiler says 'LIMIT' is equal to 128 (0x80), but the cdef disagrees"


def test_missing_function(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int frobnicate(int level);")
        ffibuilder.set_source("_foo", "int frob(int level);")
    ''')
    error = failure(script, "emit_c_code", "_foo.c")
    assert type(error) is cdefc.VerificationError
    [d, note] = error.diagnostics
    assert d.message == "function 'frobnicate' is not declared in the C source"
    assert (d.line, d.column) == (line_of(script, "frobnicate"), column_of(script, "frobnicate"))
    # The other location: where the set_source() C text is, in the build script.
    assert note.severity == "note"
    assert note.message == "not found in the set_source() C text or the headers it includes"
    assert note.line == line_of(script, "set_source")
    assert not (in_tmp / "_foo.c").exists()


def test_error_in_the_c_source(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(int);")
        ffibuilder.set_source("_foo", """
            #include "no_such_header.h"
        """)
    ''')
    error = failure(script, "distutils_extension")
    assert type(error) is cdefc.VerificationError
    d = error.diagnostics[0]
    assert "'no_such_header.h' file not found" in d.message
    assert (d.file, d.line) == ("foo_build.py", line_of(script, "no_such_header"))


def test_no_module_left_behind(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(void);")
        ffibuilder.set_source("pkg._foo", "")
    ''')
    (in_tmp / "out" / "pkg").mkdir(parents=True)
    stale = [in_tmp / "out" / "pkg" / ("_foo" + s) for s in importlib.machinery.EXTENSION_SUFFIXES]
    for path in stale:
        path.write_text("stale")
    error = failure(script, "compile", "out")
    assert type(error) is cdefc.VerificationError  # f is not in the C source
    assert [p for p in stale if p.exists()] == []


def test_traceback_of_a_build_script_run_by_hand(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("""
            struct s { int a; };
            void use(struct s *, unknown_t);
        """)
        ffibuilder.set_source("_foo", "")
        if __name__ == "__main__":
            ffibuilder.compile(verbose=True)
    ''')
    result = run_python(script)
    assert result.returncode == 1
    line, column = line_of(script, "unknown_t"), column_of(script, "unknown_t")
    assert (f"cdefc.CDefError: foo_build.py:{line}:{column}: error: "
            "unknown type name 'unknown_t'") in result.stderr
    assert not list(in_tmp.glob("_foo*.so"))


def test_missing_compiler_is_an_ffi_error(in_tmp, monkeypatch):
    monkeypatch.setenv("CDEFC_COMPILER", str(in_tmp / "no-such-cdefc"))
    ffibuilder = cdefc.FFI()
    with pytest.raises(cdefc.FFIError, match="no-such-cdefc"):
        ffibuilder.cdef("int f(int);")  # parsed at once, as CFFI does


def test_cdef_raises_at_once_like_cffi(in_tmp):
    ffibuilder = cdefc.FFI()
    with pytest.raises(cdefc.CDefError, match="unknown type name 'foo_t'"):
        ffibuilder.cdef("foo_t f(void);")
    # The bad cdef is not kept: the builder goes on with the good ones.
    ffibuilder.cdef("int twice(int);")
    ffibuilder.set_source("_twice", "static int twice(int x) { return 2 * x; }")
    ffibuilder.emit_c_code("_twice.c")
    assert "_cdefc_fn_twice" in (in_tmp / "_twice.c").read_text()
    # CFFI raises the same class for the same cdef.
    cffi = pytest.importorskip("cffi")
    with pytest.raises(cffi.CDefError):
        cffi.FFI().cdef("foo_t f(void);")


def test_cdef_read_from_a_file_is_located_in_its_own_text(in_tmp):
    # Not past the end of the build script: CFFI's "<cdef source string>", line 1 its first.
    (in_tmp / "decl").mkdir()
    (in_tmp / "decl" / "foo.h").write_text("int ok(int);\nint also(int);\n  foo_t make(int n);\n")
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef(open("decl/foo.h").read())
    ''')
    error = failure(script, "cdef")  # raised by cdef() already
    assert type(error) is cdefc.CDefError
    assert str(error).splitlines() == [
        "<cdef source string>:3:3: error: unknown type name 'foo_t'",
        "  foo_t make(int n);",
        "  ^"]
    assert error.diagnostics == [
        ("error", "<cdef source string>", 3, 3, "unknown type name 'foo_t'")]
    # CFFI names the same place.
    cffi = pytest.importorskip("cffi")
    with pytest.raises(cffi.CDefError, match="<cdef source string>:3:"):
        cffi.FFI().cdef((in_tmp / "decl" / "foo.h").read_text())


def test_line_markers_in_a_cdef_read_from_a_file(in_tmp):
    text = 'int ok(int);\n# 12 "decl/foo.h"\nint a(int);\nbad_t b(void);\n'
    (in_tmp / "gen.h").write_text(text)
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef(open("gen.h").read())
    ''')
    error = failure(script, "cdef")
    assert type(error) is cdefc.CDefError
    assert str(error).splitlines() == [
        "decl/foo.h:13:1: error: unknown type name 'bad_t'", "bad_t b(void);", "^"]
    cffi = pytest.importorskip("cffi")
    with pytest.raises(cffi.CDefError, match="decl/foo.h:13:"):
        cffi.FFI().cdef(text)


def test_set_source_read_from_a_file_is_located_in_its_own_text(in_tmp):
    (in_tmp / "foo.c").write_text("static int f(int x) { return x; }\n"
                                  "static int g(void) { return undefined_thing; }\n")
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(int);")
        ffibuilder.set_source("_foo", open("foo.c").read())
    ''')
    error = failure(script, "emit_c_code", "_foo.c")
    assert type(error) is cdefc.VerificationError
    assert str(error).splitlines()[:3] == [
        "<set_source>:2:29: error: use of undeclared identifier 'undefined_thing'",
        "static int g(void) { return undefined_thing; }",
        " " * 28 + "^"]


def test_cdefc_warning_is_a_python_warning_at_the_script_line(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("""
            #pragma pack(1)
            int f(int);
        """)
        ffibuilder.cdef("int g(int);")
        ffibuilder.set_source("_foo", """
            static int f(int x) { return x; }
            static int g(int x) { return x; }
        """)
    ''')
    line, column = line_of(script, "#pragma"), column_of(script, "#pragma")
    with pytest.warns(cdefc.VerificationWarning) as record:
        ffibuilder = runpy.run_path(str(script))["ffibuilder"]
        ffibuilder.emit_c_code("_foo.c")
    # Once, though cdef() parses the first cdef again and emit_c_code() runs cdefc once more.
    [warning] = [w for w in record if w.category is cdefc.VerificationWarning]
    assert str(warning.message).splitlines() == [
        f"foo_build.py:{line}:{column}: warning: '#pragma' is ignored in cdef()",
        script.read_text().splitlines()[line - 1],
        " " * (column - 1) + "^"]
    assert (warning.filename, warning.lineno) == (str(script), line_of(script, "cdef(\"\"\""))
    assert (in_tmp / "_foo.c").exists()


def test_strict_makes_cdefc_warnings_errors(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("#pragma pack(1)\\nint f(int);")
        ffibuilder.set_source("_foo", "static int f(int x) { return x; }", strict=True)
    ''')
    with pytest.warns(cdefc.VerificationWarning):  # cdef() does not know set_source's yet
        error = failure(script, "emit_c_code", "_foo.c")
    # cdefc stops at the warning of the cdef it parses again: CDefError, the text's line.
    assert type(error) is cdefc.CDefError
    line = line_of(script, "ffibuilder.cdef(")
    assert str(error).splitlines()[0] == (
        f"foo_build.py:{line}:1: error: '#pragma' is ignored in cdef() [strict]")
    assert error.diagnostics[0] == (
        "error", "foo_build.py", line, 1, "'#pragma' is ignored in cdef() [strict]")
    assert not (in_tmp / "_foo.c").exists()


def test_werror_makes_cdefc_warnings_errors(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("#pragma pack(1)\\nint f(int);")
        ffibuilder.set_source("_foo", "static int f(int x) { return x; }",
                              extra_compile_args=["-Werror"])
    ''')
    with pytest.warns(cdefc.VerificationWarning):  # cdef() does not know set_source's yet
        error = failure(script, "emit_c_code", "_foo.c")
    assert type(error) is cdefc.CDefError
    assert str(error).splitlines()[0] == (
        f"foo_build.py:{line_of(script, 'ffibuilder.cdef(')}:1: error: "
        "'#pragma' is ignored in cdef() [-Werror]")
    assert not (in_tmp / "_foo.c").exists()


def test_strict_set_before_cdef_stops_cdef_at_a_warning(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.set_source("_foo", "static int f(int x) { return x; }", strict=True)
        ffibuilder.cdef("#pragma pack(1)\\nint f(int);")
    ''')
    error = failure(script, "cdef")  # raised by cdef() already
    assert type(error) is cdefc.CDefError
    # The literal has an escape: its line, column 1 of the text.
    first = str(error).splitlines()[0]
    assert first == (f"foo_build.py:{line_of(script, 'ffibuilder.cdef(')}:1: error: "
                     "'#pragma' is ignored in cdef() [strict]")
