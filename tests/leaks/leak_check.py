"""Reference and memory leak check, run by Debian's debug interpreter (python3-dbg).

    python3-dbg leak_check.py WORKDIR

Builds a module with cdefc (the runtime given by CDEFC_RUNTIME_LIBRARY must be compiled against
the debug interpreter's headers, as tests/leaks/run.sh does), then repeats every group of ffi,
cdata and lib operations, error paths included, and fails if sys.gettotalrefcount() or
sys.getallocatedblocks() grows from one round to the next.
"""
import gc
import importlib
import sys

import cdefc

CDEF = """
struct pt { int x, y; };
struct big { double d[60]; };
int add(int, int);
double mul(double, double);
int first(const char *);
int sum_pt(struct pt *);
struct pt swap(struct pt);
struct pt *origin(void);
int apply(int (*)(int), int);
extern "Python" int py_twice(int);
int call_py(int);
int counter;
int numbers[5];
char *name;
#define LIMIT 100
enum color { RED, GREEN };
"""

SOURCE = r"""
struct pt { int x, y; };
struct big { double d[60]; };
static int add(int a, int b) { return a + b; }
static double mul(double a, double b) { return a * b; }
static int first(const char *s) { return s ? s[0] : -1; }
static int sum_pt(struct pt *p) { return p->x + p->y; }
static struct pt swap(struct pt p) { struct pt q = {p.y, p.x}; return q; }
static struct pt the_origin;
static struct pt *origin(void) { return &the_origin; }
static int apply(int (*f)(int), int x) { return f(x); }
static int py_twice(int);
static int call_py(int x) { return py_twice(x); }
int counter;
int numbers[5] = {1, 2, 3, 4, 5};
char *name;
enum color { RED, GREEN };
#define LIMIT 100
"""


def build(workdir):
    ffi = cdefc.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("_leak_mod", SOURCE)
    ffi.compile(tmpdir=workdir)
    sys.path.insert(0, workdir)
    return importlib.import_module("_leak_mod")


def raises(exc, f, *args):
    try:
        f(*args)
    except exc:
        return
    raise AssertionError(f"{f} did not raise {exc.__name__}")


