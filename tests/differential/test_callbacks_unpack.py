# ffi.callback() called from C, also on a thread C created (not Python), with the decorator
# form, error= and onerror=; ffi.errno per thread; ffi.unpack() of every kind of item.
import pytest

CDEF = """
typedef int (*cb_t)(int);
int call_in_thread(cb_t f, int x);
int call_direct(cb_t f, int x);
void set_errno(int);
struct point { int x, y; };
"""

SOURCE = """
#include <pthread.h>
#include <errno.h>
typedef int (*cb_t)(int);
struct job { cb_t f; int x; int r; };
static void *run(void *p) { struct job *j = (struct job *)p; j->r = j->f(j->x); return 0; }
/* A thread Python did not create calls the callback, which takes the GIL itself. */
int call_in_thread(cb_t f, int x) {
    pthread_t t;
    struct job j;
    j.f = f; j.x = x; j.r = 0;
    if (pthread_create(&t, 0, run, &j) != 0) return -1000;
    pthread_join(t, 0);
    return j.r;
}
int call_direct(cb_t f, int x) { return f(x); }
void set_errno(int e) { errno = e; }
struct point { int x, y; };
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("callbacks_unpack", CDEF, SOURCE, extra_link_args=["-lpthread"])


@pytest.mark.parametrize("expr,value", [
    ("@ffi.callback('int(int)')\ndef f(x): return x * 3\nlib.call_in_thread(f, 5)", 15),
    ("f = ffi.callback('int(*)(int)', lambda x: x + 1); lib.call_direct(f, 5)", 6),
    ("f = ffi.callback('int(int)', lambda x: x - 1); lib.call_in_thread(f, 5)", 4),
    ("f = ffi.callback('int(int)', lambda x: 1 // 0, error=-7); lib.call_in_thread(f, 5)", -7),
    ("seen = []\n"
     "f = ffi.callback('int(int)', lambda x: 1 // 0, error=-7,\n"
     "                 onerror=lambda exc, val, tb: seen.append(exc.__name__))\n"
     "(lib.call_in_thread(f, 5), seen)", (-7, ["ZeroDivisionError"])),
    ("seen = []\n"
     "f = ffi.callback('int(int)', lambda x: 'not an int',\n"
     "                 onerror=lambda exc, val, tb: seen.append(exc.__name__) or 99)\n"
     "(lib.call_in_thread(f, 5), seen)", (99, ["TypeError"])),
    ("f = ffi.callback('int(int)', lambda x: x); f(4)", 4),
    ("results = [lib.call_in_thread(ffi.callback('int(int)', lambda x, k=k: x + k), 1)\n"
     "           for k in range(20)]\nresults", list(range(1, 21))),
])
def test_callbacks(d, expr, value):
    d.expect(expr, value)


@pytest.mark.parametrize("expr,value", [
    ("lib.set_errno(13); ffi.errno", 13),
    ("ffi.errno = 7; ffi.errno", 7),
    ("import threading\nout = []\n"
     "def work():\n    lib.set_errno(5); out.append(ffi.errno)\n"
     "lib.set_errno(9)\nt = threading.Thread(target=work); t.start(); t.join()\n"
     "(out, ffi.errno)", ([5], 9)),
])
def test_errno_per_thread(d, expr, value):
    d.expect(expr, value)


@pytest.mark.parametrize("expr,value", [
    ("ffi.unpack(ffi.new('short[]', [1, -2]), 2)", [1, -2]),
    ("ffi.unpack(ffi.new('unsigned long long[]', [2 ** 64 - 1]), 1)", [2 ** 64 - 1]),
    ("ffi.unpack(ffi.new('double[]', [1.5, -2.0]), 2)", [1.5, -2.0]),
    ("ffi.unpack(ffi.new('float[]', [0.5]), 1)", [0.5]),
    ("ffi.unpack(ffi.new('_Bool[]', [1, 0]), 2)", [True, False]),
    ("ffi.unpack(ffi.new('char[]', b'ab'), 2)", b"ab"),
    ("ffi.unpack(ffi.new('unsigned char[]', b'xy'), 2)", [120, 121]),
    ("ffi.unpack(ffi.new('wchar_t[]', 'ab'), 2)", "ab"),
    ("ffi.unpack(ffi.new('char16_t[]', 'ab'), 2)", "ab"),
    ("ffi.unpack(ffi.new('char32_t[]', 'ab'), 2)", "ab"),
    ("[p == ffi.NULL for p in ffi.unpack(ffi.new('int *[]', [ffi.NULL, ffi.NULL]), 2)]",
     [True, True]),
    ("[p.y for p in ffi.unpack(ffi.new('struct point[]', [[1, 2], [3, 4]]), 2)]", [2, 4]),
    ("[float(x) for x in ffi.unpack(ffi.new('long double[]', [1.5]), 1)]", [1.5]),
    ("ffi.unpack(ffi.new('double _Complex[]', [1j]), 1) == [1j]", True),
    ("ffi.unpack(ffi.new('int[]', [1, 2, 3]), 0)", []),
    ("ffi.unpack(ffi.new('int *', 9), 1)", [9]),
])
def test_unpack(d, expr, value):
    d.expect(expr, value)


def test_unpack_errors(d):
    d.raises("ffi.unpack(ffi.new('int[]', [1]), -1)", ValueError)
    d.raises("ffi.unpack(ffi.cast('void *', 8), 1)", ValueError, message=True)
    d.raises("ffi.unpack(42, 1)", TypeError)
    d.raises("ffi.unpack(ffi.cast('int', 4), 1)", TypeError)


# ---- how an exception in a callback is reported (sys.unraisablehook), as CFFI does ----

def _reports(side, code):
    """(exception class, message, err_msg with addresses removed, object) of each report."""
    import re
    import sys
    seen = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(
        (u.exc_type.__name__, str(u.exc_value), re.sub(r" at 0x[0-9a-f]+", "", u.err_msg or ""),
         u.object))
    try:
        exec(code, {"ffi": side.ffi, "lib": side.lib})
    finally:
        sys.unraisablehook = old
    return seen


@pytest.mark.parametrize("code,expected", [
    ("f = ffi.callback('int(int)', lambda x: 1 // 0)\nlib.call_direct(f, 1)",
     [("ZeroDivisionError", "integer division or modulo by zero",
       "Exception ignored from cffi callback <function <lambda>>", None)]),
    ("def boom(x): raise ValueError('bad')\n"
     "lib.call_in_thread(ffi.callback('int(int)', boom), 1)",
     [("ValueError", "bad", "Exception ignored from cffi callback <function boom>", None)]),
    ("f = ffi.callback('int(int)', lambda x: 'str')\nlib.call_direct(f, 1)",
     [("TypeError", "an integer is required", "Exception ignored from cffi callback "
       "<function <lambda>>, trying to convert the result back to C", None)]),
    ("f = ffi.callback('int(int)', lambda x: 1 // 0, onerror=lambda *a: None)\n"
     "lib.call_direct(f, 1)", []),
    ("f = ffi.callback('int(int)', lambda x: 1 // 0, onerror=lambda *a: [][1])\n"
     "lib.call_direct(f, 1)",
     [("ZeroDivisionError", "integer division or modulo by zero",
       "Exception ignored from cffi callback <function <lambda>>", None),
      ("IndexError", "list index out of range",
       "Exception ignored during handling of the above exception by 'onerror'", None)]),
    ("p = ffi.gc(ffi.new('int *'), lambda x: 1 // 0)\ndel p\nimport gc; gc.collect()",
     [("ZeroDivisionError", "integer division or modulo by zero",
       "Exception ignored from callback for ffi.gc <cdata 'int *' owning 4 bytes>", None)]),
    ("q = ffi.gc(ffi.new('int[2]'), lambda x: {}['k'])\nffi.release(q)",
     [("KeyError", "'k'",
       "Exception ignored from callback for ffi.gc <cdata 'int[2]' owning 8 bytes>", None)]),
])
def test_exceptions_in_callbacks_are_reported_as_cffi_does(d, code, expected):
    assert _reports(d.cffi, code) == expected, "CFFI does not: the test is wrong"
    assert _reports(d.cdefc, code) == expected
