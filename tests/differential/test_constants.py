# Constants, cdefc against CFFI: exact enums, enums with '...' and 'A=...', '#define' with a
# literal and with '...', and 'static const' integers, floats and strings.
import pytest

CDEF = """
enum color { RED, GREEN = 5, BLUE, ALL = RED | GREEN | BLUE };
enum sign { NEG = -2, ZERO = 0, POS = 2 };
enum mode { MODE_FAST, MODE_SLOW, ... };
enum level { LOW=..., HIGH=... };
enum wide { WIDE_BIG = ... };
enum { ANON_ONE = 1, ANON_TWO };
typedef enum { TD_X = 7, TD_Y } td_enum_t;
#define BUFFER_SIZE 4096
#define MASK 0xFFFFFFFFFFFFFFFF
#define HEXVAL 0x7f
#define NEGATIVE_LIT -17
#define VERSION ...
#define NEGATIVE ...
#define COMPUTED ...
#define HUGE_U ...
static const int ANSWER;
static const double RATIO;
static const char *const GREETING;
static const unsigned long long BIG;
static const float FROM_INT;
static const long long MINLL;
static const short SMALL;
static const char LETTER;
static const bool FLAG;

enum color next_color(enum color c);
int color_value(enum color c);
enum mode slowest(void);
td_enum_t td_next(td_enum_t v);
int level_of(enum level l);
"""

