# The ffi object itself: type(ffi)() and subclasses, its class attributes, ffi.buffer as a
# type, ffi.dlopen()/ffi.dlclose() over real shared libraries, and values of the character
# types (wchar_t is signed on Linux), all against CFFI.
import pytest

CDEF = """
double cos(double);
int abs(int);
long labs(long);
extern char **environ;
#define TEN 10
enum e { EA, EB };
static const int SEVEN;
int twice(int);
struct point { int x, y; };
"""

SOURCE = """
#include <math.h>
#include <stdlib.h>
extern char **environ;
#define TEN 10
enum e { EA, EB };
static const int SEVEN = 7;
static int twice(int x) { return 2 * x; }
struct point { int x, y; };
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("ffi_objects", CDEF, SOURCE, libraries=["m"])


# ---- type(ffi)() ----

@pytest.mark.parametrize("expr,value", [
    ("type(ffi)().sizeof('long')", 8),
    ("type(ffi)().new('int *', 5)[0]", 5),
    ("type(ffi)().typeof('int(*)(int)').kind", "function"),
    ("f = type(ffi)(); f.string(f.new('char[]', b'hi'))", b"hi"),
    ("class F(type(ffi)):\n    def twice(self, x): return 2 * x\nf = F(); f.twice(f.sizeof('short'))", 4),
    ("isinstance(type(ffi)(), type(ffi))", True),
    ("type(ffi)().NULL == ffi.NULL", True),
])
def test_bare_ffi(d, expr, value):
    d.expect(expr, value)


def test_bare_ffi_knows_no_cdef_names(d):
    d.raises("type(ffi)().typeof('struct point')", "ffi.error")
    d.raises("type(ffi)().cast('enum e', 0)", "ffi.error")
    assert d.ffi.sizeof("struct point") == 8  # the module's ffi does


def test_bare_ffi_takes_no_arguments():
    # CFFI's _cffi_backend.FFI(module_name, ...) arguments are its ABI mode's, which cdefc has
    # not: cdefc says so instead of taking them.
    import cdefc  # noqa: F401
    import importlib
    m = importlib.import_module("_d_ffi_objects_cdefc")
    with pytest.raises(TypeError, match="FFI\\(\\) takes no arguments"):
        type(m.ffi)("x")


# ---- class attributes ----

@pytest.mark.parametrize("expr,value", [
    ("type(ffi).NULL == ffi.NULL", True),
    ("type(ffi).error is ffi.error", True),
    ("type(ffi).CData is ffi.CData and isinstance(ffi.new('int *'), type(ffi).CData)", True),
    ("type(ffi).CType is ffi.CType and isinstance(ffi.typeof('int'), type(ffi).CType)", True),
    ("type(ffi).new(ffi, 'int *', 3)[0]", 3),
    ("isinstance(ffi.buffer(ffi.new('char[]', b'ab')), ffi.buffer)", True),
    ("type(ffi).buffer is ffi.buffer", True),
    ("ffi.buffer(ffi.new('char[]', b'abc'), 2)[:]", b"ab"),
    ("ffi.buffer(cdata=ffi.new('int *', 1))[:]", b"\x01\x00\x00\x00"),
    ("(ffi.RTLD_LAZY, ffi.RTLD_NOW, ffi.RTLD_GLOBAL, ffi.RTLD_LOCAL, ffi.RTLD_NODELETE, "
     "ffi.RTLD_NOLOAD, ffi.RTLD_DEEPBIND)", (1, 2, 256, 0, 4096, 4, 8)),
    ("type(ffi).RTLD_NOW", 2),
])
def test_class_attributes(d, expr, value):
    d.expect(expr, value)


def test_buffer_type_errors(d):
    d.raises("ffi.buffer(42)", TypeError)
    d.raises("ffi.buffer()", TypeError)


# ---- ffi.dlopen() ----

@pytest.mark.parametrize("expr,value", [
    ("ffi.dlopen('libm.so.6').cos(0.0)", 1.0),
    ("ffi.dlopen('libm.so.6', ffi.RTLD_NOW | ffi.RTLD_LOCAL).cos(0.0)", 1.0),
    ("ffi.dlopen(None).abs(-3)", 3),
    ("ffi.dlopen().labs(-2 ** 40)", 2 ** 40),
    ("L = ffi.dlopen(None); ffi.typeof(L.environ) is ffi.typeof('char **')", True),
    ("L = ffi.dlopen(None); L.environ == lib.environ", True),
    ("L = ffi.dlopen(None); ffi.addressof(L, 'environ') == ffi.addressof(lib, 'environ')", True),
    ("ffi.typeof(ffi.addressof(ffi.dlopen(None), 'abs')) is ffi.typeof('int(*)(int)')", True),
    ("L = ffi.dlopen('libm.so.6'); (L.TEN, L.SEVEN, L.EB)", (10, 7, 1)),
    ("L = ffi.dlopen('libm.so.6'); ffi.dlclose(L)", None),
    ("ffi.dlclose(lib)", None),
    ("sorted(dir(ffi.dlopen(None))) == sorted(dir(lib))", True),
])
def test_dlopen(d, expr, value):
    d.expect(expr, value)


def test_dlopen_writes_globals(d):
    d.expect("L = ffi.dlopen(None); saved = L.environ; L.environ = ffi.NULL; "
             "now = lib.environ == ffi.NULL; L.environ = saved; now and lib.environ == saved",
             True)


def test_dlopen_errors(d):
    d.raises("ffi.dlopen('no-such-library.so.9')", OSError, message=True)
    d.raises("ffi.dlopen(3)", TypeError)
    d.raises("ffi.dlopen(None, 0x10000)", OSError, message=True)  # (no RTLD_DEEPBIND: ASan)
    d.raises("ffi.dlopen('libm.so.6').nope", AttributeError, message=True)
    d.raises("ffi.dlclose(3)", TypeError)
    # twice() is static in the module: in no library's symbols. CFFI 1.15's API mode gives a
    # function that fails when called; cdefc says so at once, as CFFI's ABI mode does.
    with pytest.raises(d.ffi.error, match="^symbol 'twice' not found in library '<None>': "):
        d.ffi.dlopen(None).twice
    # cdefc's dlopen() also takes its arguments by keyword (CFFI 1.15's does not)
    assert d.ffi.dlopen(name=None, flags=d.ffi.RTLD_LAZY).abs(-4) == 4


def test_dlclose_stops_new_lookups(d):
    # CFFI 1.15 goes on looking symbols up in a closed library (undefined behaviour in C);
    # cdefc raises ffi.error, and what was looked up before stays usable, as in CFFI.
    L = d.ffi.dlopen("libm.so.6")
    cos = L.cos
    d.ffi.dlclose(L)
    d.ffi.dlclose(L)  # closing twice is harmless
    assert cos(0.0) == 1.0 and L.cos(0.0) == 1.0
    with pytest.raises(d.ffi.error, match="^library 'libm.so.6' has already been closed$"):
        L.labs


# ---- character and number values ----

@pytest.mark.parametrize("expr,value", [
    ("int(ffi.cast('wchar_t', -1))", -1),
    ("int(ffi.cast('wchar_t', 0x41))", 65),
    ("ffi.string(ffi.cast('wchar_t', 0x41))", "A"),
    ("int(ffi.cast('char16_t', -1))", 0xFFFF),
    ("int(ffi.cast('char32_t', -1))", 0xFFFFFFFF),
    ("int(ffi.cast('int', ffi.cast('wchar_t', -2)))", -2),
    ("ffi.new('wchar_t[]', 'ab')[1]", "b"),
    ("ffi.string(ffi.new('unsigned char[4]', b'ab'))", b"ab"),
    ("ffi.string(ffi.new('signed char[]', b'xyz'), 2)", b"xy"),
    ("ffi.string(ffi.new('uint8_t[]', b'q'))", b"q"),
    ("ffi.string(ffi.cast('int8_t', 65))", b"A"),
    # the array kept alive: CFFI's cast pointer does not keep it (it read freed memory here)
    ("a = ffi.new('char[]', b'hey'); ffi.string(ffi.cast('unsigned char *', a))", b"hey"),
    ("complex(ffi.cast('double _Complex', 1.5)) == 1.5", True),
])
def test_character_values(d, expr, value):
    d.expect(expr, value)


def test_character_value_errors(d):
    d.raises("ffi.string(ffi.new('_Bool[2]', [1, 0]))", TypeError, message=True)
    d.raises("ffi.string(ffi.new('uint16_t[2]', [65, 0]))", TypeError, message=True)
    d.raises("complex(ffi.cast('double', 1.5))", TypeError, message=True)
    d.raises("float(ffi.cast('wchar_t', -3))", TypeError, message=True)
    # CFFI's repr of such a wchar_t fails (SystemError); cdefc shows the number
    assert repr(d.ffi.cast("wchar_t", -1)) == "<cdata 'wchar_t' -1>"
    with pytest.raises(ValueError):  # CFFI: SystemError
        d.ffi.string(d.ffi.cast("wchar_t", 0x110000))
