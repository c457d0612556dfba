# End to end: a build script compiled by the real cdefc (C emitter) and linked with the real
# runtime, then imported and used in a fresh interpreter.
import os
import subprocess
import sys
import sysconfig

import pytest

import cdefc
from conftest import column_of, line_of, run_python, write_script


BUILD_SCRIPT = '''
    from cdefc import FFI
    ffibuilder = FFI()
    ffibuilder.cdef("""
        struct point { int x; int y; ...; };
        int add(int a, int b);
        int area(struct point *p);
        #define LIMIT ...
    """)
    ffibuilder.set_source("pkg._geometry", r"""
        struct point { long tag; int y; int x; };
        #define LIMIT 42
        static int add(int a, int b) { return a + b; }
        static int area(struct point *p) { return p->x * p->y; }
    """{keywords})
    if __name__ == "__main__":
        print(ffibuilder.compile(verbose=True))
'''

USE = '''
import sys
sys.path.insert(0, sys.argv[1])
from pkg._geometry import ffi, lib
assert lib.add(2, 3) == 5, lib.add(2, 3)
assert lib.LIMIT == 42, lib.LIMIT
p = ffi.new("struct point *", {"x": 3, "y": 4})
assert (p.x, p.y) == (3, 4)
assert lib.area(p) == 12
print("ok")
'''


def build(directory, keywords=""):
    script = write_script(directory, "geometry_build.py",
                          BUILD_SCRIPT.replace("{keywords}", keywords))
    result = run_python(script)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()[-1]


