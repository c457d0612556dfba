# Functions, cdefc against CFFI: integer, unsigned, float, double, char, bool, pointer and
# enum arguments and results, structs by value in and out, misdeclared int/long, void,
# variadic functions, errno, and function pointers (returned by C, ffi.addressof(lib, "f"),
# ffi.callback) called through libffi.
import pytest

CDEF = """
struct pt { int x, y; };
struct big { double d[5]; int tag; };
struct small { char a; short b; };
enum dir { UP, DOWN = 10, LEFT = -1 };

int add(int a, int b);
unsigned int umax(void);
unsigned int uadd(unsigned int a, unsigned int b);
long lneg(long v);
unsigned long long mul_u64(unsigned long long a, unsigned long long b);
long long sub_i64(long long a, long long b);
signed char neg_sc(signed char c);
unsigned char uc_inc(unsigned char c);
short short_half(short s);
unsigned short us_dec(unsigned short s);
float halve_f(float x);
double hypot2(double x, double y);
double mixed(int a, float b, double c, char d, long long e);
long double ld_twice(long double x);
char next_char(char c);
bool is_even(int x);
_Bool both(_Bool a, _Bool b);
int bool_as_int(bool b);
int sum_array(const int *p, int n);
void fill(int *out, int n, int v);
void divmod(int a, int b, int *q, int *r);
const char *greet(void);
size_t count_chars(const char *s);
char *upper_in_place(char *s);
void *identity(void *p);
int *null_int(void);
int deref(int *p);
struct pt mirror(struct pt p);
struct pt make_pt(int x, int y);
struct pt *pt_at(struct pt *base, int i);
int pt_dot(struct pt a, struct pt b);
struct big big_make(int tag);
double big_sum(struct big b);
struct small small_make(char a, short b);
int dir_value(enum dir d);
enum dir flip(enum dir d);
int widen(int value);
long narrow(long value);
unsigned long counter(void);
void do_nothing(void);
int no_args(void);
int set_errno_to(int e);
int (*get_op(int which))(int, int);
int apply(int (*f)(int, int), int a, int b);
int sum_ints(int n, ...);
"""

