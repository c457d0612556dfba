# The module description the builder gives cdefc: each cdef() with the script line (and first-
# line column) where its text starts, the options, and set_source()'s keywords.
import runpy

import pytest

from conftest import column_of, line_of, write_script


def build(script):
    """Run a build script in-process; return its ffibuilder's description."""
    return runpy.run_path(str(script))["ffibuilder"]._module_description()


def first_line_column(entry):
    """1-based column of the text's first non-blank character, counting the padding."""
    first = entry["text"].split("\n", 1)[0]
    return len(first) - len(first.lstrip()) + 1


def test_single_line_literal(in_tmp):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int add(int, int);")
        ffibuilder.set_source("_m", "int add(int a, int b) { return a + b; }")
    ''')
    d = build(script)
    [entry] = d["cdefs"]
    assert entry["file"] == "b.py"
    assert entry["line"] == line_of(script, "int add(int, int)")
    assert first_line_column(entry) == column_of(script, "int add(int, int)")
    assert entry["text"].strip() == "int add(int, int);"
    assert (entry["override"], entry["packed"], entry["pack"]) == (False, False, 0)
    assert d["source"]["line"] == line_of(script, "return a + b")
    assert first_line_column(d["source"]) == column_of(script, "int add(int a")
    assert d["module_name"] == "_m"


def test_triple_quoted_literal_keeps_script_lines(in_tmp):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef(
            """
            struct point { int x; int y; };
            int area(struct point *);
        """,
            override=True)
        ffibuilder.set_source("pkg._m", r"""
            #include "point.h"
        """)
    ''')
    d = build(script)
    [entry] = d["cdefs"]
    assert entry["line"] == line_of(script, '"""')
    lines = entry["text"].split("\n")
    area = line_of(script, "int area")
    assert lines[area - entry["line"]].strip() == "int area(struct point *);"
    assert entry["override"] is True
    assert d["source"]["line"] == line_of(script, 'set_source("pkg._m"')
    assert d["source"]["text"].split("\n")[1].strip() == '#include "point.h"'


def test_text_from_a_variable(in_tmp):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        CDEF = """
            int f(int);
        """
        SOURCE = "int f(int x) { return x; }"
        ffibuilder = FFI()
        ffibuilder.cdef(CDEF)
        ffibuilder.set_source("_m", SOURCE)
    ''')
    d = build(script)
    assert d["cdefs"][0]["line"] == line_of(script, 'CDEF = """')
    assert d["source"]["line"] == line_of(script, "SOURCE =")
    assert first_line_column(d["source"]) == column_of(script, "int f(int x)")


def test_computed_text_uses_the_call_line(in_tmp):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        names = ["f", "g"]
        ffibuilder.cdef("".join(f"int {n}(int);" for n in names))
        ffibuilder.set_source("_m", "")
    ''')
    [entry] = build(script)["cdefs"]
    assert entry["line"] == line_of(script, "ffibuilder.cdef(")
    assert entry["text"] == "int f(int);int g(int);"


def test_escaped_literal_gives_its_line_without_padding(in_tmp):
    script = write_script(in_tmp, "b.py", r'''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(int);\nint g(int);")
        ffibuilder.set_source("_m", "")
    ''')
    [entry] = build(script)["cdefs"]
    assert entry["line"] == line_of(script, "ffibuilder.cdef(")
    assert entry["text"] == "int f(int);\nint g(int);"


def test_several_cdefs_in_order_with_options(in_tmp):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("struct a { char c; int i; };", packed=True)
        ffibuilder.cdef("struct b { char c; double d; };", pack=4)
        ffibuilder.cdef("struct a { char c; int i; };")
        ffibuilder.set_source("_m", "")
    ''')
    a1, b, a2 = build(script)["cdefs"]
    assert (a1["packed"], a1["pack"]) == (True, 0)
    assert (b["packed"], b["pack"]) == (False, 4)
    assert a1["line"] == line_of(script, "struct a", 1)
    assert a2["line"] == line_of(script, "struct a", 2)  # same text, its own line


def test_two_calls_on_one_line(in_tmp):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(int);"); ffibuilder.cdef("int g(int);")
        ffibuilder.set_source("_m", "")
    ''')
    f, g = build(script)["cdefs"]
    assert first_line_column(f) == column_of(script, "int f(int)")
    assert first_line_column(g) == column_of(script, "int g(int)")


