# Typedefs, cdefc against CFFI: exact typedefs (scalar, pointer, array, function pointer,
# struct), 'typedef int... t', 'typedef float... t', opaque 'typedef ... t' and
# 'typedef ... *t_p', and the standard type names that need no declaration.
import pytest

CDEF = """
typedef unsigned int uint_t;
typedef char *string_t;
typedef double vec3[3];
typedef int (*compare_fn)(const void *, const void *);
typedef struct node { int value; struct node *next; } node_t;
typedef int... small_t;
typedef long... big_t;
typedef unsigned char... bits_t;
typedef int... kind_t;
typedef int... word_t;
typedef float... real_t;
typedef double... single_t;
typedef ... handle_t;
typedef ... *session_p;

uint_t uint_max(void);
string_t greeting(void);
double vec3_sum(vec3 v);
compare_fn get_compare(void);
int node_value(node_t *n);
small_t small_max(void);
small_t small_twice(small_t x);
big_t big_min(void);
bits_t bits_neg(void);
kind_t kind_b(void);
word_t word_neg(void);
real_t third(void);
single_t third_single(void);
real_t real_half(real_t x);
handle_t *open_handle(int fd);
int handle_fd(handle_t *h);
session_p open_session(int id);
int session_id(session_p s);
int64_t sum64(int64_t a, uint32_t b);
size_t length(const char *s, ssize_t max);
intptr_t address_delta(void *a, void *b);
_Bool is_set(bool flag);
wchar_t wide(char c);
"""

