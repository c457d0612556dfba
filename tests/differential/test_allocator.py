# ffi.new_allocator(), cdefc against CFFI: alloc()/free() calls, clearing, shapes, release, with.
import gc
import os

import pytest

CDEF = """
struct pt { int x, y; };
struct fl { int n; int a[]; };
typedef struct { char tag; struct pt p; } rec_t;
int pt_sum(struct pt *p);
int sum_ints(int *a, int n);
void *my_alloc(size_t n);
void my_free(void *p);
int live_blocks(void);
size_t last_size(void);
void keep(char *p);
int kept_equals(const char *s);
"""

SOURCE = r"""
#include <stdlib.h>
#include <string.h>
struct pt { int x, y; };
struct fl { int n; int a[]; };
typedef struct { char tag; struct pt p; } rec_t;
static int pt_sum(struct pt *p) { return p->x + p->y; }
static int sum_ints(int *a, int n) { int s = 0; while (n--) s += *a++; return s; }
static int live;
static size_t last;
static void *my_alloc(size_t n) { ++live; last = n; return malloc(n ? n : 1); }
static void my_free(void *p) { --live; free(p); }
static int live_blocks(void) { return live; }
static size_t last_size(void) { return last; }
static char *kept;
static void keep(char *p) { kept = p; }
static int kept_equals(const char *s) { return strcmp(kept, s) == 0; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("allocator", CDEF, SOURCE)


# Defines, in an expression's namespace, an allocator `c` whose alloc() returns a fresh
# 'char[]' of the size asked for (kept in `blocks`) and whose free() logs which block it got.
LOGGING = """
import gc
log = []
blocks = []
def al(n):
    blocks.append(ffi.new("char[]", n))
    log.append(("alloc", n))
    return blocks[-1]
def fr(p):
    log.append(("free", [i for i, b in enumerate(blocks) if b is p]))
c = ffi.new_allocator(al, fr)
"""

# Defines an allocator `c` whose alloc() always returns `buf`, 31 bytes of 0x11, and does not
# clear it; `z` is the same allocator clearing it.
PREFILLED = """
buf = ffi.new("char[]", b"\\x11" * 31)
c = ffi.new_allocator(lambda n: buf, None, False)
z = ffi.new_allocator(lambda n: buf, None, True)
def refill():
    ffi.memmove(buf, b"\\x11" * 31, 31)