def test_helper_function_in_another_file(in_tmp):
    write_script(in_tmp, "helpers.py", '''
        def declare(ffi, text):
            ffi.cdef(text)
    ''')
    script = write_script(in_tmp, "b.py", '''
        import sys
        sys.path.insert(0, ".")
        from cdefc import FFI
        from helpers import declare
        ffibuilder = FFI()
        declare(ffibuilder, "int f(int);")
        ffibuilder.set_source("_m", "")
    ''')
    [entry] = build(script)["cdefs"]
    # The literal is in the build script, not where cdef() is called.
    assert entry["file"] == "b.py"
    assert entry["line"] == line_of(script, "declare(ffibuilder")


def test_script_outside_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    script = write_script(tmp_path, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(int);")
        ffibuilder.set_source("_m", "")
    ''')
    assert build(script)["cdefs"][0]["file"] == str(script)


def test_tab_indentation_is_kept_in_the_padding(in_tmp):
    script = in_tmp / "b.py"
    script.write_text('from cdefc import FFI\nffibuilder = FFI()\nif True:\n'
                      '\tffibuilder.cdef("int f(int);")\nffibuilder.set_source("_m", "")\n')
    [entry] = build(script)["cdefs"]
    assert entry["text"].startswith("\t" + " " * len('ffibuilder.cdef("') + "int f")


def test_set_source_keywords(in_tmp, monkeypatch):
    monkeypatch.delenv("CFLAGS", raising=False)
    monkeypatch.delenv("CPPFLAGS", raising=False)
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(int);")
        ffibuilder.set_source(
            "pkg._m", "#include <foo.h>",
            include_dirs=["inc"], define_macros=[("A", None), ("B", "2"), ("C",), ("D", 4)],
            undef_macros=["E"], libraries=["foo"], library_dirs=["lib"],
            extra_compile_args=["-std=c11"], extra_link_args=["-s"], sources=["x.c"],
            source_extension=".cpp", py_limited_api=False)
    ''')
    d = build(script)
    assert d["include_dirs"] == ["inc"]
    assert d["define_macros"] == ["A", "B=2", "C", "D=4"]
    assert d["undef_macros"] == ["E"]
    assert d["libraries"] == ["foo"]
    assert d["library_dirs"] == ["lib"]
    assert d["extra_compile_args"] == ["-std=c11"]
    assert d["cplusplus"] is True
    assert d["py_limited_api"] is False
    assert set(d) == {"module_name", "cdefs", "source", "include_dirs", "define_macros",
                      "undef_macros", "extra_compile_args", "libraries", "library_dirs",
                      "cplusplus", "py_limited_api"}


def test_defaults(in_tmp, monkeypatch):
    monkeypatch.delenv("CFLAGS", raising=False)
    monkeypatch.delenv("CPPFLAGS", raising=False)
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.set_source("_m", "")
    ''')
    d = build(script)
    assert d["cdefs"] == []
    assert d["cplusplus"] is False
    assert d["py_limited_api"] is True
    assert d["extra_compile_args"] == []


def test_cflags_reach_clang(in_tmp, monkeypatch):
    monkeypatch.setenv("CPPFLAGS", "-I/opt/inc -D FOO=1")
    monkeypatch.setenv("CFLAGS", "-O2 -UBAR -std=gnu11 -Wall -isystem /opt/sys")
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.set_source("_m", "", extra_compile_args=["-g"])
    ''')
    assert build(script)["extra_compile_args"] == [
        "-g", "-I/opt/inc", "-D", "FOO=1", "-UBAR", "-std=gnu11", "-isystem", "/opt/sys"]


@pytest.mark.parametrize("method", ["compile", "emit_c_code", "distutils_extension"])
def test_description_needs_set_source(method):
    from cdefc import FFI

    with pytest.raises(ValueError, match=f"before {method}"):
        getattr(FFI(), method)(*(["x.c"] if method == "emit_c_code" else []))
