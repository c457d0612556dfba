# Bad calls, cdefc against CFFI: wrong argument counts, wrong argument types, integer overflow
# at the boundaries of every integer type (in calls, ffi.new and struct fields), str, bytes,
# None and ffi.NULL where pointers are expected, and out-of-range indexes on arrays of known
# length. The exception classes must be CFFI's; the messages too for counts and overflows.
import pytest

# (C type, function-name suffix, minimum, maximum)
INTEGERS = [
    ("int8_t", "int8", -2**7, 2**7 - 1),
    ("uint8_t", "uint8", 0, 2**8 - 1),
    ("int16_t", "int16", -2**15, 2**15 - 1),
    ("uint16_t", "uint16", 0, 2**16 - 1),
    ("int32_t", "int32", -2**31, 2**31 - 1),
    ("uint32_t", "uint32", 0, 2**32 - 1),
    ("int64_t", "int64", -2**63, 2**63 - 1),
    ("uint64_t", "uint64", 0, 2**64 - 1),
    ("signed char", "schar", -2**7, 2**7 - 1),
    ("unsigned char", "uchar", 0, 2**8 - 1),
    ("short", "short", -2**15, 2**15 - 1),
    ("unsigned short", "ushort", 0, 2**16 - 1),
    ("int", "int", -2**31, 2**31 - 1),
    ("unsigned int", "uint", 0, 2**32 - 1),
    ("long", "long", -2**63, 2**63 - 1),
    ("unsigned long", "ulong", 0, 2**64 - 1),
    ("long long", "llong", -2**63, 2**63 - 1),
    ("unsigned long long", "ullong", 0, 2**64 - 1),
    ("size_t", "size", 0, 2**64 - 1),
    ("ssize_t", "ssize", -2**63, 2**63 - 1),
    ("intptr_t", "intptr", -2**63, 2**63 - 1),
    ("uintptr_t", "uintptr", 0, 2**64 - 1),
    ("ptrdiff_t", "ptrdiff", -2**63, 2**63 - 1),
]
OTHERS = [("char", "char"), ("_Bool", "bool"), ("float", "float"), ("double", "double")]

CDEF = "".join(f"{ctype} id_{name}({ctype} x);\n" for ctype, name, _, _ in INTEGERS) + \
    "".join(f"{ctype} id_{name}({ctype} x);\n" for ctype, name in OTHERS) + \
    "struct fields {\n" + \
    "".join(f"    {ctype} f_{name};\n" for ctype, name, _, _ in INTEGERS) + "};\n" + """
struct pt { int x, y; };
int add(int a, int b);
int no_args(void);
int one_arg(int a);
long long count_chars(const char *s);
long long count_uchars(unsigned char *s);
int deref(int *p);
int takes_void(void *p);
int takes_struct(struct pt p);
int takes_struct_ptr(struct pt *p);
double takes_double_ptr(double *p);
"""

