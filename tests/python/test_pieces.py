# A big module compiled in parallel pieces (compile() passes cdefc --pieces): the wrappers
# whose types reduce to primitive types and pointers go to files of their own, with no user
# source, calling the C functions through _cdefc_e_ functions of the main file. Seen from
# Python nothing changes: values, errors (the cdef's type names), ffi.errno, ffi.addressof,
# the GIL decision and the exported symbols are those of a module built in one file (and of
# CFFI, compared where it can build the same cdef).
import shutil
import subprocess
import sys
import sysconfig

import pytest

import cdefc
from cdefc import build
from conftest import import_from

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)

BULK = 150  # enough wrappers for pieces of 64 at least

CDEF = """
enum color { RED, GREEN = 5, BLUE = -1 };
typedef int... myint_t;
struct pt { int x; int y; };
typedef int (*binop_t)(int, int);
unsigned char u8(unsigned char);
_Bool negate(_Bool);
char next_char(char);
double half(double);
float halff(float);
enum color flip(enum color);
myint_t twice(myint_t);
struct pt *make(int x, int y);
int sum_pt(const struct pt *);
int first(const char *);
void *identity(void *);
int apply(binop_t, int, int);
binop_t get_add(void);
int sum2(int, int);
void set_errno(int);
long long big(unsigned long long);
struct pt by_value(struct pt);
long double ld(long double);
""" + "".join(f"int f{i}(int);\n" for i in range(BULK))

SOURCE = r"""
#include <errno.h>
enum color { RED, GREEN = 5, BLUE = -1 };
typedef long myint_t;
struct pt { int x; int y; };
typedef int (*binop_t)(int, int);
static unsigned char u8(unsigned char c) { return (unsigned char)(c + 1); }
static _Bool negate(_Bool b) { return !b; }
static char next_char(char c) { return (char)(c + 1); }
static double half(double d) { return d / 2; }
static float halff(float d) { return d / 2; }
static enum color flip(enum color c) { return c == RED ? BLUE : RED; }
static myint_t twice(myint_t x) { return 2 * x; }
static struct pt the_pt;
static struct pt *make(int x, int y) { the_pt.x = x; the_pt.y = y; return &the_pt; }
static int sum_pt(const struct pt *p) { return p->x + p->y; }
static int first(const char *s) { return s[0]; }
static void *identity(void *p) { return p; }
static int apply(binop_t f, int a, int b) { return f(a, b); }
static int add(int a, int b) { return a + b; }
static binop_t get_add(void) { return add; }
static int sum2(int a, int b) { return a + b; }
static void set_errno(int e) { errno = e; }
static long long big(unsigned long long x) { return (long long)(x / 2); }
static struct pt by_value(struct pt p) { struct pt q = {p.y, p.x}; return q; }
static long double ld(long double x) { return x * 2; }
""" + "".join(f"static int f{i}(int x) {{ return x + {i}; }}\n" for i in range(BULK))


