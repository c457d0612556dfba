# ffi.include(): a module built over another module's declarations, by cdefc and by CFFI.
#
# Each side builds `_d_inc_base_<side>` (its own cdef and C) and `_d_inc_user_<side>`, whose
# builder includes the base builder; only the user module is imported by the test, which must
# import the base module itself. Expressions see the base module as `b` (through `BASE`).
import importlib
import sys

import cdefc
import cffi
import pytest

from conftest import Pair

BASE_CDEF = """
struct point { int x, y; };
typedef struct point point_t;
struct hidden { int a; ...; };
typedef int... base_int_t;
enum color { RED, GREEN = 5, BLUE };
typedef enum { SMALL = 1, LARGE = 100 } size_kind;
#define BASE_K 42
static const int BASE_C;
int base_add(int, int);
extern int base_counter;
typedef int (*binop)(int, int);
struct opaque;
struct opaque *opaque_new(void);
int opaque_value(struct opaque *);
int point_len1(struct point);
"""

# The types both C sources declare, as a header of the base library would.
TYPES = """
struct point { int x, y; };
typedef struct point point_t;
struct hidden { long pad; int a; char more[12]; };
typedef short base_int_t;
enum color { RED, GREEN = 5, BLUE };
typedef enum { SMALL = 1, LARGE = 100 } size_kind;
"""

BASE_SOURCE = TYPES + """
#define BASE_K 42
static const int BASE_C = 7;
int base_add(int a, int b) { return a + b; }
int base_counter = 3;
typedef int (*binop)(int, int);
struct opaque { int v; };
struct opaque *opaque_new(void) { static struct opaque o = {9}; return &o; }
int opaque_value(struct opaque *o) { return o->v; }
int point_len1(struct point p) { return (p.x < 0 ? -p.x : p.x) + (p.y < 0 ? -p.y : p.y); }
"""

USER_CDEF = """
int point_sum(point_t *p);
struct point make_point(int x, int y);
enum color favourite(void);
size_kind kind_of(int);
int use_opaque(struct opaque *);
int hidden_a(struct hidden *);
base_int_t half(base_int_t);
int apply(binop f, int a, int b);
struct line { struct point from, to; };
int line_width(struct line *);
#define USER_K 1
"""

# The user's C declares what its own declarations use (TYPES, as if from the base's header).
USER_SOURCE = TYPES + """
typedef int (*binop)(int, int);
struct opaque { int v; };
int point_sum(point_t *p) { return p->x + p->y; }
struct point make_point(int x, int y) { struct point p = {x, y}; return p; }
enum color favourite(void) { return GREEN; }
size_kind kind_of(int n) { return n > 10 ? LARGE : SMALL; }
int use_opaque(struct opaque *o) { return o->v; }
int hidden_a(struct hidden *h) { return h->a; }
base_int_t half(base_int_t v) { return (base_int_t)(v / 2); }
int apply(binop f, int a, int b) { return f(a, b); }
struct line { struct point from, to; };
int line_width(struct line *l) { return l->to.x - l->from.x; }
#define USER_K 1
"""

BASE = "b = import_module(module_name.replace('_user_', '_base_')); "


@pytest.fixture(scope="module")
def d(tmp_path_factory):
    directory = tmp_path_factory.mktemp("d_include")
    users = {}
    for label, factory in (("cdefc", cdefc.FFI), ("cffi", cffi.FFI)):
        base = factory()
        base.cdef(BASE_CDEF)
        base.set_source(f"_d_inc_base_{label}", BASE_SOURCE)
        base.compile(tmpdir=str(directory))
        user = factory()
        user.include(base)
        user.cdef(USER_CDEF)
        user.set_source(f"_d_inc_user_{label}", USER_SOURCE)
        user.compile(tmpdir=str(directory))
        users[label] = f"_d_inc_user_{label}"
    sys.path.insert(0, str(directory))
    try:
        for label in users:
            assert f"_d_inc_base_{label}" not in sys.modules
        modules = {label: importlib.import_module(name) for label, name in users.items()}
    finally:
        sys.path.remove(str(directory))
    return Pair("include", modules["cdefc"], modules["cffi"])


def test_importing_the_module_imports_the_included_one(d):
    assert "_d_inc_base_cdefc" in sys.modules
    assert "_d_inc_base_cffi" in sys.modules


