# Leniency (issue 6), cdefc only: what cdefc says at build time about declarations that differ
# from the C source. A build fails only where the C that CFFI generates would not compile
# (VerificationError); every other mismatch is a VerificationWarning whose first line is
# Clang-style ("file:line:col: warning: ..."), and set_source(strict=True) or "-Werror" in
# extra_compile_args make each of them an error (" [strict]" / " [-Werror]" at the end).
# tests/differential/test_leniency.py builds the same kinds of mismatch with CFFI and checks
# that the modules behave alike (values, CFFI's lazy ffi.error at first use).
#
# The cdefs and sources are dedented, so no literal of this file holds them: diagnostics name
# "<cdef source string>" and "<set_source>" lines, counted from the texts' first line, as CFFI
# names a cdef that is not in the script. Each configuration is checked with emit_c_code()
# (cdefc runs, the C compiler does not): a handful of cdefc runs for the whole file.
import textwrap
import warnings

import pytest

import cdefc
from cdefc import compiler

WARNING_CDEF = textwrap.dedent("""
    struct woff { int x; int y; };
    struct wsize { int a; };
    struct wfsz { int a; int b; };
    struct warr { int v[3]; };
    union wu { int i; };
    #define WRONG 7
    #define WRONG_CONST 7
    int takes_short(int);
    long widen(int);
    unsigned int sgn(int);
    int usum(unsigned int);
    int takei(int *p);
    extern int gbig;
    struct pa { int x; };
    struct pa *geta(void);
    struct pf { int *q; };
    typedef void foo_state;
    foo_state *foo_new(void);
    typedef struct CTX CTX;
    CTX *ctx_new(void);
    struct rec { int64_t big; int a; };
    enum e { E_ONE = 1, E_TWO = 5, E_ALIAS = 2 };
    enum { ANON_A = 3 };
    struct extra { char a; int c; };
    int ro;
    /* silent: void *, const added by C, and the accepted cases */
    int take(unsigned char *p);
    int cnt(char *s);
    typedef int... z_off_t;
    int FIPS_mode_set(int);
    int fp_null(int);
    int twice(int);
    int inl(int);
    int pyver(void);
    int self_assign(int);
    #define RIGHT 9
""")

WARNING_SOURCE = textwrap.dedent("""
    #include "Python.h"
    #include <zlib.h>
    #include <stdint.h>
    struct woff { long pad; int x; int y; };
    struct wsize { int a; int added; };
    struct wfsz { long long a; int b; };
    struct warr { int v[4]; };
    union wu { int i; double d; };
    #define WRONG 8
    static const int WRONG_CONST = 8;
    static short takes_short(short v) { return v; }
    static int widen(int x) { return x * 2; }
    static int sgn(int x) { return x; }
    static int usum(int x) { return x; }
    static int takei(double *p) { return p != 0; }
    long gbig;
    struct pa { int x; };
    struct pb { int y; };
    static struct pb B;
    static struct pb *geta(void) { return &B; }
    struct pf { double *q; };
    struct foo_state_s { int v; };
    typedef struct foo_state_s foo_state;
    static foo_state S;
    static foo_state *foo_new(void) { return &S; }
    typedef struct _ctx_blob { int z; } CTX;
    static CTX C1;
    static CTX *ctx_new(void) { return &C1; }
    struct rec { uint64_t big; int a; };
    enum e { E_ONE = 1, E_TWO = 2 };
    #define E_ALIAS E_TWO
    enum { ANON_A = 4 };
    struct extra { char a; char b; int c; };
    static const int ro = 5;
    static int take(void *p) { return p != 0; }
    static int cnt(const char *s) { int n = 0; while (s[n]) n++; return n; }
    static int fips(int x) { return x + 100; }
    int (*FIPS_mode_set)(int) = fips;
    int (*fp_null)(int) = NULL;
    #define twice(x) ((x) * 2)
    static inline int inl(int x) { return x + 1; }
    static int pyver(void) { return PY_MAJOR_VERSION; }
    /* Clang warns (-Wself-assign, in -Wall): never a cdefc warning or error */
    static int self_assign(int x) { x = x; return x + 1; }
    #define RIGHT 9
""")


