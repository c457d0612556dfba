# Structs and unions, cdefc against CFFI: partial and exact structs and unions, nested and
# anonymous members, bitfields, a flexible array member, packed structs and '[...]' lengths
# in fields; sizes, alignments, offsets, field access, initializers and passing to C.
import pytest

CDEF = """
struct point { int y; double x; ...; };
struct pair { short a; long b; char c; };
union word { unsigned int u; float f; unsigned char b[4]; };
union value { int i; double d; ...; };
struct inner { char c; int i; };
typedef struct {
    struct inner in;
    union { int as_int; float as_float; };
    struct { short lo; short hi; };
    struct inner arr[2];
} outer_t;
struct flags { unsigned int a : 3; unsigned int b : 5; int : 0; signed int c : 7; };
struct outer { struct { unsigned a : 3, b : 5; } bits; int tail; };
struct buffer { unsigned long len; unsigned char data[]; };
struct grid { int cells[...][...]; char name[...]; ...; };
struct node { int value; struct node *next; };
struct empty_partial { ...; };

int point_y(struct point *p);
double point_x(struct point p);
struct point make_point(double x, int y);
struct pair make_pair(short a, long b, char c);
long pair_b(struct pair p);
unsigned int word_u(union word w);
union word word_of(float f);
int flags_c(struct flags *f);
unsigned int flags_raw(struct flags *f);
unsigned long buffer_sum(struct buffer *b);
int grid_cell(struct grid *g, int row, int col);
int outer_sum(outer_t *o);
int list_sum(struct node *n);
"""

PACKED_CDEF = """
struct wire { char kind; int length; short crc; };
int wire_length(struct wire *w);
"""

