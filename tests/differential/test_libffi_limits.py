# What libffi cannot pass through a function pointer (unions, bit fields, packed structs,
# zero-length arrays), with CFFI's NotImplementedError messages; opaque structs in globals and
# through pointers; the names of unnamed structs.
import pytest

# The types, as the cdef and the C source both declare them.
TYPES = """
struct point { int x, y; };
union u { int i; float f; };
struct bf { int a : 3; int b : 5; };
struct hasu { union u v; };
struct arr { int n; int a[]; };
typedef struct { int q; } anon_t;
struct outer { struct { int in1; } s; union { int u1; float u2; }; };
"""

CDEF = TYPES + """
typedef struct point (*mkfn)(int, int);
mkfn get_mk(void);
typedef union u (*mkufn)(int);
mkufn get_mku(void);
typedef int (*bffn)(struct bf);
bffn get_bf_fn(void);
typedef int (*ufn)(union u);
ufn get_u_fn(void);
typedef int (*hasufn)(struct hasu);
hasufn get_hasu_fn(void);
typedef int (*arrfn)(struct arr);
arrfn get_arr_fn(void);
struct opq;
extern struct opq opq_global;
"""

SOURCE = TYPES + """
static struct point mkpt(int x, int y) { struct point p = {x, y}; return p; }
typedef struct point (*mkfn)(int, int);
mkfn get_mk(void) { return mkpt; }
static union u mku(int i) { union u v; v.i = i; return v; }
typedef union u (*mkufn)(int);
mkufn get_mku(void) { return mku; }
static int use_bf(struct bf b) { return b.a + b.b; }
typedef int (*bffn)(struct bf);
bffn get_bf_fn(void) { return use_bf; }
static int use_u(union u v) { return v.i; }
typedef int (*ufn)(union u);
ufn get_u_fn(void) { return use_u; }
static int use_hasu(struct hasu h) { return h.v.i; }
typedef int (*hasufn)(struct hasu);
hasufn get_hasu_fn(void) { return use_hasu; }
static int use_arr(struct arr a) { return a.n; }
typedef int (*arrfn)(struct arr);
arrfn get_arr_fn(void) { return use_arr; }
struct opq { int z; };
struct opq opq_global = {5};
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("libffi_limits", CDEF, SOURCE)


def test_a_struct_by_value_through_a_function_pointer(d):
    d.expect("p = lib.get_mk()(2, 3); (p.x, p.y)", (2, 3))


@pytest.mark.parametrize("expr", [
    "lib.get_mku()(7)",
    "lib.get_u_fn()(ffi.new('union u *')[0])",
    "lib.get_bf_fn()(ffi.new('struct bf *')[0])",
    "lib.get_hasu_fn()(ffi.new('struct hasu *')[0])",
    "lib.get_arr_fn()(ffi.new('struct arr *')[0])",
    "ffi.cast('struct bf(*)(int)', lib.get_bf_fn())(1)",
])
def test_what_libffi_cannot_pass(d, expr):
    d.raises(expr, NotImplementedError, message=True)


def test_opaque_structs(d):
    d.raises("lib.opq_global", TypeError, message=True)
    d.expect("ffi.typeof(ffi.addressof(lib, 'opq_global')) is ffi.typeof('struct opq *')", True)
    d.raises("ffi.addressof(lib, 'opq_global').z", AttributeError, message=True)
    d.raises("ffi.sizeof('struct opq')", "ffi.error", message=True)
    d.raises("ffi.new('struct opq *')", TypeError, message=True)


@pytest.mark.parametrize("expr,value", [
    ("repr(ffi.typeof(ffi.new('struct outer *').s))", "<ctype 'struct $1'>"),
    ("ffi.typeof('struct outer').fields[1][0]", "u1"),
    ("[name for name, _ in ffi.typeof('struct outer').fields]", ["s", "u1", "u2"]),
    ("repr(ffi.typeof('anon_t'))", "<ctype 'anon_t'>"),
    ("repr(ffi.new('anon_t *'))", "<cdata 'anon_t *' owning 4 bytes>"),
])
def test_unnamed_structs(d, expr, value):
    d.expect(expr, value)