SOURCE = r"""
#include <limits.h>
#include <stdbool.h>
enum color { RED, GREEN = 5, BLUE, ALL = RED | GREEN | BLUE };
enum sign { NEG = -2, ZERO = 0, POS = 2 };
enum mode { MODE_NONE = 1, MODE_SLOW = 10, MODE_FAST = 20, MODE_MAX };
enum level { HIGH = 100, LOW = -100 };
enum wide { WIDE_BIG = 0x7FFFFFFF };
enum { ANON_ONE = 1, ANON_TWO };
typedef enum { TD_X = 7, TD_Y } td_enum_t;
#define BUFFER_SIZE (4 * 1024)
#define MASK 0xFFFFFFFFFFFFFFFFull
#define HEXVAL 127
#define NEGATIVE_LIT (-17)
#define VERSION 0x010203
#define NEGATIVE (-42)
#define COMPUTED (BUFFER_SIZE / 8 + 1)
#define HUGE_U 18446744073709551615ull
#define ANSWER 42
#define RATIO 0.5
#define GREETING "hello"
static const unsigned long long BIG = 18446744073709551615ull;
enum { FROM_INT = 3 };
static const long long MINLL = LLONG_MIN;
static const short SMALL = -300;
static const char LETTER = 'L';
static const bool FLAG = true;

static enum color next_color(enum color c) { return (enum color)(c + 1); }
static int color_value(enum color c) { return (int)c; }
static enum mode slowest(void) { return MODE_SLOW; }
static td_enum_t td_next(td_enum_t v) { return (td_enum_t)(v + 1); }
static int level_of(enum level l) { return l == HIGH ? 1 : l == LOW ? -1 : 0; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("constants", CDEF, SOURCE)


EXPECT = [
    # exact enums
    ('(lib.RED, lib.GREEN, lib.BLUE, lib.ALL)', (0, 5, 6, 7)),
    ('(lib.NEG, lib.ZERO, lib.POS)', (-2, 0, 2)),
    ('(lib.ANON_ONE, lib.ANON_TWO)', (1, 2)),
    ('(lib.TD_X, lib.TD_Y)', (7, 8)),
    ('ffi.sizeof("enum color")', 4),
    ('ffi.sizeof("enum sign")', 4),
    ('ffi.typeof("enum color").kind', "enum"),
    ('ffi.typeof("enum color").elements', {0: "RED", 5: "GREEN", 6: "BLUE", 7: "ALL"}),
    ('ffi.typeof("enum color").relements', {"RED": 0, "GREEN": 5, "BLUE": 6, "ALL": 7}),
    ('ffi.typeof("enum sign").elements', {-2: "NEG", 0: "ZERO", 2: "POS"}),
    ('ffi.typeof("td_enum_t").elements', {7: "TD_X", 8: "TD_Y"}),
    ('ffi.string(ffi.cast("enum color", 5))', "GREEN"),
    ('ffi.string(ffi.cast("enum color", 4))', "4"),
    ('ffi.string(ffi.cast("enum sign", -2))', "NEG"),
    ('int(ffi.cast("enum color", lib.BLUE))', 6),
    ('ffi.cast("enum color", 6)', 6),
    ('ffi.cast("enum color", 6) == ffi.cast("enum color", 6)', True),
    ('lib.next_color(lib.RED)', 1),
    ('lib.next_color(5)', 6),
    ('lib.color_value(lib.ALL)', 7),
    ('lib.color_value(ffi.cast("enum color", 6))', 6),
    ('lib.td_next(lib.TD_X)', 8),
    # enums with '...' and 'A=...'
    ('(lib.MODE_FAST, lib.MODE_SLOW)', (20, 10)),
    ('lib.slowest()', 10),
    ('ffi.sizeof("enum mode")', 4),
    ('(lib.LOW, lib.HIGH)', (-100, 100)),
    ('lib.level_of(lib.LOW)', -1),
    ('lib.level_of(100)', 1),
    ('ffi.sizeof("enum level")', 4),
    ('lib.WIDE_BIG', 0x7FFFFFFF),
    ('ffi.string(ffi.cast("enum mode", 20))', "MODE_FAST"),
    ('ffi.string(ffi.cast("enum level", 100))', "HIGH"),
    # '#define' with a literal (checked) and with '...' (answered)
    ('lib.BUFFER_SIZE', 4096),
    ('lib.MASK', 2**64 - 1),
    ('lib.HEXVAL', 127),
    ('lib.NEGATIVE_LIT', -17),
    ('lib.VERSION', 0x010203),
    ('lib.NEGATIVE', -42),
    ('lib.COMPUTED', 513),
    ('lib.HUGE_U', 2**64 - 1),
    # 'static const' integers, floats and strings
    ('lib.ANSWER', 42),
    ('lib.RATIO', 0.5),
    ('ffi.string(lib.GREETING)', b"hello"),
    ('ffi.typeof(lib.GREETING).cname', "char *"),
    ('lib.BIG', 2**64 - 1),
    ('lib.FROM_INT', 3.0),
    ('lib.MINLL', -2**63),
    ('lib.SMALL', -300),
    ('lib.LETTER', b"L"),
    ('lib.FLAG', 1),  # CFFI makes a 'static const bool' an integer constant
    ('lib.BIG is lib.BIG or lib.BIG == lib.BIG', True),
    ('exec(f"from {module_name}.lib import RED, VERSION, ANSWER"); (RED, VERSION, ANSWER)',
     (0, 0x010203, 42)),
]


@pytest.mark.parametrize("expr, value", EXPECT, ids=[e for e, _ in EXPECT])
def test_expect(d, expr, value):
    d.expect(expr, value)


SAME = [
    'type(lib.RED)',
    'type(lib.MASK)',
    'type(lib.RATIO)',
    'type(lib.FROM_INT)',
    'ffi.typeof("enum mode").elements',
    'ffi.typeof("enum level").elements',
    'ffi.typeof("enum color").cname',
    'ffi.typeof("td_enum_t").cname',
    'ffi.new("enum color *", 6)[0]',
    'ffi.cast("enum sign", -1)',
    'lib.next_color(ffi.cast("int", 3))',
    'lib.next_color(2**31)',
    'sorted(n for n in dir(lib) if not n.startswith("_"))',
    '"ANSWER" in dir(lib)',
]


@pytest.mark.parametrize("expr", SAME)
def test_same(d, expr):
    d.same(expr)


# Both raise: the class must be the same (the message may differ).
SAME_ERRORS = [
    ('ffi.new("enum color *", "BLUE")[0]', TypeError),
    ('lib.next_color(1.5)', TypeError),
    ('lib.next_color("RED")', TypeError),
]


@pytest.mark.parametrize("expr,exception", SAME_ERRORS)
def test_same_errors(d, expr, exception):
    d.raises(expr, exception)


ERRORS = [
    ('lib.ANSWER = 1', AttributeError, False),
    ('lib.RED = 1', AttributeError, False),
    ('lib.VERSION = 1', AttributeError, False),
    ('del lib.ANSWER', AttributeError, False),
    ('lib.NOT_A_CONSTANT', AttributeError, True),
    ('lib.next_color(2**32)', OverflowError, True),
    ('lib.next_color(-2**31 - 1)', OverflowError, True),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS, ids=[e for e, _, _ in ERRORS])
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


def test_direct_values(d):
    lib = d.lib
    assert (lib.RED, lib.GREEN, lib.BLUE, lib.ALL) == (0, 5, 6, 7)
    assert (lib.MODE_FAST, lib.MODE_SLOW, lib.LOW, lib.HIGH) == (20, 10, -100, 100)
    assert (lib.BUFFER_SIZE, lib.VERSION, lib.NEGATIVE, lib.COMPUTED) == (4096, 0x010203, -42, 513)
    assert (lib.ANSWER, lib.RATIO, lib.BIG) == (42, 0.5, 2**64 - 1)
    assert d.ffi.string(lib.GREETING) == b"hello"