def use(directory):
    result = subprocess.run([sys.executable, "-c", USE, str(directory)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_build_and_import(tmp_path):
    path = build(tmp_path)
    assert path == str(tmp_path / "pkg" / "_geometry.abi3.so")
    use(tmp_path)


def test_version_specific_module(tmp_path):
    path = build(tmp_path, ", py_limited_api=False")
    assert path.endswith("_geometry" + sysconfig.get_config_var("EXT_SUFFIX"))
    use(tmp_path)


def test_module_needs_nothing_of_cdefc_at_run_time(tmp_path):
    build(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDEFC_")}
    env.pop("PYTHONPATH", None)
    result = subprocess.run([sys.executable, "-S", "-c", USE, str(tmp_path)], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_rebuild_keeps_the_c_file(tmp_path):
    build(tmp_path)
    c_file = tmp_path / "pkg" / "_geometry.c"
    mtime = c_file.stat().st_mtime_ns
    build(tmp_path)
    assert c_file.stat().st_mtime_ns == mtime
    use(tmp_path)


def test_emit_c_code_defines_the_limited_api(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("int add(int, int);")
    ffibuilder.set_source("_m", "static int add(int a, int b) { return a + b; }")
    ffibuilder.emit_c_code("_m.c")
    text = (tmp_path / "_m.c").read_text()
    assert "Py_LIMITED_API" in text
    assert "static int add(int a, int b) { return a + b; }" in text


def test_cplusplus_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("int twice(int);")
    ffibuilder.set_source("_twice", r"""
        template <typename T> static T twice_of(T v) { return v + v; }
        extern "C" { static int twice(int x) { return twice_of(x); } }
    """, source_extension=".cpp")
    path = ffibuilder.compile()
    assert path.endswith(".abi3.so")
    result = subprocess.run([sys.executable, "-c", "from _twice import lib; print(lib.twice(21))"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.strip() == "42", result.stderr


def test_verification_error_leaves_no_module(tmp_path):
    build(tmp_path)
    script = tmp_path / "geometry_build.py"
    # A call C refuses (too many arguments) fails the build.
    script.write_text(script.read_text().replace("int add(int a, int b);",
                                                 "int add(int a, int b, int c);"))
    result = run_python(script)
    assert result.returncode == 1
    cdef = f"geometry_build.py:{line_of(script, 'int add(')}:{column_of(script, 'add(')}"
    source = f"geometry_build.py:{line_of(script, 'static int add(')}"
    assert (f"cdefc.VerificationError: {cdef}: error: function 'add' takes 2 argument(s) in "
            f"{source}, cdef says 3") in result.stderr
    assert not list((tmp_path / "pkg").glob("_geometry*.so"))


def test_wrong_define_warns_and_raises_at_first_use(tmp_path):
    # A wrong #define value is a build-time warning; the module is built, and reading the
    # constant raises what CFFI raises.
    build(tmp_path)
    script = tmp_path / "geometry_build.py"
    script.write_text(script.read_text().replace("#define LIMIT ...", "#define LIMIT 41"))
    result = run_python(script)
    assert result.returncode == 0, result.stderr
    cdef = f"geometry_build.py:{line_of(script, 'LIMIT 41')}:{column_of(script, 'LIMIT 41')}"
    source = f"geometry_build.py:{line_of(script, 'LIMIT 42')}"
    assert (f"VerificationWarning: {cdef}: warning: 'LIMIT' is 42 in {source}, "
            "cdef says 41") in result.stderr
    use = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1])\n"
         "from pkg._geometry import ffi, lib\n"
         "try:\n    lib.LIMIT\nexcept ffi.error as e:\n    print(e)", str(tmp_path)],
        capture_output=True, text=True)
    assert use.stdout.strip() == \
        "the C compiler says 'LIMIT' is equal to 42 (0x2a), but the cdef disagrees", use.stderr


def test_a_c_module_does_not_load_libstdcxx(tmp_path):
    """The runtime's C++ standard library is linked in: importing a C module maps no
    libstdc++.so (it would be most of the import time)."""
    build(tmp_path)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import pkg._geometry; "
             "print(open('/proc/self/maps').read())")
    maps = subprocess.run([sys.executable, "-I", "-c", probe, str(tmp_path)],
                          capture_output=True, text=True, check=True).stdout
    assert "_geometry" in maps
    assert "libstdc++" not in maps


def test_quoted_includes_resolve_where_the_c_compiler_looks(tmp_path):
    """`#include "x.h"` is searched from the generated C file's directory, by Clang's checks
    and by the C compiler alike: a header beside tmpdir/pkg/_m.c works; one that only the
    build script's directory has fails at the check, not later in the C compiler."""
    script = write_script(tmp_path, "inc_build.py", '''
        import sys
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int seven(void);")
        ffibuilder.set_source("pkg._inc", '#include "here.h"')
        ffibuilder.compile(tmpdir=sys.argv[1])
    ''')
    out = tmp_path / "out"
    (out / "pkg").mkdir(parents=True)
    (out / "pkg" / "here.h").write_text("static int seven(void) { return 7; }\n")
    result = run_python(script, str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    (out / "pkg" / "here.h").unlink()
    (tmp_path / "here.h").write_text("static int seven(void) { return 7; }\n")
    result = run_python(script, str(out))
    assert result.returncode != 0
    assert "cdefc.VerificationError" in result.stderr
    assert "'here.h' file not found" in result.stderr


@pytest.mark.parametrize("include", ["<Python.h>", '"Python.h"'])
def test_source_including_python_h(tmp_path, monkeypatch, include):
    """Clang's checks see Python's include directories, as the C compiler does: a source
    that includes Python.h builds, and its function works."""
    monkeypatch.chdir(tmp_path)
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("int f(void);")
    ffibuilder.set_source("_pyh", f"#include {include}\n"
                                  "static int f(void) { return Py_IsInitialized(); }")
    path = ffibuilder.compile()
    assert path == str(tmp_path / "_pyh.abi3.so")
    result = subprocess.run([sys.executable, "-c", "from _pyh import lib; print(lib.f())"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.strip() == "1", result.stderr


def test_python_cflags_macros_reach_clang(tmp_path, monkeypatch):
    """A macro of Python's CFLAGS (Debian's and pyenv's have -DNDEBUG) or of $CPPFLAGS is
    seen by Clang's checks as by the C compiler: the constant has the compiled value."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CPPFLAGS", "-DCDEFC_TEST_LEVEL=7")
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("#define LEVEL ...\n#define DEBUG_BUILD ...")
    ffibuilder.set_source("_flags", "#define LEVEL CDEFC_TEST_LEVEL\n"
                                    "#ifdef NDEBUG\n#define DEBUG_BUILD 0\n"
                                    "#else\n#define DEBUG_BUILD 1\n#endif\n")
    ffibuilder.compile()
    ndebug = "-DNDEBUG" in (sysconfig.get_config_var("CFLAGS") or "").split()
    result = subprocess.run(
        [sys.executable, "-c", "from _flags import lib; print(lib.LEVEL, lib.DEBUG_BUILD)"],
        cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.split() == ["7", "0" if ndebug else "1"], result.stderr
