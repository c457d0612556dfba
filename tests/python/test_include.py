# ffibuilder.include(): the builder API's checks, and two modules of one package built by their
# own unchanged CFFI build scripts through setup(cdefc_modules=...), then used together in a
# Python without cdefc (the behaviour of the modules is compared with CFFI's in
# tests/differential/test_include.py).
import os
import shutil
import sys
import sysconfig
import textwrap

import pytest

import cdefc
from conftest import run

BASE_CDEF = "struct point { int x, y; }; typedef struct point point_t; #define ORIGIN 0"


def test_include_takes_a_builder_other_than_itself():
    ffi = cdefc.FFI()
    with pytest.raises(TypeError, match=r"^ffi.include\(\) expects an argument that is also "
                                        r"of type cdefc.FFI, not 'int'$"):
        ffi.include(42)
    with pytest.raises(ValueError, match=r"^self.include\(self\)$"):
        ffi.include(ffi)


def test_cdef_may_name_what_an_included_builder_declares():
    base = cdefc.FFI()
    base.cdef(BASE_CDEF)
    alone = cdefc.FFI()
    with pytest.raises(cdefc.CDefError, match="unknown type name 'point_t'"):
        alone.cdef("int point_sum(point_t *);")
    user = cdefc.FFI()
    user.include(base)
    user.cdef("int point_sum(point_t *); struct line { struct point a, b; };")
    # what an included builder declares later counts too: the cdefs are read when needed
    base.cdef("typedef int coord_t;")
    user.cdef("coord_t first(struct line *);")


def test_an_included_builder_needs_set_source(tmp_path):
    base = cdefc.FFI()
    base.cdef(BASE_CDEF)
    user = cdefc.FFI()
    user.include(base)
    user.cdef("int point_sum(point_t *);")
    user.set_source("_user", "typedef struct point { int x, y; } point_t;\n"
                             "int point_sum(point_t *p) { return p->x + p->y; }")
    with pytest.raises(cdefc.VerificationError,
                       match=r"^ffi object <.*> includes <.*>, but the latter has not been "
                             r"prepared with set_source\(\)$"):
        user.emit_c_code(str(tmp_path / "_user.c"))
    assert not (tmp_path / "_user.c").exists()


def point_sum_over(base_name, user_name, base_cdef=BASE_CDEF):
    """(base builder, user builder including it): the user's module has point_sum(), its C
    only what that needs (no base_add, no ORIGIN)."""
    base = cdefc.FFI()
    base.cdef(base_cdef)
    base.set_source(base_name, "")
    user = cdefc.FFI()
    user.include(base)
    user.cdef("int point_sum(point_t *);")
    user.set_source(user_name, "typedef struct point { int x, y; } point_t;\n"
                               "int point_sum(point_t *p) { return p->x + p->y; }")
    return base, user


def test_the_included_module_is_named_in_the_generated_c(tmp_path):
    base, user = point_sum_over("pkg._base", "pkg._user", BASE_CDEF + "\nint base_add(int, int);")
    user.emit_c_code(str(tmp_path / "_user.c"))
    text = (tmp_path / "_user.c").read_text()
    assert '"pkg._base",' in text
    assert "base_add" not in text and "ORIGIN" not in text
    assert '{"struct point", 0, 0, CDEFC_RECORD_OPAQUE | CDEFC_RECORD_INCLUDED,' in text


BASE_BUILD = '''
    from cffi import FFI

    ffibuilder = FFI()
    ffibuilder.cdef("""
        struct point { int x, y; };
        typedef struct point point_t;
        enum shape { CIRCLE = 1, SQUARE = 4 };
        #define MAX_POINTS 16
        point_t *point_new(int x, int y);
        int point_norm1(struct point);
        extern int points_made;
    """)
    ffibuilder.set_source("geo._base", """
        #include <stdlib.h>
        typedef struct point { int x, y; } point_t;
        enum shape { CIRCLE = 1, SQUARE = 4 };
        #define MAX_POINTS 16
        int points_made = 0;
        point_t *point_new(int x, int y) {
            point_t *p = malloc(sizeof *p);
            p->x = x; p->y = y; ++points_made;
            return p;
        }
        int point_norm1(struct point p) { return abs(p.x) + abs(p.y); }
    """)
'''