SOURCE = r"""
#include <string.h>
struct point { char tag; double x; long extra; int y; };
struct pair { short a; long b; char c; };
union word { unsigned int u; float f; unsigned char b[4]; };
union value { int i; double d; char bytes[24]; };
struct inner { char c; int i; };
typedef struct {
    struct inner in;
    union { int as_int; float as_float; };
    struct { short lo; short hi; };
    struct inner arr[2];
} outer_t;
struct flags { unsigned int a : 3; unsigned int b : 5; int : 0; signed int c : 7; };
struct outer { struct { unsigned a : 3, b : 5; } bits; int tail; };
struct buffer { unsigned long len; unsigned char data[]; };
#define W 3
#define H 4
struct grid { int id; int cells[H][W]; char name[16]; };
struct node { int value; struct node *next; };
struct empty_partial { int hidden[5]; };
struct wire { char kind; int length; short crc; } __attribute__((packed));

static int point_y(struct point *p) { return p->y; }
static double point_x(struct point p) { return p.x; }
static struct point make_point(double x, int y)
{
    struct point p; memset(&p, 0, sizeof p); p.x = x; p.y = y; p.tag = 'p'; return p;
}
static struct pair make_pair(short a, long b, char c)
{
    struct pair p; p.a = a; p.b = b; p.c = c; return p;
}
static long pair_b(struct pair p) { return p.b; }
static unsigned int word_u(union word w) { return w.u; }
static union word word_of(float f) { union word w; w.f = f; return w; }
static int flags_c(struct flags *f) { return f->c; }
static unsigned int flags_raw(struct flags *f) { unsigned int r; memcpy(&r, f, sizeof r); return r; }
static unsigned long buffer_sum(struct buffer *b)
{
    unsigned long s = 0;
    for (unsigned long i = 0; i < b->len; i++) s += b->data[i];
    return s;
}
static int grid_cell(struct grid *g, int row, int col) { return g->cells[row][col]; }
static int outer_sum(outer_t *o)
{
    return o->in.c + o->in.i + o->as_int + o->lo + o->hi + o->arr[0].i + o->arr[1].i;
}
static int list_sum(struct node *n) { int s = 0; for (; n; n = n->next) s += n->value; return s; }
static int wire_length(struct wire *w) { return w->length; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("records", [CDEF, (PACKED_CDEF, {"packed": True})], SOURCE)


# (expression, expected value) — checked on CFFI, then cdefc must give the same.
LAYOUT = [
    # partial struct: fields out of order and padded in C
    ('ffi.sizeof("struct point")', 32),
    ('ffi.alignof("struct point")', 8),
    ('ffi.offsetof("struct point", "x")', 8),
    ('ffi.offsetof("struct point", "y")', 24),
    ('[name for name, field in ffi.typeof("struct point").fields]', ["y", "x"]),
    ('ffi.typeof("struct point").kind', "struct"),
    ('ffi.typeof("struct point").cname', "struct point"),
    # exact struct
    ('ffi.sizeof("struct pair")', 24),
    ('ffi.alignof("struct pair")', 8),
    ('ffi.offsetof("struct pair", "a")', 0),
    ('ffi.offsetof("struct pair", "b")', 8),
    ('ffi.offsetof("struct pair", "c")', 16),
    ('[(n, f.type.cname, f.offset) for n, f in ffi.typeof("struct pair").fields]',
     [("a", "short", 0), ("b", "long", 8), ("c", "char", 16)]),
    # exact and partial unions
    ('ffi.sizeof("union word")', 4),
    ('ffi.alignof("union word")', 4),
    ('ffi.offsetof("union word", "b")', 0),
    ('ffi.typeof("union word").kind', "union"),
    ('ffi.sizeof("union value")', 24),
    ('ffi.alignof("union value")', 8),
    ('ffi.offsetof("union value", "d")', 0),
    ('[name for name, field in ffi.typeof("union value").fields]', ["i", "d"]),
    # nested and anonymous members
    ('ffi.sizeof("struct inner")', 8),
    ('ffi.sizeof("outer_t")', 32),
    ('ffi.alignof("outer_t")', 4),
    ('ffi.offsetof("outer_t", "in")', 0),
    ('ffi.offsetof("outer_t", "as_int")', 8),
    ('ffi.offsetof("outer_t", "as_float")', 8),
    ('ffi.offsetof("outer_t", "lo")', 12),
    ('ffi.offsetof("outer_t", "hi")', 14),
    ('ffi.offsetof("outer_t", "arr")', 16),
    ('ffi.offsetof("outer_t", "arr", 1)', 24),
    ('[name for name, field in ffi.typeof("outer_t").fields]',
     ["in", "as_int", "as_float", "lo", "hi", "arr"]),
    ('ffi.typeof("outer_t").cname', "outer_t"),
    ('ffi.typeof("outer_t").fields[5][1].type.cname', "struct inner[2]"),
    # bitfields
    ('ffi.sizeof("struct flags")', 8),
    ('ffi.alignof("struct flags")', 4),
    ('[(n, f.bitshift, f.bitsize) for n, f in ffi.typeof("struct flags").fields]',
     [("a", 0, 3), ("b", 3, 5), ("c", 0, 7)]),
    ('[(n, f.offset) for n, f in ffi.typeof("struct flags").fields]',
     [("a", 0), ("b", 0), ("c", 4)]),
    ('ffi.sizeof("struct outer")', 8),
    ('ffi.offsetof("struct outer", "tail")', 4),
    # flexible array member
    ('ffi.sizeof("struct buffer")', 8),
    ('ffi.offsetof("struct buffer", "data")', 8),
    ('ffi.typeof("struct buffer").fields[1][1].type.cname', "unsigned char[]"),
    # '[...]' lengths in fields
    ('ffi.sizeof("struct grid")', 68),
    ('ffi.offsetof("struct grid", "cells")', 4),
    ('ffi.offsetof("struct grid", "name")', 52),
    ('ffi.typeof("struct grid").fields[0][1].type.cname', "int[4][3]"),
    ('ffi.typeof("struct grid").fields[1][1].type.cname', "char[16]"),
    ('ffi.typeof("struct grid").fields[0][1].type.length', 4),
    # a partial struct with no declared field
    ('ffi.sizeof("struct empty_partial")', 20),
    ('ffi.alignof("struct empty_partial")', 4),
    # self-referencing struct
    ('ffi.sizeof("struct node")', 16),
    ('ffi.typeof("struct node").fields[1][1].type.cname', "struct node *"),
    # packed=True
    ('ffi.sizeof("struct wire")', 7),
    ('ffi.alignof("struct wire")', 1),
    ('ffi.offsetof("struct wire", "length")', 1),
    ('ffi.offsetof("struct wire", "crc")', 5),
]


@pytest.mark.parametrize("expr, value", LAYOUT, ids=[e for e, _ in LAYOUT])
def test_layout(d, expr, value):
    d.expect(expr, value)


USE = [
    # partial struct through pointers and by value
    ('p = ffi.new("struct point *", {"x": 1.5, "y": 7}); p[0]', {"x": 1.5, "y": 7}),
    ('p = ffi.new("struct point *", [7, 1.5]); (p.y, p.x)', (7, 1.5)),
    ('p = ffi.new("struct point *", {"y": 9}); lib.point_y(p)', 9),
    ('p = ffi.new("struct point *", {"x": 2.25}); lib.point_x(p[0])', 2.25),
    ('lib.make_point(0.5, 3)', {"x": 0.5, "y": 3}),
    ('lib.point_y(ffi.addressof(lib.make_point(0.5, 11)))', 11),
    ('p = ffi.new("struct point *"); p.y = -4; p.x = 1e100; p[0]', {"x": 1e100, "y": -4}),
    ('ffi.sizeof(ffi.new("struct point *")[0])', 32),
    ('ffi.typeof(lib.make_point(1, 2)).cname', "struct point"),
    # exact struct, by value both ways
    ('lib.make_pair(-3, 2**40, b"z")', {"a": -3, "b": 2**40, "c": b"z"}),
    ('lib.pair_b([1, -2**50, b"q"])', -2**50),
    ('lib.pair_b({"b": 77})', 77),
    ('lib.pair_b(lib.make_pair(1, 5, b"a"))', 5),
    ('p = ffi.new("struct pair *", (1, 2, b"x")); p.c', b"x"),
    # unions
    ('w = ffi.new("union word *"); w.u = 0x3f800000; w.f', 1.0),
    ('w = ffi.new("union word *", [0x01020304]); list(w.b)', [4, 3, 2, 1]),
    ('w = ffi.new("union word *", {"f": 1.0}); w.u', 0x3F800000),
    ('lib.word_u(lib.word_of(1.0))', 0x3F800000),
    ('lib.word_of(-2.0).f', -2.0),
    ('v = ffi.new("union value *"); v.d = 0.5; v.d', 0.5),
    ('v = ffi.new("union value *", [5]); v.i', 5),
    # nested and anonymous members
    ('o = ffi.new("outer_t *"); o.as_int = 3; o.lo = 4; o.hi = 5; lib.outer_sum(o)', 12),
    ('o = ffi.new("outer_t *", {"in": {"c": b"\\x01", "i": 2}, "as_int": 3, "lo": 4, "hi": 5,'
     ' "arr": [[b"\\x00", 6], {"i": 7}]}); lib.outer_sum(o)', 28),
    ('o = ffi.new("outer_t *"); o.as_float = 1.0; o.as_int', 0x3F800000),
    ('o = ffi.new("outer_t *"); o.arr[1].i = 9; o.arr[1].i', 9),
    ('o = ffi.new("outer_t *"); getattr(o, "in").c = b"k"; getattr(o, "in")',
     {"c": b"k", "i": 0}),
    ('o = ffi.new("outer_t *", {"arr": [[b"a", 1], [b"b", 2]]}); o.arr',
     [{"c": b"a", "i": 1}, {"c": b"b", "i": 2}]),
    ('o = ffi.new("outer_t *"); ffi.typeof(o.arr).cname', "struct inner[2]"),
    ('o = ffi.new("outer_t *"); len(o.arr)', 2),
    # bitfields
    ('f = ffi.new("struct flags *", [5, 17, -3]); (f.a, f.b, f.c)', (5, 17, -3)),
    ('f = ffi.new("struct flags *", {"c": -64}); lib.flags_c(f)', -64),
    ('f = ffi.new("struct flags *"); f.a = 7; f.b = 31; lib.flags_raw(f)', 0xFF),
    ('f = ffi.new("struct flags *"); f.b = 1; lib.flags_raw(f)', 8),
    ('f = ffi.new("struct flags *"); f.c = 63; f.c', 63),
    ('s = ffi.new("struct outer *", [[5, 17], 3]); (s.bits.a, s.bits.b, s.tail)', (5, 17, 3)),
    ('s = ffi.new("struct outer *"); ffi.sizeof(s.bits)', 4),
    # flexible array member
    ('b = ffi.new("struct buffer *", {"len": 3, "data": [1, 2, 250]}); lib.buffer_sum(b)', 253),
    ('b = ffi.new("struct buffer *", {"len": 3, "data": [1, 2, 250]}); len(b.data)', 3),
    ('b = ffi.new("struct buffer *", [2, [7, 8]]); list(b.data)', [7, 8]),
    ('b = ffi.new("struct buffer *", {"len": 3, "data": [1, 2, 250]}); ffi.sizeof(b[0])', 11),
    ('b = ffi.new("struct buffer *", {"data": 5}); len(b.data)', 5),
    ('b = ffi.new("struct buffer *"); b.len', 0),
    # '[...]' field lengths
    ('g = ffi.new("struct grid *"); g.cells[2][1] = 42; lib.grid_cell(g, 2, 1)', 42),
    ('g = ffi.new("struct grid *"); (len(g.cells), len(g.cells[0]), len(g.name))', (4, 3, 16)),
    ('g = ffi.new("struct grid *", {"name": b"grid"}); ffi.string(g.name)', b"grid"),
    ('g = ffi.new("struct grid *", {"cells": [[1, 2, 3], [4]]}); g.cells',
     [[1, 2, 3], [4, 0, 0], [0, 0, 0], [0, 0, 0]]),
    # self-referencing struct: a linked list
    ('a = ffi.new("struct node *", [1]); b = ffi.new("struct node *", [2, a]);'
     ' c = ffi.new("struct node *", {"value": 3, "next": b}); lib.list_sum(c)', 6),
    ('n = ffi.new("struct node *"); n.next', "NULL"),
    ('n = ffi.new("struct node *"); n.next = n; n.next.next.next.value = 5; n.value', 5),
    # packed
    ('w = ffi.new("struct wire *", [b"k", 123456, 7]); lib.wire_length(w)', 123456),
    ('w = ffi.new("struct wire *", {"crc": -2}); w[0]', {"kind": b"\x00", "length": 0, "crc": -2}),
    # opaque-ish partial struct
    ('e = ffi.new("struct empty_partial *"); ffi.sizeof(e[0])', 20),
]


@pytest.mark.parametrize("expr, value", USE, ids=[e for e, _ in USE])
def test_use(d, expr, value):
    d.expect(expr, value)


SAME = [
    'ffi.typeof("struct point").fields[0][1].type',
    '[f.flags for n, f in ffi.typeof("struct flags").fields]',
    'ffi.typeof("struct outer").fields[0][1].type.kind',
    'ffi.sizeof(ffi.typeof("struct outer").fields[0][1].type)',
    'ffi.new("struct point *", {"x": 1.0, "y": 2})[0]',
    'ffi.new("outer_t *")[0]',
    'ffi.new("struct grid *")[0]',
    'ffi.new("struct flags *", [1, 2, 3])[0]',
    'ffi.new("struct outer *")[0]',
    'ffi.new("union value *", [1])[0].i',
    'ffi.typeof(ffi.new("struct outer *").bits).kind',
    'ffi.new("struct buffer *")[0]',
    'ffi.new("struct buffer *").data',
]


@pytest.mark.parametrize("expr", SAME)
def test_same(d, expr):
    d.same(expr)


# Both raise: the class must be the same (the message may differ).
SAME_ERRORS = [
    ('ffi.new("struct pair *", {"z": 1})', KeyError),
    ('ffi.new("struct pair *", [1, 2, b"c", 4])', ValueError),
    ('ffi.new("struct pair *", {"a": "x"})', TypeError),
    ('ffi.new("struct point *").tag', AttributeError),
    ('ffi.new("struct point *").z', AttributeError),
    ('ffi.offsetof("struct point", "tag")', KeyError),
    ('ffi.offsetof("struct point", "nope")', KeyError),
    ('ffi.offsetof("struct flags", "a")', TypeError),
]


@pytest.mark.parametrize("expr,exception", SAME_ERRORS)
def test_same_errors(d, expr, exception):
    d.raises(expr, exception)


ERRORS = [
    # (expression, exception, compare messages)
    ('f = ffi.new("struct flags *"); f.a = 8', OverflowError, True),
    ('f = ffi.new("struct flags *"); f.a = -1', OverflowError, True),
    ('f = ffi.new("struct flags *"); f.c = 64', OverflowError, True),
    ('f = ffi.new("struct flags *"); f.c = -65', OverflowError, True),
    ('ffi.new("struct flags *", [8])', OverflowError, True),
    ('p = ffi.new("struct pair *"); p.a = 2**15', OverflowError, True),
    ('p = ffi.new("struct pair *"); p.c = 65', TypeError, False),
    ('o = ffi.new("outer_t *"); o.arr[2]', IndexError, False),
    ('g = ffi.new("struct grid *"); g.cells[4]', IndexError, False),
    ('g = ffi.new("struct grid *"); g.cells[0][3]', IndexError, False),
    ('g = ffi.new("struct grid *"); g.name = b"x" * 17', IndexError, False),
    ('ffi.new("struct point *", [1, 2.0, 3])', ValueError, True),
    ('ffi.new("struct point *").nope', AttributeError, False),
    ('ffi.new("struct point")', TypeError, False),
    ('lib.point_x(ffi.new("struct pair *")[0])', TypeError, False),
    ('lib.point_y(ffi.new("struct pair *"))', TypeError, False),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS, ids=[e for e, _, _ in ERRORS])
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


def test_direct_values(d):
    ffi, lib = d.ffi, d.lib
    assert ffi.offsetof("struct point", "y") == 24
    assert ffi.sizeof("struct wire") == 7
    p = ffi.new("struct point *", {"x": 3.5, "y": 4})
    assert (p.x, p.y, lib.point_y(p), lib.point_x(p[0])) == (3.5, 4, 4, 3.5)
    pair = lib.make_pair(1, 2, b"c")
    assert (pair.a, pair.b, pair.c) == (1, 2, b"c")
