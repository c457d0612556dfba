# The `ffi` object, cdefc against CFFI: new (pointers, arrays, 'int[]' with a length and with a
# list, struct initializers from lists, tuples and dicts, nested), cast, typeof, sizeof,
# alignof, offsetof, addressof, string, unpack, NULL, errno, error, CData/CType, buffer,
# callbacks, and the lib object's module behaviour.
import pytest

CDEF = """
struct pt { int x, y; };
struct line { struct pt a, b; const char *label; };
struct arr { int n; int items[4]; };
union num { int i; double d; };
typedef struct { char tag; struct pt pts[2]; union num value; } shape_t;
enum kind { K_ONE = 1, K_TWO = 2 };
int set_errno_to(int e);
int errno_now(void);
int pt_sum(struct pt *p);
int line_len2(struct line *l);
int shape_sum(shape_t *s);
int (*get_op(int which))(int, int);
int apply(int (*f)(int, int), int a, int b);
double (*get_scale(void))(double);
extern int counter;
"""

SOURCE = r"""
#include <errno.h>
struct pt { int x, y; };
struct line { struct pt a, b; const char *label; };
struct arr { int n; int items[4]; };
union num { int i; double d; };
typedef struct { char tag; struct pt pts[2]; union num value; } shape_t;
enum kind { K_ONE = 1, K_TWO = 2 };
static int set_errno_to(int e) { errno = e; return -1; }
static int errno_now(void) { return errno; }
static int pt_sum(struct pt *p) { return p->x + p->y; }
static int line_len2(struct line *l)
{
    int dx = l->b.x - l->a.x, dy = l->b.y - l->a.y;
    return dx * dx + dy * dy;
}
static int shape_sum(shape_t *s) { return s->tag + s->pts[0].x + s->pts[1].y + s->value.i; }
static int op_sub(int a, int b) { return a - b; }
static int op_max(int a, int b) { return a > b ? a : b; }
static int (*get_op(int which))(int, int) { return which ? op_max : op_sub; }
static int apply(int (*f)(int, int), int a, int b) { return f(a, b); }
static double scale3(double x) { return 3 * x; }
static double (*get_scale(void))(double) { return scale3; }
int counter = 5;
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("ffi", CDEF, SOURCE)


NEW = [
    # pointers to primitives
    ('ffi.new("int *")[0]', 0),
    ('ffi.new("int *", 42)[0]', 42),
    ('ffi.new("double *", 2.5)[0]', 2.5),
    ('ffi.new("char *", b"z")[0]', b"z"),
    ('ffi.new("bool *", True)[0]', True),
    ('ffi.new("int **")[0]', "NULL"),
    ('p = ffi.new("int *", 7); ffi.new("int **", p)[0][0]', 7),
    ('ffi.typeof(ffi.new("int *")).cname', "int *"),
    # arrays of known length
    ('ffi.new("int[3]")', [0, 0, 0]),
    ('ffi.new("int[3]", [1, 2])', [1, 2, 0]),
    ('ffi.new("int[3]", (4, 5, 6))', [4, 5, 6]),
    ('ffi.new("char[5]", b"abc")', [b"a", b"b", b"c", b"\x00", b"\x00"]),
    ('ffi.new("int[2][3]", [[1, 2, 3], [4]])', [[1, 2, 3], [4, 0, 0]]),
    ('ffi.typeof(ffi.new("int[3]")).cname', "int[3]"),
    ('len(ffi.new("double[7]"))', 7),
    # 'int[]' with a length and with a list
    ('a = ffi.new("int[]", 5); (len(a), list(a))', (5, [0, 0, 0, 0, 0])),
    ('ffi.new("int[]", [1, 2, 3])', [1, 2, 3]),
    ('ffi.typeof(ffi.new("int[]", 2)).cname', "int[]"),
    ('ffi.sizeof(ffi.new("int[]", 7))', 28),
    ('ffi.new("char[]", b"hi")', [b"h", b"i", b"\x00"]),
    ('len(ffi.new("char[]", b"hello"))', 6),
    ('ffi.new("wchar_t[]", "h\u00e9")', ["h", "\u00e9", "\x00"]),
    ('ffi.new("struct pt[]", [[1, 2], {"y": 4}])', [{"x": 1, "y": 2}, {"x": 0, "y": 4}]),
    ('ffi.new("int[]", 0)', []),
    # struct initializers: list, tuple, dict, nested, struct cdata
    ('ffi.new("struct pt *", [1, 2])[0]', {"x": 1, "y": 2}),
    ('ffi.new("struct pt *", (3, 4))[0]', {"x": 3, "y": 4}),
    ('ffi.new("struct pt *", {"y": 5})[0]', {"x": 0, "y": 5}),
    ('ffi.new("struct pt *", [9])[0]', {"x": 9, "y": 0}),
    ('ffi.new("struct line *", [[1, 2], (3, 4)]).b.y', 4),
    ('ffi.new("struct line *", {"a": {"x": 1}, "b": [4, 6]})[0].a', {"x": 1, "y": 0}),
    ('lib.line_len2(ffi.new("struct line *", {"a": [1, 1], "b": {"x": 4, "y": 5}}))', 25),
    ('ffi.new("struct arr *", [2, [7, 8]])[0]', {"n": 2, "items": [7, 8, 0, 0]}),
    ('ffi.new("struct arr *", {"items": (1, 2, 3, 4)}).items[3]', 4),
    ('s = ffi.new("shape_t *", [b"\\x01", [[2, 0], [0, 3]], [4]]); lib.shape_sum(s)', 10),
    ('s = ffi.new("shape_t *", {"tag": b"A", "value": {"d": 0.5}}); (s.tag, s.value.d)',
     (b"A", 0.5)),
    ('p = ffi.new("struct pt *", [1, 2]); ffi.new("struct pt *", p[0])[0]', {"x": 1, "y": 2}),
    ('ffi.new("union num *", [7])[0].i', 7),
    ('ffi.new("union num *", {"d": 1.5})[0].d', 1.5),
    ('ffi.new("enum kind *", 2)[0]', 2),
    ('ffi.new("struct pt[2]", [[1, 2], [3, 4]])[1]', {"x": 3, "y": 4}),
]


@pytest.mark.parametrize("expr, value", NEW, ids=[e for e, _ in NEW])
def test_new(d, expr, value):
    d.expect(expr, value)


CAST_TYPEOF_SIZES = [
    # ffi.cast
    ('ffi.cast("int", 2.7)', 2),
    ('ffi.cast("int", -2.7)', -2),
    ('ffi.cast("unsigned char", -1)', 255),
    ('ffi.cast("int8_t", 200)', -56),
    ('ffi.cast("unsigned int", 2**32 + 5)', 5),
    ('ffi.cast("float", 1)', 1.0),
    ('ffi.cast("double", ffi.cast("float", 0.1))', 0.10000000149011612),
    ('ffi.cast("char", 65)', 65),
    ('ffi.cast("_Bool", 2)', 1),
    ('ffi.cast("int", b"A")', 65),
    ('ffi.cast("int", "5")', 53),
    ('ffi.cast("long", ffi.cast("void *", 12))', 12),
    ('ffi.cast("int *", 0)', "NULL"),
    ('ffi.cast("int *", 0) == ffi.NULL', True),
    ('ffi.cast("enum kind", 2)', 2),
    ('ffi.cast("uintptr_t", ffi.cast("char *", 4096))', 4096),
    ('p = ffi.new("int[2]", [5, 6]); ffi.cast("int *", p)[1]', 6),
    ('p = ffi.new("int *", 0x01020304); ffi.cast("unsigned char *", p)[0]', 4),
    ('ffi.typeof(ffi.cast("short", 1)).cname', "short"),
    ('ffi.cast("int(*)(int, int)", lib.get_op(0))(5, 3)', 2),
    # ffi.typeof
    ('ffi.typeof("int").cname', "int"),
    ('ffi.typeof("int *").kind', "pointer"),
    ('ffi.typeof("int *").item.cname', "int"),
    ('ffi.typeof("int[5]").length', 5),
    ('ffi.typeof("int[5]").item.cname', "int"),
    ('ffi.typeof("int[]").length', None),
    ('ffi.typeof("int(*)(int, char *)").args[1].cname', "char *"),
    ('ffi.typeof("int(*)(int, char *)").result.cname', "int"),
    ('ffi.typeof("int(*)(int, ...)").ellipsis', True),
    ('ffi.typeof("struct pt").fields[1][0]', "y"),
    ('ffi.typeof("struct pt").fields[1][1].offset', 4),
    ('ffi.typeof("enum kind").elements', {1: "K_ONE", 2: "K_TWO"}),
    ('ffi.typeof("const char *").cname', "char *"),
    ('ffi.typeof("unsigned").cname', "unsigned int"),
    ('ffi.typeof("long long unsigned int").cname', "unsigned long long"),
    ('ffi.typeof("int") is ffi.typeof("int")', True),
    ('ffi.typeof("int *") is ffi.typeof("int*")', True),
    ('ffi.typeof(ffi.new("struct pt *")) is ffi.typeof("struct pt *")', True),
    ('ffi.typeof(ffi.new("struct pt *")[0]).cname', "struct pt"),
    ('ffi.typeof(lib.pt_sum).cname', "int(*)(struct pt *)"),
    ('ffi.typeof("shape_t").cname', "shape_t"),
    ('ffi.typeof("void").kind', "void"),
    # ffi.sizeof, ffi.alignof, ffi.offsetof
    ('ffi.sizeof("struct pt")', 8),
    ('ffi.sizeof("struct line")', 24),
    ('ffi.sizeof("shape_t")', 32),
    ('ffi.sizeof(ffi.new("struct pt *"))', 8),
    ('ffi.sizeof(ffi.new("struct pt *")[0])', 8),
    ('ffi.sizeof(ffi.new("int[10]"))', 40),
    ('ffi.sizeof(ffi.cast("short", 0))', 2),
    ('ffi.sizeof(ffi.typeof("double"))', 8),
    ('ffi.alignof("struct line")', 8),
    ('ffi.alignof("shape_t")', 8),
    ('ffi.alignof(ffi.typeof("char"))', 1),
    ('ffi.alignof("double")', 8),
    ('ffi.offsetof("struct line", "b")', 8),
    ('ffi.offsetof("struct line", "label")', 16),
    ('ffi.offsetof("struct line", "b", "y")', 12),
    ('ffi.offsetof("struct arr", "items", 2)', 12),
    ('ffi.offsetof("shape_t", "pts", 1, "y")', 16),
    ('ffi.offsetof("shape_t", "value")', 24),
    ('ffi.offsetof("int[10]", 3)', 12),
    ('ffi.offsetof(ffi.typeof("struct pt"), "y")', 4),
]


@pytest.mark.parametrize("expr, value", CAST_TYPEOF_SIZES, ids=[e for e, _ in CAST_TYPEOF_SIZES])
def test_cast_typeof_sizes(d, expr, value):
    d.expect(expr, value)


OTHERS = [
    # ffi.addressof
    ('l = ffi.new("struct line *", [[1, 2], [3, 4]]); ffi.addressof(l[0], "b").x', 3),
    ('l = ffi.new("struct line *"); ffi.addressof(l[0], "b") == ffi.addressof(l.b)', True),
    ('l = ffi.new("struct line *"); ffi.typeof(ffi.addressof(l[0], "b")).cname', "struct pt *"),
    ('a = ffi.new("int[5]", [0, 1, 2, 3, 4]); ffi.addressof(a, 3)[0]', 3),
    ('a = ffi.new("int[5]"); ffi.addressof(a, 3) == a + 3', True),
    ('s = ffi.new("shape_t *"); ffi.addressof(s[0], "pts", 1, "y") == ffi.addressof(s.pts[1], "y")',
     True),
    ('p = ffi.new("struct pt *", [1, 2]); ffi.addressof(p[0]) == p', True),
    ('p = ffi.new("struct pt *", [3, 4]); ffi.addressof(p, "y")[0]', 4),
    ('p = ffi.addressof(lib, "counter"); p[0] += 1; lib.counter', 6),
    ('ffi.typeof(ffi.addressof(lib, "counter")).cname', "int *"),
    # ffi.string
    ('ffi.string(ffi.new("char[]", b"hello"))', b"hello"),
    ('ffi.string(ffi.new("char[]", b"hello"), 3)', b"hel"),
    ('ffi.string(ffi.new("char[10]", b"ab"))', b"ab"),
    ('ffi.string(ffi.new("char[3]", b"abc"))', b"abc"),
    # (the array kept alive: a cast pointer does not keep it in CFFI, which read freed memory
    # here, as AddressSanitizer showed)
    ('a = ffi.new("char[]", b"xyz"); ffi.string(ffi.cast("char *", a))', b"xyz"),
    ('ffi.string(ffi.new("wchar_t[]", "h\u00e9llo"))', "h\u00e9llo"),
    ('ffi.string(ffi.cast("char", 65))', b"A"),
    ('ffi.string(ffi.cast("enum kind", 1))', "K_ONE"),
    ('ffi.string(ffi.cast("enum kind", 3))', "3"),
    ('ffi.string(ffi.new("char[]", b"a\\x00b"))', b"a"),
    # ffi.unpack
    ('ffi.unpack(ffi.new("char[]", b"a\\x00c"), 3)', b"a\x00c"),
    ('ffi.unpack(ffi.new("int[]", [1, 2, 3]), 2)', [1, 2]),
    ('ffi.unpack(ffi.new("int[]", [1, 2, 3]), 0)', []),
    ('ffi.unpack(ffi.new("double[]", [0.5, 1.5]), 2)', [0.5, 1.5]),
    ('ffi.unpack(ffi.new("wchar_t[]", "ab"), 2)', "ab"),
    ('ffi.unpack(ffi.new("struct pt[]", [[1, 2], [3, 4]]), 2)',
     [{"x": 1, "y": 2}, {"x": 3, "y": 4}]),
    ('a = ffi.new("char[]", b"\\xff\\x01"); ffi.unpack(ffi.cast("unsigned char *", a), 2)',
     [255, 1]),
    # ffi.NULL
    ('ffi.NULL', "NULL"),
    ('ffi.typeof(ffi.NULL).cname', "void *"),
    ('bool(ffi.NULL)', False),
    ('ffi.NULL == ffi.cast("int *", 0)', True),
    ('ffi.new("int **")[0] == ffi.NULL', True),
    ('bool(ffi.new("int *"))', True),
    ('ffi.NULL is ffi.NULL', True),
    # ffi.errno
    ('lib.set_errno_to(34); ffi.errno', 34),
    ('ffi.errno = 11; lib.errno_now()', 11),
    ('ffi.errno = 0; ffi.errno', 0),
    ('ffi.errno = 3; lib.set_errno_to(4); ffi.errno', 4),
    # ffi.error, ffi.CData, ffi.CType
    ('issubclass(ffi.error, Exception)', True),
    ('ffi.error.__name__', "error"),
    ('isinstance(ffi.new("int *"), ffi.CData)', True),
    ('isinstance(ffi.NULL, ffi.CData)', True),
    ('isinstance(ffi.cast("int", 1), ffi.CData)', True),
    ('isinstance(lib.get_op(0), ffi.CData)', True),
    ('isinstance(ffi.new("struct pt *")[0], ffi.CData)', True),
    ('isinstance(5, ffi.CData)', False),
    ('isinstance(ffi.typeof("int"), ffi.CType)', True),
    ('isinstance(ffi.new("int *"), ffi.CType)', False),
    ('isinstance(ffi.typeof("struct pt"), ffi.CType)', True),
    ('isinstance(lib.pt_sum, ffi.CData)', False),
    # function pointers: from C and from ffi.addressof(lib, ...), through libffi
    ('lib.get_op(0)(10, 4)', 6),
    ('lib.get_op(1)(10, 4)', 10),
    ('lib.get_scale()(1.5)', 4.5),
    ('ffi.typeof(lib.get_scale()).cname', "double(*)(double)"),
    ('lib.apply(lib.get_op(1), -1, -2)', -1),
    ('ffi.addressof(lib, "pt_sum")([[3, 4]])', 7),
    ('ffi.addressof(lib, "apply")(lib.get_op(0), 9, 3)', 6),
    ('f = ffi.addressof(lib, "get_op"); f(1)(2, 8)', 8),
    ('ffi.cast("void *", lib.get_op(0)) != ffi.NULL', True),
    # ffi.callback
    ('cb = ffi.callback("int(int, int)", lambda a, b: a * b); lib.apply(cb, 6, 7)', 42),
    ('cb = ffi.callback("int(int, int)", lambda a, b: a * b); cb(3, 3)', 9),
    ('cb = ffi.callback("int(int, int)", lambda a, b: 1 // 0, error=-5); lib.apply(cb, 1, 1)',
     -5),
    ('cb = ffi.callback("int(int, int)", lambda a, b: 2**40); lib.apply(cb, 1, 1)', 0),
    ('ffi.typeof(ffi.callback("int(int, int)", lambda a, b: 0)).cname', "int(*)(int, int)"),
    # ffi.buffer
    ('bytes(ffi.buffer(ffi.new("char[]", b"abc")))', b"abc\x00"),
    ('bytes(ffi.buffer(ffi.new("int *", 0x01020304)))', b"\x04\x03\x02\x01"),
    ('a = ffi.new("char[4]"); ffi.buffer(a)[1:3] = b"xy"; bytes(ffi.buffer(a))', b"\x00xy\x00"),
    ('len(ffi.buffer(ffi.new("double[3]")))', 24),
    ('bytes(ffi.buffer(ffi.new("int[4]", [1, 2]), 8))', b"\x01\x00\x00\x00\x02\x00\x00\x00"),
    # ffi.memmove
    ('a = ffi.new("int[3]", [1, 2, 3]); b = ffi.new("int[3]"); ffi.memmove(b, a, 8); list(b)',
     [1, 2, 0]),
    ('a = ffi.new("char[4]"); ffi.memmove(a, b"xyz", 3); ffi.string(a)', b"xyz"),
    # cdata arithmetic and comparisons
    ('a = ffi.new("int[4]", [5, 6, 7, 8]); (a + 2)[0]', 7),
    ('a = ffi.new("int[4]"); (a + 3) - a', 3),
    ('a = ffi.new("int[4]"); a + 1 > a', True),
    ('a = ffi.new("int[4]", [1, 2, 3, 4]); a[1:3]', [2, 3]),
    ('a = ffi.new("int[4]"); a[1:3] = [9, 9]; list(a)', [0, 9, 9, 0]),
    ('int(ffi.cast("int", 7)) + 1', 8),
    ('float(ffi.cast("double", 2.5))', 2.5),
    ('ffi.cast("int", 3) == 3', True),
    ('hash(ffi.cast("int", 3)) is not None', True),
    # lib as a module
    ('exec(f"from {module_name}.lib import pt_sum, get_op"); pt_sum([[1, 2]]) + get_op(0)(5, 1)',
     7),
    ('import_module(module_name + ".lib") is lib', True),
    ('import_module(module_name).ffi is ffi', True),
    ('lib.pt_sum is lib.pt_sum', True),
]


@pytest.mark.parametrize("expr, value", OTHERS, ids=[e for e, _ in OTHERS])
def test_others(d, expr, value):
    d.expect(expr, value)


ERRORS = [
    # (expression, exception, compare messages)
    ('ffi.new("int")', TypeError, True),
    ('ffi.new("void *")', TypeError, True),
    ('ffi.new("int[]", -1)', ValueError, True),
    ('ffi.new("int[]")', TypeError, False),
    ('ffi.new("struct nope *")', "ffi.error", False),
    ('ffi.new("int *", "x")', TypeError, False),
    ('ffi.new("int *", [1])', TypeError, False),
    ('ffi.new("struct pt *", {"z": 1})', KeyError, False),
    ('ffi.new("struct pt *", [1, 2, 3])', ValueError, True),
    ('ffi.new("struct pt *", 5)', TypeError, False),
    ('ffi.new("int[2]", [1, 2, 3])', IndexError, True),
    ('ffi.new("int(*)(int)")', TypeError, False),
    ('ffi.cast("char *", "x")', TypeError, False),
    ('ffi.cast("struct pt", 0)', TypeError, False),
    ('ffi.cast("int", "55")', TypeError, False),
    ('ffi.new("int[]", range(4))', TypeError, True),
    ('ffi.cast("int", None)', TypeError, False),
    ('ffi.cast("nope_t", 0)', "ffi.error", False),
    ('ffi.typeof("struct nope")', "ffi.error", False),
    ('ffi.typeof("int int")', "ffi.error", False),
    ('ffi.typeof(5)', TypeError, False),
    ('ffi.typeof(lib)', TypeError, False),
    ('ffi.sizeof("void")', "ffi.error", False),
    ('ffi.sizeof(5)', TypeError, False),
    ('ffi.sizeof("int[]")', "ffi.error", False),
    ('ffi.offsetof("struct pt", "z")', KeyError, False),
    # Offsets that do not fit a Py_ssize_t are refused, not wrapped around.
    ('ffi.offsetof("int[]", 2**62)', OverflowError, True),
    # A list too long for memory as a 'T *' argument (item size * length overflows).
    ('ffi.cast("int(*)(char(*)[4611686018427387904])", ffi.addressof(lib, "pt_sum"))'
     '([[b"x"]] * 4)', OverflowError, False),
    ('ffi.offsetof("int", "x")', TypeError, False),
    ('ffi.offsetof("struct line", "b", "z")', KeyError, False),
    ('ffi.addressof(5)', TypeError, False),
    ('ffi.addressof(ffi.new("struct pt *")[0], "z")', KeyError, False),
    ('ffi.string(ffi.cast("int", 5))', TypeError, True),
    ('ffi.string(ffi.new("int[]", [1]))', TypeError, True),
    ('ffi.string(ffi.NULL)', TypeError, True),
    ('ffi.string(b"abc")', TypeError, False),
    ('ffi.string(ffi.cast("char *", 0))', RuntimeError, False),
    ('ffi.unpack(ffi.NULL, 0)', RuntimeError, False),
    ('ffi.unpack(ffi.new("int[]", [1]), -1)', ValueError, False),
    ('ffi.unpack(ffi.cast("int", 1), 1)', TypeError, False),
    ('ffi.NULL[0]', RuntimeError, True),
    ('ffi.cast("int *", 0)[0]', RuntimeError, True),
    ('ffi.errno = "x"', TypeError, False),
    ('lib.get_op(0)(1)', TypeError, True),
    ('lib.get_op(0)(1, "a")', TypeError, False),
    ('ffi.callback("int(int)")(5)', TypeError, False),
    ('ffi.callback("int", lambda: 0)', TypeError, False),
    ('ffi.callback("int(int)", 5)', TypeError, False),
    ('lib.nothing_here', AttributeError, True),
    ('ffi.addressof(lib, "nothing_here")', AttributeError, True),
    ('exec(f"from {module_name}.lib import nothing_here")', ImportError, False),
    ('ffi.new("int *") + ffi.new("int *")', TypeError, False),
    ('ffi.new("int *") - ffi.new("long *")', TypeError, False),
    ('len(ffi.new("int *"))', TypeError, False),
    ('ffi.new("int *").x', AttributeError, False),
    ('ffi.new("int *") < 5', TypeError, False),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS, ids=[e for e, _, _ in ERRORS])
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


SAME = [
    'ffi.typeof("int(*)(int, char *)").abi',
    'ffi.typeof("struct pt").fields[0][1].type',
    '[n for n, f in ffi.typeof("shape_t").fields]',
    'ffi.typeof("int[3][4]").item.cname',
    'ffi.typeof("char * const")',
    'ffi.NULL != 0',
    'ffi.new("int *") == ffi.new("int *")',
    'ffi.cast("int", 5) == ffi.cast("int", 5)',
    'ffi.cast("int", ffi.cast("long", 2**40))',
    'ffi.cast("double", "1")',
    'ffi.cast("float", 1e300)',
    'ffi.new("float *", 1e300)[0]',
    'ffi.new("wchar_t *", "a")[0]',
    'ffi.errno',
    'type(ffi.errno)',
    'ffi.string(ffi.new("char[]", b"x"), -1)',
    'ffi.unpack(ffi.new("char[]", b"abc"), 4)',
    'list(ffi.new("struct pt[2]"))',
    'ffi.new("int[2]")[0:2]',
    'bool(ffi.cast("int", 0))',
    'ffi.addressof(lib, "counter") == ffi.addressof(lib, "counter")',
    'sorted(n for n in dir(lib) if not n.startswith("_"))',
    'lib.pt_sum.__name__',
    'callable(lib.pt_sum)',
    'ffi.callback("int(int, int)", lambda a, b: "x")(1, 2)',
]


@pytest.mark.parametrize("expr", SAME)
def test_same(d, expr):
    d.same(expr)


# Both raise: the class must be the same (the message may differ).
SAME_ERRORS = [
    ('ffi.new("int *", 2.0)', TypeError),
    ('ffi.new("char *", 65)', TypeError),
    ('ffi.new("char *", "a")', TypeError),
    ('ffi.new("int[]", [1, "a"])', TypeError),
    ('ffi.new("struct pt *", [1.5])', TypeError),
]


@pytest.mark.parametrize("expr,exception", SAME_ERRORS)
def test_same_errors(d, expr, exception):
    d.raises(expr, exception)


def test_error_class_is_raised_by_ffi(d):
    """ffi.error is the class each side raises for unknown type names."""
    for side in (d.cdefc, d.cffi):
        with pytest.raises(side.ffi.error):
            side.ffi.typeof("struct nope")


def test_direct_values(d):
    ffi, lib = d.ffi, d.lib
    assert list(ffi.new("int[]", [1, 2, 3])) == [1, 2, 3]
    assert len(ffi.new("int[]", 9)) == 9
    p = ffi.new("struct line *", {"a": [1, 2], "b": (4, 6)})
    assert (p.a.x, p.a.y, p.b.x, p.b.y) == (1, 2, 4, 6)
    assert ffi.offsetof("struct line", "b", "y") == 12
    assert int(ffi.cast("unsigned char", -1)) == 255
    assert ffi.string(ffi.new("char[]", b"abc")) == b"abc"
    assert ffi.unpack(ffi.new("int[]", [4, 5, 6]), 3) == [4, 5, 6]
    lib.set_errno_to(9)
    assert ffi.errno == 9
    assert lib.get_op(0)(7, 2) == 5
    assert isinstance(ffi.NULL, ffi.CData) and isinstance(ffi.typeof("int"), ffi.CType)
    with pytest.raises(AttributeError):
        lib.nothing_here


def test_exception_survives_a_dying_gc_cdata(d):
    """A cdata with an ffi.gc destructor dies while an exception propagates: the destructor
    runs and the exception is still the one caught (this used to crash cdefc)."""
    d.expect("""
