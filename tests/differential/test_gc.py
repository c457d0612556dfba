# ffi.gc(cdata, destructor, size=0), cdefc against CFFI: every kind of cdata it takes (structs
# and unions by reference, owning and non-owning arrays and pointers, function pointers,
# numbers, ffi.NULL), what it returns (type, value, repr, field access, items, len, sizeof,
# typeof, addressof), when the destructor is called and with what, ffi.gc(x, None),
# ffi.release and 'with', the size argument, and argument errors.
#
# Measured with CFFI 2.0 and 1.15 (they agree on all of it): the result is a new cdata of the
# given cdata's own type over the same C value, never "owning" (a struct prints 'struct pt &');
# the destructor gets the given cdata itself, once, when the result dies or is released, and
# the given cdata lives as long as the result. Where CFFI reads memory it no longer has (a
# T[]'s length, a released result, views of a result that died) cdefc differs on purpose:
# see the tests at the end.
import pytest

CDEF = """
struct pt { int x, y; };
union u { int i; unsigned char b[4]; };
struct outer { int tag; struct pt a; union u v; unsigned char raw[4]; int arr[3]; };
struct fl { int n; int a[]; };
enum color { RED, GREEN, BLUE };
int add(int a, int b);
int pt_sum(struct pt p);
int pt_sum_p(struct pt *p);
int sum_ints(int *a, int n);
struct pt *pt_new(int x, int y);
void pt_make(struct pt **out, int x, int y);
void pt_free(struct pt *p);
int pt_live(void);
"""