SOURCE = r"""
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <wchar.h>
#include <limits.h>
typedef unsigned int uint_t;
typedef char *string_t;
typedef double vec3[3];
typedef int (*compare_fn)(const void *, const void *);
typedef struct node { int value; struct node *next; } node_t;
typedef unsigned short small_t;
typedef long long big_t;
typedef int bits_t;
typedef enum { K_A, K_B } kind_t;
typedef signed char word_t;
typedef double real_t;
typedef float single_t;
typedef struct handle { int fd; char name[32]; } handle_t;
typedef struct session *session_p;
struct session { int id; };

static uint_t uint_max(void) { return UINT_MAX; }
static char greeting_text[] = "hi there";
static string_t greeting(void) { return greeting_text; }
static double vec3_sum(vec3 v) { return v[0] + v[1] + v[2]; }
static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static compare_fn get_compare(void) { return compare_ints; }
static int node_value(node_t *n) { return n->value; }
static small_t small_max(void) { return 0xFFFF; }
static small_t small_twice(small_t x) { return (small_t)(x * 2); }
static big_t big_min(void) { return LLONG_MIN; }
static bits_t bits_neg(void) { return -5; }
static kind_t kind_b(void) { return K_B; }
static word_t word_neg(void) { return -128; }
static real_t third(void) { return 1.0 / 3.0; }
static single_t third_single(void) { return 1.0f / 3.0f; }
static real_t real_half(real_t x) { return x / 2; }
static handle_t handles[4];
static handle_t *open_handle(int fd) { handles[fd].fd = fd; return &handles[fd]; }
static int handle_fd(handle_t *h) { return h->fd; }
static struct session sessions[4];
static session_p open_session(int id) { sessions[id].id = id * 10; return &sessions[id]; }
static int session_id(session_p s) { return s ? s->id : -1; }
static int64_t sum64(int64_t a, uint32_t b) { return a + b; }
static size_t length(const char *s, ssize_t max) { size_t n = strlen(s); return (ssize_t)n < max ? n : (size_t)max; }
static intptr_t address_delta(void *a, void *b) { return (char *)b - (char *)a; }
static _Bool is_set(bool flag) { return !flag; }
static wchar_t wide(char c) { return (wchar_t)c + 0x100; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("typedefs", CDEF, SOURCE)


EXPECT = [
    # exact typedefs: cnames are the resolved types, as in CFFI
    ('ffi.typeof("uint_t").cname', "unsigned int"),
    ('ffi.typeof("string_t").cname', "char *"),
    ('ffi.typeof("vec3").cname', "double[3]"),
    ('ffi.sizeof("vec3")', 24),
    ('ffi.typeof("compare_fn").cname', "int(*)(void *, void *)"),
    ('ffi.typeof("compare_fn").kind', "function"),
    ('ffi.typeof("node_t").cname', "struct node"),
    ('ffi.typeof("node_t *") is ffi.typeof("struct node *")', True),
    ('lib.uint_max()', 2**32 - 1),
    ('ffi.string(lib.greeting())', b"hi there"),
    ('ffi.typeof(lib.greeting()).cname', "char *"),
    ('lib.vec3_sum([1.0, 2.0, 3.5])', 6.5),
    ('lib.vec3_sum(ffi.new("vec3", [1, 2, 3]))', 6.0),
    ('lib.get_compare()(ffi.new("int *", 1), ffi.new("int *", 2))', -1),
    ('ffi.typeof(lib.get_compare()).cname', "int(*)(void *, void *)"),
    ('lib.node_value(ffi.new("node_t *", [41]))', 41),
    # typedef int... : the real size and signedness
    ('ffi.sizeof("small_t")', 2),
    ('ffi.typeof("small_t").cname', "uint16_t"),
    ('lib.small_max()', 65535),
    ('lib.small_twice(40000)', 14464),
    ('ffi.cast("small_t", -1)', 65535),
    ('ffi.sizeof("big_t")', 8),
    ('ffi.typeof("big_t").cname', "int64_t"),
    ('lib.big_min()', -2**63),
    ('ffi.sizeof("bits_t")', 4),
    ('ffi.typeof("bits_t").cname', "int32_t"),
    ('lib.bits_neg()', -5),
    ('ffi.sizeof("kind_t")', 4),
    ('lib.kind_b()', 1),
    ('ffi.sizeof("word_t")', 1),
    ('ffi.typeof("word_t").cname', "int8_t"),
    ('lib.word_neg()', -128),
    # typedef float... : float or double
    ('ffi.typeof("real_t").cname', "double"),
    ('ffi.sizeof("real_t")', 8),
    ('lib.third()', 1.0 / 3.0),
    ('lib.real_half(3)', 1.5),
    ('ffi.typeof("single_t").cname', "float"),
    ('ffi.sizeof("single_t")', 4),
    ('lib.third_single()', 0.3333333432674408),
    # opaque 'typedef ... t' and 'typedef ... *t_p'
    ('ffi.typeof("handle_t").cname', "handle_t"),
    ('ffi.typeof("handle_t").kind', "struct"),
    ('ffi.typeof("handle_t").fields', None),
    ('ffi.typeof("handle_t *").cname', "handle_t *"),
    ('lib.handle_fd(lib.open_handle(3))', 3),
    ('ffi.typeof(lib.open_handle(1)).cname', "handle_t *"),
    ('lib.open_handle(2) == lib.open_handle(2)', True),
    ('ffi.typeof("session_p").kind', "pointer"),
    ('ffi.sizeof("session_p")', 8),
    ('ffi.typeof("session_p").item.kind', "struct"),
    ('lib.session_id(lib.open_session(2))', 20),
    ('lib.session_id(ffi.NULL)', -1),
    ('ffi.typeof(lib.open_session(1)) is ffi.typeof("session_p")', True),
    # standard types
    ('lib.sum64(-2**62, 2**32 - 1)', -2**62 + 2**32 - 1),
    ('lib.length(b"hello", 3)', 3),
    ('lib.length(b"hi", -1)', 2**64 - 1),
    ('a = ffi.new("char[10]"); lib.address_delta(a, a + 7)', 7),
    ('lib.is_set(True)', False),
    ('lib.is_set(False)', True),
    ('lib.wide(b"A")', "\u0141"),
]


@pytest.mark.parametrize("expr, value", EXPECT, ids=[e for e, _ in EXPECT])
def test_expect(d, expr, value):
    d.expect(expr, value)


SIZES = [("int8_t", 1), ("uint8_t", 1), ("int16_t", 2), ("uint16_t", 2), ("int32_t", 4),
         ("uint32_t", 4), ("int64_t", 8), ("uint64_t", 8), ("size_t", 8), ("ssize_t", 8),
         ("intptr_t", 8), ("uintptr_t", 8), ("ptrdiff_t", 8), ("wchar_t", 4), ("bool", 1),
         ("_Bool", 1), ("char", 1), ("short", 2), ("int", 4), ("long", 8), ("long long", 8),
         ("float", 4), ("double", 8), ("long double", 16), ("void *", 8),
         ("int_least8_t", 1), ("uint_fast16_t", 8), ("intmax_t", 8), ("char16_t", 2),
         ("char32_t", 4)]


@pytest.mark.parametrize("cname, size", SIZES, ids=[c for c, _ in SIZES])
def test_standard_type_sizes(d, cname, size):
    d.expect(f'ffi.sizeof("{cname}")', size)
    d.same(f'ffi.alignof("{cname}")')
    d.same(f'ffi.typeof("{cname}").cname')


SAME = [
    'ffi.list_types()',
    'ffi.typeof("compare_fn").args',
    'ffi.typeof("compare_fn").result',
    'ffi.typeof("session_p").cname',
    'ffi.typeof("kind_t").cname',
    'ffi.cast("real_t", 1) ',
    'ffi.cast("small_t", 70000)',
    'ffi.new("handle_t **")[0]',
    'lib.open_handle(0)',
    'lib.open_session(0)',
    'ffi.cast("session_p", 0)',
    'ffi.new("vec3")',
    'ffi.typeof("vec3 *").cname',
]


@pytest.mark.parametrize("expr", SAME)
def test_same(d, expr):
    d.same(expr)


ERRORS = [
    ('ffi.sizeof("handle_t")', "ffi.error", True),
    ('ffi.alignof("handle_t")', ValueError, False),
    ('ffi.new("handle_t *")', TypeError, True),
    ('lib.open_handle(0)[0]', TypeError, False),
    ('lib.open_handle(0).fd', AttributeError, False),
    ('ffi.new("session_p")', TypeError, False),
    ('lib.small_twice(65536)', OverflowError, True),
    ('lib.small_twice(-1)', OverflowError, True),
    ('lib.handle_fd(lib.open_session(0))', TypeError, False),
    ('lib.session_id(lib.open_handle(0))', TypeError, False),
    ('ffi.typeof("unknown_t")', "ffi.error", False),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS, ids=[e for e, _, _ in ERRORS])
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


def test_direct_values(d):
    ffi, lib = d.ffi, d.lib
    assert ffi.sizeof("small_t") == 2 and lib.small_max() == 65535
    assert lib.big_min() == -2**63
    assert ffi.typeof("real_t") is ffi.typeof("double")
    assert lib.handle_fd(lib.open_handle(2)) == 2
