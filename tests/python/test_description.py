# The module description the builder gives cdefc: each cdef() with the script line (and first-
# line column) where its text starts, the options, and set_source()'s keywords.
import runpy
import sysconfig
from pathlib import Path

import pytest

from cdefc import build as cdefc_build
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


def test_computed_text_is_its_own_source_string(in_tmp):
    # As CFFI names it: not a place in the script, where nothing holds this text.
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        names = ["f", "g"]
        ffibuilder.cdef("".join(f"int {n}(int);" for n in names))
        ffibuilder.set_source("_m", "".join(f"int {n}(int x) {{ return x; }}" for n in names))
    ''')
    d = build(script)
    [entry] = d["cdefs"]
    assert (entry["file"], entry["line"]) == ("<cdef source string>", 1)
    assert entry["text"] == "int f(int);int g(int);"
    assert d["source"] == {"file": "<set_source>", "line": 1,
                           "text": "int f(int x) { return x; }int g(int x) { return x; }"}


def test_text_read_from_files_is_its_own_source_string(in_tmp):
    (in_tmp / "decl").mkdir()
    (in_tmp / "decl" / "foo.h").write_text("int f(int);\n")
    (in_tmp / "foo.c").write_text("int f(int x) { return x; }\n")
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef(open("decl/foo.h").read())
        with open("foo.c") as f:
            ffibuilder.set_source("_m", f.read())
    ''')
    d = build(script)
    assert d["cdefs"][0]["file"] == "<cdef source string>"
    assert d["cdefs"][0]["line"] == 1
    assert d["cdefs"][0]["text"] == "int f(int);\n"
    assert (d["source"]["file"], d["source"]["line"]) == ("<set_source>", 1)
    assert d["source"]["text"] == "int f(int x) { return x; }\n"


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


def test_set_source_keywords(in_tmp, compiler_config):
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
    assert d["include_dirs"] == ["inc", *cdefc_build.python_include_dirs()]
    assert d["define_macros"] == ["A", "B=2", "C", "D=4"]
    assert d["undef_macros"] == ["E"]
    assert d["libraries"] == ["foo"]
    assert d["library_dirs"] == ["lib"]
    assert d["extra_compile_args"] == ["-std=c11"]
    assert d["cplusplus"] is True
    assert d["py_limited_api"] is False
    assert d["strict"] is False
    assert d["includes"] == []
    assert d["release_gil"] == "auto"
    assert set(d) == {"module_name", "cdefs", "includes", "source", "include_dirs",
                      "define_macros", "undef_macros", "release_gil", "extra_compile_args", "libraries", "library_dirs",
                      "cplusplus", "py_limited_api", "strict"}


def test_strict_is_in_the_description_not_in_the_extension(in_tmp):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int f(int);")
        ffibuilder.set_source("_m", "", libraries=["m"], strict=True)
    ''')
    ffibuilder = runpy.run_path(str(script))["ffibuilder"]
    assert ffibuilder._module_description()["strict"] is True
    kwds, _ = ffibuilder._extension_keywords()
    assert kwds == {"libraries": ["m"]}
    ext = cdefc_build.make_extension("_m", "_m.c", kwds, True)
    assert not hasattr(ext, "strict")
    assert ext.libraries == ["m", "ffi"]


def test_strict_must_be_a_bool():
    from cdefc import FFI

    with pytest.raises(TypeError, match="'strict' must be True or False, not str"):
        FFI().set_source("_m", "", strict="yes")
    with pytest.raises(TypeError):
        FFI().set_source("_m", "", ".c", True)  # keyword-only: not source_extension's neighbour


def test_defaults(in_tmp, compiler_config):
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.set_source("_m", "")
    ''')
    d = build(script)
    assert d["cdefs"] == []
    assert d["cplusplus"] is False
    assert d["py_limited_api"] is True
    assert d["strict"] is False
    assert d["include_dirs"] == cdefc_build.python_include_dirs()
    assert (d["define_macros"], d["undef_macros"], d["extra_compile_args"]) == ([], [], [])


def test_python_include_dirs_are_setuptools_ones():
    dirs = cdefc_build.python_include_dirs()
    assert dirs[-1] in (sysconfig.get_paths()["include"], sysconfig.get_paths()["platinclude"])
    assert sysconfig.get_paths()["include"] in dirs
    assert any((Path(d) / "Python.h").is_file() for d in dirs)


def test_compiler_flags_reach_clang_in_the_compilers_order(in_tmp, compiler_config,
                                                           monkeypatch):
    # distutils' command: CC CFLAGS(Python's) $CFLAGS $CPPFLAGS CCSHARED, then the keywords'
    # -D/-U, -I (the Extension's, then Python's), then extra_compile_args.
    compiler_config(cc="gcc -pthread", cflags="-DNDEBUG -g -O2 -Wall -I/py/cfg",
                    ccshared="-fPIC")
    monkeypatch.setenv("CFLAGS", "-O2 -UBAR -std=gnu11 -Wall -isystem /opt/sys")
    monkeypatch.setenv("CPPFLAGS", "-I /opt/inc -D FOO=1 -include pre.h")
    script = write_script(in_tmp, "b.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.set_source("_m", "", include_dirs=["inc"], define_macros=[("BAR", "2")],
                              undef_macros=["FOO"], extra_compile_args=["-g", "-std=c11"])
    ''')
    d = build(script)
    assert d["include_dirs"] == ["/py/cfg", "/opt/inc", "inc",
                                 *cdefc_build.python_include_dirs()]
    assert d["define_macros"] == ["NDEBUG", "FOO=1", "BAR=2"]
    assert d["undef_macros"] == ["FOO"]  # -UBAR comes before the keywords' -DBAR=2
    assert d["extra_compile_args"] == ["-pthread", "-std=gnu11", "-isystem", "/opt/sys",
                                       "-include", "pre.h", "-g", "-std=c11"]


def test_environment_cc_replaces_pythons(compiler_config, monkeypatch):
    compiler_config(cc="gcc -DFROM_PYTHON_CC", cflags="-DA=1 -UA -UB -DB=2 -DC -DC=3")
    monkeypatch.setenv("CC", "clang -DFROM_ENV_CC")
    flags = cdefc_build.probe_flags_from_environment()
    # Each macro as the last -D or -U of its name leaves it.
    assert flags == {"include_dirs": [], "define_macros": ["FROM_ENV_CC", "B=2", "C=3"],
                     "undef_macros": ["A"], "extra_compile_args": []}


def test_joined_and_separate_option_arguments(compiler_config, monkeypatch):
    compiler_config(ccshared="")  # the last word is a lone -I: nothing follows it
    monkeypatch.setenv("CPPFLAGS", "-I dir1 -Idir2 -isystem s1 -isystems2 -iquote q "
                                   "-idirafter a -imacros m.h -D X -U Y -ansi -O3 -fwrapv -I")
    flags = cdefc_build.probe_flags_from_environment()
    assert flags == {"include_dirs": ["dir1", "dir2"], "define_macros": ["X"],
                     "undef_macros": ["Y"],
                     "extra_compile_args": ["-isystem", "s1", "-isystem", "s2", "-iquote", "q",
                                            "-idirafter", "a", "-imacros", "m.h", "-ansi"]}


@pytest.mark.parametrize("method", ["compile", "emit_c_code", "distutils_extension"])
def test_description_needs_set_source(method):
    from cdefc import FFI

    with pytest.raises(ValueError, match=f"before {method}"):
        getattr(FFI(), method)(*(["x.c"] if method == "emit_c_code" else []))
