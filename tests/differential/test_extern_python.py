# extern "Python" functions, cdefc against CFFI: C code in set_source() calls C functions that
# run the Python function attached with @ffi.def_extern() (by __name__ or name=), with int,
# pointer, double/float, struct-pointer, struct-by-value, small integer, char and string
# arguments and results; error= and onerror= after exceptions; the message and 0 before any
# def_extern; lib.f as a function pointer passed back to C; "Python+C" called from another C
# file; and calls from a thread that does not hold the GIL.
import os

import pytest

CDEF = """
struct pt { int x, y; };
extern "Python" int on_event(int, void *);
extern "Python" int never_attached(int);
extern "Python" double on_scale(double, float);
extern "Python" int on_point(struct pt *);
extern "Python" struct pt on_mirror(struct pt);
extern "Python" unsigned char on_byte(unsigned char, signed char, _Bool, char);
extern "Python" long long on_wide(long long, unsigned long long);
extern "Python" const char *on_name(const char *);
extern "Python+C" {
    void on_done(double);
    int on_other(int);
}
int apply_cb(int x);
int apply_null(int x);
int call_never(int x);
double scale(double a, float b);
int bump_point(int x, int y);
int mirror_sum(int x, int y);
int byte_call(unsigned char a, signed char b, _Bool c, char d);
long long wide_call(long long a, unsigned long long b);
int name_len(const char *s);
int call_done(double x);
int call_ptr(int (*cb)(int, void *), int x);
int call_other_from_other_file(int x);
int call_in_thread(int x);
"""

SOURCE = r"""
#include <pthread.h>
#include <stddef.h>
#include <string.h>
struct pt { int x, y; };
/* CFFI defines the extern "Python" functions after this text: they are declared first. */
static int on_event(int, void *);
static int never_attached(int);
static double on_scale(double, float);
static int on_point(struct pt *);
static struct pt on_mirror(struct pt);
static unsigned char on_byte(unsigned char, signed char, _Bool, char);
static long long on_wide(long long, unsigned long long);
static const char *on_name(const char *);
void on_done(double);
int on_other(int);
int call_other_from_other_file(int x);  /* in OTHER_FILE */

int apply_cb(int x) { int seen = x * 3; return on_event(x, &seen); }
int apply_null(int x) { return on_event(x, NULL); }
int call_never(int x) { return never_attached(x) + 1000; }
double scale(double a, float b) { return on_scale(a, b); }
int bump_point(int x, int y)
{
    struct pt p;
    int r;
    p.x = x; p.y = y;
    r = on_point(&p);
    return r * 10000 + p.x * 100 + p.y;
}
int mirror_sum(int x, int y)
{
    struct pt p, r;
    p.x = x; p.y = y;
    r = on_mirror(p);
    return r.x * 100 + r.y;
}
int byte_call(unsigned char a, signed char b, _Bool c, char d) { return on_byte(a, b, c, d); }
long long wide_call(long long a, unsigned long long b) { return on_wide(a, b); }
int name_len(const char *s)
{
    const char *r = on_name(s);
    return r ? (int)strlen(r) : -1;
}
int call_done(double x) { on_done(x); on_done(x + 1); return 2; }
int call_ptr(int (*cb)(int, void *), int x) { return cb(x, NULL); }

static void *thread_main(void *arg)
{
    int *v = (int *)arg;
    v[1] = on_event(v[0], NULL);
    return NULL;
}
int call_in_thread(int x)
{
    pthread_t t;
    int v[2];
    v[0] = x; v[1] = 0;
    if (pthread_create(&t, NULL, thread_main, v) != 0) return -12345;
    pthread_join(t, NULL);
    return v[1];
}
"""

# A second C file of the module: "Python+C" functions are not static.
OTHER_FILE = r"""
int on_other(int);
int call_other_from_other_file(int x) { return on_other(x) + 1; }
"""


@pytest.fixture(scope="module")
def d(build_pair, tmp_path_factory):
    other = tmp_path_factory.mktemp("extern_python_other") / "other.c"
    other.write_text(OTHER_FILE)
    return build_pair("extern_python", CDEF, SOURCE, sources=[str(other)])


# ---- before def_extern ----

@pytest.mark.skipif(bool(os.environ.get("CDEFC_SANITIZE")),
                    reason="compares with CFFI directly; its side does not run under the sanitizers")
def test_call_before_def_extern_returns_zero_and_says_so(d, capfd):
    capfd.readouterr()
    d.expect("lib.call_never(5)", 1000)
    err = capfd.readouterr().err
    for name in (d.cdefc.module.__name__, d.cffi.module.__name__):
        assert (f'extern "Python": function {name}.never_attached() called, but no code was '
                f'attached to it yet with @ffi.def_extern().  Returning 0.\n') in err, err


