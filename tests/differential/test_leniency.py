# Leniency (issue 6), cdefc against CFFI: declarations that differ from the C source, where the
# C that CFFI generates still compiles. cdefc builds all of them, as CFFI does; the modules
# must then behave alike:
#   - what CFFI checks lazily raises CFFI's ffi.error, with its exact text, at the first use:
#     an exact struct or union whose layout differs (a field's offset, a field's size or array
#     length, a field C has that the cdef lacks making the size differ, a struct holding such
#     a struct), a '#define X 7' that C says is 8;
#   - what C accepts works with C's values: integer arguments, results and globals of another
#     width or signedness, incompatible pointer arguments and results, pointer fields of
#     another type, 'typedef void foo_state;' over a struct, an opaque typedef whose struct tag
#     differs, a field 'int64_t' that C says is 'uint64_t', enumerators whose value differs
#     (C's value is used) or that are macros in C, extra C fields in an exact struct of the
#     right size, a const global declared non-const;
#   - what is now accepted: 'typedef int... z_off_t;' over zlib's macro, functions that are
#     function pointer variables, function-like macros or static inline functions,
#     '#include "Python.h"' / '<Python.h>', '-Wall -Werror' with a source Clang (but not gcc)
#     warns about.
# Deliberate difference, not compared here: cdefc also warns at build time for every mismatch
# (cdefc.VerificationWarning naming the cdef line and the C line; CFFI is silent, or leaves it
# to gcc's warnings); tests/python/test_leniency_warnings.py checks those warnings and that
# strict=True / -Werror make them errors. test_build_warnings_are_cdefc_only below only checks
# which side warned.
import textwrap
import warnings

import pytest

import cdefc

# (cdef, C source) pairs are dedented: what cdefc is given is no literal of a script, so its
# diagnostics name "<cdef source string>" and "<set_source>", as CFFI names such texts.
CDEF = textwrap.dedent("""
    /* exact structs whose layout differs: lazy ffi.error */
    struct woff { int x; int y; };
    struct woff *woff_get(void);
    int woff_y(struct woff *p);
    struct wsize { int a; };
    struct wfsz { int a; int b; };
    struct warr { int v[3]; };
    union wu { int i; };
    struct wout { struct wsize inner; int z; };
    extern struct wsize gw;
    #define WRONG 7
    #define WRONG_CONST 7
    #define WRONG_HEX 41
    #define WRONG_NEG -3
    #define RIGHT 9
    /* integer widths and signedness */
    int takes_short(int);
    long widen(int);
    int narrow(long);
    unsigned int sgn(int);
    int usum(unsigned int);
    extern int gbig;
    extern unsigned short gsh;
    /* pointers: incompatible, void *, const added */
    int takei(int *p);
    struct pa { int x; };
    struct pa *geta(void);
    struct pf { int *q; };
    int take(unsigned char *p);
    int cnt(char *s);
    /* typedefs */
    typedef void foo_state;
    foo_state *foo_new(void);
    int foo_get(foo_state *);
    typedef struct CTX CTX;
    CTX *ctx_new(void);
    int ctx_z(CTX *);
    /* fields, enumerators, globals */
    struct rec { int64_t big; int a; };
    struct extra { char a; int c; };
    enum e { E_ONE = 1, E_TWO = 5, E_ALIAS = 9 };
    enum { ANON_A = 3 };
    int take_e(enum e);
    extern int ro;
    /* now accepted */
    typedef int... z_off_t;
    unsigned long adler32(unsigned long adler, const unsigned char *buf, unsigned int len);
    int FIPS_mode_set(int);
    int fp_null(int);
    extern int (*fpvar)(int);
    int twice(int);
    int inl(int);
    int pyver(void);
""")