SOURCE = r"""
#include <stdlib.h>
struct pt { int x, y; };
union u { int i; unsigned char b[4]; };
struct outer { int tag; struct pt a; union u v; unsigned char raw[4]; int arr[3]; };
struct fl { int n; int a[]; };
enum color { RED, GREEN, BLUE };
static int add(int a, int b) { return a + b; }
static int pt_sum(struct pt p) { return p.x + p.y; }
static int pt_sum_p(struct pt *p) { return p->x + p->y; }
static int sum_ints(int *a, int n) { int s = 0; while (n--) s += *a++; return s; }
static int live;
static struct pt *pt_new(int x, int y)
{
    struct pt *p = malloc(sizeof *p);
    p->x = x; p->y = y; ++live;
    return p;
}
static void pt_make(struct pt **out, int x, int y) { *out = pt_new(x, y); }
static void pt_free(struct pt *p) { free(p); --live; }
static int pt_live(void) { return live; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("gc", CDEF, SOURCE)


# `o` is a 'struct outer *' from ffi.new() with every member set; `nop` a destructor.
OUTER = ('o = ffi.new("struct outer *", [1, [2, 3], [0x04030201], b"wxyz", [5, 6, 7]])\n'
         'nop = lambda x: None\n')

# `R(x)`: repr(x) without its address.
REPR = 'import re\nR = lambda x: re.sub("0x[0-9a-f]+", "0x?", repr(x))\n'

KINDS = [
    # (expression, value, cname of the result): the result has the given cdata's type
    # structs and unions by reference: a field, p[0], an owning struct
    (OUTER + 'ffi.gc(o.a, nop)', {"x": 2, "y": 3}, "struct pt"),
    (OUTER + 'ffi.gc(o.v, nop)', {"i": 0x04030201, "b": [1, 2, 3, 4]}, "union u"),
    (OUTER + 'ffi.gc(o[0], nop).a', {"x": 2, "y": 3}, "struct pt"),
    (OUTER + 'ffi.gc(o[0], nop)', {"tag": 1, "a": {"x": 2, "y": 3},
                                   "v": {"i": 0x04030201, "b": [1, 2, 3, 4]},
                                   "raw": [119, 120, 121, 122], "arr": [5, 6, 7]},
     "struct outer"),
    ('ffi.gc(ffi.new("struct pt *", [4, 5])[0], lambda x: None)', {"x": 4, "y": 5}, "struct pt"),
    ('p = ffi.new("struct pt *", [4, 5]); pp = ffi.new("struct pt **", p)\n'
     'ffi.gc(pp[0][0], lambda x: None)', {"x": 4, "y": 5}, "struct pt"),
    ('ffi.gc(ffi.new("struct fl *", [2, [5, 6]])[0], lambda x: None).n', 2, None),
    # arrays: fields, owning, of arrays; the type stays an array
    (OUTER + 'ffi.gc(o.raw, nop)', [119, 120, 121, 122], "unsigned char[4]"),
    (OUTER + 'ffi.gc(o.arr, nop)', [5, 6, 7], "int[3]"),
    ('ffi.gc(ffi.new("int[3]", [1, 2, 3]), lambda x: None)', [1, 2, 3], "int[3]"),
    ('ffi.gc(ffi.new("int[2][2]", [[1, 2], [3, 4]]), lambda x: None)', [[1, 2], [3, 4]],
     "int[2][2]"),
    ('ffi.gc(ffi.new("char[3]", b"ab"), lambda x: None)', [b"a", b"b", b"\x00"], "char[3]"),
    # pointers: owning, plain, arithmetic, NULL, handles
    ('ffi.gc(ffi.new("int *", 7), lambda x: None)', "pointer", "int *"),
    ('ffi.gc(ffi.new("int *", 7), lambda x: None)[0]', 7, None),
    ('ffi.gc(ffi.new("struct pt *", [4, 5]), lambda x: None)', "pointer", "struct pt *"),
    ('ffi.gc(ffi.new("int[3]", [1, 2, 3]) + 1, lambda x: None)[0]', 2, None),
    ('ffi.gc(ffi.cast("int *", 1234), lambda x: None)', "pointer", "int *"),
    ('int(ffi.cast("intptr_t", ffi.gc(ffi.cast("int *", 1234), lambda x: None)))', 1234, None),
    ('ffi.gc(ffi.NULL, lambda x: None)', "NULL", "void *"),
    ('ffi.gc(ffi.NULL, lambda x: None) == ffi.NULL', True, None),
    ('bool(ffi.gc(ffi.cast("int *", 0), lambda x: None))', False, None),
    ('h = ffi.new_handle("obj"); ffi.from_handle(ffi.gc(h, lambda x: None))', "obj", None),
    # function pointers
    ('f = ffi.gc(ffi.addressof(lib, "add"), lambda x: None); (ffi.typeof(f).cname, f(2, 3))',
     ("int(*)(int, int)", 5), None),
    ('f = ffi.gc(ffi.cast("int(*)(int, int)", ffi.addressof(lib, "add")), lambda x: None)\n'
     'f(4, 5)', 9, None),
    ('f = ffi.gc(ffi.callback("int(int, int)", lambda a, b: a * b), lambda x: None); f(6, 7)',
     42, None),
    # numbers (CFFI accepts them too)
    ('ffi.gc(ffi.cast("int", 5), lambda x: None)', 5, "int"),
    ('ffi.gc(ffi.cast("unsigned char", 300), lambda x: None)', 44, "unsigned char"),
    ('ffi.gc(ffi.cast("double", 1.5), lambda x: None)', 1.5, "double"),
    ('ffi.gc(ffi.cast("long double", 2.5), lambda x: None)', 2.5, "long double"),
    ('ffi.gc(ffi.cast("char", b"a"), lambda x: None)', ord("a"), "char"),
    ('ffi.gc(ffi.cast("_Bool", 2), lambda x: None)', 1, "_Bool"),
    ('ffi.gc(ffi.cast("enum color", 2), lambda x: None)', 2, "enum color"),
    ('g = ffi.gc(ffi.cast("int", 5), lambda x: None); (int(g), g == 5, hash(g) == hash(5))',
     (5, True, True), None),
    ('g = ffi.gc(ffi.cast("double", 1.5), lambda x: None); float(g)', 1.5, None),
    # a result of ffi.gc() may be given again
    ('ffi.gc(ffi.gc(ffi.new("int *", 3), lambda x: None), lambda x: None)[0]', 3, None),
]


@pytest.mark.parametrize("expr, value, cname", KINDS,
                         ids=[e.split("\n")[-1] for e, _, _ in KINDS])
def test_kinds(d, expr, value, cname):
    d.expect(expr, value, cname=cname)


REPRS = [
    # never "owning", even over ffi.new() memory
    (OUTER + 'R(ffi.gc(o.a, nop))', "<cdata 'struct pt &' 0x?>"),
    (OUTER + 'R(ffi.gc(o.v, nop))', "<cdata 'union u &' 0x?>"),
    (OUTER + 'R(ffi.gc(o[0], nop))', "<cdata 'struct outer &' 0x?>"),
    ('R(ffi.gc(ffi.new("struct pt *")[0], lambda x: None))', "<cdata 'struct pt &' 0x?>"),
    ('R(ffi.gc(ffi.new("struct pt *"), lambda x: None))', "<cdata 'struct pt *' 0x?>"),
    ('R(ffi.gc(ffi.new("int *"), lambda x: None))', "<cdata 'int *' 0x?>"),
    (OUTER + 'R(ffi.gc(o.raw, nop))', "<cdata 'unsigned char[4]' 0x?>"),
    ('R(ffi.gc(ffi.new("int[3]"), lambda x: None))', "<cdata 'int[3]' 0x?>"),
    ('R(ffi.gc(ffi.NULL, lambda x: None))', "<cdata 'void *' NULL>"),
    ('R(ffi.gc(ffi.addressof(lib, "add"), lambda x: None))', "<cdata 'int(*)(int, int)' 0x?>"),
    ('R(ffi.gc(ffi.cast("int", 5), lambda x: None))', "<cdata 'int' 5>"),
    ('R(ffi.gc(ffi.cast("double", 1.5), lambda x: None))', "<cdata 'double' 1.5>"),
    ('R(ffi.gc(ffi.cast("_Bool", 1), lambda x: None))', "<cdata '_Bool' True>"),
    ('R(ffi.gc(ffi.cast("long double", 1.5), lambda x: None))',
     "<cdata 'long double' 1.500000E+00>"),
    ('R(ffi.gc(ffi.new_handle(5), lambda x: None))', "<cdata 'void *' 0x?>"),
    # views of the result are plain
    ('g = ffi.gc(ffi.new("struct pt *"), lambda x: None); R(g[0])', "<cdata 'struct pt &' 0x?>"),
    ('g = ffi.gc(ffi.new("int[3]"), lambda x: None); R(g[0:2])',
     "<cdata 'int[]' sliced length 2>"),
]


@pytest.mark.parametrize("expr, value", REPRS, ids=[e.split("\n")[-1] for e, _ in REPRS])
def test_reprs(d, expr, value):
    d.expect(REPR + expr, value)


USE = [
    # fields: read, written, seen through the given cdata and back
    (OUTER + 'g = ffi.gc(o.a, nop); g.y = 9; (g.x, o.a.y)', (2, 9)),
    (OUTER + 'g = ffi.gc(o.v, nop); g.i = 0x0a0b0c0d; (list(g.b), g.b[3], list(o.v.b))',
     ([13, 12, 11, 10], 10, [13, 12, 11, 10])),
    (OUTER + 'g = ffi.gc(o[0], nop); g.a.x = 8; g.raw[1] = 0; (o.a.x, list(o.raw))',
     (8, [119, 0, 121, 122])),
    (OUTER + 'g = ffi.gc(o, nop); g.tag = 4; (g.tag, g[0].tag, o.tag)', (4, 4, 4)),
    (OUTER + 'sorted(dir(ffi.gc(o.v, nop)))', ["b", "i"]),
    ('g = ffi.gc(ffi.new("struct fl *", [2, [5, 6]]), lambda x: None); (g.n, g.a[1])', (2, 6)),
    # items, slices, len, iteration of arrays
    (OUTER + 'g = ffi.gc(o.raw, nop); g[1] = 9; g[2:4] = [7, 8]; (list(o.raw), g[1:3], len(g))',
     ([119, 9, 7, 8], [9, 7], 4)),
    (OUTER + 'g = ffi.gc(o.arr, nop); (len(g), list(g), g[2], (g + 1)[0])', (3, [5, 6, 7], 7, 6)),
    ('g = ffi.gc(ffi.new("int[2][2]", [[1, 2], [3, 4]]), lambda x: None); (len(g), g[1][0])',
     (2, 3)),
    ('g = ffi.gc(ffi.new("int *", 5), lambda x: None); g[0] = 6; (g[0], g[0:1])', (6, [6])),
    # sizeof, typeof, addressof, offsetof
    (OUTER + 'g = ffi.gc(o.a, nop); (ffi.sizeof(g), ffi.typeof(g) is ffi.typeof("struct pt"))',
     (8, True)),
    (OUTER + 'g = ffi.gc(o.a, nop); ffi.addressof(g) == ffi.addressof(o.a)', True),
    (OUTER + 'g = ffi.gc(o.a, nop); ffi.addressof(g, "y")[0]', 3),
    (OUTER + 'g = ffi.gc(o.a, nop); ffi.typeof(ffi.addressof(g)).cname', "struct pt *"),
    (OUTER + 'g = ffi.gc(o[0], nop); ffi.addressof(g, "arr", 2)[0]', 7),
    (OUTER + 'g = ffi.gc(o.a, nop); ffi.offsetof(ffi.typeof(g), "y")', 4),
    (OUTER + 'ffi.sizeof(ffi.gc(o.raw, nop)), ffi.sizeof(ffi.gc(o.arr, nop))', (4, 12)),
    ('(ffi.sizeof(ffi.gc(ffi.new("int[3]"), lambda x: None)),'
     ' ffi.sizeof(ffi.gc(ffi.new("char *"), lambda x: None)),'
     ' ffi.sizeof(ffi.gc(ffi.cast("short", 1), lambda x: None)))', (12, 8, 2)),
    ('ffi.typeof(ffi.gc(ffi.new("int[3]"), lambda x: None)) is ffi.typeof("int[3]")', True),
    # comparisons: the same C value as the given cdata
    (OUTER + 'g = ffi.gc(o.a, nop); (g == o.a, hash(g) == hash(o.a), g != o.v)',
     (True, True, True)),
    ('a = ffi.new("int[3]"); g = ffi.gc(a, lambda x: None); (g == a, g == ffi.cast("int *", a))',
     (True, True)),
    ('p = ffi.new("int *"); ffi.gc(p, lambda x: None) == p', True),
    # as a value: initializers, assignment, casts, C calls, buffers
    (OUTER + 'ffi.new("struct pt *", ffi.gc(o.a, nop))[0]', {"x": 2, "y": 3}),
    (OUTER + 'o2 = ffi.new("struct outer *"); o2.a = ffi.gc(o.a, nop); o2.a', {"x": 2, "y": 3}),
    (OUTER + 'lib.pt_sum(ffi.gc(o.a, nop))', 5),
    (OUTER + 'lib.pt_sum_p(ffi.addressof(ffi.gc(o.a, nop)))', 5),
    ('lib.pt_sum_p(ffi.gc(ffi.new("struct pt *", [20, 22]), lambda x: None))', 42),
    ('lib.sum_ints(ffi.gc(ffi.new("int[3]", [1, 2, 3]), lambda x: None), 3)', 6),
    (OUTER + 'ffi.cast("unsigned char *", ffi.gc(o.raw, nop)) == o.raw', True),
    (OUTER + 'ffi.buffer(ffi.gc(o.raw, nop))[:]', b"wxyz"),
    ('len(ffi.buffer(ffi.gc(ffi.new("struct pt *"), lambda x: None)))', 8),
    (OUTER + 'ffi.unpack(ffi.gc(o.arr, nop), 3)', [5, 6, 7]),
    ('ffi.string(ffi.gc(ffi.new("char[4]", b"ab"), lambda x: None))', b"ab"),
]


@pytest.mark.parametrize("expr, value", USE, ids=[e.split("\n")[-1] for e, _ in USE])
def test_use(d, expr, value):
    d.expect(expr, value)


USE_ERRORS = [
    # what the given cdata's type refuses, the result refuses
    (OUTER + 'ffi.gc(o.a, nop).zz', AttributeError),
    (OUTER + 'ffi.gc(o.a, nop)[0]', TypeError),
    (OUTER + 'len(ffi.gc(o.a, nop))', TypeError),
    (OUTER + 'ffi.gc(o.a, nop) + 1', TypeError),
    (OUTER + 'ffi.gc(o.arr, nop)[3]', IndexError),
    (OUTER + 'ffi.gc(o.arr, nop)[-1]', IndexError),
    (OUTER + 'ffi.gc(o.arr, nop)[0:4]', IndexError),
    ('ffi.gc(ffi.cast("int", 5), lambda x: None) + 1', TypeError),
    ('len(ffi.gc(ffi.cast("int", 5), lambda x: None))', TypeError),
    ('ffi.gc(ffi.cast("int *", 0), lambda x: None)[0]', RuntimeError),
    ('ffi.gc(ffi.NULL, lambda x: None)[0]', RuntimeError),
    ('ffi.gc(ffi.cast("int", 5), lambda x: None)(1)', TypeError),
]


@pytest.mark.parametrize("expr, exception", USE_ERRORS,
                         ids=[e.split("\n")[-1] for e, _ in USE_ERRORS])
def test_use_errors(d, expr, exception):
    d.raises(expr, exception, message=True)


# `log` collects what the destructor `rec` gets: whether it is `src` (set by each case), and
# its type.
LOG = """
import gc
log = []
def rec(x):
    log.append((x is src, ffi.typeof(x).cname))