# ---- def_extern: names and the returned function ----

def test_def_extern_by_function_name(d):
    d.expect("""
@ffi.def_extern()
def on_event(x, p):
    return x * 2 + (ffi.cast("int *", p)[0] if p != ffi.NULL else 0)
lib.apply_cb(5)
""", 25)
    d.expect("lib.apply_null(7)", 14)


def test_def_extern_with_name_replaces(d):
    d.expect("ffi.def_extern(name='on_event')(lambda x, p: x + 100 + (p == ffi.NULL)); "
             "lib.apply_null(1)", 102)
    d.expect("ffi.def_extern('on_event')(lambda x, p: -x); lib.apply_cb(4)", -4)


def test_def_extern_returns_the_function(d):
    d.expect("f = lambda x, p: 0; ffi.def_extern(name='on_event')(f) is f", True)
    d.expect("""
@ffi.def_extern(name="on_event")
def anything(x, p):
    return 3
anything(0, 0)
""", 3)


def test_def_extern_unknown_name(d):
    d.raises("ffi.def_extern(name='nope')(lambda: 0)", "ffi.error", message=True)
    d.raises("@ffi.def_extern()\ndef nope(): pass", "ffi.error", message=True)
    # An ordinary C function is not extern "Python".
    d.raises("ffi.def_extern(name='apply_cb')(lambda x: 0)", "ffi.error", message=True)


def test_def_extern_bad_arguments(d):
    d.raises("ffi.def_extern(name='on_event')(3)", TypeError, message=True)
    d.raises("ffi.def_extern(name='on_event', onerror=3)(lambda x, p: 0)", TypeError,
             message=True)
    d.raises("ffi.def_extern(name='on_event', error='x')(lambda x, p: 0)", TypeError)
    d.raises("ffi.def_extern(name='on_done', error=1)(lambda x: None)", TypeError, message=True)


# ---- errors: error= and onerror= ----

def test_exception_returns_the_error_value(d):
    d.expect("ffi.def_extern(name='on_event', error=-1)(lambda x, p: 1 // 0); lib.apply_cb(3)", -1)
    d.expect("ffi.def_extern(name='on_event')(lambda x, p: 1 // 0); lib.apply_cb(3)", 0)
    # A result that does not convert is an error too.
    d.expect("ffi.def_extern(name='on_event', error=9)(lambda x, p: 'no'); lib.apply_cb(3)", 9)
    d.expect("ffi.def_extern(name='on_event', error=9)(lambda x, p: 2**40); lib.apply_cb(3)", 9)


def test_onerror(d):
    d.expect("""
seen = []
def onerror(exc, value, tb):
    seen.append((exc.__name__, str(value), tb is not None))
    return 42
ffi.def_extern(name="on_event", error=-1, onerror=onerror)(lambda x, p: 1 // 0)
r = lib.apply_cb(3)
(r, seen)
""", (42, [("ZeroDivisionError", "integer division or modulo by zero", True)]))
    d.expect("ffi.def_extern(name='on_event', error=-1, onerror=lambda *a: None)"
             "(lambda x, p: 1 // 0); lib.apply_cb(3)", -1)
    # An onerror that raises, or returns what does not convert: the error value.
    d.expect("ffi.def_extern(name='on_event', error=-1, onerror=lambda *a: 1 // 0)"
             "(lambda x, p: 1 // 0); lib.apply_cb(3)", -1)
    d.expect("ffi.def_extern(name='on_event', error=-1, onerror=lambda *a: 'no')"
             "(lambda x, p: 1 // 0); lib.apply_cb(3)", -1)


# ---- argument and result types ----

def test_void_callback(d):
    d.expect("""
calls = []
@ffi.def_extern()
def on_done(x):
    calls.append(x)
(lib.call_done(1.5), calls)
""", (2, [1.5, 2.5]))
    # Returning a value from a void callback is an error, reported and ignored.
    d.expect("ffi.def_extern(name='on_done')(lambda x: 5); lib.call_done(0.0)", 2)


def test_double_and_float(d):
    d.expect("ffi.def_extern(name='on_scale')(lambda a, b: a * b); lib.scale(1.5, 0.25)", 0.375)
    d.expect("ffi.def_extern(name='on_scale')(lambda a, b: int(a)); lib.scale(7.9, 0)", 7.0)
    d.expect("ffi.def_extern(name='on_scale', error=-0.5)(lambda a, b: 'x'); lib.scale(1, 1)",
             -0.5)