SOURCE = textwrap.dedent(r"""
    #include "Python.h"
    #include <zlib.h>
    #include <Python.h>
    #include <stdint.h>
    struct woff { long pad; int x; int y; };
    static struct woff W = {0, 3, 4};
    static struct woff *woff_get(void) { return &W; }
    static int woff_y(struct woff *p) { return p->y; }
    struct wsize { int a; int added; };
    struct wfsz { long long a; int b; };
    struct warr { int v[4]; };
    union wu { int i; double d; };
    struct wout { struct wsize inner; int z; };
    struct wsize gw = {3, 4};
    #define WRONG 8
    static const int WRONG_CONST = 8;
    #define WRONG_HEX 42
    #define WRONG_NEG -4
    #define RIGHT 9
    static short takes_short(short v) { return v; }
    static int widen(int x) { return x * 2; }
    static long narrow(long x) { return x + 1; }
    static int sgn(int x) { return x; }
    static int usum(int x) { return x; }
    long gbig = 0x100000002L;
    unsigned int gsh = 0x12345;
    static int takei(double *p) { return p != 0; }
    struct pa { int x; };
    struct pb { int y; };
    static struct pb B = {9};
    static struct pb *geta(void) { return &B; }
    struct pf { double *q; };
    static int take(void *p) { return p != 0; }
    static int cnt(const char *s) { int n = 0; while (s[n]) n++; return n; }
    struct foo_state_s { int v; };
    typedef struct foo_state_s foo_state;
    static foo_state S = {42};
    static foo_state *foo_new(void) { return &S; }
    static int foo_get(foo_state *s) { return s->v; }
    typedef struct _ctx_blob { int z; } CTX;
    static CTX C1 = {7};
    static CTX *ctx_new(void) { return &C1; }
    static int ctx_z(CTX *c) { return c->z; }
    struct rec { uint64_t big; int a; };
    struct extra { char a; char b; int c; };
    enum e { E_ONE = 1, E_TWO = 2 };
    #define E_ALIAS E_TWO
    enum { ANON_A = 4 };
    static int take_e(enum e v) { return (int)v; }
    static const int ro = 5;
    static int fips(int x) { return x + 100; }
    int (*FIPS_mode_set)(int) = fips;
    int (*fp_null)(int) = NULL;
    int (*fpvar)(int) = fips;
    #define twice(x) ((x) * 2)
    static inline int inl(int x) { return x + 1; }
    static int pyver(void) { return PY_MAJOR_VERSION; }
""")


@pytest.fixture(scope="module")
def built(build_pair):
    """(the Pair, the warnings the two builds issued)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pair = build_pair("leniency", CDEF, SOURCE, libraries=["z"])
    return pair, list(caught)


@pytest.fixture(scope="module")
def d(built):
    return built[0]


def _layout_error(name, what, cdef_says, c_says):
    """CFFI's message for the exact struct (or union) `name` whose layout is wrong."""
    return (f"{name}: {what} (cdef says {cdef_says}, but C compiler says {c_says}). fix it "
            f"or use \"...;\" as the last field in the cdef for {name} to make it flexible")


WOFF = _layout_error("struct woff", "wrong offset for field 'x'", 0, 8)
WSIZE = _layout_error("struct wsize", "wrong total size", 4, 8)
WFSZ = _layout_error("struct wfsz", "wrong size for field 'a'", 4, 8)
WARR = _layout_error("struct warr", "wrong size for field 'v'", 12, 16)
WU = _layout_error("union wu", "wrong total size", 4, 8)

# Where CFFI 1.15 (this suite's baseline) only needs the size or alignment of a struct whose
# exact layout is wrong, CFFI 2.0 (the reference, DESIGN.md) already raises the layout error:
# cdefc does what 2.0 does (measured with 2.0: tests/runtime/test_runtime.py LAZY_ERRORS).
CFFI2_RAISES = [
    ("ffi.sizeof('struct wsize')", WSIZE),
    ("ffi.alignof('struct wsize')", WSIZE),
    ("ffi.sizeof('struct woff')", WOFF),
    ("ffi.alignof('struct woff')", WOFF),
    ("ffi.sizeof('struct wfsz')", WFSZ),
    ("lib.woff_get()[0]", WOFF),
    ("ffi.sizeof('struct warr')", WARR),
    ("ffi.sizeof('union wu')", WU),
    ("ffi.sizeof('struct wout')", WSIZE),
    ("lib.gw", WSIZE),
]


