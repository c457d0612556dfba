# The out-of-line ABI mode: set_source(name, None). CFFI writes a Python module needing
# _cffi_backend; cdefc builds a C extension holding only `ffi` (the cdef's types, laid out by
# the C compiler), whose ffi.dlopen() reaches the cdef's functions and globals in a shared
# library through libffi. The same expressions run against both.
import importlib
import sys

import cdefc
import pytest

CDEF = """
struct point { int x, y; };
typedef struct point point_t;
union u { int i; float f; double d; };
enum color { RED, GREEN = 5, BLUE };
typedef enum { SMALL = 1, LARGE = 100 } size_kind;
#define K 42
#define KX 0x10
double cos(double);
double ldexp(double, int);
int abs(int);
long labs(long);
extern char **environ;
static const int NOT_EXPORTED;
typedef int (*binop)(int, int);
int snprintf(char *, size_t, const char *, ...);
void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
typedef struct { int a; point_t p; short tail[3]; } holder_t;
struct line { point_t from, to; };
struct list { struct list *next; struct node *first; };
struct node { int value; struct node *next; };
struct packed_s { char c; int i; };
typedef ... opaque_t;
typedef unsigned char bytes4[4];
struct bits { unsigned a : 3; int b : 5; };
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("abi", CDEF, None)


def test_the_module_holds_only_ffi(d):
    for side in (d.cdefc, d.cffi):
        assert not hasattr(side.module, "lib")
    assert d.cdefc.module.__file__.endswith(".abi3.so")  # CFFI's is a .py file
    assert d.cffi.module.__file__.endswith(".py")


@pytest.mark.parametrize("expr,value", [
    ("ffi.sizeof('struct point')", 8),
    ("ffi.sizeof('union u')", 8),
    ("ffi.sizeof('holder_t')", 20),
    ("ffi.offsetof('holder_t', 'tail')", 12),
    ("ffi.offsetof('struct line', 'to')", 8),
    ("ffi.sizeof('struct list')", 16),
    ("ffi.sizeof('struct bits')", 4),
    ("ffi.sizeof('bytes4')", 4),
    ("ffi.typeof('binop').kind", "function"),
    ("ffi.typeof('enum color').relements", {"RED": 0, "GREEN": 5, "BLUE": 6}),
    ("ffi.string(ffi.cast('size_kind', 100))", "LARGE"),
    ("ffi.typeof('opaque_t *').item.kind", "struct"),
    ("p = ffi.new('point_t *', [3, 4]); p.x + p.y", 7),
    ("b = ffi.new('struct bits *'); b.a = 7; b.b = -3; (b.a, b.b)", (7, -3)),
    ("h = ffi.new('holder_t *', {'a': 1, 'p': [2, 3], 'tail': [4, 5, 6]}); list(h.tail)",
     [4, 5, 6]),
    ("ffi.integer_const('K')", 42),
    ("ffi.list_types()[0]", ["binop", "bytes4", "holder_t", "opaque_t", "point_t", "size_kind"]),
])
def test_types(d, expr, value):
    d.expect(expr, value)


@pytest.mark.parametrize("expr,value", [
    ("ffi.dlopen('libm.so.6').cos(0.0)", 1.0),
    ("ffi.dlopen('libm.so.6').ldexp(1.5, 3)", 12.0),
    ("ffi.dlopen(None).abs(-7)", 7),
    ("ffi.dlopen(None).labs(-2 ** 40)", 2 ** 40),
    ("L = ffi.dlopen('libm.so.6'); (L.K, L.KX, L.RED, L.GREEN, L.LARGE)", (42, 16, 0, 5, 100)),
    ("ffi.typeof(ffi.dlopen('libm.so.6').cos) is ffi.typeof('double(*)(double)')", True),
    ("ffi.addressof(ffi.dlopen(None), 'abs') == ffi.dlopen(None).abs", True),
    ("L = ffi.dlopen(None); buf = ffi.new('char[32]'); "
     "n = L.snprintf(buf, 32, b'%d-%s', ffi.cast('int', 42), ffi.new('char[]', b'x')); "
     "(n, ffi.string(buf))", (4, b"42-x")),
    ("L = ffi.dlopen(None); a = ffi.new('int[]', [5, 1, 4]); "
     "cmp = ffi.callback('int(*)(const void *, const void *)', "
     "lambda x, y: ffi.cast('int *', x)[0] - ffi.cast('int *', y)[0]); "
     "L.qsort(a, 3, ffi.sizeof('int'), cmp); list(a)", [1, 4, 5]),
    ("sorted(dir(ffi.dlopen(None)))",
     ["BLUE", "GREEN", "K", "KX", "LARGE", "NOT_EXPORTED", "RED", "SMALL", "abs", "cos",
      "environ", "labs", "ldexp", "qsort", "snprintf"]),
    ("ffi.typeof(ffi.dlopen(None).environ) is ffi.typeof('char **')", True),
])
def test_dlopen(d, expr, value):
    d.expect(expr, value)


def test_missing_symbols(d):
    d.raises("ffi.dlopen('libm.so.6').NOT_EXPORTED", "ffi.error", message=True)
    d.raises("ffi.dlopen('libm.so.6').nope", AttributeError, message=True)
    d.raises("ffi.dlopen('libm.so.6').K = 3", AttributeError)


def build_abi(tmp_path, cdef, name):
    ffi = cdefc.FFI()
    ffi.cdef(cdef)
    ffi.set_source(name, None)
    return ffi.compile(tmpdir=str(tmp_path))


@pytest.mark.parametrize("cdef,message", [
    ("#define G ...", "macro G: cannot use the syntax '...' in '#define G ...' when using "
                      "the ABI mode"),
    ('extern "Python" int cb(int);', "extern_python cb: cannot use 'extern \"Python\"' in the "
                                     "ABI mode"),
    ("typedef int... t;", "typedef 't': cannot use 'int...' in the ABI mode"),
    ("extern int arr[...];", "'arr': cannot use '[...]' in the ABI mode"),
    ("enum e { A, B, ... };", "enum e: cannot use '...' in the ABI mode"),
])
def test_what_the_abi_mode_cannot_have(tmp_path, cdef, message):
    with pytest.raises(cdefc.VerificationError) as error:
        build_abi(tmp_path, cdef, "_abi_bad")
    assert message in str(error.value)
    assert not list(tmp_path.glob("_abi_bad*.so"))


def test_a_partial_struct_is_laid_out_as_declared_with_a_warning(tmp_path):
    with pytest.warns(cdefc.VerificationWarning, match="struct 's' ends with '...;': in the ABI "
                                                       "mode it is laid out with the fields"):
        path = build_abi(tmp_path, "struct s { int x; ...; };", "_abi_partial")
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("_abi_partial")
    finally:
        sys.path.remove(str(tmp_path))
    assert module.ffi.sizeof("struct s") == 4  # as CFFI
    assert path.endswith(".abi3.so")
