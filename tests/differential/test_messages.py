# Wrong Python values: the exception CFFI raises, with CFFI's message (module names aside),
# for arguments of every kind, globals, initializers, casts, indexing and ffi functions.
import os

import pytest

CDEF = """
struct point { int x, y; };
int takei(int *p);
int takes_int(int);
double takes_d(double);
char takes_c(char);
int takes_pt(struct point);
int takes_ptp(struct point *);
int takes_s(const char *);
extern int arr[4];
extern struct point gp;
typedef int (*cb_t)(int);
int call(cb_t, int);
enum color { RED, GREEN };
int takes_e(enum color);
void *takes_v(void *);
"""
SRC = """
struct point { int x, y; };
int takei(int *p) { return *p; }
int takes_int(int x) { return x; }
double takes_d(double d) { return d; }
char takes_c(char c) { return c; }
int takes_pt(struct point p) { return p.x; }
int takes_ptp(struct point *p) { return p->x; }
int takes_s(const char *s) { return s[0]; }
int arr[4];
struct point gp;
typedef int (*cb_t)(int);
int call(cb_t f, int x) { return f(x); }
enum color { RED, GREEN };
int takes_e(enum color c) { return (int)c; }
void *takes_v(void *p) { return p; }
"""

@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("messages", CDEF, SRC)


CASES = [
    "lib.takei(ffi.new('double *'))",
    'lib.takei(3)',
    "lib.takei('x')",
    'lib.takei([1.5])',
    "lib.takes_int('3')",
    'lib.takes_int(1.5)',
    'lib.takes_int(None)',
    "lib.takes_int(ffi.new('int *'))",
    'lib.takes_int(2**40)',
    "lib.takes_d('x')",
    'lib.takes_d(None)',
    'lib.takes_c(3)',
    "lib.takes_c(b'ab')",
    "lib.takes_c('a')",
    'lib.takes_pt(3)',
    "lib.takes_pt(ffi.new('struct point *'))",
    'lib.takes_pt([1, 2, 3])',
    "lib.takes_pt({'z': 1})",
    "lib.takes_ptp(ffi.new('int *'))",
    'lib.takes_ptp(3)',
    'lib.takes_s(3)',
    "lib.takes_s('abc')",
    'lib.arr = 3',
    'lib.arr[5]',
    "lib.arr[0] = 'x'",
    'lib.gp = 3',
    "lib.gp.x = 'a'",
    'lib.gp = [1, 2, 3]',
    'lib.call(3, 1)',
    'lib.call(lambda x: x, 1)',
    "lib.call(ffi.new('int *'), 1)",
    "lib.takes_e('RED')",
    'lib.takes_e(None)',
    "ffi.new('int *', 'x')",
    "ffi.new('int[2]', [1, 2, 3])",
    "ffi.new('struct point *', [1, 2, 3])",
    "ffi.new('struct point *', {'q': 1})",
    "ffi.new('char *', 'x')",
    "ffi.new('char[]', 3.5)",
    "ffi.new('int *', ffi.new('int *'))",
    "ffi.cast('int', None)",
    "ffi.cast('struct point', 1)",
    "ffi.cast('int', ffi.new('struct point *')[0])",
    "p = ffi.new('int *'); p[0] = 'x'",
    "p = ffi.new('struct point *'); p.x = 1.5",
    "p = ffi.new('struct point *'); p.z",
    "p = ffi.new('int[3]'); p[3]",
    "p = ffi.new('int[3]'); p[-1]",
    "p = ffi.new('int[3]'); p[1:5]",
    "p = ffi.new('int[3]'); p[0:2] = [1]",
    'ffi.sizeof(3)',
    'ffi.typeof(3)',
    "ffi.offsetof('struct point', 'z')",
    'ffi.addressof(3)',
    'ffi.from_handle(ffi.NULL)',
    "ffi.cast('int *', 0)[0]",
    'lib.takes_v(3)',
    "lib.takes_v('s')",
]


@pytest.mark.parametrize("expr", CASES)
def test_same_exception_and_message(d, expr):
    _, ref = d.both(expr)
    assert ref[0] == "raise", f"CFFI does not raise for {expr}: the test is wrong"
    d.raises(expr, d.cffi.exception_key(type(ref[1])), message=True)


@pytest.mark.skipif(bool(os.environ.get("CDEFC_SANITIZE")),
                    reason="compares with CFFI directly; its side does not run under the sanitizers")
def test_type_names_in_messages(d):
    # Only the name of the cdata type differs: cdefc.CData for _cffi_backend._CDataBase.
    ours, ref = d.raises("ffi.string(3)", TypeError)
    assert str(ours) == "string() argument 1 must be cdefc.CData, not int"
    assert str(ref) == "string() argument 1 must be _cffi_backend._CDataBase, not int"