"""

FILL = 0x11111111

OBJECT = [
    # the allocator is a builtin named 'allocator' bound to a tuple, as CFFI's
    ('repr(ffi.new_allocator()).split(" at ")[0]', "<built-in method allocator of tuple object"),
    ('type(ffi.new_allocator()).__name__', "builtin_function_or_method"),
    ('a = ffi.new_allocator(); (a.__name__, a.__qualname__, a.__module__, a.__doc__)',
     ("allocator", "tuple.allocator", None, None)),
    ('ffi.new_allocator().__self__[0] is ffi', True),
    ('ffi.new_allocator().__self__[1:]', (None, None, True)),
    ('ffi.new_allocator(should_clear_after_alloc=False).__self__[1:]', (None, None, False)),
    ('ffi.new_allocator(should_clear_after_alloc=0).__self__[3]', False),
    ('ffi.new_allocator(should_clear_after_alloc=5).__self__[3]', True),
    ('ffi.new_allocator(should_clear_after_alloc=-1).__self__[3]', True),
    ('f = lambda n: None; ffi.new_allocator(f).__self__[1:] == (f, None, True)', True),
    ('f = lambda n: None; ffi.new_allocator(f, len, False).__self__[1:] == (f, len, False)', True),
    # neither alloc nor free is checked before it is called
    ('ffi.new_allocator(5, 6).__self__[1:]', (5, 6, True)),
    # a method of the FFI class, as in CFFI
    ('hasattr(type(ffi), "new_allocator")', True),
    ('type(ffi).new_allocator(ffi)("int *", 3)[0]', 3),
    ('ffi.new_allocator.__name__', "new_allocator"),
]


@pytest.mark.parametrize("expr, value", OBJECT, ids=[e for e, _ in OBJECT])
def test_allocator_object(d, expr, value):
    d.expect(expr, value)


OBJECT_ERRORS = [
    ('ffi.new_allocator(free=lambda p: None)', TypeError),
    ('ffi.new_allocator(None, lambda p: None)', TypeError),
    ('ffi.new_allocator(None, None, True, 4)', TypeError),
    ('ffi.new_allocator(foo=1)', TypeError),
    ('ffi.new_allocator(should_clear_after_alloc="x")', TypeError),
    ('ffi.new_allocator(should_clear_after_alloc=None)', TypeError),
    ('ffi.new_allocator(should_clear_after_alloc=1.5)', TypeError),
    ('ffi.new_allocator(should_clear_after_alloc=2**40)', OverflowError),
    ('ffi.new_allocator(should_clear_after_alloc=2**70)', OverflowError),
]


@pytest.mark.parametrize("expr, exception", OBJECT_ERRORS, ids=[e for e, _ in OBJECT_ERRORS])
def test_allocator_object_errors(d, expr, exception):
    d.raises(expr, exception, message=True)


DEFAULT = [
    # ffi.new_allocator() with no alloc is ffi.new()
    ('ffi.new_allocator()("int *")[0]', 0),
    ('ffi.new_allocator()("int *", 5)[0]', 5),
    ('ffi.new_allocator()(cdecl="int *", init=4)[0]', 4),
    ('ffi.new_allocator()("int *", init=4)[0]', 4),
    ('ffi.new_allocator()(ffi.typeof("int *"), 3)[0]', 3),
    ('ffi.new_allocator()("int[3]")', [0, 0, 0]),
    ('ffi.new_allocator()("int[3]", [1, 2])', [1, 2, 0]),
    ('ffi.new_allocator()("int[]", [1, 2, 3])', [1, 2, 3]),
    ('ffi.new_allocator()("int[]", 4)', [0, 0, 0, 0]),
    ('ffi.new_allocator()("char[]", b"hi")', [b"h", b"i", b"\x00"]),
    ('ffi.new_allocator()("struct pt *", [1, 2])[0]', {"x": 1, "y": 2}),
    ('ffi.new_allocator()("struct pt *", {"y": 7}).y', 7),
    ('ffi.new_allocator()("rec_t *", {"tag": b"t", "p": [3, 4]}).p.y', 4),
    ('ffi.new_allocator()("struct pt[2]", [[1, 2], [3, 4]])[1]', {"x": 3, "y": 4}),
    ('lib.pt_sum(ffi.new_allocator()("struct pt *", [20, 22]))', 42),
    ('lib.sum_ints(ffi.new_allocator()("int[]", [1, 2, 3]), 3)', 6),
    ('p = ffi.new_allocator()("struct fl *", [3, [1, 2, 3]]); (list(p.a), ffi.sizeof(p[0]))',
     ([1, 2, 3], 16)),
    # same reprs as ffi.new()'s
    ('repr(ffi.new_allocator()("int[3]"))', "<cdata 'int[3]' owning 12 bytes>"),
    ('repr(ffi.new_allocator()("int[]", 3))', "<cdata 'int[]' owning 12 bytes>"),
    ('repr(ffi.new_allocator()("int *"))', "<cdata 'int *' owning 4 bytes>"),
    ('repr(ffi.new_allocator()("char *"))', "<cdata 'char *' owning 1 bytes>"),
    ('repr(ffi.new_allocator()("struct pt *"))', "<cdata 'struct pt *' owning 8 bytes>"),
    ('repr(ffi.new_allocator()("struct pt *")[0])', "<cdata 'struct pt' owning 8 bytes>"),
    ('ffi.sizeof(ffi.new_allocator()("int[]", 3))', 12),
    ('ffi.typeof(ffi.new_allocator()("int[]", 3)).cname', "int[]"),
    # release and 'with'
    ('p = ffi.new_allocator()("int[2]"); ffi.release(p)', None),
    ('p = ffi.new_allocator()("int[2]"); ffi.release(p); ffi.release(p)', None),
    ('with ffi.new_allocator()("int[10]") as p:\n p[9] = 5; x = p[9]\nx', 5),
    ('a = ffi.new_allocator(); q = a("int[10]")\nwith q as p:\n same = p is q\nsame', True),
    ('with ffi.new_allocator(should_clear_after_alloc=False)("struct pt *", [1, 2]) as p:\n'
     ' x = p.x + p.y\nx', 3),
]


@pytest.mark.parametrize("expr, value", DEFAULT, ids=[e for e, _ in DEFAULT])
def test_default_allocator(d, expr, value):
    d.expect(expr, value)


CALL_ERRORS = [
    # the allocator takes ffi.new()'s arguments and raises ffi.new()'s errors
    ('ffi.new_allocator()()', TypeError, True),
    ('ffi.new_allocator()("int *", 1, 2)', TypeError, True),
    ('ffi.new_allocator()("int *", foo=1)', TypeError, True),
    ('ffi.new_allocator()(5)', TypeError, True),
    ('ffi.new_allocator()("int")', TypeError, True),
    ('ffi.new_allocator()("struct pt")', TypeError, True),
    ('ffi.new_allocator()("void *")', TypeError, True),
    ('ffi.new_allocator()("struct pt *", 5)', TypeError, True),
    ('ffi.new_allocator()("int[2]", [1, 2, 3])', IndexError, True),
    ('ffi.new_allocator()("int[]", -1)', ValueError, True),
    ('ffi.new_allocator()("int[]", "x")', TypeError, True),
    ('ffi.new_allocator()("char[]")', TypeError, True),
    ('ffi.new_allocator()("struct nope *")', "ffi.error", False),
    # the same with an alloc(): checked before it is called, or after (see test_free_*)
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("int")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("struct pt *", 5)', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("int[2]", [1, 2, 3])', IndexError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("int[]", -1)', ValueError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("int[]", "x")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("int[]", b"ab")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("char[]", "ab")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("wchar_t[]", b"ab")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("struct pt[]", b"a")', TypeError, True),
    ('ffi.new_allocator()("int[]", 2.5)', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("char[]", n))("void *")', TypeError, True),
    # what alloc() returns
    ('ffi.new_allocator(lambda n: ffi.NULL)("int[4]")', MemoryError, True),
    ('ffi.new_allocator(lambda n: ffi.cast("char *", 0))("int *")', MemoryError, True),
    ('ffi.new_allocator(lambda n: ffi.cast("int[2]", ffi.NULL))("int[4]")', MemoryError, True),
    ('ffi.new_allocator(lambda n: 42)("int[4]")', TypeError, True),
    ('ffi.new_allocator(lambda n: None)("int *")', TypeError, True),
    ('ffi.new_allocator(lambda n: bytearray(n))("int *")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.cast("int", 5))("int[4]")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.cast("long", 7))("int *")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.new("struct pt *")[0])("int[2]")', TypeError, True),
    ('ffi.new_allocator(lambda n: ffi.cast("int(*)(int)", 16))("int[4]")', TypeError, True),
    # alloc() itself fails
    ('ffi.new_allocator(lambda n: 1 / 0)("int[4]")', ZeroDivisionError, True),
    ('ffi.new_allocator(lambda n, m: 1)("int[4]")', TypeError, True),
    ('ffi.new_allocator(5)("int[4]")', TypeError, True),
    # a pointer to a struct made by an allocator is not an ffi.gc() object
    ('ffi.gc(ffi.new_allocator(lambda n: ffi.new("char[]", n))("struct pt *"), None)',
     TypeError, True),
    ('ffi.gc(ffi.new_allocator()("int *"), None)', TypeError, True),
    ('ffi.gc(ffi.new("int *"), None)', TypeError, True),
]


@pytest.mark.parametrize("expr, exception, message", CALL_ERRORS,
                         ids=[e for e, _, _ in CALL_ERRORS])
def test_call_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


NOT_CLEARED = [
    # the python-zstandard idiom
    ('c = ffi.new_allocator(should_clear_after_alloc=False); p = c("char[]", 16)\n'
     'ffi.memmove(p, b"abcdefghijklmnop", 16); (ffi.buffer(p)[:], bytes(ffi.buffer(p, 3)))',
     (b"abcdefghijklmnop", b"abc")),
    ('c = ffi.new_allocator(should_clear_after_alloc=False); p = c("char[]", 100)\n'
     '(len(ffi.buffer(p)), ffi.sizeof(p), len(p), repr(p))',
     (100, 100, 100, "<cdata 'char[]' owning 100 bytes>")),
    ('c = ffi.new_allocator(should_clear_after_alloc=False); c("int *", 5)[0]', 5),
    ('c = ffi.new_allocator(should_clear_after_alloc=False); c("int[3]", [1, 2, 3])', [1, 2, 3]),
    ('c = ffi.new_allocator(should_clear_after_alloc=False); c("struct pt *", [1, 2])[0]',
     {"x": 1, "y": 2}),
    ('c = ffi.new_allocator(should_clear_after_alloc=False)\n'
     '(repr(c("struct pt *")), repr(c("struct pt *")[0]), repr(c("int[]", 3)))',
     ("<cdata 'struct pt *' owning 8 bytes>", "<cdata 'struct pt' owning 8 bytes>",
      "<cdata 'int[]' owning 12 bytes>")),
    # an alloc() that returns memory already filled: nothing clears it, with or without an
    # initializer (which writes only what it gives)
    (PREFILLED + 'list(c("int[3]"))', [FILL] * 3),
    (PREFILLED + 'c("int *")[0]', FILL),
    (PREFILLED + 'c("int *", 5)[0]', 5),
    (PREFILLED + 'list(c("int[3]", [1]))', [1, FILL, FILL]),
    (PREFILLED + 'list(c("int[2][2]", [[1], [2, 3]])[0])', [1, FILL]),
    (PREFILLED + 'c("struct pt *", [7])[0]', {"x": 7, "y": FILL}),
    (PREFILLED + 'c("struct pt *", {"y": 2})[0]', {"x": FILL, "y": 2}),
    (PREFILLED + 'c("struct pt[2]", [[1]]); bytes(ffi.buffer(buf, 16))',
     b"\x01\x00\x00\x00" + b"\x11" * 12),
    (PREFILLED + 'c("char[]", b"a"); bytes(ffi.buffer(buf, 4))', b"a\x00\x11\x11"),
    (PREFILLED + 'c("char[5]", b"ab"); bytes(ffi.buffer(buf, 6))', b"ab\x00\x11\x11\x11"),
    (PREFILLED + 'c("char[4]", b"abcd"); bytes(ffi.buffer(buf, 6))', b"abcd\x11\x11"),
    (PREFILLED + 'c("char *", b"a"); bytes(ffi.buffer(buf, 4))', b"a\x11\x11\x11"),
    (PREFILLED + 'c("struct fl *", [1, [5]]); bytes(ffi.buffer(buf, 12))',
     b"\x01\x00\x00\x00\x05\x00\x00\x00\x11\x11\x11\x11"),
    # the same memory, cleared: exactly the bytes alloc() was asked for
    (PREFILLED + 'z("int[2]"); bytes(ffi.buffer(buf, 12))', b"\x00" * 8 + b"\x11" * 4),
    (PREFILLED + 'list(z("int[3]", [1]))', [1, 0, 0]),
    (PREFILLED + 'z("char *"); bytes(ffi.buffer(buf, 3))', b"\x00\x00\x11"),
    (PREFILLED + 'z("char[]", b"a"); bytes(ffi.buffer(buf, 3))', b"a\x00\x11"),
    (PREFILLED + 'z("struct pt *", {"y": 2})[0]', {"x": 0, "y": 2}),
]


@pytest.mark.parametrize("expr, value", NOT_CLEARED,
                         ids=[e.split("\n")[-1] for e, _ in NOT_CLEARED])
def test_clearing(d, expr, value):
    d.expect(expr, value)


SIZES = [
    # (cdecl, init, size given to alloc()): a pointer to a character gets room for a null
    ("char *", None, 2),
    ("wchar_t *", None, 8),
    ("char16_t *", None, 4),
    ("char32_t *", None, 8),
    ("signed char *", None, 1),
    ("unsigned char *", None, 1),
    ("_Bool *", None, 1),
    ("int *", None, 4),
    ("long long *", None, 8),
    ("char **", None, 8),
    ("float *", None, 4),
    ("struct pt *", None, 8),
    ("rec_t *", None, 12),
    ("int[3]", None, 12),
    ("char[2]", None, 2),
    ("int[0]", None, 0),
    ("int[]", 5, 20),
    ("int[]", 0, 0),
    ("int[]", [1, 2], 8),
    ("short[]", 3, 6),
    ("char[]", b"hi", 3),
    ("struct fl *", [3, [1, 2, 3]], 16),
    ("struct fl *", [2, [5, 6]], 12),
    ("struct pt[2]", None, 16),
    ("int[]", True, 4),
    ("char16_t[]", "\U0001F600", 6),
    ("wchar_t[]", "ab", 12),
]


@pytest.mark.parametrize("cdecl, init, size", SIZES, ids=[f"{c}-{i}" for c, i, _ in SIZES])
def test_alloc_sizes(d, cdecl, init, size):
    d.expect(LOGGING + f'p = c({cdecl!r}, {init!r}); log', [("alloc", size)])


CUSTOM = [
    # free() gets what alloc() returned, once, when the cdata dies
    (LOGGING + 'p = c("int[3]", [1, 2, 3]); v = list(p); before = list(log)\n'
     'del p; gc.collect(); (v, before, log)',
     ([1, 2, 3], [("alloc", 12)], [("alloc", 12), ("free", [0])])),
    (LOGGING + 'p = c("struct pt *", [1, 2]); q = c("int *", 3); r = c("int[]", 2)\n'
     'del q; gc.collect(); a = list(log); del r, p; gc.collect(); (a, sorted(log))',
     ([("alloc", 8), ("alloc", 4), ("alloc", 8), ("free", [1])],
      [("alloc", 4), ("alloc", 8), ("alloc", 8), ("free", [0]), ("free", [1]), ("free", [2])])),
    # ... or at ffi.release() / the end of 'with', and not again
    (LOGGING + 'p = c("int[3]"); ffi.release(p); a = list(log); ffi.release(p); b = list(log)\n'
     'del p; gc.collect(); (a, b, log)',
     ([("alloc", 12), ("free", [0])], [("alloc", 12), ("free", [0])],
      [("alloc", 12), ("free", [0])])),
    (LOGGING + 'with c("struct pt *", [1, 2]) as p:\n x = (p.x, p.y, list(log))\n'
     'after = list(log); del p; gc.collect(); (x, after, log)',
     ((1, 2, [("alloc", 8)]), [("alloc", 8), ("free", [0])], [("alloc", 8), ("free", [0])])),
    (LOGGING + 'with c("int[10]") as p:\n p[9] = 4; x = p[9]\n(x, log)',
     (4, [("alloc", 40), ("free", [0])])),
    # an initializer that fails: the memory is freed at once
    (LOGGING + 'try:\n c("int[2]", [1, 2, 3])\nexcept IndexError:\n pass\nlog',
     [("alloc", 8), ("free", [0])]),
    (LOGGING + 'try:\n c("struct pt *", 5)\nexcept TypeError:\n pass\nlog',
     [("alloc", 8), ("free", [0])]),
    # ... even when it is refused for its type: its length is counted first
    (LOGGING + 'try:\n c("int[]", "x")\nexcept TypeError:\n pass\nlog',
     [("alloc", 8), ("free", [0])]),
    # ... but not when the size is not known
    (LOGGING + 'try:\n c("int[]", 2.5)\nexcept TypeError:\n pass\nlog', []),
    (LOGGING + 'try:\n c("struct fl *", [1, 2.5])\nexcept TypeError:\n pass\nlog', []),
    # ffi.gc(p, None) takes free() off an array or a pointer to a primitive
    (LOGGING + 'p = c("int[2]"); ffi.gc(p, None); del p; gc.collect(); log', [("alloc", 8)]),
    (LOGGING + 'p = c("int *"); q = ffi.gc(p, None); del p; gc.collect(); (q, log)',
     (None, [("alloc", 4)])),
    # ffi.gc() of an allocator's cdata: its destructor first, then free()
    (LOGGING + 'p = c("struct pt *"); q = ffi.gc(p, lambda x: log.append("gc"))\n'
     'del p; gc.collect(); a = list(log); del q; gc.collect(); (a, log)',
     ([("alloc", 8)], [("alloc", 8), "gc", ("free", [0])])),
    # without free(), what alloc() returned is dropped when the cdata dies or is released
    ('import weakref, gc; blocks = []\n'
     'c = ffi.new_allocator(lambda n: blocks.append(ffi.new("char[]", n)) or blocks[-1])\n'
     'p = c("int[3]", [1, 2, 3]); r = weakref.ref(blocks.pop())\n'
     'a = r() is not None; ffi.release(p); (a, r() is None)',
     (True, True)),
    ('import weakref, gc; blocks = []\n'
     'c = ffi.new_allocator(lambda n: blocks.append(ffi.new("char[]", n)) or blocks[-1])\n'
     'p = c("int[3]"); r = weakref.ref(blocks.pop())\n'
     'a = r() is not None; del p; gc.collect(); (a, r() is None)',
     (True, True)),
    ('import weakref, gc; blocks = []\n'
     'c = ffi.new_allocator(lambda n: blocks.append(ffi.new("char[]", n)) or blocks[-1])\n'
     'p = c("int[3]"); r = weakref.ref(blocks.pop())\n'
     'with p:\n pass\nr() is None',
     True),
    # a free() that raises is reported, not raised, at release and at death
    ('def fr(p):\n raise ValueError("boom")\n'
     'c = ffi.new_allocator(lambda n: ffi.new("char[]", n), fr)\n'
     'p = c("int *"); ffi.release(p); ffi.release(p); "survived"', "survived"),
    ('import gc\ndef fr(p):\n raise ValueError("boom")\n'
     'c = ffi.new_allocator(lambda n: ffi.new("char[]", n), fr)\n'
     'p = c("int *"); del p; gc.collect(); "survived"', "survived"),
    ('def fr(p):\n raise ValueError("boom")\n'
     'c = ffi.new_allocator(lambda n: ffi.new("char[]", n), fr)\n'
     'with c("int *") as p:\n pass\n"survived"', "survived"),
    # ... as for ffi.gc()
    ('def fr(p):\n raise ValueError("boom")\n'
     'p = ffi.gc(ffi.new("int *"), fr); ffi.release(p); "survived"', "survived"),
    # alloc and free may be C functions
    # (live_blocks() counts my_alloc() - my_free() calls, over the whole module's life)
    ('import gc; c = ffi.new_allocator(lib.my_alloc, lib.my_free); n0 = lib.live_blocks()\n'
     'p = c("int[4]", [1, 2, 3, 4]); s = lib.sum_ints(p, 4); n = lib.live_blocks() - n0\n'
     'del p; gc.collect(); (s, n, lib.live_blocks() - n0, lib.last_size())', (10, 1, 0, 16)),
    ('import gc; c = ffi.new_allocator(lib.my_alloc, lib.my_free, False); n0 = lib.live_blocks()\n'
     'p = c("struct pt *", [20, 22]); s = lib.pt_sum(p); n = lib.live_blocks() - n0\n'
     'ffi.release(p); (s, n, lib.live_blocks() - n0, lib.last_size())', (42, 1, 0, 8)),
    ('c = ffi.new_allocator(lib.my_alloc, lib.my_free); p = c("char[]", b"xyz")\n'
     '(ffi.string(p), lib.last_size(), ffi.typeof(p).cname)', (b"xyz", 4, "char[]")),
]


@pytest.mark.parametrize("expr, value", CUSTOM, ids=[e.split("\n")[-1] for e, _ in CUSTOM])
def test_custom_alloc_free(d, expr, value):
    d.expect(expr, value)


ALLOC = 'c = ffi.new_allocator(lambda n: ffi.new("char[]", n)); '

SHAPES = [
    # arrays: plain reprs ('sliced length' for T[]), values, sizes
    (ALLOC + 'c("int[3]", [1, 2, 3])', [1, 2, 3]),
    (ALLOC + 'repr(c("int[3]")).startswith("<cdata \'int[3]\' 0x")', True),
    (ALLOC + 'repr(c("int[]", 3))', "<cdata 'int[]' sliced length 3>"),
    (ALLOC + 'repr(c("char[]", b"hi"))', "<cdata 'char[]' sliced length 3>"),
    (ALLOC + 'repr(c("int[]", 0))', "<cdata 'int[]' sliced length 0>"),
    (ALLOC + 'repr(c("int[0]")).startswith("<cdata \'int[0]\' 0x")', True),
    (ALLOC + 'p = c("int[]", [4, 5]); (len(p), ffi.sizeof(p), ffi.typeof(p).cname, list(p))',
     (2, 8, "int[]", [4, 5])),
    (ALLOC + 'p = c("int[3]", [1, 2, 3]); (p + 1)[0]', 2),
    (ALLOC + 'p = c("int[3]", [1, 2, 3]); p[1:3]', [2, 3]),
    (ALLOC + 'ffi.string(c("char[]", b"ab"))', b"ab"),
    (ALLOC + 'ffi.unpack(c("int[3]", [1, 2, 3]), 3)', [1, 2, 3]),
    (ALLOC + 'ffi.buffer(c("int[2]", [1, 2]))[:]', b"\x01\x00\x00\x00\x02\x00\x00\x00"),
    (ALLOC + 'lib.sum_ints(c("int[]", [1, 2, 3]), 3)', 6),
    (ALLOC + 'c("struct pt[2]", [[1, 2], [3, 4]])[1]', {"x": 3, "y": 4}),
    # pointers to primitives
    (ALLOC + 'c("int *", 5)[0]', 5),
    (ALLOC + 'repr(c("int *")).startswith("<cdata \'int *\' 0x")', True),
    (ALLOC + 'ffi.buffer(c("int *", 5))[:]', b"\x05\x00\x00\x00"),
    (ALLOC + 'ffi.sizeof(c("int *"))', 8),
    (ALLOC + 'ffi.string(c("char *", b"a"))', b"a"),
    (ALLOC + 'ffi.string(c("wchar_t *", "a"))', "a"),
    (ALLOC + 'ffi.unpack(c("int *", 3), 1)', [3]),
    (ALLOC + 'c("char **")[0]', "NULL"),
    # pointers to structs: 'owning', indexed by 0 only, the struct is not 'owning'
    (ALLOC + 'repr(c("struct pt *", [1, 2]))', "<cdata 'struct pt *' owning 8 bytes>"),
    (ALLOC + 'repr(c("rec_t *"))', "<cdata 'rec_t *' owning 12 bytes>"),
    (ALLOC + 'repr(c("struct pt *")[0]).startswith("<cdata \'struct pt &\' 0x")', True),
    (ALLOC + 'p = c("struct pt *", [1, 2]); (p.x, p.y, p[0])', (1, 2, {"x": 1, "y": 2})),
    (ALLOC + 'p = c("struct pt *", [1, 2]); (ffi.sizeof(p), ffi.sizeof(p[0]))', (8, 8)),
    (ALLOC + 'p = c("struct pt *"); p.y = 9; p[0]', {"x": 0, "y": 9}),
    (ALLOC + 'lib.pt_sum(c("struct pt *", {"x": 40, "y": 2}))', 42),
    (ALLOC + 'c("rec_t *", [b"t", [3, 4]])[0]', {"tag": b"t", "p": {"x": 3, "y": 4}}),
    (ALLOC + 'p = c("struct pt *"); ffi.addressof(p[0]) == p', True),
    (ALLOC + 'len(ffi.buffer(c("struct pt *")))', 8),
    # a struct with a flexible array member: its items are known through the pointer only
    (ALLOC + 'repr(c("struct fl *", [3, [1, 2, 3]]))', "<cdata 'struct fl *' owning 16 bytes>"),
    (ALLOC + 'p = c("struct fl *", [2, [5, 6]]); (p.n, list(p.a), repr(p.a))',
     (2, [5, 6], "<cdata 'int[]' sliced length 2>")),
    (ALLOC + 'p = c("struct fl *", [2, [5, 6]]); (ffi.sizeof(p[0]), ffi.typeof(p[0].a).cname)',
     (4, "int *")),
    (ALLOC + 'p = c("struct fl *", [2, [5, 6]]); p.a[1] = 9; p[0].a = [1, 2]; list(p.a)',
     [1, 2]),
    # alloc() may return any pointer or array cdata with room enough
    ('x = ffi.new("char[]", 100); c = ffi.new_allocator(lambda n: x + 3)\n'
     'p = c("int[2]", [1, 2]); (ffi.cast("char *", p) - x, list(p))', (3, [1, 2])),
    ('c = ffi.new_allocator(lambda n: ffi.new("int **")); c("int *", 7)[0]', 7),
    ('c = ffi.new_allocator(lambda n: ffi.new("long long[]", 4)); c("int[]", [1, 2, 3])',
     [1, 2, 3]),
    ('c = ffi.new_allocator(lambda n: ffi.new("struct pt *")); c("int[2]", [1, 2])', [1, 2]),
    ('c = ffi.new_allocator(lambda n: ffi.cast("void *", lib.my_alloc(n)), lib.my_free)\n'
     'n0 = lib.live_blocks(); p = c("int[2]", [1, 2]); n = lib.live_blocks() - n0\n'
     'ffi.release(p); (n, lib.live_blocks() - n0)', (1, 0)),
]


@pytest.mark.parametrize("expr, value", SHAPES, ids=[e[len(ALLOC):] if e.startswith(ALLOC) else e
                                                     for e, _ in SHAPES])
def test_shapes(d, expr, value):
    d.expect(expr, value)


SHAPE_ERRORS = [
    (ALLOC + 'c("struct pt *")[1]', IndexError),
    (ALLOC + 'p = c("struct pt *"); p.z', AttributeError),
    (ALLOC + 'p = c("struct fl *", [2, [5, 6]]); p.a[2] = 1', IndexError),
    (ALLOC + 'c("int[3]")[3]', IndexError),
    (ALLOC + 'c("int[3]")[-1]', IndexError),
    (ALLOC + 'len(c("int *"))', TypeError),
    (ALLOC + 'p = c("int[2]"); ffi.release(p); ffi.release(c("int *", 3)); ffi.release(5)',
     TypeError),
    (ALLOC + 'ffi.release(None)', TypeError),
    (ALLOC + 'ffi.release(ffi.cast("int *", 0))', ValueError),
]


@pytest.mark.parametrize("expr, exception", SHAPE_ERRORS,
                         ids=[e[len(ALLOC):] for e, _ in SHAPE_ERRORS])
def test_shape_errors(d, expr, exception):
    d.raises(expr, exception, message=True)


# ---- cdefc only: where CFFI reads or writes outside the memory, cdefc raises ----

def test_views_keep_the_memory(d):
    """A view of an allocator's cdata keeps it alive: free() runs after the last view dies
    (CFFI frees at once and the view dangles)."""
    ffi = d.ffi
    log = []
    c = ffi.new_allocator(lambda n: ffi.new("char[]", n), lambda p: log.append("free"))
    p = c("int[3]", [1, 2, 3])
    q = p + 1
    del p
    gc.collect()
    assert log == [] and q[0] == 2
    del q
    gc.collect()
    assert log == ["free"]


def test_use_after_release_raises(d):
    ffi = d.ffi
    c = ffi.new_allocator(lambda n: ffi.new("char[]", n), lambda p: None)
    for decl in ("int[3]", "int *", "struct pt *"):
        p = c(decl)
        view = p + 0
        ffi.release(p)
        with pytest.raises(RuntimeError, match="after ffi.release"):
            p[0]
        with pytest.raises(RuntimeError, match="after ffi.release"):
            view[0]


def test_pointers_own_one_item(d):
    """An allocator's 'T *' owns one item, as ffi.new()'s (CFFI reads past it for 'int *')."""
    ffi = d.ffi
    c = ffi.new_allocator(lambda n: ffi.new("char[]", n))
    p = c("int *", 5)
    with pytest.raises(IndexError, match="can only be indexed by 0"):
        p[1]
    with pytest.raises(IndexError, match="can only be indexed by 0"):
        ffi.unpack(p, 2)
    with pytest.raises(IndexError):
        ffi.buffer(p, 100)
    s = c("struct pt *")
    with pytest.raises(IndexError, match="can only be indexed by 0"):
        s[0:2]


def test_alloc_result_too_small(d):
    """Memory of known size smaller than asked for is refused (CFFI writes past its end)."""
    ffi = d.ffi
    with pytest.raises(ValueError, match=r"at least 16 bytes, got cdata 'char\[\]' of 2 bytes"):
        ffi.new_allocator(lambda n: ffi.new("char[]", 2))("int[4]")
    with pytest.raises(ValueError, match=r"at least 8 bytes, got cdata 'int \*' of 4 bytes"):
        ffi.new_allocator(lambda n: ffi.new("int *"))("struct pt *")
    released = ffi.new("char[]", 16)
    ffi.release(released)
    with pytest.raises(RuntimeError, match="after ffi.release"):
        ffi.new_allocator(lambda n: released)("int[4]")


@pytest.mark.skipif(bool(os.environ.get("CDEFC_SANITIZE")),
                    reason="reads freed memory on purpose, which AddressSanitizer stops")
def test_freed_memory_keeps_its_bytes_until_reused(d):
    # tpm2-pytss's FAPI callbacks do `auth[0] = ffi_malloc("char[]", value)` and C reads it
    # after the cdata died: CFFI's freed data keeps its bytes (the allocator's links land in the
    # object header before it), and so do cdefc's (a pad before the data). The same on both.
    for size in (6, 60):
        expr = (f"v = b'123456' * {size // 6}; p = ffi.new('char[]', v); lib.keep(p); "
                f"del p; lib.kept_equals(v)")
        d.expect(expr, 1)