@pytest.mark.parametrize("expr, message", CFFI2_RAISES)
def test_layout_error_as_cffi_2(d, expr, message):
    outcome = d.cdefc.evaluate(expr)
    assert outcome[0] == "raise" and outcome[2] == "ffi.error", outcome
    assert str(outcome[1]) == message


LAZY_ERRORS = [
    # wrong offset of a field (a field C has before it)
    ("ffi.new('struct woff *')", WOFF),
    ("ffi.offsetof('struct woff', 'y')", WOFF),
    ("ffi.typeof('struct woff').fields", WOFF),
    ("lib.woff_get().x", WOFF),
    ("ffi.new('struct woff *', [1, 2])", WOFF),
    # wrong total size (a field C has that the cdef lacks)
    ("ffi.new('struct wsize *')", WSIZE),
    ("ffi.offsetof('struct wsize', 'a')", WSIZE),
    ("ffi.new('struct wsize[2]')[0].a", WSIZE),
    # a field of another size
    ("ffi.new('struct wfsz *')", WFSZ),
    ("ffi.typeof('struct wfsz').fields", WFSZ),
    # an array field of another length; a union; a struct holding a wrong one
    ("ffi.new('struct warr *')", WARR),
    ("ffi.new('union wu *')", WU),
    ("ffi.new('struct wout *')", WSIZE),
    ("ffi.offsetof('struct wout', 'z')", WSIZE),
    # a global of such a struct: its fields
    ("lib.gw.a", WSIZE),
    ("ffi.addressof(lib, 'gw').a", WSIZE),
    # a wrong #define value (also over a C constant)
    ("lib.WRONG", "the C compiler says 'WRONG' is equal to 8 (0x8), but the cdef disagrees"),
    ("lib.WRONG_CONST",
     "the C compiler says 'WRONG_CONST' is equal to 8 (0x8), but the cdef disagrees"),
    # CFFI's "%llu (0x%llx)", lowercase, for a value >= 0; "%lld" alone for a negative one
    ("lib.WRONG_HEX",
     "the C compiler says 'WRONG_HEX' is equal to 42 (0x2a), but the cdef disagrees"),
    ("lib.WRONG_NEG", "the C compiler says 'WRONG_NEG' is equal to -4, but the cdef disagrees"),
]


@pytest.mark.parametrize("expr, message", LAZY_ERRORS)
def test_lazy_error_at_first_use(d, expr, message):
    ours, _ = d.raises(expr, "ffi.error", message=True)
    assert str(ours) == message


def test_lazy_errors_raise_again(d):
    # Not only the first time: every use of the wrong struct or constant raises.
    for _ in range(2):
        d.raises("ffi.new('struct wsize *')", "ffi.error", message=True)
        d.raises("lib.WRONG", "ffi.error", message=True)