calls = []
try:
    x = [ffi.gc(ffi.new("int *"), calls.append), 1 / 0]
except ZeroDivisionError:
    caught = "ZeroDivisionError"
(caught, len(calls))
""", ("ZeroDivisionError", 1))


def test_init_once_runs_once_across_threads(d):
    """ffi.init_once: concurrent callers wait for the one call (CFFI's guarantee); a call that
    raises lets the next caller try again."""
    d.expect("""
import threading, time
calls = []
def slow():
    calls.append(1)
    time.sleep(0.05)
    return len(calls)
results = []
threads = [threading.Thread(target=lambda: results.append(ffi.init_once(slow, "tag")))
           for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
def fails():
    raise ValueError("no")
try:
    ffi.init_once(fails, "other")
except ValueError:
    pass
(len(calls), results, ffi.init_once(lambda: "second try", "other"))
""", (1, [1, 1, 1, 1], "second try"))



# ---- type strings: calling conventions, declarator names, '()', array parameters -----------

TYPE_STRINGS = [
    # Windows calling conventions are ignored off Windows (the same ctype as without them).
    ('ffi.typeof("int(__stdcall *)(int)") is ffi.typeof("int(*)(int)")', True),
    ('ffi.typeof("int(__cdecl *)(int)") is ffi.typeof("int(*)(int)")', True),
    ('ffi.typeof("int __stdcall(*)(int)") is ffi.typeof("int(*)(int)")', True),
    ('ffi.typeof("int (__stdcall *f)(int)").cname', "int(*)(int)"),
    ('ffi.typeof("void(__cdecl *)(void)").cname', "void(*)()"),
    ('ffi.typeof("int(*)(int(__stdcall *)(int))").cname', "int(*)(int(*)(int))"),
    ('ffi.cast("int(__stdcall *)(int, int)", lib.get_op(1))(3, 9)', 9),
    ('ffi.callback("int(__cdecl *)(int, int)", lambda a, b: a - b)(7, 2)', 5),
    # '()' is '(void)'
    ('ffi.typeof("int(*)()") is ffi.typeof("int(*)(void)")', True),
    ('ffi.typeof("int(*)()").cname', "int(*)()"),
    ('ffi.typeof("int(*)()").args', ()),
    ('ffi.callback("int()", lambda: 42)()', 42),
    # a declarator name is allowed and ignored
    ('ffi.typeof("int x").cname', "int"),
    ('ffi.typeof("int *p").cname', "int *"),
    ('ffi.typeof("int x[3]").cname', "int[3]"),
    ('ffi.typeof("int (*fp)(int)") is ffi.typeof("int(*)(int)")', True),
    ('ffi.typeof("struct pt *sp").cname', "struct pt *"),
    ('ffi.typeof("unsigned counter").cname', "unsigned int"),
    ('ffi.typeof("shape_t s").cname', "shape_t"),
    ('ffi.typeof("int *__restrict").cname', "int *"),
    ('ffi.typeof("char *__restrict__").cname', "char *"),
    ('ffi.new("int x[2]", [4, 5])[1]', 5),
    ('ffi.sizeof("double d[4]")', 32),
    # array parameters decay to pointers
    ('ffi.typeof("int(*)(int a[])").cname', "int(*)(int *)"),
    ('ffi.typeof("int(*)(int a[5])").cname', "int(*)(int *)"),
    ('ffi.typeof("int(*)(int[2][3])").cname', "int(*)(int(*)[3])"),
    ('ffi.typeof("void(*)(char *const argv[])").cname', "void(*)(char * *)"),
    # qualifiers are accepted and, as in CFFI, not part of the ctype
    ('ffi.typeof("const char *const *") is ffi.typeof("char * *")', True),
    ('ffi.typeof("char * const * const").cname', "char * *"),
    ('ffi.typeof("const volatile int *").cname', "int *"),
    ('ffi.typeof("int *restrict").cname', "int *"),
    ('ffi.typeof("int(*)(const char *const *argv, char * const * const)").cname',
     "int(*)(char * *, char * *)"),
]


@pytest.mark.parametrize("expr, value", TYPE_STRINGS, ids=[e for e, _ in TYPE_STRINGS])
def test_type_strings(d, expr, value):
    d.expect(expr, value)


def test_type_strings_cffi_cdef_accepts(d):
    """Type strings that CFFI's cdef() accepts but the type parser of its compiled modules
    refuses ('WINAPI', a convention after '*', 'restrict' before a parameter name): cdefc has
    one grammar for both, so its ffi accepts them too."""
    ffi, lib = d.ffi, d.lib
    fp = ffi.typeof("int(*)(int)")
    assert ffi.typeof("int(WINAPI *)(int)") is fp
    assert ffi.typeof("int WINAPI(*)(int)") is fp
    assert ffi.typeof("int (* __stdcall)(int)") is fp
    assert ffi.typeof("int (__stdcall __cdecl *)(int)") is fp
    assert ffi.typeof("int(*)(int(WINAPI *)(int))").cname == "int(*)(int(*)(int))"
    assert ffi.typeof("int(*)(int *restrict p)").cname == "int(*)(int *)"
    assert ffi.cast("int(WINAPI *)(int, int)", lib.get_op(0))(9, 3) == 6
    for side in (d.cffi, d.cdefc):
        with pytest.raises(side.ffi.error):
            side.ffi.typeof("int(WINAPI *)(int, WINAPI)")


TYPE_STRING_ERRORS = [
    # (expression, exception, compare messages)
    ('ffi.typeof("void foo()")', "ffi.error", True),
    ('ffi.typeof("int f(int x)")', "ffi.error", True),
    ('ffi.new("void foo(void)")', "ffi.error", True),
    ('ffi.typeof("int * const __restrict x")', "ffi.error", False),
    ('ffi.typeof("__const int *")', "ffi.error", False),
    ('ffi.typeof("int __attribute__((x)) *")', "ffi.error", False),
    ('ffi.typeof("int a, b")', "ffi.error", False),
    ('ffi.typeof("int x;")', "ffi.error", False),
]


@pytest.mark.parametrize("expr, exception, message", TYPE_STRING_ERRORS,
                         ids=[e for e, _, _ in TYPE_STRING_ERRORS])
def test_type_string_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


# ---- cdef forms CFFI accepts: conventions, '()', array and qualified parameters, repeats ----

FORMS_CDEF = [
    """
typedef int (WINAPI *cb_t)(int);
int __cdecl call_cb(cb_t cb, int x);
void __stdcall reset(void);
int (__stdcall *twice_p)(int);
int count();
typedef int arr_t[...];
int sum3(arr_t a);
int sum_n(int a[], int n);
int first5(int a[5]);
int total_len(const char *const *argv, int n);
int argc_of(char *const argv[]);
int deref(const volatile int *p);
int rsum(int *restrict a, int *restrict b);
struct opts { const char *const *names; char *const *vals; int *restrict p;
              char * const * const q; };
typedef int T;
typedef T T;
enum { ONE = 1, TWO };
#define LIMIT 1
#define LIMIT 2
_Noreturn void never_called(void);
""",
    # a second cdef() repeating declarations identically
    # (CFFI accepts a repeated enumerator in cdef() too, but then fails to build the module)
    "typedef int T; typedef T T; typedef int (__stdcall *cb2_t)(int);",
]

FORMS_SOURCE = r"""
/* CFFI writes '__stdcall' into the C it generates: headers made for Windows define it away. */
#define __stdcall
#include <stdlib.h>
#include <string.h>
typedef int (*cb_t)(int);
static int call_cb(cb_t cb, int x) { return cb(x); }
static int counter;
static void reset(void) { counter = 0; }
static int twice(int x) { return 2 * x; }
int (*twice_p)(int) = twice;
static int count() { return ++counter; }
typedef int arr_t[3];
static int sum3(arr_t a) { return a[0] + a[1] + a[2]; }
static int sum_n(int a[], int n) { int s = 0; while (n--) s += a[n]; return s; }
static int first5(int a[5]) { return a[4]; }
static int total_len(const char *const *argv, int n)
{ int s = 0; while (n--) s += (int)strlen(argv[n]); return s; }
static int argc_of(char *const argv[]) { int n = 0; while (argv[n]) n++; return n; }
static int deref(const volatile int *p) { return *p; }
static int rsum(int *restrict a, int *restrict b) { return *a + *b; }
struct opts { const char *const *names; char *const *vals; int *restrict p;
              char * const * const q; };
typedef int T;
typedef int (*cb2_t)(int);
enum { ONE = 1, TWO };
#define LIMIT 2
_Noreturn void never_called(void) { abort(); }
"""


@pytest.fixture(scope="module")
def forms(build_pair):
    return build_pair("ffi_forms", FORMS_CDEF, FORMS_SOURCE)


FORMS = [
    ('lib.call_cb(ffi.callback("int(int)", lambda x: x + 1), 41)', 42),
    ('lib.call_cb(lib.twice_p, 21)', 42),
    ('ffi.typeof(lib.twice_p).cname', "int(*)(int)"),
    ('ffi.typeof("cb_t").cname', "int(*)(int)"),
    ('ffi.typeof("cb2_t") is ffi.typeof("cb_t")', True),
    ('lib.reset(); lib.count(); lib.count()', 2),
    ('ffi.typeof(ffi.addressof(lib, "count")).cname', "int(*)()"),
    ('ffi.sizeof("arr_t")', 12),
    ('lib.sum3([1, 2, 3])', 6),
    ('lib.sum3(ffi.new("arr_t", [4, 5, 6]))', 15),
    ('ffi.typeof(ffi.addressof(lib, "sum3")).cname', "int(*)(int *)"),
    ('lib.sum_n([1, 2, 3, 4], 4)', 10),
    ('lib.first5(list(range(5)))', 4),
    ('ffi.typeof(ffi.addressof(lib, "first5")).cname', "int(*)(int *)"),
    ('k = [ffi.new("char[]", b"ab"), ffi.new("char[]", b"cde")]; '
     'lib.total_len(ffi.new("char *[]", k), 2)', 5),
    ('k = [ffi.new("char[]", b"x"), ffi.NULL]; lib.argc_of(ffi.new("char *[]", k))', 1),
    ('lib.deref(ffi.new("int *", 7))', 7),
    ('lib.rsum(ffi.new("int *", 2), ffi.new("int *", 3))', 5),
    ('[(n, f.type.cname) for n, f in ffi.typeof("struct opts").fields]',
     [("names", "char * *"), ("vals", "char * *"), ("p", "int *"), ("q", "char * *")]),
    ('ffi.sizeof("T")', 4),
    ('(lib.ONE, lib.TWO)', (1, 2)),
    ('lib.LIMIT', 2),
    ('callable(lib.never_called)', True),
]


@pytest.mark.parametrize("expr, value", FORMS, ids=[e for e, _ in FORMS])
def test_cdef_forms(forms, expr, value):
    forms.expect(expr, value)


# ---- a cdef that is the output of the C preprocessor (GCC's line markers and flags) --------

PP_HEADER = r"""
#include <stddef.h>
#define PP_API
#define SQUARE(x) ((x) * (x))
typedef struct pp_point { int x, y; } pp_point;
enum pp_mode { PP_A = SQUARE(3), PP_B };
PP_API int pp_dot(const pp_point *a, const pp_point *b);
PP_API size_t pp_len(const char *s);
"""

PP_SOURCE = PP_HEADER + r"""
#include <string.h>
int pp_dot(const pp_point *a, const pp_point *b) { return a->x * b->x + a->y * b->y; }
size_t pp_len(const char *s) { return strlen(s); }
"""


@pytest.fixture(scope="module")
def pp(build_pair, tmp_path_factory):
    """The cdef is `cc -std=c99 -E` of PP_HEADER: '# 0 "<built-in>"', '# 1 "x.h" 1 3 4'."""
    import shutil
    import subprocess
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        pytest.skip("no C compiler to preprocess with")
    header = tmp_path_factory.mktemp("pp") / "pp.h"
    header.write_text(PP_HEADER)
    cdef = subprocess.run([compiler, "-std=c99", "-E", str(header)], check=True,
                          capture_output=True, text=True).stdout
    assert '# 1 "' in cdef
    return build_pair("ffi_pp", cdef, PP_SOURCE)


PP = [
    ('lib.pp_dot([[1, 2]], [[3, 4]])', 11),
    ('lib.pp_len(b"hello")', 5),
    ('(lib.PP_A, lib.PP_B)', (9, 10)),
    ('ffi.sizeof("pp_point")', 8),
    ('ffi.typeof("size_t") is ffi.typeof("unsigned long")', True),
    ('ffi.typeof(ffi.addressof(lib, "pp_len")).cname', "unsigned long(*)(char *)"),
]


@pytest.mark.parametrize("expr, value", PP, ids=[e for e, _ in PP])
def test_preprocessed_cdef(pp, expr, value):
    pp.expect(expr, value)


# ---- a module with no declarations at all ---------------------------------------------------

@pytest.fixture(scope="module")
def empty(build_pair):
    return build_pair("ffi_empty", ["", "  // only a comment\n/* and another */\n"], "")


EMPTY = [
    ('sorted(n for n in dir(lib) if not n.startswith("_"))', []),
    ('ffi.sizeof("int")', 4),
    ('ffi.typeof("int(*)()").cname', "int(*)()"),
    ('ffi.new("int *", 3)[0]', 3),
]


@pytest.mark.parametrize("expr, value", EMPTY, ids=[e for e, _ in EMPTY])
def test_empty_module(empty, expr, value):
    empty.expect(expr, value)


def test_empty_module_has_no_attribute(empty):
    empty.raises("lib.anything", AttributeError, message=True)