SOURCE = r"""
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
""" + "".join(f"static {ctype} id_{name}({ctype} x) {{ return x; }}\n"
              for ctype, name, _, _ in INTEGERS) + \
    "".join(f"static {ctype} id_{name}({ctype} x) {{ return x; }}\n" for ctype, name in OTHERS) + \
    "struct fields {\n" + \
    "".join(f"    {ctype} f_{name};\n" for ctype, name, _, _ in INTEGERS) + "};\n" + r"""
struct pt { int x, y; };
static int add(int a, int b) { return a + b; }
static int no_args(void) { return 1; }
static int one_arg(int a) { return a; }
static long long count_chars(const char *s) { return s ? (long long)strlen(s) : -1; }
static long long count_uchars(unsigned char *s) { return s ? (long long)strlen((char *)s) : -1; }
static int deref(int *p) { return p ? *p : -1; }
static int takes_void(void *p) { return p != NULL; }
static int takes_struct(struct pt p) { return p.x * 10 + p.y; }
static int takes_struct_ptr(struct pt *p) { return p ? p->x * 10 + p->y : -1; }
static double takes_double_ptr(double *p) { return p ? *p : -1.0; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("calls", CDEF, SOURCE)


# ---- integer boundaries: max and min pass, max+1 and min-1 raise OverflowError -----------

IDS = [name for _, name, _, _ in INTEGERS]


@pytest.mark.parametrize("ctype, name, low, high", INTEGERS, ids=IDS)
def test_integer_boundaries_pass(d, ctype, name, low, high):
    d.expect(f"lib.id_{name}({high})", high)
    d.expect(f"lib.id_{name}({low})", low)
    d.expect(f'ffi.new("{ctype} *", {high})[0]', high)
    d.expect(f'ffi.new("{ctype} *", {low})[0]', low)
    d.expect(f's = ffi.new("struct fields *"); s.f_{name} = {high}; s.f_{name}', high)


@pytest.mark.parametrize("ctype, name, low, high", INTEGERS, ids=IDS)
def test_integer_overflow_in_calls(d, ctype, name, low, high):
    d.raises(f"lib.id_{name}({high + 1})", OverflowError, message=True)
    d.raises(f"lib.id_{name}({low - 1})", OverflowError, message=True)


@pytest.mark.parametrize("ctype, name, low, high", INTEGERS, ids=IDS)
def test_integer_overflow_in_new_and_fields(d, ctype, name, low, high):
    d.raises(f'ffi.new("{ctype} *", {high + 1})', OverflowError, message=True)
    d.raises(f'ffi.new("{ctype} *", {low - 1})', OverflowError, message=True)
    d.raises(f's = ffi.new("struct fields *"); s.f_{name} = {high + 1}', OverflowError,
             message=True)
    d.raises(f'ffi.new("{ctype}[]", [0, {low - 1}])', OverflowError, message=True)


@pytest.mark.parametrize("ctype, name, low, high", INTEGERS, ids=IDS)
def test_integer_wrong_types(d, ctype, name, low, high):
    d.raises(f"lib.id_{name}(1.5)", TypeError)
    d.raises(f"lib.id_{name}(1.0)", TypeError)
    d.raises(f'lib.id_{name}("1")', TypeError)
    d.raises(f'lib.id_{name}(b"1")', TypeError)
    d.raises(f"lib.id_{name}(None)", TypeError)
    d.raises(f"lib.id_{name}(ffi.NULL)", TypeError)
    d.expect(f"lib.id_{name}(True)", 1)
    d.expect(f'lib.id_{name}(ffi.cast("{ctype}", 5))', 5)


EXPECT = [
    # char: bytes of length 1
    ('lib.id_char(b"a")', b"a"),
    ('lib.id_char(b"\\xff")', b"\xff"),
    ('lib.id_char(ffi.cast("char", 66))', b"B"),
    # bool: 0/1 and True/False
    ('lib.id_bool(True)', True),
    ('lib.id_bool(0)', False),
    ('lib.id_bool(1)', True),
    # floating point
    ('lib.id_double(1)', 1.0),
    ('lib.id_double(2**53)', 2.0**53),
    ('lib.id_float(1e300)', float("inf")),
    ('lib.id_float(-1e300)', float("-inf")),
    # bytes for char *; NULL for pointers
    ('lib.count_chars(b"abc")', 3),
    ('lib.count_chars(b"")', 0),
    ('lib.count_chars(b"a\\x00bc")', 1),
    ('lib.count_chars(ffi.NULL)', -1),
    ('lib.count_chars(ffi.new("char[]", b"hello"))', 5),
    ('lib.count_uchars(b"xyz")', 3),
    ('lib.deref(ffi.NULL)', -1),
    ('lib.deref(ffi.new("int *", 42))', 42),
    ('lib.deref(ffi.new("int[3]", [5]))', 5),
    ('lib.deref([7, 8])', 7),
    ('lib.takes_void(ffi.NULL)', 0),
    ('lib.takes_void(ffi.new("long *"))', 1),
    ('lib.takes_void(ffi.new("struct pt *"))', 1),
    ('lib.takes_struct([1, 2])', 12),
    ('lib.takes_struct({"x": 1, "y": 3})', 13),
    ('lib.takes_struct_ptr(ffi.NULL)', -1),
    ('lib.takes_struct_ptr([[4, 5]])', 45),
    ('lib.takes_struct_ptr([{"x": 1}])', 10),
    ('lib.takes_double_ptr([2.5])', 2.5),
    ('lib.takes_double_ptr(ffi.NULL)', -1.0),
]


@pytest.mark.parametrize("expr, value", EXPECT, ids=[e for e, _ in EXPECT])
def test_expect(d, expr, value):
    d.expect(expr, value)


ERRORS = [
    # (expression, exception, compare messages)
    # wrong argument counts
    ('lib.add(1)', TypeError, True),
    ('lib.add()', TypeError, True),
    ('lib.add(1, 2, 3)', TypeError, True),
    ('lib.no_args(1)', TypeError, True),
    ('lib.one_arg()', TypeError, True),
    ('lib.one_arg(1, 2)', TypeError, True),
    ('lib.id_int8(1, 2)', TypeError, True),
    ('lib.takes_struct()', TypeError, True),
    ('lib.add(a=1, b=2)', TypeError, True),
    ('lib.add(1, b=2)', TypeError, True),
    ('lib.no_args(x=1)', TypeError, True),
    ('ffi.addressof(lib, "add")(1)', TypeError, True),
    ('ffi.addressof(lib, "add")(1, 2, 3)', TypeError, True),
    ('ffi.addressof(lib, "no_args")(5)', TypeError, True),
    # wrong argument types
    ('lib.add(1, "2")', TypeError, False),
    ('lib.add(1.5, 2)', TypeError, False),
    ('lib.add(None, 1)', TypeError, False),
    ('lib.add([1], 1)', TypeError, False),
    ('lib.add(ffi.new("int *"), 1)', TypeError, False),
    ('lib.id_double("x")', TypeError, False),
    ('lib.id_double(None)', TypeError, False),
    ('lib.id_double(b"1")', TypeError, False),
    ('lib.id_float(ffi.new("float *"))', TypeError, False),
    ('lib.id_double(2**2000)', OverflowError, False),
    ('lib.id_char(97)', TypeError, False),
    ('lib.id_char("a")', TypeError, False),
    ('lib.id_char(b"ab")', TypeError, False),
    ('lib.id_char(b"")', TypeError, False),
    ('lib.id_char(None)', TypeError, False),
    ('lib.id_bool(1.0)', TypeError, False),
    ('lib.id_bool(None)', TypeError, False),
    ('lib.id_bool("yes")', TypeError, False),
    # str where char * is expected, and other non-pointers
    ('lib.count_chars("abc")', TypeError, False),
    ('lib.count_chars(3)', TypeError, False),
    ('lib.takes_struct_ptr({"x": 1})', TypeError, False),
    ('lib.takes_struct_ptr([4, 5])', TypeError, False),
    ('lib.id_double(ffi.cast("int", -3))', TypeError, False),
    ('lib.count_uchars("abc")', TypeError, False),
    # pointers of the wrong type
    ('lib.deref(ffi.new("long *"))', TypeError, False),
    ('lib.deref(ffi.new("unsigned int *"))', TypeError, False),
    ('lib.deref(ffi.new("short[2]"))', TypeError, False),
    ('lib.deref(b"abcd")', TypeError, False),
    ('lib.deref("abcd")', TypeError, False),
    ('lib.deref(0)', TypeError, False),
    ('lib.deref(1.5)', TypeError, False),
    ('lib.deref([1.5])', TypeError, False),
    ('lib.takes_void(5)', TypeError, False),
    ('lib.takes_void("x")', TypeError, False),
    ('lib.takes_struct_ptr(ffi.new("int *"))', TypeError, False),
    ('lib.takes_double_ptr(ffi.new("float *"))', TypeError, False),
    # structs by value
    ('lib.takes_struct(5)', TypeError, False),
    ('lib.takes_struct(None)', TypeError, False),
    ('lib.takes_struct(ffi.NULL)', TypeError, False),
    ('lib.takes_struct(ffi.new("struct pt *"))', TypeError, False),
    ('lib.takes_struct([1, 2, 3])', ValueError, True),
    ('lib.takes_struct({"z": 1})', KeyError, False),
    # out-of-range indexes on arrays of known length
    ('ffi.new("int[3]")[3]', IndexError, True),
    ('ffi.new("int[3]")[-1]', IndexError, True),
    ('a = ffi.new("int[3]"); a[3] = 1', IndexError, True),
    ('a = ffi.new("int[3]"); a[-1] = 1', IndexError, True),
    ('ffi.new("int[]", 2)[2]', IndexError, True),
    ('ffi.new("int[]", [1, 2, 3])[3]', IndexError, True),
    ('ffi.new("char[4]")[4]', IndexError, True),
    ('ffi.new("struct pt[2]")[2]', IndexError, True),
    ('ffi.new("int[2][3]")[1][3]', IndexError, True),
    ('ffi.new("int[2][3]")[2]', IndexError, True),
    ('ffi.new("int[3]")[1:4]', IndexError, True),
    ('ffi.new("int[3]")[-1:2]', IndexError, True),
    ('ffi.new("int[3]", [1, 2, 3, 4])', IndexError, True),
    ('ffi.new("char[3]", b"abcd")', IndexError, True),
    ('ffi.new("int[3]")[2:1]', IndexError, True),
    ('ffi.new("int[3]")[0:2:1]', IndexError, True),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS, ids=[e for e, _, _ in ERRORS])
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


SAME = [
    'lib.id_bool(ffi.cast("int", 1))',
    'lib.takes_void(b"x")',
    'lib.count_uchars(b"\\x05")',
    'lib.count_chars([b"a", b"\\x00"])',
    'lib.count_chars(ffi.new("int[2]"))',
]


@pytest.mark.parametrize("expr", SAME)
def test_same(d, expr):
    d.same(expr)


# Both raise: the class must be the same (the message may differ).
SAME_ERRORS = [
    ('lib.id_bool(2)', OverflowError),
    ('lib.id_bool(-1)', OverflowError),
    ('lib.id_char("\\u0100")', TypeError),
    ('lib.count_chars(None)', TypeError),
    ('lib.deref(None)', TypeError),
    ('lib.takes_void(None)', TypeError),
    ('lib.takes_void([1])', TypeError),
    ('lib.takes_struct_ptr(None)', TypeError),
    ('lib.count_chars(bytearray(b"ab"))', TypeError),
    ('lib.id_int(2**100)', OverflowError),
    ('lib.id_uint(-2**100)', OverflowError),
    ('lib.id_int8(ffi.cast("int", 300))', OverflowError),
    ('lib.id_uint8(ffi.cast("long", -1))', OverflowError),
    ('lib.id_float(2**2000)', OverflowError),
]


@pytest.mark.parametrize("expr,exception", SAME_ERRORS)
def test_same_errors(d, expr, exception):
    d.raises(expr, exception)


def test_direct_values(d):
    lib = d.lib
    assert lib.id_int8(127) == 127 and lib.id_uint64(2**64 - 1) == 2**64 - 1
    with pytest.raises(OverflowError):
        lib.id_int8(128)
    with pytest.raises(OverflowError):
        lib.id_uint8(-1)
    with pytest.raises(TypeError):
        lib.add(1)
    with pytest.raises(TypeError):
        lib.count_chars("abc")
    with pytest.raises(IndexError):
        d.ffi.new("int[3]")[3]
    assert lib.count_chars(b"abc") == 3
    assert lib.deref(d.ffi.NULL) == -1
