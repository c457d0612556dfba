# Global variables, cdefc against CFFI: scalars read and written (and seen by C), const
# globals, pointers, structs, function pointers, arrays with known and '[...]' lengths, and
# '[][...]'.
import pytest

CDEF = """
struct pt { int x, y; };
extern int counter;
extern const int limit;
extern char *name;
extern double table[4];
extern int sizes[...];
extern int matrix[][...];
extern struct pt origin;
extern struct pt points[3];
extern const char *const motto;
extern int (*binop)(int, int);
extern long long big;
extern unsigned char octets[8];
extern char text[16];
extern float ratio;
extern bool enabled;
extern const struct pt fixed_point;
unsigned long long octet_count;

int get_counter(void);
double table_sum(void);
int sizes_sum(void);
int matrix_at(int r, int c);
int origin_sum(void);
int call_binop(int a, int b);
int mul(int a, int b);
const char *name_or_empty(void);
long long get_big(void);
"""

SOURCE = r"""
#include <stdbool.h>
#include <stddef.h>
struct pt { int x, y; };
int counter = 3;
const int limit = 10;
char *name;
double table[4] = { 1.0, 2.0, 3.0, 4.5 };
int sizes[7] = { 1, 2, 3, 4, 5, 6, 7 };
int matrix[2][5] = { { 0, 1, 2, 3, 4 }, { 10, 11, 12, 13, 14 } };
struct pt origin = { 1, 2 };
struct pt points[3] = { { 1, 1 }, { 2, 4 }, { 3, 9 } };
const char *const motto = "carpe diem";
int (*binop)(int, int);
long long big = -1234567890123LL;
unsigned char octets[8] = { 1, 2, 3, 4, 5, 6, 7, 255 };
char text[16] = "hello";
float ratio = 0.25f;
bool enabled = true;
const struct pt fixed_point = { 5, 6 };
unsigned long long octet_count = 8;

int get_counter(void) { return counter; }
double table_sum(void) { return table[0] + table[1] + table[2] + table[3]; }
int sizes_sum(void) { int s = 0; for (int i = 0; i < 7; i++) s += sizes[i]; return s; }
int matrix_at(int r, int c) { return matrix[r][c]; }
int origin_sum(void) { return origin.x + origin.y; }
int call_binop(int a, int b) { return binop ? binop(a, b) : -1; }
int mul(int a, int b) { return a * b; }
const char *name_or_empty(void) { return name ? name : ""; }
long long get_big(void) { return big; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("globals", CDEF, SOURCE)


# Run in order (some write what later ones read); both sides see the same sequence.
EXPECT = [
    # scalars read and written, the writes seen by C
    ('lib.counter', 3),
    ('lib.counter = 7; lib.get_counter()', 7),
    ('lib.counter = -2**31; (lib.counter, lib.get_counter())', (-2**31, -2**31)),
    ('lib.counter += 5; lib.counter', -2**31 + 5),
    ('lib.big', -1234567890123),
    ('lib.big = 2**63 - 1; lib.get_big()', 2**63 - 1),
    ('lib.ratio', 0.25),
    ('lib.ratio = 0.1; lib.ratio', 0.10000000149011612),
    ('lib.enabled', True),
    ('lib.enabled = False; lib.enabled', False),
    ('lib.octet_count', 8),
    ('p = ffi.addressof(lib, "counter"); p[0] = 99; lib.get_counter()', 99),
    ('ffi.typeof(ffi.addressof(lib, "counter")).cname', "int *"),
    # const globals
    ('lib.limit', 10),
    ('ffi.string(lib.motto)', b"carpe diem"),
    ('lib.fixed_point.y', 6),
    ('lib.fixed_point', {"x": 5, "y": 6}),
    # pointers
    ('lib.name', "NULL"),
    ('ffi.string(lib.name_or_empty())', b""),
    ('lib.name = lib.text; ffi.string(lib.name_or_empty())', b"hello"),
    ('ffi.string(lib.name)', b"hello"),
    ('lib.name = ffi.NULL; lib.name == ffi.NULL', True),
    ('ffi.typeof(lib.name).cname', "char *"),
    # structs
    ('lib.origin', {"x": 1, "y": 2}),
    ('lib.origin.x = 10; lib.origin_sum()', 12),
    ('lib.origin = (3, 4); lib.origin_sum()', 7),
    # assigning a struct or an array from a shorter initializer leaves the rest unchanged
    ('lib.origin = {"y": 9}; (lib.origin.x, lib.origin.y)', (3, 9)),
    ('ffi.typeof(lib.origin).cname', "struct pt"),
    ('ffi.addressof(lib, "origin").y', 9),
    ('ffi.addressof(lib, "origin") == ffi.addressof(lib.origin)', True),
    ('lib.points[2]', {"x": 3, "y": 9}),
    ('lib.points[1].y = 40; lib.points[1].y', 40),
    ('len(lib.points)', 3),
    # function pointers
    ('lib.binop', "NULL"),
    ('lib.call_binop(1, 2)', -1),
    ('lib.binop = ffi.addressof(lib, "mul"); lib.call_binop(6, 7)', 42),
    ('lib.binop(3, 5)', 15),
    ('ffi.typeof(lib.binop).cname', "int(*)(int, int)"),
    ('lib.binop = ffi.NULL; lib.call_binop(1, 2)', -1),
    # arrays with a known length
    ('lib.table', [1.0, 2.0, 3.0, 4.5]),
    ('ffi.typeof(lib.table).cname', "double[4]"),
    ('len(lib.table)', 4),
    ('ffi.sizeof(lib.table)', 32),
    ('lib.table[1] = 20.0; lib.table_sum()', 28.5),
    ('lib.table = [1, 1]; list(lib.table)', [1.0, 1.0, 3.0, 4.5]),
    ('lib.octets', [1, 2, 3, 4, 5, 6, 7, 255]),
    ('ffi.string(lib.text)', b"hello"),
    ('len(lib.text)', 16),
    ('lib.text = b"bye"; ffi.string(lib.text)', b"bye"),
    ('lib.text[0]', b"b"),
    ('ffi.typeof(ffi.addressof(lib, "text")).cname', "char(*)[16]"),
    # '[...]' lengths
    ('len(lib.sizes)', 7),
    ('ffi.sizeof(lib.sizes)', 28),
    ('ffi.typeof(lib.sizes).cname', "int[7]"),
    ('list(lib.sizes)', [1, 2, 3, 4, 5, 6, 7]),
    ('lib.sizes[6] = 100; lib.sizes_sum()', 121),
    ('lib.sizes = list(range(7)); lib.sizes_sum()', 21),
    # '[][...]': an array of unknown length of int[5]
    ('ffi.typeof(lib.matrix).cname', "int(*)[5]"),
    ('lib.matrix[1][2]', 12),
    ('list(lib.matrix[0])', [0, 1, 2, 3, 4]),
    ('lib.matrix[1][4] = -1; lib.matrix_at(1, 4)', -1),
    ('len(lib.matrix[1])', 5),
    ('ffi.typeof(ffi.addressof(lib, "matrix")).cname', "int(*)[][5]"),
    # 'from <module>.lib import' copies the value at import time
    ('exec(f"from {module_name}.lib import limit, table"); (limit, len(table))', (10, 4)),
]


def test_expect_in_order(d):
    # The steps share the modules' globals: each sees what the earlier ones wrote, so they
    # run in order in one test (pytest-xdist would spread cases over processes).
    for expr, value in EXPECT:
        d.expect(expr, value)


SAME = [
    'lib.counter',
    'lib.table',
    'lib.points',
    'lib.origin',
    'lib.motto',
    'lib.binop',
    'type(lib.counter)',
    'type(lib.limit)',
    'ffi.addressof(lib, "table")',
    'ffi.addressof(lib, "sizes")',
    'ffi.typeof(ffi.addressof(lib, "sizes")).cname',
    'ffi.typeof(ffi.addressof(lib, "points")).cname',
    'ffi.addressof(lib, "counter")[0] == lib.counter',
    'sorted(n for n in dir(lib) if not n.startswith("_"))',
]


@pytest.mark.parametrize("expr", SAME)
def test_same(d, expr):
    d.same(expr)


# Both raise: the class must be the same (the message may differ).
SAME_ERRORS = [
    ('ffi.typeof(ffi.addressof(lib, "motto")).cname', AttributeError),
    ('lib.counter = 1.5', TypeError),
    ('lib.counter = "1"', TypeError),
    ('lib.table = [1, "x"]', TypeError),
    ('lib.text = "str"', TypeError),
    ('lib.name = b"bytes"', TypeError),
    ('lib.origin = 5', TypeError),
    ('lib.binop = ffi.cast("long(*)(long)", 0)', TypeError),
    ('lib.matrix = 3', TypeError),
    ('lib.enabled = 2', OverflowError),
]


@pytest.mark.parametrize("expr,exception", SAME_ERRORS)
def test_same_errors(d, expr, exception):
    d.raises(expr, exception)


def test_lib_function_assigned_to_function_pointer(d):
    # CFFI 1.15 refuses a lib function as the value of a function-pointer global (TypeError);
    # CFFI 2.0, the reference where versions differ, accepts it, and so does cdefc.
    lib = d.lib
    lib.binop = lib.mul
    assert lib.call_binop(6, 7) == 42
    lib.binop = d.ffi.NULL


ERRORS = [
    # (expression, exception, compare messages)
    ('lib.counter = 2**31', OverflowError, True),
    ('lib.counter = -2**31 - 1', OverflowError, True),
    ('lib.big = 2**63', OverflowError, True),
    ('lib.octet_count = -1', OverflowError, True),
    ('lib.limit = 3', AttributeError, True),
    ('lib.motto = ffi.NULL', AttributeError, True),
    ('lib.fixed_point = (0, 0)', AttributeError, True),
    ('ffi.addressof(lib, "limit")', AttributeError, True),
    ('del lib.counter', AttributeError, True),
    ('lib.nonexistent = 1', AttributeError, True),
    ('lib.nonexistent', AttributeError, True),
    ('ffi.addressof(lib, "nonexistent")', AttributeError, True),
    ('lib.table[4]', IndexError, True),
    ('lib.table[-1]', IndexError, True),
    ('lib.table[4] = 1.0', IndexError, True),
    ('lib.sizes[7]', IndexError, True),
    ('lib.points[3]', IndexError, True),
    ('lib.text[16]', IndexError, True),
    ('lib.matrix[0][5]', IndexError, True),
    ('lib.sizes = [0] * 8', IndexError, True),
    ('lib.text = b"x" * 17', IndexError, False),
    ('lib.table = 1.0', TypeError, False),
    ('len(lib.matrix)', TypeError, False),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS, ids=[e for e, _, _ in ERRORS])
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


def test_direct_values(d):
    ffi, lib = d.ffi, d.lib
    lib.counter = 41
    assert lib.get_counter() == 41 and lib.counter == 41
    assert lib.limit == 10
    assert len(lib.sizes) == 7 and ffi.sizeof(lib.sizes) == 28
    assert lib.matrix[1][3] == 13
    assert ffi.string(lib.motto) == b"carpe diem"