EXPECT = [
    # what CFFI does not check on a wrong exact struct: pointers, arrays, C's own use
    ("ffi.sizeof('struct woff[2]')", 32),
    ("ffi.sizeof('struct wsize[2]')", 16),
    ("len(ffi.new('struct wsize[]', 3))", 3),
    ("ffi.typeof(lib.woff_get()).cname", "struct woff *"),
    ("lib.woff_y(lib.woff_get())", 4),
    ("lib.woff_get() == lib.woff_get()", True),
    ("lib.RIGHT", 9),
    # integer arguments and results of another width or signedness: the cdef's types convert,
    # C converts again
    ("lib.takes_short(70000)", 4464),
    ("lib.takes_short(-2)", -2),
    ("lib.widen(3)", 6),
    ("lib.narrow(3)", 4),
    ("lib.sgn(-1)", 2**32 - 1),
    ("lib.usum(2**32 - 1)", -1),
    # globals of another width: the cdef's type is read (here the low bytes)
    ("lib.gbig", 2),
    ("lib.gsh", 0x2345),
    # pointer arguments: incompatible, void *, const added by C
    ("lib.takei(ffi.new('int *'))", 1),
    ("lib.take(ffi.new('unsigned char[1]'))", 1),
    ("lib.cnt(b'hello')", 5),
    # an incompatible pointer result; a pointer field of another type
    ("lib.geta().x", 9),
    ("ffi.typeof(lib.geta()).cname", "struct pa *"),
    ("ffi.new('struct pf *').q", "NULL"),
    ("ffi.typeof('struct pf').fields[0][1].type.cname", "int *"),
    # 'typedef void foo_state;' over a struct; an opaque typedef with another struct tag
    ("lib.foo_get(lib.foo_new())", 42),
    ("ffi.typeof(lib.foo_new()).cname", "void *"),
    ("lib.ctx_z(lib.ctx_new())", 7),
    ("ffi.typeof(lib.ctx_new()).cname", "struct CTX *"),
    ("ffi.typeof('CTX').fields", None),
    # a field 'int64_t' that C says is 'uint64_t'
    ("ffi.sizeof('struct rec')", 16),
    ("ffi.new('struct rec *', {'big': -1, 'a': 2}).big", -1),
    ("ffi.typeof('struct rec').fields[0][1].type.cname", "int64_t"),
    # enumerators: C's value is used, also for one that is a macro in C
    ("lib.E_ONE", 1),
    ("lib.E_TWO", 2),
    ("lib.E_ALIAS", 2),
    ("ffi.typeof('enum e').relements", {"E_ONE": 1, "E_TWO": 2, "E_ALIAS": 2}),
    ("ffi.typeof('enum e').elements", {1: "E_ONE", 2: "E_TWO"}),
    ("ffi.string(ffi.cast('enum e', 2))", "E_TWO"),
    ("ffi.string(ffi.cast('enum e', 5))", "5"),
    ("lib.take_e(lib.E_TWO)", 2),
    ("lib.ANON_A", 4),
    # extra C fields in an exact struct of the right size: no error
    ("ffi.sizeof('struct extra')", 8),
    ("ffi.offsetof('struct extra', 'c')", 4),
    ("ffi.new('struct extra *', {'a': b'x', 'c': 5}).c", 5),
    ("[name for name, _ in ffi.typeof('struct extra').fields]", ["a", "c"]),
    # a const global declared non-const: readable
    ("lib.ro", 5),
    # typedef int... over zlib's macro z_off_t
    ("ffi.sizeof('z_off_t')", 8),
    ("ffi.typeof('z_off_t').cname", "int64_t"),
    ("ffi.cast('z_off_t', -1) < 0", True),
    ("lib.adler32(1, b'abc', 3)", 38600999),
    # functions that are function pointer variables, function-like macros, static inline
    ("lib.FIPS_mode_set(1)", 101),
    ("ffi.addressof(lib, 'FIPS_mode_set')(2)", 102),
    ("ffi.typeof(lib.FIPS_mode_set).cname", "int(*)(int)"),
    # (one that C's source leaves NULL: the module's entry point is not NULL; never called)
    ("ffi.addressof(lib, 'fp_null') == ffi.NULL", False),
    ("callable(lib.fp_null)", True),
    ("lib.fpvar(3)", 103),
    ("ffi.typeof(lib.fpvar).cname", "int(*)(int)"),
    ("lib.twice(21)", 42),
    ("ffi.addressof(lib, 'twice')(4)", 8),
    ("lib.inl(1)", 2),
    ("ffi.addressof(lib, 'inl')(4)", 5),
    # '#include "Python.h"' and '#include <Python.h>'
    ("lib.pyver()", 3),
    ("ffi.typeof(ffi.addressof(lib, 'gw')).cname", "struct wsize *"),
]