def test_types_are_the_included_modules(d):
    for name in ("struct point", "point_t", "struct hidden", "binop", "struct opaque",
                 "base_int_t", "point_t *", "point_t[3]"):
        d.expect(BASE + f"ffi.typeof({name!r}) is b.ffi.typeof({name!r})", True)
    # CFFI makes the included enums again (equal, not the same objects); cdefc shares them
    # as it shares structs (docs/differences.md).
    base = sys.modules["_d_inc_base_cdefc"]
    for name in ("enum color", "size_kind"):
        assert d.ffi.typeof(name) is base.ffi.typeof(name)
        d.expect(BASE + f"ffi.typeof({name!r}).relements == b.ffi.typeof({name!r}).relements",
                 True)
    d.expect("ffi.sizeof('struct hidden')", 24)
    d.expect("ffi.offsetof('struct hidden', 'a')", 8)
    d.expect("ffi.sizeof('base_int_t')", 2)
    d.expect("ffi.typeof('struct point').fields[1][0]", "y")
    d.expect("ffi.typeof('struct line').fields[1][1].type is ffi.typeof('struct point')", True)


def test_cdata_pass_both_ways(d):
    d.expect(BASE + "lib.point_sum(b.ffi.new('point_t *', [1, 2]))", 3)
    d.expect(BASE + "q = lib.make_point(3, -4); b.lib.point_len1(q)", 7)
    d.expect(BASE + "b.lib.point_len1(ffi.new('struct point *', [-5, 6])[0])", 11)
    d.expect(BASE + "lib.use_opaque(b.lib.opaque_new())", 9)
    d.expect(BASE + "b.lib.opaque_value(ffi.cast('struct opaque *', b.lib.opaque_new()))", 9)
    d.expect(BASE + "h = b.ffi.new('struct hidden *'); h.a = 17; lib.hidden_a(h)", 17)
    d.expect(BASE + "line = ffi.new('struct line *', [[1, 2], [9, 3]]); "
             "b.lib.point_len1(line.to)", 12)
    d.expect("lib.line_width(ffi.new('struct line *', {'from': [1, 0], 'to': [8, 0]}))", 7)
    d.expect("lib.half(300)", 150)
    d.raises("lib.half(40000)", OverflowError)


def test_enums_and_constants(d):
    d.expect("lib.favourite()", 5)
    d.expect("lib.kind_of(11)", 100)
    d.expect("ffi.string(ffi.cast('enum color', 6))", "BLUE")
    d.expect("ffi.string(ffi.cast('size_kind', 1))", "SMALL")
    d.expect("lib.BASE_K", 42)
    d.expect("lib.BASE_C", 7)
    d.expect("lib.RED + lib.GREEN + lib.LARGE", 105)
    d.expect("lib.USER_K", 1)


def test_functions_and_globals_of_the_included_module(d):
    d.expect("lib.base_add(40, 2)", 42)
    # CFFI 1.15 refuses the included module's lib functions as function pointer arguments of
    # this module (TypeError, "must be a cdata pointer"); cdefc takes them as its own.
    base = sys.modules["_d_inc_base_cdefc"]
    assert d.lib.apply(d.lib.base_add, 2, 5) == 7
    assert d.lib.apply(base.lib.base_add, 1, 5) == 6
    # CFFI 1.15 types ffi.addressof(lib, 'base_add') with a type of this module's table
    # ('int16_t(*)(int16_t)' here), so C refuses it; cdefc gives the function's own type.
    fn = d.ffi.addressof(d.lib, "base_add")
    assert d.ffi.typeof(fn) is d.ffi.typeof("int(*)(int, int)")
    assert d.lib.apply(fn, 3, 5) == 8
    d.expect(BASE + "lib.base_counter = 11; (lib.base_counter, b.lib.base_counter)", (11, 11))
    d.expect("p = ffi.addressof(lib, 'base_counter'); p[0] = 12; lib.base_counter", 12)
    d.expect("ffi.typeof(ffi.addressof(lib, 'base_counter')) is ffi.typeof('int *')", True)


def test_dir_lists_own_names_and_the_included_enumerators(d):
    d.expect("sorted(dir(lib))",
             ["BLUE", "GREEN", "LARGE", "RED", "SMALL", "USER_K", "apply", "favourite",
              "half", "hidden_a", "kind_of", "line_width", "make_point", "point_sum",
              "use_opaque"])
    d.expect("sorted(lib.__dict__)", sorted(["BLUE", "GREEN", "LARGE", "RED", "SMALL", "USER_K",
             "apply", "favourite", "half", "hidden_a", "kind_of", "line_width", "make_point",
             "point_sum", "use_opaque"]))
    d.expect("lib.__dict__['LARGE']", 100)


def test_unknown_names(d):
    d.raises("lib.nope", AttributeError, message=True)
    d.raises("lib.BASE_K = 1", AttributeError)
    d.raises("ffi.typeof('struct nope')", "ffi.error")