USER_BUILD = '''
    import os
    import sys

    from cffi import FFI

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from base_build import ffibuilder as base_ffi

    ffibuilder = FFI()
    ffibuilder.include(base_ffi)
    ffibuilder.cdef("""
        struct polygon { int n; enum shape shape; point_t corners[MAX_POINTS]; };
        int perimeter_x(struct polygon *);
        point_t corner(struct polygon *, int);
    """)
    ffibuilder.set_source("geo._shapes", """
        typedef struct point { int x, y; } point_t;
        enum shape { CIRCLE = 1, SQUARE = 4 };
        struct polygon { int n; enum shape shape; point_t corners[16]; };
        int perimeter_x(struct polygon *g) {
            int total = 0;
            for (int i = 0; i < g->n; ++i) {
                int d = g->corners[(i + 1) % g->n].x - g->corners[i].x;
                total += d < 0 ? -d : d;
            }
            return total;
        }
        point_t corner(struct polygon *g, int i) { return g->corners[i]; }
    """)
'''

USE = '''
    import sys
    from geo._shapes import ffi, lib
    assert "geo._base" in sys.modules
    from geo import _base
    g = ffi.new("struct polygon *")
    g.n = 4
    g.shape = lib.SQUARE
    for i, (x, y) in enumerate([(0, 0), (3, 0), (3, 3), (0, 3)]):
        g.corners[i] = _base.lib.point_new(x, y)[0]
    print("perimeter_x", lib.perimeter_x(g))
    c = lib.corner(g, 2)
    print("norm1", _base.lib.point_norm1(c), lib.point_norm1(c))
    print("same type", ffi.typeof(c) is _base.ffi.typeof("point_t"))
    print("made", lib.points_made, lib.MAX_POINTS, ffi.sizeof("struct polygon"))
'''


@pytest.mark.skipif(not shutil.which(sysconfig.get_config_var("CC").split()[0]),
                    reason="no C compiler")
def test_two_modules_of_one_package_from_cffi_build_scripts(tmp_path, env):
    geo = tmp_path / "geo"
    geo.mkdir()
    (geo / "__init__.py").write_text("")
    (geo / "base_build.py").write_text(textwrap.dedent(BASE_BUILD))
    (geo / "shapes_build.py").write_text(textwrap.dedent(USER_BUILD))
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='geo', packages=['geo'],\n"
        "      cdefc_modules=['geo/base_build.py:ffibuilder', 'geo/shapes_build.py:ffibuilder'])\n")
    run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], tmp_path, env)
    assert (geo / "_base.abi3.so").is_file() and (geo / "_shapes.abi3.so").is_file()
    # Used as installed code is: without the source package on the path.
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = run([sys.executable, "-c", textwrap.dedent(USE)], tmp_path, clean)
    assert result.stdout.splitlines() == [
        "perimeter_x 6",
        "norm1 6 6",
        "same type True",
        f"made 4 16 {4 + 4 + 16 * 8}",
    ]


@pytest.mark.skipif(not shutil.which(sysconfig.get_config_var("CC").split()[0]),
                    reason="no C compiler")
def test_importing_needs_the_included_module_built_by_cdefc(tmp_path):
    base, user = point_sum_over("_inc_fake_base", "_inc_user")
    user.compile(tmpdir=str(tmp_path))
    program = "import _inc_user"
    result = run([sys.executable, "-c", program], tmp_path, dict(os.environ), check=False)
    assert "ModuleNotFoundError: No module named '_inc_fake_base'" in result.stderr
    # A module of that name that is not cdefc's (e.g. CFFI's, or another cdefc's runtime ABI).
    (tmp_path / "_inc_fake_base.py").write_text("ffi = object()\nlib = object()\n")
    result = run([sys.executable, "-c", program], tmp_path, dict(os.environ), check=False)
    assert result.stderr.splitlines()[-1] == (
        "ImportError: cdefc: module '_inc_user' includes '_inc_fake_base' (ffi.include()), "
        "which is not a module built by cdefc with the same runtime ABI: build both with one "
        "cdefc")