@pytest.mark.parametrize("expr, value", EXPECT)
def test_expect(d, expr, value):
    d.expect(expr, value)


ERRORS = [
    # the cdef's types convert the arguments: an unsigned parameter refuses -1
    ("lib.usum(-1)", OverflowError, True),
    ("lib.takes_short(2**31)", OverflowError, True),
    # the cdef's pointer type is what Python passes
    ("lib.takei(ffi.new('double *'))", TypeError, True),
    ("lib.ctx_z(ffi.new('int *'))", TypeError, True),
    ("ffi.new('CTX *')", TypeError, True),
    ("lib.E_NOPE", AttributeError, False),
    ("ffi.cast('enum e', 'E_TWO')", TypeError, True),
    ("ffi.cast('int', 'ab')", TypeError, True),
]


@pytest.mark.parametrize("expr, exception, message", ERRORS)
def test_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


def test_dir_lists_the_lenient_names(d):
    d.same("sorted(dir(lib))")
    assert {"WRONG", "WRONG_HEX", "E_ALIAS", "FIPS_mode_set", "twice", "inl", "ro",
            "fpvar"} <= set(dir(d.lib))


def test_const_global_is_read_only_in_cdefc(d):
    # cdefc only: C's 'static const int ro' declared 'extern int ro;' is read-only in lib, as
    # if the cdef said 'const int ro;' (writing, CFFI's module writes to read-only memory and
    # crashes; taking its address, CFFI gives an 'int *').
    with pytest.raises(AttributeError) as info:
        d.lib.ro = 3
    assert str(info.value) == "cannot write to function or constant 'ro'"
    with pytest.raises(AttributeError) as info:
        d.ffi.addressof(d.lib, "ro")
    assert str(info.value) == "cannot take the address of the constant 'ro'"
    assert d.lib.ro == 5


def test_build_warnings_are_cdefc_only(built):
    # Deliberate difference: cdefc warns at build time (one VerificationWarning per mismatch,
    # located in the cdef); CFFI's build is silent (gcc's own warnings go to stderr).
    _, caught = built
    ours = [str(w.message).splitlines()[0] for w in caught
            if w.category is cdefc.VerificationWarning]
    others = [f"{w.category.__name__}: {w.message}" for w in caught
              if w.category is not cdefc.VerificationWarning]
    assert others == []
    assert all(line.startswith("<cdef source string>:") and ": warning: " in line
               for line in ours), ours
    named = " ".join(ours)
    for needle in ("'struct woff'", "'struct wsize'", "'struct wfsz'", "'struct warr'",
                   "'union wu'", "'WRONG'", "'WRONG_CONST'", "'WRONG_HEX'", "'takes_short'",
                   "'widen'", "'narrow'", "'sgn'", "'usum'", "'gbig'", "'gsh'", "'takei'",
                   "'geta'", "'struct pf'", "'foo_state'", "'CTX'", "'big'", "'E_TWO'",
                   "'E_ALIAS'", "'ANON_A'", "'struct extra'", "'ro'"):
        assert needle in named, needle
    # Silent, as in C: void *, const added by C, and every accepted case.
    for needle in ("'take'", "'cnt'", "z_off_t", "FIPS_mode_set", "'fp_null'", "'fpvar'",
                   "'twice'", "'inl'", "'pyver'", "'RIGHT'", "'E_ONE'", "'rec'", "'take_e'",
                   "'struct wout'", "'gw'"):
        assert needle not in named, needle


# ---- -Wall -Werror: Clang's warnings are never cdefc's errors; gcc's are, as in CFFI ------

WERROR_CDEF = textwrap.dedent("""
    int self_assign(int);
    int FIPS_mode_set(int);
    int twice(int);
    int inl(int);
    int pyver(void);
""")