"""

DESTRUCTOR = [
    # called once, with the given cdata, when the result dies, not before
    (LOG + 'src = ffi.new("int *", 7); g = ffi.gc(src, rec); a = list(log)\n'
     'del g; gc.collect(); (a, log)', ([], [(True, "int *")])),
    (LOG + OUTER + 'src = o.a; g = ffi.gc(src, rec); a = list(log); del g; gc.collect(); (a, log)',
     ([], [(True, "struct pt")])),
    (LOG + OUTER + 'src = o.v; g = ffi.gc(src, rec); del g; gc.collect(); log',
     [(True, "union u")]),
    (LOG + 'p = ffi.new("struct pt *"); src = p[0]; g = ffi.gc(src, rec); del g; gc.collect()\n'
     'log', [(True, "struct pt")]),
    (LOG + OUTER + 'src = o.raw; g = ffi.gc(src, rec); del g; gc.collect(); log',
     [(True, "unsigned char[4]")]),
    (LOG + 'src = ffi.new("int[3]"); g = ffi.gc(src, rec); del g; gc.collect(); log',
     [(True, "int[3]")]),
    (LOG + 'src = ffi.NULL; g = ffi.gc(src, rec); del g; gc.collect(); log', [(True, "void *")]),
    (LOG + 'src = ffi.cast("int", 5); g = ffi.gc(src, rec); del g; gc.collect(); log',
     [(True, "int")]),
    (LOG + 'src = ffi.addressof(lib, "add"); g = ffi.gc(src, rec); del g; gc.collect(); log',
     [(True, "int(*)(int, int)")]),
    # the result keeps the given cdata alive: its death calls nothing
    (LOG + 'src = ffi.new("int *", 7); g = ffi.gc(src, rec); del src; gc.collect()\n'
     'a = (list(log), g[0]); src = None; del g; gc.collect(); (a, log)',
     (([], 7), [(False, "int *")])),
    ('import weakref, gc\np = ffi.new("int *"); r = weakref.ref(p); g = ffi.gc(p, lambda x: None)\n'
     'del p; gc.collect(); a = r() is not None; del g; gc.collect(); (a, r() is None)',
     (True, True)),
    # a result given to ffi.gc() again: the outer destructor first, with the inner result
    ('import gc\nlog = []\np = ffi.new("int *")\n'
     'g = ffi.gc(p, lambda x: log.append(("inner", x is p)))\n'
     'gid = id(g); h = ffi.gc(g, lambda x: log.append(("outer", id(x) == gid)))\n'
     'del g; gc.collect(); a = list(log); del h; gc.collect(); (a, log)',
     ([], [("outer", True), ("inner", True)])),
    # ffi.gc(result, None): no destructor any more, None returned
    (LOG + 'src = ffi.new("int *"); g = ffi.gc(src, rec); r = ffi.gc(g, None); del g\n'
     'gc.collect(); (r, log)', (None, [])),
    (LOG + OUTER + 'src = o.a; g = ffi.gc(src, rec); ffi.gc(g, None); del g; gc.collect(); log',
     []),
    (LOG + 'src = ffi.cast("int", 1); g = ffi.gc(src, rec); ffi.gc(g, None); del g; gc.collect()\n'
     'log', []),
    (LOG + 'src = ffi.new("int *"); g = ffi.gc(src, rec); h = ffi.gc(g, rec); ffi.gc(h, None)\n'
     'del g, h; gc.collect(); log', [(True, "int *")]),
    (LOG + 'src = ffi.new("int *"); g = ffi.gc(src, rec); h = ffi.gc(g, rec); ffi.gc(g, None)\n'
     'del g, h; gc.collect(); log', [(False, "int *")]),
    (LOG + 'src = ffi.new("int *"); g = ffi.gc(src, rec); ffi.gc(g, None); ffi.gc(g, None)\n'
     'ffi.release(g); log', []),
    # ffi.release(result) calls it at once, and never again
    (LOG + 'src = ffi.new("int *"); g = ffi.gc(src, rec); ffi.release(g); a = list(log)\n'
     'ffi.release(g); del g; gc.collect(); (a, log)',
     ([(True, "int *")], [(True, "int *")])),
    (LOG + OUTER + 'src = o.a; g = ffi.gc(src, rec); ffi.release(g); a = list(log)\n'
     'del g; gc.collect(); (a, log)', ([(True, "struct pt")], [(True, "struct pt")])),
    (LOG + 'src = ffi.cast("int", 1); g = ffi.gc(src, rec); ffi.release(g); log',
     [(True, "int")]),
    (LOG + 'src = ffi.new("int *"); g = ffi.gc(src, rec); ffi.release(g); ffi.gc(g, None)', None),
    # ... even after ffi.release() of the given cdata
    (LOG + 'src = ffi.new("int *"); g = ffi.gc(src, rec); ffi.release(src); a = list(log)\n'
     'ffi.release(g); (a, log)', ([], [(True, "int *")])),
    # ... as at the end of 'with'
    (LOG + 'src = ffi.new("int *", 7); g = ffi.gc(src, rec)\n'
     'with g as x:\n    v = (x[0], x is g, list(log))\n(v, log)',
     ((7, True, []), [(True, "int *")])),
    (LOG + OUTER + 'src = o.a; g = ffi.gc(src, rec)\nwith g:\n    v = (g.x, list(log))\n(v, log)',
     ((2, []), [(True, "struct pt")])),
    # a destructor that raises or is not callable is reported, not raised, as in CFFI
    ('import gc\ndef bad(x):\n    raise ValueError("boom")\n'
     'g = ffi.gc(ffi.new("int *"), bad); del g; gc.collect(); "survived"', "survived"),
    ('def bad(x):\n    raise ValueError("boom")\n'
     'g = ffi.gc(ffi.cast("int", 1), bad); ffi.release(g); "survived"', "survived"),
    ('import gc\ng = ffi.gc(ffi.new("int *"), 5); del g; gc.collect(); "survived"', "survived"),
    ('g = ffi.gc(ffi.new("int *"), "x"); ffi.release(g); "survived"', "survived"),
    # a C destructor for memory from C (the tpm2-pytss idioms)
    ('import gc\nn0 = lib.pt_live(); g = ffi.gc(lib.pt_new(1, 2), lib.pt_free)\n'
     'a = (lib.pt_live() - n0, g.x, g.y, lib.pt_sum_p(g)); del g; gc.collect()\n'
     '(a, lib.pt_live() - n0)', ((1, 1, 2, 3), 0)),
    ('import gc\nn0 = lib.pt_live(); dptr = ffi.new("struct pt **"); lib.pt_make(dptr, 3, 4)\n'
     'g = ffi.gc(dptr[0], lib.pt_free); a = (lib.pt_live() - n0, g.x + g.y)\n'
     'del g; gc.collect(); (a, lib.pt_live() - n0)', ((1, 7), 0)),
    ('n0 = lib.pt_live(); g = ffi.gc(lib.pt_new(1, 2), lib.pt_free); ffi.release(g)\n'
     'lib.pt_live() - n0', 0),
    # ... for a struct by reference, freed through its address
    ('import gc\nn0 = lib.pt_live(); dptr = ffi.new("struct pt **"); lib.pt_make(dptr, 5, 6)\n'
     'data = ffi.gc(dptr[0][0], lambda s: lib.pt_free(ffi.addressof(s)))\n'
     'a = (lib.pt_live() - n0, data.x, data.y, lib.pt_sum(data), ffi.typeof(data).cname)\n'
     'del data; gc.collect(); (a, lib.pt_live() - n0)', ((1, 5, 6, 11, "struct pt"), 0)),
]


@pytest.mark.parametrize("expr, value", DESTRUCTOR,
                         ids=[e.split("\n")[-1] for e, _ in DESTRUCTOR])
def test_destructor(d, expr, value):
    d.expect(expr, value)


SIZE = [
    # size= is a hint (for PyPy): any Py_ssize_t, by position or name
    ('ffi.gc(ffi.new("int *", 1), lambda x: None, 10)[0]', 1),
    ('ffi.gc(ffi.new("int *", 1), lambda x: None, size=10)[0]', 1),
    ('ffi.gc(ffi.new("int *", 1), lambda x: None, -5)[0]', 1),
    ('ffi.gc(ffi.new("int *", 1), lambda x: None, 0)[0]', 1),
    ('ffi.gc(cdata=ffi.new("int *", 1), destructor=lambda x: None)[0]', 1),
    ('ffi.gc(ffi.cast("int", 3), lambda x: None, size=2**62)', 3),
]


@pytest.mark.parametrize("expr, value", SIZE, ids=[e for e, _ in SIZE])
def test_size(d, expr, value):
    d.expect(expr, value)


ERRORS = [
    # (expression, exception, compare messages)
    ('ffi.gc(ffi.new("int *"), lambda x: None, size="x")', TypeError, True),
    ('ffi.gc(ffi.new("int *"), lambda x: None, 2**70)', OverflowError, True),
    ('ffi.gc(ffi.new("int *"), lambda x: None, 1.5)', TypeError, True),
    ('ffi.gc(ffi.new("int *"))', TypeError, True),
    ('ffi.gc()', TypeError, True),
    ('ffi.gc(ffi.new("int *"), None, 1, 2)', TypeError, True),
    ('ffi.gc(ffi.new("int *"), lambda x: None, foo=1)', TypeError, True),
    ('ffi.gc(ffi.new("int *"), destructor=None, cdata=ffi.NULL)', TypeError, True),
    # ffi.gc(x, None) takes only a result of ffi.gc()
    ('ffi.gc(ffi.new("int *"), None)', TypeError, True),
    ('ffi.gc(ffi.cast("int", 5), None)', TypeError, True),
    ('ffi.gc(ffi.new("struct pt *")[0], None)', TypeError, True),
    ('ffi.gc(ffi.new("int[2]"), None)', TypeError, True),
    ('ffi.gc(ffi.NULL, None)', TypeError, True),
    # not a cdata (the messages name each one's cdata class)
    ('ffi.gc(5, lambda x: None)', TypeError, False),
    ('ffi.gc(None, lambda x: None)', TypeError, False),
    ('ffi.gc(b"abc", lambda x: None)', TypeError, False),
    ('ffi.gc(ffi.typeof("int"), lambda x: None)', TypeError, False),
    ('ffi.gc(5, None)', TypeError, False),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS, ids=[e for e, _, _ in ERRORS])
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


def test_not_a_cdata_messages(d):
    # CFFI: "gc() argument 1 must be _cffi_backend._CDataBase, not int"
    ffi = d.ffi
    for value, name in [(5, "int"), (None, "None"), (b"abc", "bytes")]:
        with pytest.raises(TypeError) as info:
            ffi.gc(value, lambda x: None)
        assert str(info.value) == f"gc() argument 1 must be cdefc.CData, not {name}"


# ---- where cdefc differs from CFFI on purpose ---------------------------------------------

def test_open_array_keeps_its_length(d):
    # CFFI's result of an 'int[]' reads a length it never stored (0 or any garbage number);
    # cdefc's keeps the given array's.
    ffi = d.ffi
    calls = []
    src = ffi.new("int[]", [1, 2, 3])
    g = ffi.gc(src, calls.append)
    assert (len(g), list(g), ffi.sizeof(g), ffi.typeof(g).cname) == (3, [1, 2, 3], 12, "int[]")
    assert repr(g) == "<cdata 'int[]' sliced length 3>"
    with pytest.raises(IndexError):
        g[3]
    s = ffi.gc(src[1:3], calls.append)
    assert (len(s), list(s), repr(s)) == (2, [2, 3], "<cdata 'int[]' sliced length 2>")
    b = ffi.gc(ffi.from_buffer("int[]", bytearray(8)), calls.append)
    assert (len(b), repr(b)) == (2, "<cdata 'int[]' sliced length 2>")
    del g, s, b
    import gc
    gc.collect()
    assert len(calls) == 3 and calls[0] is src


def test_released_result_raises(d):
    # After ffi.release(result) the destructor has run (it usually frees the memory) and the
    # given cdata is dropped: CFFI goes on reading that memory, cdefc raises.
    ffi = d.ffi
    o = ffi.new("struct outer *", [1, [2, 3]])
    p = ffi.new("int *", 7)
    cases = [(ffi.gc(p, lambda x: None), lambda g: g[0], "int *"),
             (ffi.gc(o.a, lambda x: None), lambda g: g.x, "struct pt"),
             (ffi.gc(o.raw, lambda x: None), lambda g: g[0], "unsigned char[4]"),
             (ffi.gc(o.arr, lambda x: None), list, "int[3]"),
             (ffi.gc(o.a, lambda x: None), lambda g: ffi.addressof(g), "struct pt"),
             (ffi.gc(o.raw, lambda x: None), lambda g: ffi.buffer(g)[:], "unsigned char[4]")]
    for g, use, cname in cases:
        use(g)
        ffi.release(g)
        with pytest.raises(RuntimeError) as info:
            use(g)
        assert str(info.value) == f"cannot use cdata '{cname}' after ffi.release()"
    assert (p[0], o.a.x) == (7, 2)  # the given cdata itself is not released


def test_released_given_cdata_raises(d):
    # ffi.release() of the cdata given to ffi.gc() frees its memory: CFFI reads it through the
    # result, cdefc raises; the destructor still runs when the result goes.
    ffi = d.ffi
    calls = []
    p = ffi.new("int *", 7)
    g = ffi.gc(p, calls.append)
    o = ffi.new("struct outer *")
    s = ffi.gc(ffi.gc(o.a, lambda x: calls.append("inner")), lambda x: calls.append("outer"))
    ffi.release(p)
    ffi.release(o)
    with pytest.raises(RuntimeError, match=r"cannot use cdata 'int \*' after ffi.release\(\)"):
        g[0]
    with pytest.raises(RuntimeError, match="cannot use cdata 'struct pt' after ffi.release"):
        s.x
    del g, s
    import gc
    gc.collect()
    assert calls == [p, "outer", "inner"] and calls[0] is p


def test_views_keep_the_result_alive(d):
    # A view of the result (an item, a field, a slice, an address) keeps the result alive, so
    # its destructor waits for the view (CFFI calls it at once and the view reads freed
    # memory), and sees its release (CFFI reads freed memory).
    import gc
    ffi = d.ffi
    calls = []
    g = ffi.gc(ffi.new("struct pt *", [1, 2]), calls.append)
    views = [g[0], ffi.addressof(g[0], "y"), g + 0]
    del g
    gc.collect()
    assert calls == []
    assert (views[0].x, views[1][0], views[2].y) == (1, 2, 2)
    del views
    gc.collect()
    assert len(calls) == 1

    o = ffi.new("struct outer *", [1, [2, 3], [0], b"wxyz", [5, 6, 7]])
    g = ffi.gc(o[0], calls.append)
    a, raw, arr = g.a, g.raw, g.arr[1:3]
    ffi.release(g)
    assert len(calls) == 2
    for use in (lambda: a.x, lambda: raw[0], lambda: list(arr)):
        with pytest.raises(RuntimeError, match="after ffi.release"):
            use()


def test_result_is_a_plain_cdata(d):
    # CFFI's results are of a subclass of its cdata type ('_cffi_backend.__CDataGCP');
    # cdefc has one cdata type.
    ffi = d.ffi
    g = ffi.gc(ffi.new("int *"), lambda x: None)
    assert type(g) is type(ffi.NULL) and isinstance(g, ffi.CData)