SOURCE = r"""
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <ctype.h>
#include <math.h>
struct pt { int x, y; };
struct big { double d[5]; int tag; };
struct small { char a; short b; };
enum dir { UP, DOWN = 10, LEFT = -1 };

static int add(int a, int b) { return a + b; }
static unsigned int umax(void) { return 0xFFFFFFFFu; }
static unsigned int uadd(unsigned int a, unsigned int b) { return a + b; }
static long lneg(long v) { return -v; }
static unsigned long long mul_u64(unsigned long long a, unsigned long long b) { return a * b; }
static long long sub_i64(long long a, long long b) { return a - b; }
static signed char neg_sc(signed char c) { return (signed char)-c; }
static unsigned char uc_inc(unsigned char c) { return (unsigned char)(c + 1); }
static short short_half(short s) { return (short)(s / 2); }
static unsigned short us_dec(unsigned short s) { return (unsigned short)(s - 1); }
static float halve_f(float x) { return x / 2; }
static double hypot2(double x, double y) { return sqrt(x * x + y * y); }
static double mixed(int a, float b, double c, char d, long long e) { return a + b + c + d + (double)e; }
static long double ld_twice(long double x) { return x * 2; }
static char next_char(char c) { return (char)(c + 1); }
static bool is_even(int x) { return x % 2 == 0; }
static _Bool both(_Bool a, _Bool b) { return a && b; }
static int bool_as_int(bool b) { return b ? 100 : 200; }
static int sum_array(const int *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }
static void fill(int *out, int n, int v) { for (int i = 0; i < n; i++) out[i] = v + i; }
static void divmod(int a, int b, int *q, int *r) { *q = a / b; *r = a % b; }
static const char *greet(void) { return "hello, world"; }
static size_t count_chars(const char *s) { return s ? strlen(s) : (size_t)-1; }
static char *upper_in_place(char *s) { for (char *c = s; *c; c++) *c = (char)toupper(*c); return s; }
static void *identity(void *p) { return p; }
static int *null_int(void) { return NULL; }
static int deref(int *p) { return p ? *p : -1; }
static struct pt mirror(struct pt p) { struct pt r = { p.y, p.x }; return r; }
static struct pt make_pt(int x, int y) { struct pt r = { x, y }; return r; }
static struct pt *pt_at(struct pt *base, int i) { return base + i; }
static int pt_dot(struct pt a, struct pt b) { return a.x * b.x + a.y * b.y; }
static struct big big_make(int tag)
{
    struct big b; for (int i = 0; i < 5; i++) b.d[i] = i + 0.5; b.tag = tag; return b;
}
static double big_sum(struct big b) { double s = b.tag; for (int i = 0; i < 5; i++) s += b.d[i]; return s; }
static struct small small_make(char a, short b) { struct small s = { a, b }; return s; }
static int dir_value(enum dir d) { return (int)d * 3; }
static enum dir flip(enum dir d) { return d == UP ? DOWN : UP; }
static long widen(long value) { return value * 2; }
static int narrow(int value) { return value + 1; }
static unsigned long counter(void) { static unsigned long n; return ++n; }
static int nothing_calls;
static void do_nothing(void) { nothing_calls++; }
static int no_args(void) { return 77; }
static int set_errno_to(int e) { errno = e; return -1; }
static int op_add(int a, int b) { return a + b; }
static int op_mul(int a, int b) { return a * b; }
static int (*get_op(int which))(int, int) { return which == 0 ? op_add : which == 1 ? op_mul : NULL; }
static int apply(int (*f)(int, int), int a, int b) { return f(a, b); }
static int sum_ints(int n, ...)
{
    va_list ap; int s = 0; va_start(ap, n);
    for (int i = 0; i < n; i++) s += va_arg(ap, int);
    va_end(ap); return s;
}
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("functions", CDEF, SOURCE)


EXPECT = [
    # integers
    ('lib.add(2, 3)', 5),
    ('lib.add(-7, 3)', -4),
    ('lib.add(2**31 - 1, 0)', 2**31 - 1),
    ('lib.add(True, 2)', 3),
    ('lib.add(ffi.cast("int", 5), 2)', 7),
    ('lib.add(ffi.cast("long", 5), ffi.cast("char", 1))', 6),
    ('lib.umax()', 2**32 - 1),
    ('lib.uadd(2**32 - 1, 1)', 0),
    ('lib.lneg(-2**63 + 1)', 2**63 - 1),
    ('lib.mul_u64(2**32, 2**31)', 2**63),
    ('lib.sub_i64(-2**62, 2**62)', -2**63),
    ('lib.neg_sc(-127)', 127),
    ('lib.uc_inc(255)', 0),
    ('lib.short_half(-32768)', -16384),
    ('lib.us_dec(0)', 65535),
    ('lib.counter() + 1 == lib.counter()', True),
    # floating point
    ('lib.halve_f(3)', 1.5),
    ('lib.halve_f(0.1)', 0.05000000074505806),
    ('lib.halve_f(1e300)', float("inf")),
    ('lib.hypot2(3, 4)', 5.0),
    ('lib.hypot2(3.0, ffi.cast("double", 4))', 5.0),
    ('lib.hypot2(float("nan"), 0)', float("nan")),
    ('lib.mixed(1, 0.5, 0.25, b"\\x02", 2**40)', 1 + 0.5 + 0.25 + 2 + 2**40),
    ('float(lib.ld_twice(1.25))', 2.5),
    ('ffi.typeof(lib.ld_twice(1)).cname', "long double"),
    # char and bool
    ('lib.next_char(b"a")', b"b"),
    ('lib.next_char(b"\\xff")', b"\x00"),
    ('lib.is_even(4)', True),
    ('lib.is_even(3)', False),
    ('lib.both(True, 1)', True),
    ('lib.both(0, True)', False),
    ('lib.bool_as_int(True)', 100),
    ('lib.bool_as_int(0)', 200),
    ('lib.bool_as_int(ffi.cast("bool", 1))', 100),
    # pointers in and out
    ('lib.sum_array([1, 2, 3], 3)', 6),
    ('lib.sum_array((4, 5), 2)', 9),
    ('lib.sum_array(ffi.new("int[]", [10, 20, 30]), 3)', 60),
    ('lib.sum_array(ffi.NULL, 0)', 0),
    ('a = ffi.new("int[4]"); lib.fill(a, 4, 10); list(a)', [10, 11, 12, 13]),
    ('q = ffi.new("int *"); r = ffi.new("int *"); lib.divmod(17, 5, q, r); (q[0], r[0])', (3, 2)),
    ('ffi.string(lib.greet())', b"hello, world"),
    ('ffi.typeof(lib.greet()).cname', "char *"),
    ('ffi.string(lib.greet(), 5)', b"hello"),
    ('lib.count_chars(b"abcd")', 4),
    ('lib.count_chars(b"")', 0),
    ('lib.count_chars(ffi.new("char[]", b"xyz"))', 3),
    ('lib.count_chars(ffi.NULL)', 2**64 - 1),
    ('s = ffi.new("char[]", b"shout"); lib.upper_in_place(s); ffi.string(s)', b"SHOUT"),
    ('s = ffi.new("char[]", b"ab"); lib.upper_in_place(s) == s', True),
    ('p = ffi.new("int *", 5); lib.identity(p) == p', True),
    ('lib.identity(ffi.NULL) == ffi.NULL', True),
    ('ffi.typeof(lib.identity(ffi.NULL)).cname', "void *"),
    ('lib.null_int()', "NULL"),
    ('lib.null_int() == ffi.NULL', True),
    ('ffi.typeof(lib.null_int()).cname', "int *"),
    ('lib.deref(ffi.new("int *", 42))', 42),
    ('lib.deref([9])', 9),
    ('lib.deref(ffi.NULL)', -1),
    # structs by value in and out
    ('lib.mirror([1, 2])', {"x": 2, "y": 1}),
    ('lib.mirror({"x": 5})', {"x": 0, "y": 5}),
    ('lib.mirror(lib.make_pt(3, 4))', {"x": 4, "y": 3}),
    ('lib.mirror(ffi.new("struct pt *", [8, 9])[0])', {"x": 9, "y": 8}),
    ('lib.make_pt(-1, 7).y', 7),
    ('ffi.typeof(lib.make_pt(0, 0)).cname', "struct pt"),
    ('lib.pt_dot([1, 2], [3, 4])', 11),
    ('a = ffi.new("struct pt[3]", [[1, 2], [3, 4], [5, 6]]); lib.pt_at(a, 2).x', 5),
    ('a = ffi.new("struct pt[3]"); lib.pt_at(a, 1) == a + 1', True),
    ('lib.big_make(7)', {"d": [0.5, 1.5, 2.5, 3.5, 4.5], "tag": 7}),
    ('lib.big_sum(lib.big_make(1))', 13.5),
    ('lib.big_sum({"d": [1, 2, 3, 4, 5], "tag": 100})', 115.0),
    ('lib.small_make(b"s", -3)', {"a": b"s", "b": -3}),
    # enums
    ('lib.dir_value(lib.DOWN)', 30),
    ('lib.dir_value(-1)', -3),
    ('lib.dir_value(ffi.cast("enum dir", 10))', 30),
    ('lib.flip(lib.UP)', 10),
    ('lib.flip(10)', 0),
    ('type(lib.flip(0)).__name__', "int"),
    # misdeclared int/long: the cdef's types rule the conversions
    ('lib.widen(-5)', -10),
    ('lib.widen(2**30)', -2**31),
    ('lib.narrow(41)', 42),
    # void
    ('lib.do_nothing()', None),
    ('lib.no_args()', 77),
    # errno
    ('lib.set_errno_to(33); ffi.errno', 33),
    ('ffi.errno = 0; lib.set_errno_to(5); ffi.errno', 5),
    ('lib.set_errno_to(7)', -1),
    # function pointers through libffi
    ('lib.get_op(0)(2, 3)', 5),
    ('lib.get_op(1)(6, 7)', 42),
    ('lib.get_op(2)', "NULL"),
    ('ffi.typeof(lib.get_op(0)).cname', "int(*)(int, int)"),
    ('ffi.typeof(lib.get_op(0)).kind', "function"),
    ('ffi.addressof(lib, "add")(20, 22)', 42),
    ('ffi.typeof(ffi.addressof(lib, "add")).cname', "int(*)(int, int)"),
    ('ffi.typeof(ffi.addressof(lib, "mirror")).cname', "struct pt(*)(struct pt)"),
    ('ffi.addressof(lib, "mirror")([1, 2])', {"x": 2, "y": 1}),
    ('ffi.addressof(lib, "hypot2")(6, 8)', 10.0),
    ('ffi.addressof(lib, "greet")() != ffi.NULL', True),
    ('lib.apply(lib.get_op(1), 6, 7)', 42),
    ('lib.apply(ffi.addressof(lib, "add"), 1, 2)', 3),
    ('lib.apply(ffi.callback("int(int, int)", lambda a, b: a - b), 10, 3)', 7),
    ('cb = ffi.callback("int(*)(int, int)", lambda a, b: a * 100 + b); lib.apply(cb, 4, 2)', 402),
    ('ffi.cast("int(*)(int, int)", ffi.addressof(lib, "add"))(1, 1)', 2),
    ('ffi.cast("long(*)(long)", ffi.addressof(lib, "narrow"))(9)', 10),
    ('lib.get_op(0) == lib.get_op(0)', True),
    # variadic
    ('lib.sum_ints(3, ffi.cast("int", 1), ffi.cast("int", 2), ffi.cast("int", 3))', 6),
    ('lib.sum_ints(0)', 0),
    # from <module>.lib import f
    ('exec(f"from {module_name}.lib import add, mirror"); (add(1, 2), mirror([3, 4]).x)', (3, 4)),
    ('import_module(module_name + ".lib") is lib', True),
    ('lib.add.__name__', "add"),
]


@pytest.mark.parametrize("expr, value", EXPECT, ids=[e for e, _ in EXPECT])
def test_expect(d, expr, value):
    d.expect(expr, value)


SAME = [
    'lib.add',
    'lib.get_op(0)',
    'ffi.addressof(lib, "add")',
    'lib.make_pt(1, 2)',
    'lib.greet()',
    'lib.big_make(3).d',
    'ffi.typeof(lib.add)',
    'ffi.typeof(lib.sum_ints)',
    'ffi.typeof(lib.mirror).cname',
    'ffi.typeof(lib.sum_ints).ellipsis',
    'lib.sum_ints(2, ffi.cast("long", 1), ffi.cast("int", 2))',
    'lib.apply(ffi.NULL, 1, 2) if False else 0',
    'lib.add.__doc__ is None or isinstance(lib.add.__doc__, str)',
]


@pytest.mark.parametrize("expr", SAME)
def test_same(d, expr):
    d.same(expr)


# Both raise: the class must be the same (the message may differ).
SAME_ERRORS = [
    ('lib.sum_ints(1, 5)', TypeError),
    ('lib.apply(3, 1, 2)', TypeError),
    ('lib.apply(lib.hypot2, 1, 2)', TypeError),
    ('lib.halve_f("1")', TypeError),
    ('lib.hypot2(2**1100, 0)', OverflowError),
    ('lib.mixed(1, 2, 3, 4, 5)', TypeError),
    ('lib.next_char("a")', TypeError),
    ('lib.next_char(b"ab")', TypeError),
    ('lib.both(2, 1)', OverflowError),
    ('lib.both(1.0, 1)', TypeError),
    ('lib.pt_dot([1, 2], 3)', TypeError),
    ('lib.mirror([1, 2, 3])', ValueError),
    ('lib.mirror(ffi.new("struct pt *", [1, 2]))', TypeError),
    ('lib.dir_value("UP")', TypeError),
    ('lib.deref([1.5])', TypeError),
    ('lib.sum_array([1, "a"], 2)', TypeError),
]


@pytest.mark.parametrize("expr,exception", SAME_ERRORS)
def test_same_errors(d, expr, exception):
    d.raises(expr, exception)


def test_lib_function_as_function_pointer_argument(d):
    # CFFI 1.15 refuses a lib function where a function pointer is expected (TypeError);
    # CFFI 2.0, the reference where versions differ, accepts it, and so does cdefc.
    assert d.lib.apply(d.lib.add, 10, 5) == 15


def test_result_types(d):
    d.expect("lib.null_int()", "NULL", cname="int *")
    d.expect("lib.make_pt(1, 2)", {"x": 1, "y": 2}, cname="struct pt")
    d.expect("lib.get_op(0)", "pointer", cname="int(*)(int, int)")
    d.expect("lib.ld_twice(2)", 4.0, cname="long double")
    d.expect("lib.big_make(1).d", [0.5, 1.5, 2.5, 3.5, 4.5], cname="double[5]")


def test_direct_values(d):
    ffi, lib = d.ffi, d.lib
    assert lib.add(2, 3) == 5
    assert lib.hypot2(3, 4) == 5.0
    assert lib.next_char(b"a") == b"b"
    assert lib.is_even(2) is True
    p = lib.mirror([1, 2])
    assert (p.x, p.y) == (2, 1)
    assert lib.get_op(1)(6, 7) == 42
    assert ffi.addressof(lib, "add")(2, 2) == 4
    lib.set_errno_to(12)
    assert ffi.errno == 12