def test_struct_pointer_argument(d):
    d.expect("""
@ffi.def_extern()
def on_point(p):
    r = p.x + p.y
    p.x, p.y = p.y, 7
    return r
lib.bump_point(3, 4)
""", 7 * 10000 + 4 * 100 + 7)
    d.expect("ffi.def_extern(name='on_point')(lambda p: ffi.typeof(p).cname == 'struct pt *'); "
             "lib.bump_point(0, 0)", 10000)


def test_struct_by_value(d):
    d.expect("ffi.def_extern(name='on_mirror')(lambda p: [p.y, p.x]); lib.mirror_sum(1, 2)", 201)
    d.expect("ffi.def_extern(name='on_mirror')(lambda p: {'y': p.x, 'x': p.y * 2}); "
             "lib.mirror_sum(4, 5)", 1004)
    d.expect("ffi.def_extern(name='on_mirror')(lambda p: p); lib.mirror_sum(6, 7)", 607)
    d.expect("ffi.def_extern(name='on_mirror', error={'x': 9, 'y': 9})(lambda p: 1 // 0); "
             "lib.mirror_sum(6, 7)", 909)


def test_small_integers_bool_and_char(d):
    d.expect("""
got = []
@ffi.def_extern()
def on_byte(a, b, c, d):
    got.append((a, b, c, d))
    return a + b
(lib.byte_call(250, -3, True, b'z'), got)
""", (247, [(250, -3, True, b"z")]))
    d.expect("ffi.def_extern(name='on_byte', error=1)(lambda a, b, c, d: 256); "
             "lib.byte_call(0, 0, False, b'a')", 1)


def test_wide_integers(d):
    d.expect("ffi.def_extern(name='on_wide')(lambda a, b: a + (b - 2**63)); "
             "lib.wide_call(-2**62, 2**63 + 5)", -2**62 + 5)
    d.expect("ffi.def_extern(name='on_wide')(lambda a, b: b // 2); "
             "lib.wide_call(0, 2**64 - 1)", 2**63 - 1)


def test_string_pointer(d):
    d.expect("""
keep = ffi.new("char[]", b"hello!")
@ffi.def_extern()
def on_name(s):
    return keep if ffi.string(s) == b"six" else ffi.NULL
(lib.name_len(b"six"), lib.name_len(b"other"))
""", (6, -1))


# ---- lib.f: a function pointer to the C function ----

def test_lib_attribute_is_a_function_pointer(d):
    d.expect("ffi.typeof(lib.on_event).cname", "int(*)(int, void *)")
    d.expect("ffi.typeof(lib.on_done).cname", "void(*)(double)")
    d.expect("lib.on_event == ffi.addressof(lib, 'on_event')", True)
    d.expect("lib.on_event is lib.on_event", True)
    d.expect("'on_event' in dir(lib) and 'on_other' in dir(lib)", True)


def test_pass_lib_function_to_c_and_call_it(d):
    d.expect("ffi.def_extern(name='on_event')(lambda x, p: x * 5); lib.call_ptr(lib.on_event, 4)",
             20)
    d.expect("lib.on_event(6, ffi.NULL)", 30)
    d.expect("cb = ffi.callback('int(int, void *)', lambda x, p: x - 1); lib.call_ptr(cb, 4)", 3)


def test_python_plus_c_is_visible_to_other_c_files(d):
    d.expect("ffi.def_extern(name='on_other')(lambda x: x * x); "
             "lib.call_other_from_other_file(9)", 82)
    d.expect("import ctypes; so = ctypes.CDLL(module.__file__); "
             "(hasattr(so, 'on_other'), hasattr(so, 'on_event'))", (True, False))


def test_call_from_another_thread(d):
    d.expect("""
import threading
names = []
@ffi.def_extern()
def on_event(x, p):
    names.append(threading.current_thread() is threading.main_thread())
    return x + 1
(lib.call_in_thread(41), names)
""", (42, [False]))


def test_unraisable_reports(d):
    # Exceptions C cannot receive go to sys.unraisablehook, as in CFFI.
    d.expect("""
import sys
seen = []
old, sys.unraisablehook = sys.unraisablehook, lambda u: seen.append(u.exc_type.__name__)
try:
    ffi.def_extern(name="on_event", error=-1)(lambda x, p: 1 // 0)
    r1 = lib.apply_cb(1)
    ffi.def_extern(name="on_event", error=-2)(lambda x, p: "no")
    r2 = lib.apply_cb(1)
    ffi.def_extern(name="on_done")(lambda x: 5)
    r3 = lib.call_done(1.0)
finally:
    sys.unraisablehook = old
(r1, r2, r3, seen)
""", (-1, -2, 2, ["ZeroDivisionError", "TypeError", "TypeError", "TypeError"]))