def text_of(*lines):
    """A text of these lines that no literal of this file holds (see the top)."""
    return "\n".join(lines) + "\n"


def source_line(source, needle):
    """1-based number of the only line of `source` holding `needle`."""
    lines = [n for n, line in enumerate(source.splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


def cdef_place(cdef, needle, token):
    """'<cdef source string>:LINE:COL' of `token` in the only line of `cdef` holding
    `needle`."""
    line = source_line(cdef, needle)
    text = cdef.splitlines()[line - 1]
    assert text.count(token) == 1, (text, token)
    return f"<cdef source string>:{line}:{text.index(token) + 1}"


def first_line(cdef, source, case):
    """The first line of the diagnostic of `case` = (id, cdef needle, token, message with
    '{src}' for '<set_source>:N', source needle or None)."""
    _, needle, token, message, source_needle = case
    if source_needle is not None:
        message = message.replace("{src}", f"<set_source>:{source_line(source, source_needle)}")
    return f"{cdef_place(cdef, needle, token)}: warning: {message}"


# (id, cdef needle, token the column points at, message, source needle)
WARNINGS = [
    # an exact struct whose layout differs (CFFI: ffi.error at first use)
    ("struct field offset", "struct woff", "x;",
     "field 'x' of 'struct woff' is at offset 8 in {src}, cdef says 0", "struct woff"),
    ("struct size, a field C has", "struct wsize", "wsize",
     "'struct wsize' has size 8 in {src}, cdef says 4", "struct wsize"),
    ("struct field of another size", "struct wfsz", "a;",
     "field 'a' of 'struct wfsz' has type 'long long' in {src}, cdef says 'int'",
     "struct wfsz"),
    ("array field of another length", "struct warr", "v[",
     "field 'v' of 'struct warr' has type 'int[4]' in {src}, cdef says 'int[3]'",
     "struct warr"),
    ("union size", "union wu", "wu", "'union wu' has size 8 in {src}, cdef says 4", "union wu"),
    # a wrong #define value (CFFI: ffi.error at first use)
    ("define value", "#define WRONG 7", "WRONG", "'WRONG' is 8 in {src}, cdef says 7",
     "#define WRONG 8"),
    ("define over a C constant", "WRONG_CONST", "WRONG_CONST",
     "'WRONG_CONST' is 8 in {src}, cdef says 7", "WRONG_CONST"),
    # what C accepts
    ("argument width", "takes_short", "int)",
     "argument 1 of 'takes_short' is 'short' in {src}, cdef says 'int'", "takes_short"),
    ("result width", "widen", "widen", "function 'widen' returns 'int' in {src}, cdef says 'long'",
     "widen"),
    ("result signedness", "sgn", "sgn",
     "function 'sgn' returns 'int' in {src}, cdef says 'unsigned int'", "sgn"),
    ("argument signedness", "usum", "unsigned",
     "argument 1 of 'usum' is 'int' in {src}, cdef says 'unsigned int'", "usum"),
    ("incompatible pointer argument", "takei", "p)",
     "argument 1 of 'takei' is 'double *' in {src}, cdef says 'int *'", "takei"),
    ("incompatible pointer result", "geta", "geta",
     "function 'geta' returns 'struct pb *' in {src}, cdef says 'struct pa *'", "geta"),
    ("pointer field of another type", "struct pf", "q;",
     "field 'q' of 'struct pf' has type 'double *' in {src}, cdef says 'int *'", "struct pf"),
    ("global of another width", "gbig", "gbig",
     "global 'gbig' is 'long' in {src}, cdef says 'int'", "gbig"),
    ("typedef void over a struct", "typedef void foo_state", "foo_state",
     "typedef 'foo_state' is 'struct foo_state_s' in {src}, cdef says 'void'",
     "typedef struct foo_state_s"),
    ("opaque typedef of another struct tag", "typedef struct CTX", "CTX;",
     "typedef 'CTX' is 'struct _ctx_blob' in {src}, cdef says 'struct CTX'", "_ctx_blob"),
    ("field int64_t vs uint64_t", "struct rec", "big",
     "field 'big' of 'struct rec' has type 'uint64_t' in {src}, cdef says 'int64_t'",
     "struct rec"),
    ("enumerator value", "enum e", "E_TWO",
     "enumerator 'E_TWO' is 2 in {src}, cdef says 5; C's value is used", "enum e"),
    ("anonymous enumerator value", "ANON_A", "ANON_A",
     "enumerator 'ANON_A' is 4 in {src}, cdef says 3; C's value is used", "ANON_A"),
    ("enumerator that is a macro", "enum e", "E_ALIAS",
     "enumerator 'E_ALIAS' is a macro in {src}, not an enumerator", "E_ALIAS"),
    ("extra C field in an exact struct", "struct extra", "extra",
     "'struct extra' has a field 'b' in {src} that the cdef does not declare; add '...;' to "
     "declare a partial struct", "struct extra"),
    ("const global declared non-const", "int ro;", "ro",
     "global 'ro' is const in {src}; declare it const in the cdef (it is read-only in lib)",
     "const int ro"),
]

# The other warnings the same mismatches give (one per fact).
COMPANIONS = [
    ("", "struct woff", "y;", "field 'y' of 'struct woff' is at offset 12 in {src}, cdef says 4",
     "struct woff"),
    ("", "struct woff", "woff",
     "'struct woff' has a field 'pad' in {src} that the cdef does not declare; add '...;' to "
     "declare a partial struct", "struct woff"),
    ("", "struct woff", "woff", "'struct woff' has size 16 in {src}, cdef says 8", "struct woff"),
    ("", "struct wsize", "wsize",
     "'struct wsize' has a field 'added' in {src} that the cdef does not declare; add '...;' "
     "to declare a partial struct", "struct wsize"),
    ("", "struct wfsz", "b;", "field 'b' of 'struct wfsz' is at offset 8 in {src}, cdef says 4",
     "struct wfsz"),
    ("", "struct wfsz", "wfsz", "'struct wfsz' has size 16 in {src}, cdef says 8", "struct wfsz"),
    ("", "struct warr", "warr", "'struct warr' has size 16 in {src}, cdef says 12",
     "struct warr"),
    ("", "union wu", "wu",
     "'union wu' has a field 'd' in {src} that the cdef does not declare; add '...;' to "
     "declare a partial union", "union wu"),
    ("", "takes_short", "takes_short",
     "function 'takes_short' returns 'short' in {src}, cdef says 'int'", "takes_short"),
]


def expected_warnings():
    return [first_line(WARNING_CDEF, WARNING_SOURCE, case) for case in WARNINGS + COMPANIONS]


def as_error(line, reason):
    return line.replace(": warning: ", ": error: ", 1) + f" [{reason}]"


def check(tmp_path, name, cdef, source, **keywords):
    """emit_c_code() of a fresh builder: (warnings issued, the VerificationError or None)."""
    builder = cdefc.FFI()
    builder.cdef(cdef)
    builder.set_source(name, source, **keywords)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            builder.emit_c_code(str(tmp_path / f"{name}.c"))
        except cdefc.VerificationError as error:
            failure = error
        else:
            failure = None
            assert (tmp_path / f"{name}.c").exists()
    if failure is not None:
        assert not (tmp_path / f"{name}.c").exists()
    return [w for w in caught], failure


def diagnostic_lines(error, severity):
    return [f"{d.location()}: {d.severity}: {d.message}" for d in error.diagnostics
            if d.severity == severity]


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    """The first lines of the VerificationWarnings of a build with every warning class."""
    tmp_path = tmp_path_factory.mktemp("lenient")
    with pytest.warns(cdefc.VerificationWarning) as record:
        builder = cdefc.FFI()
        builder.cdef(WARNING_CDEF)
        builder.set_source("_lenient", WARNING_SOURCE, libraries=["z"],
                           extra_compile_args=["-Wall"])
        builder.emit_c_code(str(tmp_path / "_lenient.c"))
    assert (tmp_path / "_lenient.c").exists()
    assert all(w.category is cdefc.VerificationWarning for w in record)
    return [str(w.message).splitlines()[0] for w in record]


# gcc's -fmax-errors=0 (no limit) lets every warning through as an error: by default cdefc
# stops after 20, as Clang does (test_strict_errors_stop_at_the_error_limit).
@pytest.fixture(scope="module")
def strict_error(tmp_path_factory):
    caught, error = check(tmp_path_factory.mktemp("strict"), "_lenient", WARNING_CDEF,
                          WARNING_SOURCE, libraries=["z"], strict=True,
                          extra_compile_args=["-fmax-errors=0"])
    assert caught == []
    assert error is not None, "strict=True: no VerificationError"
    return error


@pytest.fixture(scope="module")
def werror_error(tmp_path_factory):
    caught, error = check(tmp_path_factory.mktemp("werror"), "_lenient", WARNING_CDEF,
                          WARNING_SOURCE, libraries=["z"],
                          extra_compile_args=["-Wall", "-Werror", "-fmax-errors=0"])
    assert caught == []
    assert error is not None, "-Werror: no VerificationError"
    return error


@pytest.mark.parametrize("case", WARNINGS, ids=[case[0] for case in WARNINGS])
def test_warning(warned, case):
    assert first_line(WARNING_CDEF, WARNING_SOURCE, case) in warned


@pytest.mark.parametrize("case", WARNINGS, ids=[case[0] for case in WARNINGS])
def test_strict_makes_it_an_error(strict_error, case):
    line = as_error(first_line(WARNING_CDEF, WARNING_SOURCE, case), "strict")
    assert line in diagnostic_lines(strict_error, "error")


@pytest.mark.parametrize("case", WARNINGS, ids=[case[0] for case in WARNINGS])
def test_werror_makes_it_an_error(werror_error, case):
    line = as_error(first_line(WARNING_CDEF, WARNING_SOURCE, case), "-Werror")
    assert line in diagnostic_lines(werror_error, "error")


def test_exactly_these_warnings(warned):
    # Nothing for void * or a const added by C, for a macro type under 'typedef int...', a
    # function pointer variable, a function-like macro, a static inline function, Python.h,
    # a right #define, nor for what Clang itself warns about in the source (-Wall).
    assert sorted(warned) == sorted(expected_warnings())


def test_each_warning_names_both_places(tmp_path):
    # The whole text of one warning: the cdef line with its caret, then a note at C's line.
    cdef = text_of("int takei(int *p);")
    source = text_of("#include <stddef.h>", "static int takei(double *p) { return p != NULL; }")
    caught, error = check(tmp_path, "_one", cdef, source)
    assert error is None
    [warning] = caught
    assert warning.category is cdefc.VerificationWarning
    assert str(warning.message).splitlines() == [
        "<cdef source string>:1:16: warning: argument 1 of 'takei' is 'double *' in "
        "<set_source>:2, cdef says 'int *'",
        "int takei(int *p);",
        "               ^",
        "<set_source>:2:26: note: declared here",
        "static int takei(double *p) { return p != NULL; }",
        "                         ^"]


def test_strict_and_werror_errors_are_exactly_the_warnings(strict_error, werror_error):
    assert sorted(diagnostic_lines(strict_error, "error")) == sorted(
        as_error(line, "strict") for line in expected_warnings())
    assert sorted(diagnostic_lines(werror_error, "error")) == sorted(
        as_error(line, "-Werror") for line in expected_warnings())
    # Each keeps its note at C's line.
    assert len(diagnostic_lines(strict_error, "note")) == len(expected_warnings())
    assert diagnostic_lines(strict_error, "warning") == []
    assert str(strict_error).startswith("<cdef source string>:")


def test_werror_with_other_flags_only(tmp_path):
    # "-Werror=..." or "-Wno-error" are gcc's business: cdefc's mismatches stay warnings.
    cdef = text_of("#define WRONG 7")
    source = text_of("#define WRONG 8")
    for flags in (["-Werror=unused-function"], ["-Wall", "-Wno-error"]):
        caught, error = check(tmp_path, "_flags", cdef, source, extra_compile_args=flags)
        assert error is None, flags
        assert [str(w.message).splitlines()[0] for w in caught] == [
            "<cdef source string>:1:9: warning: 'WRONG' is 8 in <set_source>:1, cdef says 7"]


def test_strict_errors_stop_at_the_error_limit(tmp_path):
    caught, error = check(tmp_path, "_lenient_limit", WARNING_CDEF, WARNING_SOURCE,
                          libraries=["z"], strict=True)
    errors = diagnostic_lines(error, "error")
    assert len(expected_warnings()) > 21
    assert len(errors) == 21
    # twenty of the warnings, as errors
    assert set(errors[:20]) < {as_error(line, "strict") for line in expected_warnings()}
    assert errors[20].endswith("error: too many errors emitted, stopping now [--error-limit]")


def test_strict_build_leaves_no_module(tmp_path):
    builder = cdefc.FFI()
    builder.cdef(text_of("#define WRONG 7"))
    builder.set_source("_strict_mod", text_of("#define WRONG 8"), strict=True)
    with pytest.raises(cdefc.VerificationError) as info:
        builder.compile(tmpdir=str(tmp_path))
    assert str(info.value).splitlines()[0] == (
        "<cdef source string>:1:9: error: 'WRONG' is 8 in <set_source>:1, cdef says 7 [strict]")
    assert not list(tmp_path.glob("_strict_mod*.so"))


# ---- build errors: what the C that CFFI generates would not compile -----------------------

ERROR_CDEF = textwrap.dedent("""
    int present(int);
    int no_such_function(int);
    int presnt(int);
    int no_such_global;
    #define NO_SUCH_DEFINE ...
    #define NO_SUCH_VALUE 5
    static const int NO_SUCH_CONST;
    enum color { RED, NO_SUCH_ENUMERATOR };
    int two_args(int, int);
    struct a { int x; };
    int by_value(struct a);
    struct s { int x; int no_such_field; ...; };
    typedef int... no_such_t;
    struct no_such_s { int x; ...; };
""")

ERROR_SOURCE = textwrap.dedent("""
    static int present(int x) { return x; }
    enum color { RED };
    static int two_args(int x) { return x; }
    struct a { int x; };
    struct b { int x; };
    static int by_value(struct b v) { return v.x; }
    struct s { int x; int y; };
""")

NOT_FOUND = "not found in the set_source() C text or the headers it includes"

# (id, cdef needle, token, message, source needle or None, first line of the note or None)
ERRORS = [
    ("missing function", "no_such_function", "no_such_function",
     "function 'no_such_function' is not declared in the C source", None,
     f"<set_source>:1:1: note: {NOT_FOUND}"),
    ("missing function, a name close to it", "presnt", "presnt",
     "function 'presnt' is not declared in the C source; did you mean 'present'?", None,
     "<set_source>:2:12: note: 'present' declared here"),
    ("missing global", "no_such_global", "no_such_global",
     "global variable 'no_such_global' is not declared in the C source", None,
     f"<set_source>:1:1: note: {NOT_FOUND}"),
    ("missing #define ...", "NO_SUCH_DEFINE", "NO_SUCH_DEFINE",
     "use of undeclared identifier 'NO_SUCH_DEFINE'", None, None),
    ("missing #define value", "NO_SUCH_VALUE", "NO_SUCH_VALUE",
     "use of undeclared identifier 'NO_SUCH_VALUE'", None, None),
    ("missing constant", "NO_SUCH_CONST", "NO_SUCH_CONST",
     "use of undeclared identifier 'NO_SUCH_CONST'", None, None),
    ("missing enumerator", "NO_SUCH_ENUMERATOR", "NO_SUCH_ENUMERATOR",
     "enumerator 'NO_SUCH_ENUMERATOR' is not declared in the C source", None, None),
    ("wrong argument count", "two_args", "two_args",
     "function 'two_args' takes 1 argument(s) in {src}, cdef says 2", "two_args",
     "<set_source>:4:12: note: declared here"),
    ("struct by value of another type", "by_value", "struct a",
     "argument 1 of 'by_value' is 'struct b' in {src}, cdef says 'struct a'", "by_value",
     "<set_source>:7:30: note: declared here"),
    ("struct field C lacks", "no_such_field", "no_such_field",
     "'struct s' has no field named 'no_such_field' in {src}", "struct s",
     "<set_source>:8:8: note: declared here"),
    ("gap type that does not exist", "no_such_t", "no_such_t",
     "typedef 'no_such_t' is not declared in the C source", None,
     f"<set_source>:1:1: note: {NOT_FOUND}"),
]


def error_line(case):
    _, needle, token, message, source_needle, _ = case
    if source_needle is not None:
        place = f"<set_source>:{source_line(ERROR_SOURCE, source_needle)}"
        message = message.replace("{src}", place)
    return f"{cdef_place(ERROR_CDEF, needle, token)}: error: {message}"


@pytest.fixture(scope="module")
def build_error(tmp_path_factory):
    caught, error = check(tmp_path_factory.mktemp("errors"), "_errors", ERROR_CDEF, ERROR_SOURCE)
    assert caught == []
    assert error is not None, "no VerificationError"
    return error


@pytest.mark.parametrize("case", ERRORS, ids=[case[0] for case in ERRORS])
def test_build_error(build_error, case):
    lines = str(build_error).splitlines()
    line = error_line(case)
    assert line in lines
    note = case[5]
    if note is not None:
        # The note follows the error's source line and caret.
        assert lines[lines.index(line) + 3] == note
    else:
        after = lines[lines.index(line) + 3:lines.index(line) + 4]
        assert not after or ": note: " not in after[0]


def test_all_build_errors_in_one_run(build_error):
    errors = diagnostic_lines(build_error, "error")
    struct_line = cdef_place(ERROR_CDEF, "no_such_s", "no_such_s")
    assert sorted(line for line in errors if not line.startswith(struct_line)) == \
        sorted(error_line(case) for case in ERRORS)
    assert diagnostic_lines(build_error, "warning") == []


def test_struct_that_c_does_not_have(build_error):
    place = cdef_place(ERROR_CDEF, "no_such_s", "no_such_s")
    [line] = [line for line in diagnostic_lines(build_error, "error") if line.startswith(place)]
    assert line.startswith(f"{place}: error: 'struct no_such_s' is not ")


def test_struct_that_c_does_not_have_is_not_said_to_be_declared(build_error):
    place = cdef_place(ERROR_CDEF, "no_such_s", "no_such_s")
    [line] = [line for line in diagnostic_lines(build_error, "error") if line.startswith(place)]
    assert line.endswith("error: 'struct no_such_s' is not declared in the C source")


def test_source_that_does_not_compile(tmp_path):
    source = text_of("static int f(int x) { return x }")
    caught, error = check(tmp_path, "_bad_source", text_of("int f(int);"), source)
    assert caught == []
    assert str(error).splitlines() == [
        "<set_source>:1:31: error: expected ';' after return statement",
        "static int f(int x) { return x }",
        " " * 30 + "^"]


def test_parse_diagnostics_of_a_warning_text(warned):
    # A warning's text parses into the same Diagnostic tuples as an error's.
    [diagnostic] = compiler.parse_diagnostics(warned[0])
    assert diagnostic.severity == "warning"
    assert diagnostic.file == "<cdef source string>"