def groups(mod):
    ffi, lib = mod.ffi, mod.lib

    @ffi.def_extern()
    def py_twice(x):
        return 2 * x

    buf = bytearray(64)
    p = ffi.new("struct pt *", [1, 2])
    a = ffi.new("int[10]", list(range(10)))
    name = ffi.new("char[]", b"hello")

    def ffi_new():
        ffi.new("int *", 5)
        ffi.new("struct pt *", {"x": 1, "y": 2})
        ffi.new("struct big *")
        ffi.new("int[100]", list(range(100)))
        ffi.new("char[]", b"abc" * 200)
        ffi.new("int[]", 2000)
        with ffi.new("int[50]") as q:
            q[3] = 4

    def casts_and_strings():
        ffi.cast("int", 5)
        ffi.cast("unsigned char", -1)
        ffi.cast("void *", 0x1000)
        ffi.cast("double", 2.5)
        ffi.string(name)
        ffi.string(ffi.cast("char", 65))
        ffi.unpack(a, 10)
        ffi.buffer(a)[:]
        ffi.from_buffer(buf)
        ffi.typeof("struct pt *")
        ffi.sizeof("struct big")
        ffi.offsetof("struct pt", "y")
        ffi.addressof(p[0], "y")
        repr(p)
        str(ffi.typeof(a))

    def cdata_access():
        p.x = p.x + 1
        p.y
        a[3] = a[4]
        a[0:4]
        a[2:5] = [7, 8, 9]
        list(a)
        len(a)
        p[0]
        p == p
        hash(p)
        int(ffi.cast("int", 3))
        float(ffi.cast("double", 3.5))

    def lib_calls():
        lib.add(1, 2)
        lib.mul(1.5, 2.0)
        lib.first(b"xyz")
        lib.first(name)
        lib.first(ffi.NULL)
        lib.sum_pt(p)
        lib.sum_pt([[1, 2]])
        lib.swap({"x": 1, "y": 2})
        lib.origin()
        lib.call_py(21)
        lib.apply(lib.py_twice, 4)
        lib.counter = lib.counter + 1
        lib.numbers[1]
        lib.name = name
        lib.name
        lib.LIMIT
        lib.RED
        ffi.addressof(lib, "add")
        ffi.errno = 3
        ffi.errno

    def callbacks_and_handles():
        cb = ffi.callback("int(int)", lambda x: x + 1)
        lib.apply(cb, 1)
        obj = object()
        h = ffi.new_handle(obj)
        assert ffi.from_handle(h) is obj
        g = ffi.gc(ffi.new("int *"), lambda c: None)
        ffi.release(g)
        ffi.gc(ffi.new("int *"), lambda c: None)
        ffi.init_once(lambda: 1, "tag")
        alloc = ffi.new_allocator()
        alloc("int[3]")

    def error_paths():
        raises(TypeError, lib.add, "1", 2)
        raises(OverflowError, lib.add, 2**40, 2)
        raises(TypeError, lib.add, 1)
        raises(TypeError, lib.sum_pt, 5)
        raises(TypeError, lib.first, "str")
        raises(IndexError, a.__getitem__, 10)
        raises(IndexError, a.__setitem__, -1, 0)
        raises(ffi.error, ffi.new, "struct nowhere *")
        raises(ffi.error, ffi.typeof, "int[")
        raises(AttributeError, getattr, lib, "missing")
        raises(AttributeError, getattr, p, "z")
        raises(TypeError, setattr, p, "x", "str")
        raises(TypeError, ffi.cast, "int", None)
        raises(RuntimeError, ffi.cast("int *", 0).__getitem__, 0)
        raises(TypeError, lib.apply, lambda x: x, 1)
        bad = ffi.callback("int(int)", lambda x: 1 / 0, error=-1)  # reported, not raised
        saved, sys.unraisablehook = sys.unraisablehook, lambda info: None
        try:
            lib.apply(bad, 1)
        finally:
            sys.unraisablehook = saved

    return [ffi_new, casts_and_strings, cdata_access, lib_calls, callbacks_and_handles,
            error_paths]


REPEAT = 200
LEAK_EVERY = 10


def measure(fn, repeat):
    gc.collect()
    refs, blocks = sys.gettotalrefcount(), sys.getallocatedblocks()
    for _ in range(repeat):
        fn()
    gc.collect()
    return sys.gettotalrefcount() - refs, sys.getallocatedblocks() - blocks


def main():
    mod = build(sys.argv[1])
    # The check itself: a function that keeps one object in ten calls must be found leaking.
    kept = []
    canary = [measure(lambda: kept.append(object()) if len(kept) % 10 == 0 else kept.append(None),
                      REPEAT) for _ in range(4)]
    assert min(r for r, _ in canary) >= REPEAT // LEAK_EVERY, canary
    failed = []
    for fn in groups(mod):
        for _ in range(3):  # warm up: caches fill, types are made
            measure(fn, 50)
        # Growth in each of 4 rounds of REPEAT repetitions.
        rounds = [measure(fn, REPEAT) for _ in range(4)]
        refs = [r for r, _ in rounds]
        blocks = [b for _, b in rounds]
        # A leak of one object every LEAK_EVERY repetitions grows every round by this much;
        # caches and the measurement itself move by a few.
        leaking = min(refs) >= REPEAT // LEAK_EVERY or min(blocks) >= REPEAT // LEAK_EVERY
        print(f"{fn.__name__:22} refs {refs} blocks {blocks} {'LEAK' if leaking else 'ok'}")
        if leaking:
            failed.append(fn.__name__)
    if failed:
        sys.exit(f"leaks in: {', '.join(failed)}")
    print("no leak")


if __name__ == "__main__":
    main()