WERROR_SOURCE = textwrap.dedent("""
    #include "Python.h"
    #include <Python.h>
    /* Clang warns (-Wself-assign, in -Wall), gcc does not */
    static int self_assign(int x) { x = x; return x + 1; }
    static int fips(int x) { return x + 100; }
    int (*FIPS_mode_set)(int) = fips;
    #define twice(x) ((x) * 2)
    static inline int inl(int x) { return x + 1; }
    static int pyver(void) { return PY_MAJOR_VERSION; }
""")

WALL_WERROR = ["-Wall", "-Werror"]


@pytest.fixture(scope="module")
def werror(build_pair):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pair = build_pair("leniency_werror", WERROR_CDEF, WERROR_SOURCE,
                          extra_compile_args=WALL_WERROR)
    assert [str(w.message) for w in caught] == []
    return pair


@pytest.mark.parametrize("expr, value", [
    ("lib.self_assign(1)", 2),
    ("lib.FIPS_mode_set(1)", 101),
    ("lib.twice(21)", 42),
    ("lib.inl(1)", 2),
    ("lib.pyver()", 3),
])
def test_wall_werror_builds(werror, expr, value):
    werror.expect(expr, value)


def test_wall_werror_with_an_unused_helper_fails_in_gcc_for_both(tmp_path):
    # gcc's -Wunused-function is an error with -Werror: the build fails where CFFI's fails,
    # with the same exception class and message (the C compiler's).
    source = WERROR_SOURCE + "static int helper(void) { return 1; }\n"
    errors = {}
    for label, factory in (("cdefc", cdefc.FFI), ("cffi", pytest.importorskip("cffi").FFI)):
        builder = factory()
        builder.cdef(WERROR_CDEF)
        builder.set_source(f"_d_unused_{label}", source, extra_compile_args=WALL_WERROR)
        with pytest.raises(Exception) as info:
            builder.compile(tmpdir=str(tmp_path))
        errors[label] = info.value
    assert type(errors["cffi"]).__name__ == "VerificationError"
    assert type(errors["cdefc"]) is cdefc.VerificationError
    assert str(errors["cdefc"]) == str(errors["cffi"])
    assert str(errors["cdefc"]).startswith("CompileError: command ")
    assert not list(tmp_path.glob("_d_unused_*.so"))


def test_bitfields_are_laid_out_as_c_has_them(tmp_path):
    # cdefc only: a bitfield declared with another width than C's reads and writes C's bits
    # (with a warning). CFFI 1.15 silently uses the cdef's widths: here it would read lo = 5
    # from bits 0-3 and hi from bits 4-7, which are not where C put 5 and 9.
    import importlib
    import sys
    ffi = cdefc.FFI()
    ffi.cdef("struct bits { unsigned int lo : 4; unsigned int hi : 4; };"
             "struct bits make_bits(void); int read_hi(struct bits *);")
    ffi.set_source("_lenient_bits", """
        struct bits { unsigned int lo : 3; unsigned int hi : 4; };
        struct bits make_bits(void) { struct bits b; b.lo = 5; b.hi = 9; return b; }
        int read_hi(struct bits *b) { return (int)b->hi; }
    """)
    with pytest.warns(cdefc.VerificationWarning,
                      match=r"field 'lo' of 'struct bits' is a bitfield of width 3 in "
                            r"\S*test_leniency.py:\d+, cdef says width 4; C's is used"):
        ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module("_lenient_bits")
    finally:
        sys.path.remove(str(tmp_path))
    b = m.lib.make_bits()
    assert (b.lo, b.hi) == (5, 9)
    p = m.ffi.new("struct bits *")
    p.hi = 15
    assert m.lib.read_hi(p) == 15 and p.lo == 0
    p.lo = 7
    assert (p.lo, p.hi) == (7, 15)
    with pytest.raises(OverflowError):
        p.lo = 8  # 3 bits in C