@pytest.fixture(scope="module")
def pieces(tmp_path_factory):
    """The module built with two CPUs' worth of pieces, and its build directory."""
    out = tmp_path_factory.mktemp("pieces")
    saved = build.parallel_jobs
    build.parallel_jobs = lambda: 2
    try:
        ffi = cdefc.FFI()
        ffi.cdef(CDEF)
        ffi.set_source("_pieces_mod", SOURCE)
        ffi.compile(tmpdir=str(out))
    finally:
        build.parallel_jobs = saved
    return import_from(out, "_pieces_mod"), out


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The same module built by CFFI (without the '...' typedef, which it needs at import)."""
    cffi = pytest.importorskip("cffi")
    out = tmp_path_factory.mktemp("pieces_cffi")
    ffi = cffi.FFI()
    ffi.cdef(CDEF.replace("typedef int... myint_t;", "typedef long myint_t;"))
    ffi.set_source("_pieces_cffi", SOURCE)
    ffi.compile(tmpdir=str(out))
    return import_from(out, "_pieces_cffi")


def test_wrappers_are_compiled_apart(pieces):
    _, out = pieces
    main = (out / "_pieces_mod.c").read_text()
    parts = sorted(out.glob("_pieces_mod.part*.c"))
    assert len(parts) == 2, parts
    assert all(p.with_suffix(".o").exists() for p in parts)
    texts = [p.read_text() for p in parts]
    for text in texts:
        assert "struct pt {" not in text and "#line" not in text  # no user source
        assert "#define CDEFC_COMPACT_WRAPPERS 1" in text
    together = "".join(texts)
    # erasable wrappers are apart, each once; struct-by-value and long double stay in the main
    for name in ["u8", "negate", "half", "flip", "twice", "make", "apply", "get_add", "f0",
                 f"f{BULK - 1}"]:
        assert together.count(f"PyObject *_cdefc_fn_{name}(PyObject *_cdefc_self") == 1, name
        assert f"_cdefc_e_{name}(" in main
    for name in ["by_value", "ld"]:
        assert f"static PyObject *_cdefc_fn_{name}(" in main
        assert f"_cdefc_fn_{name}" not in together


def test_values_match_cffi(pieces, reference):
    lib, ref = pieces[0].lib, reference.lib
    for mod in (lib, ref):
        assert mod.u8(41) == 42 and mod.negate(True) is False and mod.next_char(b"a") == b"b"
        assert mod.half(3.0) == 1.5 and mod.halff(3.0) == 1.5
        assert mod.flip(mod.RED) == mod.BLUE == -1 and mod.flip(-1) == 0
        assert mod.twice(-(2 ** 40)) == -(2 ** 41)
        assert mod.big(2 ** 64 - 2) == 2 ** 63 - 1
        assert mod.f0(1) == 1 and mod.f149(1) == 150
    ffi = pieces[0].ffi
    p = lib.make(3, 4)
    assert ffi.typeof(p) is ffi.typeof("struct pt *") and (p.x, p.y) == (3, 4)
    assert lib.sum_pt(p) == 7 and lib.sum_pt(ffi.new("struct pt *", [5, 6])) == 11
    assert lib.first(b"xyz") == ord("x")
    q = ffi.new("int *")
    assert lib.identity(q) == q and lib.identity(ffi.NULL) == ffi.NULL
    assert lib.apply(lib.get_add(), 20, 22) == 42
    assert repr(lib.get_add()).startswith("<cdata 'int(*)(int, int)' 0x")
    r = lib.by_value({"x": 1, "y": 2})
    assert (r.x, r.y) == (2, 1)
    assert float(lib.ld(1.5)) == 3.0


@pytest.mark.parametrize("call", [
    lambda lib: lib.u8(256),
    lambda lib: lib.u8(-1),
    lambda lib: lib.twice("1"),
    lambda lib: lib.twice(2 ** 63),
    lambda lib: lib.f3(1.5),
    lambda lib: lib.f3(),
    lambda lib: lib.f3(1, 2),
    lambda lib: lib.half("x"),
    lambda lib: lib.next_char("ab"),
    lambda lib: lib.big(-1),
    lambda lib: lib.flip(None),
    lambda lib: lib.sum_pt(1),
    lambda lib: lib.first("text"),
    lambda lib: lib.apply(lambda a, b: a, 1, 2),
])
def test_errors_match_cffi(pieces, reference, call):
    with pytest.raises(Exception) as theirs:
        call(reference.lib)
    with pytest.raises(Exception) as ours:
        call(pieces[0].lib)
    assert type(ours.value) is type(theirs.value)
    # CFFI names the module in argument-count errors; the rest must say the same
    message = str(theirs.value).replace("_pieces_cffi", "_pieces_mod")
    assert str(ours.value) == message


def test_errno_addressof_and_the_gil_decision(pieces):
    module, out = pieces
    ffi, lib = module.ffi, module.lib
    lib.set_errno(33)  # a call (errno's location): the GIL is released and errno saved
    assert ffi.errno == 33
    ffi.errno = 0
    assert lib.f5(1) == 6 and ffi.errno == 0  # a leaf: errno untouched
    f = ffi.addressof(lib, "f7")
    assert ffi.typeof(f) is ffi.typeof("int(*)(int)") and f(1) == 8
    # the address of a function whose wrapper is apart: its _cdefc_e_ function, called by C
    # and through libffi with the cdef's types
    assert lib.apply(ffi.addressof(lib, "sum2"), 20, 22) == 42
    p = lib.make(5, 6)
    assert ffi.addressof(lib, "sum_pt")(p) == 11
    assert ffi.typeof(ffi.addressof(lib, "flip")) is ffi.typeof("enum color(*)(enum color)")
    assert ffi.addressof(lib, "flip")(lib.RED) == lib.BLUE
    main = (out / "_pieces_mod.c").read_text()
    assert "_cdefc_e_sum2" in main and "_cdefc_d_sum2" not in main
    assert "_cdefc_d_by_value(" in main  # not erasable: its direct wrapper stays
    part = "".join(p.read_text() for p in out.glob("_pieces_mod.part*.c"))
    assert "CDEFC_CALL(_cdefc_e_set_errno(_cdefc_x0));" in part
    assert "_cdefc_r = _cdefc_e_f5(_cdefc_x0);  /* a leaf" in part
    assert "CDEFC_HIDDEN cdefc_context *_cdefc_ctx;" in main


@pytest.mark.skipif(sys.platform != "linux" or not shutil.which("nm"),
                    reason="checks ELF dynamic symbols with nm")
def test_pieces_export_nothing(pieces):
    module, _ = pieces
    out = subprocess.run(["nm", "-D", "--defined-only", module.__file__], capture_output=True,
                         text=True, check=True).stdout
    names = {line.split()[-1] for line in out.splitlines() if line.split()[-2] in "TDBRtdbr"}
    assert "PyInit__pieces_mod" in names
    assert not [n for n in names if n.startswith("_cdefc")], names


def test_small_modules_stay_in_one_file(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "parallel_jobs", lambda: 4)
    ffi = cdefc.FFI()
    ffi.cdef("int add(int, int);")
    ffi.set_source("_pieces_small", "static int add(int a, int b) { return a + b; }")
    ffi.compile(tmpdir=str(tmp_path))
    assert not list(tmp_path.glob("*.part*.c"))
    assert import_from(tmp_path, "_pieces_small").lib.add(1, 2) == 3


@pytest.mark.parametrize("cc,language", [
    (cc, language) for cc in ("gcc", "clang") if shutil.which(cc) for language in ("c", "c++")])
def test_pieces_compile_without_warnings(pieces, cc, language):
    from cdefc.paths import get_include
    _, out = pieces
    flags = ["-Wall", "-Wextra", "-Wconversion", "-Werror", "-fsyntax-only", "-x", language,
             "-I" + get_include(), "-I" + sysconfig.get_paths()["include"]]
    for part in sorted(out.glob("_pieces_mod.part*.c")):
        r = subprocess.run([cc, *flags, str(part)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    # the main file's side of the pieces (CDEFC_PIECE definitions), as C and C++ alike
    main = out / "_pieces_mod.c"
    r = subprocess.run([cc, *flags, str(main)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_cplusplus_module_with_pieces(tmp_path, monkeypatch):
    # The main file is C++, the pieces C: they meet through extern "C" symbols.
    monkeypatch.setattr(build, "parallel_jobs", lambda: 2)
    ffi = cdefc.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("_pieces_cpp", SOURCE, source_extension=".cpp")
    ffi.compile(tmpdir=str(tmp_path))
    assert len(list(tmp_path.glob("_pieces_cpp.part*.c"))) == 2
    lib = import_from(tmp_path, "_pieces_cpp").lib
    assert lib.f149(1) == 150 and lib.twice(21) == 42 and lib.apply(lib.get_add(), 1, 2) == 3
    assert lib.sum_pt(lib.make(1, 2)) == 3
