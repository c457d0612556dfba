#!/usr/bin/env python3
"""Benchmarks of cdefc against CFFI and a hand-written extension, in one process.

    .venv/bin/python bench/run.py                 # the default interpreter
    python3 bench/run.py --python /path/to/python # runs itself again under that interpreter

Builds three extension modules over the same C functions (bench/bench_lib.h) into a temporary
directory: `_bench_cdefc` (cdefc's FFI), `_bench_cffi` (CFFI's FFI, same cdef and source) and
`_bench_hand` (bench/handwritten.c), all with setuptools and the interpreter's compile flags.
Then it times each operation on the three modules in interleaved repetitions and prints the
median ns/op and the ratios cdefc/CFFI and cdefc/hand-written, then import times, .so sizes
and the memory of 100k `ffi.new("struct point *")`. See bench/README.md.
"""
import argparse
import contextlib
import itertools
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MODULES = {"cdefc": "_bench_cdefc", "cffi": "_bench_cffi", "hand": "_bench_hand"}
IMPLS = tuple(MODULES)

CDEF = """
    #define BENCH_MAGIC 42
    struct point { int x; int y; };
    int counter;
    int add(int a, int b);
    int add_unseen(int a, int b);
    double mul(double a, double b);
    void nop(void);
    int first_char(const char *s);
    int point_sum(struct point *p);
    struct point *origin(void);
    extern "Python" int py_cb(int);
    int call_cb(int x);
"""
# cdefc and CFFI only: extern "Python" (the hand-written module has no equivalent).
SOURCE = """#include "bench_lib.h"
static int py_cb(int);
static int call_cb(int x) { return py_cb(x); }
"""

# ---- what is measured --------------------------------------------------------------------
#
# (group, label, statement for cdefc and CFFI, statement for the hand-written module or None).
# A statement sees: ffi, lib (or m, the hand-written module), p (a struct point * from
# ffi.new, or m.Point()), a (an int[16] from ffi.new, or m.IntArray()), s = b"hello", c (a
# char[] 'hello' from ffi.new, None for the hand-written module),
# add = lib.add (or m.add) bound beforehand.
BENCHMARKS = [
    ("calls", "lib.add(1, 2)", "lib.add(1, 2)", "m.add(1, 2)"),
    ("calls", "add(1, 2)  [add = lib.add]", "add(1, 2)", "add(1, 2)"),
    # body not seen: cdefc releases the GIL, as CFFI, and so does this hand-written function
    ("calls", "lib.add_unseen(1, 2)  [GIL released]", "lib.add_unseen(1, 2)",
     "m.add_unseen_released(1, 2)"),
    ("calls", "lib.mul(1.5, 2.0)", "lib.mul(1.5, 2.0)", "m.mul(1.5, 2.0)"),
    ("calls", "lib.nop()", "lib.nop()", "m.nop()"),
    ("calls", "lib.first_char(b'hello')", "lib.first_char(s)", "m.first_char(s)"),
    ("calls", "lib.point_sum(p)", "lib.point_sum(p)", "m.point_sum(p)"),
    ("calls", "lib.origin()  [-> struct point *]", "lib.origin()", "m.origin()"),
    ("calls", 'lib.call_cb(1)  [extern "Python" round trip]', "lib.call_cb(1)", None),
    ("lib attributes", "lib.add", "lib.add", "m.add"),
    ("lib attributes", "lib.BENCH_MAGIC  [#define]", "lib.BENCH_MAGIC", "m.BENCH_MAGIC"),
    ("lib attributes", "lib.counter  [global read]", "lib.counter", "m.counter"),
    ("lib attributes", "lib.counter = 5  [global write]", "lib.counter = 5", "m.counter = 5"),
    ("cdata", 'ffi.new("struct point *")', 'ffi.new("struct point *")', "m.Point()"),
    ("cdata", 'ffi.new("int[16]")', 'ffi.new("int[16]")', "m.IntArray()"),
    ("cdata", "p.x", "p.x", "p.x"),
    ("cdata", "p.x = 5", "p.x = 5", "p.x = 5"),
    ("cdata", "a[3]", "a[3]", "a[3]"),
    ("cdata", "a[3] = 7", "a[3] = 7", "a[3] = 7"),
    ("cdata", 'ffi.cast("int", 5)', 'ffi.cast("int", 5)', None),
    ("cdata", 'ffi.new("int[100]")', 'ffi.new("int[100]")', None),
    ("cdata", "ffi.string(c)  [char[] 'hello']", "ffi.string(c)", None),
]

# Expected values, checked on every module before anything is timed.
CHECKS = [
    ("lib.add(1, 2)", "m.add(1, 2)", 3),
    ("lib.add_unseen(1, 2)", "m.add_unseen_released(1, 2)", 3),
    ("lib.mul(1.5, 2.0)", "m.mul(1.5, 2.0)", 3.0),
    ("lib.nop()", "m.nop()", None),
    ("lib.first_char(s)", "m.first_char(s)", ord("h")),
    ("lib.point_sum(p)", "m.point_sum(p)", 3),
    ("lib.BENCH_MAGIC", "m.BENCH_MAGIC", 42),
    ("a[3]", "a[3]", 4),
    ("int(ffi.cast('int', 5))", None, 5),
    ("lib.call_cb(20)", None, 21),
    ("ffi.string(c)", None, b"hello"),
]

UNROLL = 10  # statements per loop iteration; the empty loop's time is subtracted


# ---- environment -------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", help="run the benchmarks under this interpreter")
    parser.add_argument("--build-dir", help="cdefc CMake build tree whose compiler and runtime "
                        "to use with the package of this checkout (python/); default: "
                        "$CDEFC_BUILD_DIR, else build/ if it is built, else the cdefc "
                        "installed in the interpreter")
    parser.add_argument("--installed", action="store_true",
                        help="use the cdefc package installed in the interpreter")
    parser.add_argument("--out", help="build the modules here (kept); default: a temporary "
                        "directory, removed at the end")
    parser.add_argument("--repeat", type=int, default=25,
                        help="timed batches per operation and module (default 25)")
    parser.add_argument("--batch-ms", type=float, default=3.0,
                        help="target duration of one batch in ms (default 3)")
    parser.add_argument("--import-runs", type=int, default=11,
                        help="fresh interpreters per module for the import time (default 11)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions (a smoke test, numbers are noisier)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurement")
    parser.add_argument("--no-big", action="store_true",
                        help="skip the generated 1,000-function module (about a minute)")
    parser.add_argument("--verbose", action="store_true", help="show the build output")
    parser.add_argument("--results", default=None,
                        help="write the report to this Markdown file and a chart of the times "
                        "beside it (default: bench/RESULTS.md and bench/results.png, not with "
                        "--quick); '-' writes none")
    return parser.parse_args(argv)


def reexec_under(python, argv):
    """Run this script again under `python` with the same options minus --python."""
    rest, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--python":
            skip = True
        elif not arg.startswith("--python="):
            rest.append(arg)
    exe = shutil.which(python) or python
    os.execv(exe, [exe, str(Path(__file__).resolve()), *rest])


def setup_cdefc(args):
    """Make `import cdefc` find the package to benchmark; returns a description of it."""
    if not args.installed:
        build = args.build_dir or os.environ.get("CDEFC_BUILD_DIR")
        if build is None and (ROOT / "build" / "compiler" / "cdefc").exists():
            build = ROOT / "build"
        if build is not None:
            build = Path(build).resolve()
            tools = {"CDEFC_COMPILER": build / "compiler" / "cdefc",
                     "CDEFC_RUNTIME_LIBRARY": build / "runtime" / "libcdefc_runtime.a",
                     "CDEFC_INCLUDE_DIR": ROOT / "include"}
            for var, path in tools.items():
                if not path.exists():
                    sys.exit(f"bench: {path} does not exist (is {build} built?)")
                os.environ[var] = str(path)
            sys.path.insert(0, str(ROOT / "python"))
    try:
        import cdefc
    except ImportError:
        sys.exit("bench: cannot import cdefc: build it (./run.sh) or give --build-dir")
    from cdefc.paths import get_library
    where = os.environ.get("CDEFC_COMPILER")
    build_type = "?"
    if where:
        cache = Path(where).parents[1] / "CMakeCache.txt"
        if cache.exists():
            for line in cache.read_text().splitlines():
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    build_type = line.split("=", 1)[1] or "(none)"
        return f"{Path(cdefc.__file__).parent} with {Path(where).parents[1]} ({build_type})"
    return f"{Path(cdefc.__file__).parent} (installed, runtime {get_library()})"


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def print_environment(cdefc_desc):
    import cffi
    import _cffi_backend
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"Python   {platform.python_version()} ({sys.executable})")
    print(f"CFFI     {cffi.__version__} (backend {_cffi_backend.__version__}, "
          f"{_cffi_backend.__file__})")
    print(f"cdefc    {cdefc_desc}")
    print(f"CPU      {cpu_model()}; {os.cpu_count()} CPUs, {affinity} usable; "
          f"load average {load}")
    print(f"CFLAGS   {sysconfig.get_config_var('CFLAGS')}")


# ---- building ----------------------------------------------------------------------------

@contextlib.contextmanager
def output_to(log_path, verbose):
    """Send fd 1 and 2 (compiler output included) to log_path unless verbose."""
    if verbose:
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    # Python-level prints bypass the report's Tee (they belong to the build log).
    stdout = sys.stdout
    sys.stdout = getattr(stdout, "stream", stdout)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            sys.stdout = stdout


def build_ffi_module(ffi_class, module_name, out):
    ffi = ffi_class()
    ffi.cdef(CDEF)
    ffi.set_source(module_name, SOURCE, include_dirs=[str(BENCH)],
                   sources=[str(BENCH / "bench_unseen.c")])
    return ffi.compile(tmpdir=str(out))


def build_handwritten(out):
    from setuptools import Distribution, Extension
    ext = Extension(MODULES["hand"], sources=[str(BENCH / "handwritten.c"),
                                              str(BENCH / "bench_unseen.c")],
                    include_dirs=[str(BENCH)])
    dist = Distribution({"ext_modules": [ext]})
    cmd = dist.get_command_obj("build_ext")
    cmd.build_lib = str(out)
    cmd.build_temp = str(out / "hand-build")
    cmd.force = True
    dist.run_command("build_ext")
    [path] = cmd.get_outputs()
    return path


def build_all(out, verbose):
    """Build the three modules in `out`; returns {impl: path of the .so}."""
    import cdefc
    import cffi
    log = out / "build.log"
    builders = {"cdefc": lambda: build_ffi_module(cdefc.FFI, MODULES["cdefc"], out),
                "cffi": lambda: build_ffi_module(cffi.FFI, MODULES["cffi"], out),
                "hand": lambda: build_handwritten(out)}
    paths = {}
    for impl, build in builders.items():
        start = time.perf_counter()
        try:
            with output_to(log, verbose):
                paths[impl] = os.path.abspath(build())
        except BaseException as error:
            if log.exists():
                sys.stderr.write(log.read_text(errors="replace")[-6000:])
            sys.exit(f"bench: building {MODULES[impl]} failed: {error!r}")
        print(f"built    {Path(paths[impl]).name:44} {time.perf_counter() - start:6.2f} s")
    return paths


# ---- timing ------------------------------------------------------------------------------

def namespaces(mods):
    """The variables the statements see, per implementation."""
    result = {}
    for impl in ("cdefc", "cffi"):
        ffi, lib = mods[impl].ffi, mods[impl].lib
        p = ffi.new("struct point *")
        p.x, p.y = 1, 2
        a = ffi.new("int[16]", list(range(1, 17)))

        @ffi.def_extern()
        def py_cb(x):
            return x + 1

        result[impl] = dict(ffi=ffi, lib=lib, m=None, p=p, a=a, s=b"hello", add=lib.add,
                            c=ffi.new("char[]", b"hello"))
    m = mods["hand"]
    p = m.Point()
    p.x, p.y = 1, 2
    a = m.IntArray()
    for i in range(16):
        a[i] = i + 1
    result["hand"] = dict(ffi=None, lib=None, m=m, p=p, a=a, s=b"hello", add=m.add, c=None)
    return result


def check(mods, ns):
    for stmt, hand_stmt, expected in CHECKS:
        for impl in IMPLS:
            code = hand_stmt if impl == "hand" else stmt
            if code is None:
                continue
            got = eval(code, {}, dict(ns[impl]))
            if got != expected or type(got) is not type(expected):
                sys.exit(f"bench: {impl}: {code} is {got!r}, expected {expected!r}")
    for impl in ("cdefc", "cffi"):
        ffi, lib = ns[impl]["ffi"], ns[impl]["lib"]
        lib.counter = 7
        if lib.counter != 7:
            sys.exit(f"bench: {impl}: lib.counter = 7 did not stick")
        lib.counter = 0
        q = lib.origin()
        if ffi.typeof(q) is not ffi.typeof("struct point *") or q.x != 0:
            sys.exit(f"bench: {impl}: lib.origin() is {q!r}")


def make_timer(stmt):
    """A function (n, **namespace) -> ns for n iterations of UNROLL copies of stmt."""
    body = "\n".join("        " + stmt for _ in range(UNROLL))
    src = ("def timer(_n, ffi, lib, m, p, a, s, add, c):\n"
           "    _it = _repeat(None, _n)\n"
           "    _t0 = _clock()\n"
           "    for _ in _it:\n"
           f"{body}\n"
           "    return _clock() - _t0\n")
    env = {"_repeat": itertools.repeat, "_clock": time.perf_counter_ns}
    exec(compile(src, f"<bench {stmt}>", "exec"), env)
    return env["timer"]


def calibrate(timer, ns, batch_ns):
    """Iterations making one batch last about batch_ns."""
    n = 16
    while True:
        elapsed = min(timer(n, **ns) for _ in range(3))
        if elapsed >= batch_ns / 8 or n >= 1 << 24:
            return max(1, int(n * batch_ns / max(elapsed, 1)))
        n *= 4


def run_timings(ns, repeat, batch_ms):
    """{(label, impl): [ns/op, ...]} over `repeat` interleaved rounds, empty loop subtracted."""
    batch_ns = batch_ms * 1e6
    rows = []    # per operation: [(key, timer, namespace, n) per module]
    empty = make_timer("pass")
    empty_n = calibrate(empty, ns["hand"], batch_ns)
    for _group, label, stmt, hand_stmt in BENCHMARKS:
        cells = []
        for impl in IMPLS:
            code = hand_stmt if impl == "hand" else stmt
            if code is None:
                continue
            timer = make_timer(code)
            cells.append(((label, impl), timer, ns[impl], calibrate(timer, ns[impl], batch_ns)))
        rows.append(cells)
    samples = {key: [] for cells in rows for key, *_ in cells}
    empty_samples = []
    for round_ in range(repeat):
        empty_samples.append(empty(empty_n, **ns["hand"]) / empty_n)
        for cells in rows:
            # Rotate the order of the modules each round so that none always runs first.
            k = round_ % len(cells)
            for key, timer, namespace, n in cells[k:] + cells[:k]:
                samples[key].append(timer(n, **namespace) / n)
        empty_samples.append(empty(empty_n, **ns["hand"]) / empty_n)
    loop = statistics.median(empty_samples)   # ns per iteration of an empty loop
    per_op = {key: [(t - loop) / UNROLL for t in values] for key, values in samples.items()}
    return per_op, loop / UNROLL


def spread(values):
    """Interquartile range relative to the median, in %."""
    q = statistics.quantiles(values, n=4)
    med = statistics.median(values)
    return 100.0 * (q[2] - q[0]) / med if med > 0 else float("nan")


def fmt_ns(x):
    return "—" if x is None else f"{x:8.1f}"


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "—"
    return f"{a / b:5.2f}x"


def print_timings(per_op, loop_overhead, repeat, batch_ms):
    print()
    print(f"Time per operation: median of {repeat} interleaved batches of ~{batch_ms:g} ms, "
          f"{UNROLL} copies per loop iteration,")
    print(f"empty-loop overhead ({loop_overhead:.2f} ns/op) subtracted. Ratio < 1: cdefc is "
          "faster. 'noise': largest IQR/median of the row.")
    header = (f"{'operation':34} {'cdefc ns':>9} {'CFFI ns':>9} {'hand ns':>9}"
              f" {'cdefc/CFFI':>11} {'cdefc/hand':>11} {'noise':>6}")
    group = None
    ratios = []
    for g, label, _stmt, _hand in BENCHMARKS:
        if g != group:
            group = g
            print()
            print(f"[{g}]")
            print(header)
        med = {impl: statistics.median(per_op[(label, impl)]) if (label, impl) in per_op
               else None for impl in IMPLS}
        noise = max(spread(per_op[(label, impl)]) for impl in IMPLS if (label, impl) in per_op)
        print(f"{label:34} {fmt_ns(med['cdefc']):>9} {fmt_ns(med['cffi']):>9} "
              f"{fmt_ns(med['hand']):>9} {fmt_ratio(med['cdefc'], med['cffi']):>11} "
              f"{fmt_ratio(med['cdefc'], med['hand']):>11} {noise:5.0f}%")
        if med["cdefc"] and med["cffi"]:
            ratios.append(med["cdefc"] / med["cffi"])
    if ratios:
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print()
        print(f"geometric mean of cdefc/CFFI over {len(ratios)} operations: {mean:.2f}x")


# ---- import time, size, memory (fresh interpreters) ----------------------------------------

IMPORT_CODE = """
import sys, time
sys.path.insert(0, {out!r})
t0 = time.perf_counter_ns()
import {module}
t1 = time.perf_counter_ns()
print(t1 - t0)
"""


DLOPEN_CODE = """
import ctypes, time
t0 = time.perf_counter_ns()
ctypes.CDLL({library!r})
t1 = time.perf_counter_ns()
print(t1 - t0)
"""


def needed_libraries(path):
    """The DT_NEEDED entries of a shared object (empty if readelf is missing)."""
    readelf = shutil.which("readelf")
    if readelf is None:
        return []
    result = subprocess.run([readelf, "-d", str(path)], capture_output=True, text=True)
    return [line.rsplit("[", 1)[1].rstrip("]") for line in result.stdout.splitlines()
            if "(NEEDED)" in line]


def import_times(out, runs, libraries=()):
    """{module or library: [ns]}: `import module` (or dlopen of a library) timed inside
    fresh interpreters, interleaved."""
    modules = [*MODULES.values(), "_cffi_backend", *libraries]
    times = {module: [] for module in modules}
    for _ in range(runs):
        for module in modules:
            if module in libraries:
                code = DLOPEN_CODE.format(library=module)
            else:
                code = IMPORT_CODE.format(out=str(out), module=module)
            result = subprocess.run([sys.executable, "-I", "-c", code], check=True,
                                    capture_output=True, text=True)
            times[module].append(int(result.stdout.strip()))
    return times


def stripped_size(path, scratch):
    strip = shutil.which("strip")
    if strip is None:
        return None
    target = scratch / ("stripped-" + Path(path).name)
    result = subprocess.run([strip, "--strip-unneeded", "-o", str(target), str(path)],
                            capture_output=True)
    return target.stat().st_size if result.returncode == 0 else None


MEMORY_CODE = """
import gc, os, sys, tracemalloc
sys.path.insert(0, {out!r})
import {module} as mod
N = {count}
if {is_hand}:
    make = mod.Point
else:
    new = mod.ffi.new
    make = lambda: new("struct point *")
page = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page
warm = [make() for _ in range(1000)]
del warm
objs = [None] * N
gc.collect()
r0 = rss()
for i in range(N):
    objs[i] = make()
r1 = rss()
objs = [None] * N
gc.collect()
tracemalloc.start()
t0 = tracemalloc.get_traced_memory()[0]
for i in range(N):
    objs[i] = make()
t1 = tracemalloc.get_traced_memory()[0]
print((r1 - r0) / N, (t1 - t0) / N)
"""


def memory(out, count=100_000, runs=3):
    """{impl: (RSS bytes/object, tracemalloc bytes/object)}, medians over fresh interpreters."""
    result = {}
    samples = {impl: [] for impl in IMPLS}
    for _ in range(runs):
        for impl, module in MODULES.items():
            code = MEMORY_CODE.format(out=str(out), module=module, count=count,
                                      is_hand=impl == "hand")
            proc = subprocess.run([sys.executable, "-I", "-c", code], check=True,
                                  capture_output=True, text=True)
            samples[impl].append(tuple(float(x) for x in proc.stdout.split()))
    for impl, values in samples.items():
        result[impl] = (statistics.median(v[0] for v in values),
                        statistics.median(v[1] for v in values))
    return result


def print_process_costs(paths, out, import_runs, do_memory):
    import _cffi_backend
    # The C++ library cdefc's module loads and a bare interpreter has not (libffi is shared
    # with _cffi_backend): loading it (and libgcc_s, its dependency) is part of the import.
    extra = [lib for lib in needed_libraries(paths["cdefc"])
             if lib.startswith("libstdc++") and lib not in needed_libraries(_cffi_backend.__file__)]
    times = import_times(out, import_runs, extra)
    med = {module: statistics.median(values) / 1000 for module, values in times.items()}
    c, f, h, b = (med[MODULES["cdefc"]], med[MODULES["cffi"]], med[MODULES["hand"]],
                  med["_cffi_backend"])
    print()
    print(f"[import]  `import <module>` timed in a fresh interpreter (python -I), median of "
          f"{import_runs}; CFFI's includes importing _cffi_backend")
    print(f"{'module':34} {'cdefc µs':>9} {'CFFI µs':>9} {'hand µs':>9}"
          f" {'cdefc/CFFI':>11} {'cdefc/hand':>11}")
    print(f"{'import the module':34} {c:9.1f} {f:9.1f} {h:9.1f} {fmt_ratio(c, f):>11} "
          f"{fmt_ratio(c, h):>11}")
    print(f"{'  of which import _cffi_backend':34} {'':9} {b:9.1f}")
    for lib in extra:
        print(f"{'  of which dlopen ' + lib:34} {med[lib]:9.1f}   (with its dependencies, "
              "in a fresh interpreter)")

    print()
    print("[size]  bytes of the built .so as built (setuptools, the interpreter's CFLAGS) and "
          "after strip --strip-unneeded")
    print(f"{'file':58} {'as built':>11} {'stripped':>11}")
    rows = [("cdefc " + Path(paths["cdefc"]).name + "  (runtime inside)", paths["cdefc"]),
            ("CFFI  " + Path(paths["cffi"]).name, paths["cffi"]),
            ("  + _cffi_backend (needed at run time)", _cffi_backend.__file__),
            ("hand  " + Path(paths["hand"]).name, paths["hand"])]
    sizes = {}
    for label, path in rows:
        sizes[label] = (os.path.getsize(path), stripped_size(path, out))
        s = sizes[label][1]
        print(f"{label:58} {sizes[label][0]:11,} {s if s is None else format(s, ','):>11}")
    cffi_total = [a + b for a, b in zip(sizes[rows[1][0]], sizes[rows[2][0]])
                  if a is not None and b is not None]
    if len(cffi_total) == 2:
        print(f"{'  CFFI module + backend':58} {cffi_total[0]:11,} {cffi_total[1]:11,}")

    if do_memory:
        mem = memory(out)
        print()
        print("[memory]  100k ffi.new(\"struct point *\") kept alive (hand: 100k Point()), "
              "bytes per object, median of 3 fresh interpreters")
        print("          RSS: growth of the resident set; tracemalloc: Python's allocators "
              "only (misses malloc/new)")
        print(f"{'':34} {'cdefc':>9} {'CFFI':>9} {'hand':>9} {'cdefc/CFFI':>11} "
              f"{'cdefc/hand':>11}")
        c, f, h = (mem[impl][0] for impl in IMPLS)
        print(f"{'RSS bytes/object':34} {c:9.1f} {f:9.1f} {h:9.1f} {fmt_ratio(c, f):>11} "
              f"{fmt_ratio(c, h):>11}")
        c, f, h = (mem[impl][1] for impl in IMPLS)
        print(f"{'tracemalloc bytes/object':34} {c:9.1f} {f:9.1f} {h:9.1f}   (no ratios: "
              "not comparable)")


# ---- main --------------------------------------------------------------------------------

# ---- a generated 1,000-function module ----------------------------------------------------

BIG_FUNCTIONS, BIG_STRUCTS = 1000, 250

BIG_FIRST_ACCESS = """
import sys, time
sys.path.insert(0, {out!r})
t0 = time.perf_counter_ns()
from {module} import lib
t1 = time.perf_counter_ns()
for i in range({n}):
    getattr(lib, "f%d" % i)
t2 = time.perf_counter_ns()
print(t1 - t0, t2 - t1)
"""


def big_module_texts():
    """(cdef, source) of a module of BIG_FUNCTIONS functions over BIG_STRUCTS structs."""
    cdef, source = [], []
    for j in range(BIG_STRUCTS):
        prev = f"struct s{j - 1} *prev; " if j else ""
        body = f"struct s{j} {{ int a; double b; char *c; {prev}}};"
        cdef.append(body)
        source.append(body)
    for i in range(BIG_FUNCTIONS):
        j = i % BIG_STRUCTS
        cdef.append(f"int f{i}(int x, struct s{j} *p);")
        source.append(f"int f{i}(int x, struct s{j} *p) {{ return x + {i} + (p ? p->a : 0); }}")
    return "\n".join(cdef), "\n".join(source)


def print_big_module(scratch, import_runs, verbose):
    """Front end (cdef to C), end-to-end compile(), stripped size, import and first access
    of every function, for cdefc and CFFI."""
    import cdefc
    import cffi
    cdef, source = big_module_texts()
    rows = {}
    for impl, factory in (("cdefc", cdefc.FFI), ("cffi", cffi.FFI)):
        out = scratch / f"big_{impl}"
        out.mkdir(parents=True, exist_ok=True)
        name = f"_big_{impl}"

        def builder():
            ffi = factory()
            ffi.cdef(cdef)
            ffi.set_source(name, source)
            return ffi

        with output_to(out / "build.log", verbose):
            t0 = time.perf_counter()
            builder().emit_c_code(str(out / "front.c"))
            t1 = time.perf_counter()
            path = builder().compile(tmpdir=str(out))
            t2 = time.perf_counter()
        imports, firsts = [], []
        for _ in range(max(3, import_runs // 3)):
            code = BIG_FIRST_ACCESS.format(out=str(out), module=name, n=BIG_FUNCTIONS)
            r = subprocess.run([sys.executable, "-I", "-c", code], check=True,
                               capture_output=True, text=True)
            a, b = map(int, r.stdout.split())
            imports.append(a / 1000)
            firsts.append(b / 1000)
        rows[impl] = (t1 - t0, t2 - t1, stripped_size(path, out),
                      statistics.median(imports), statistics.median(firsts))
    print()
    print(f"[big module]  {BIG_FUNCTIONS} functions over {BIG_STRUCTS} structs, built by each "
          "(CFFI's import includes _cffi_backend)")
    print(f"{'':34} {'cdefc':>11} {'CFFI':>11} {'cdefc/CFFI':>11}")
    c, f = rows["cdefc"], rows["cffi"]
    units = [("front end (cdef -> C), s", 0, "{:11.2f}"), ("end-to-end compile(), s", 1, "{:11.2f}"),
             ("stripped .so, bytes", 2, "{:11,d}"), ("import, µs", 3, "{:11.1f}"),
             ("first access of every function, µs", 4, "{:11.1f}")]
    for label, k, form in units:
        cf = c[k] if c[k] is not None else 0
        ff = f[k] if f[k] is not None else 0
        print(f"{label:34} {form.format(cf)} {form.format(ff)} {fmt_ratio(cf, ff):>11}")


class Tee:
    """stdout that also keeps what is printed (for the results file)."""

    def __init__(self, stream):
        self.stream, self.parts = stream, []

    def write(self, text):
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()

    def fileno(self):
        return self.stream.fileno()

    def text(self):
        return "".join(self.parts)


def write_chart(per_op, path):
    """A bar chart of the median ns per operation of the three modules; False without
    matplotlib (Debian: python3-matplotlib)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    labels = [label for _g, label, _s, _h in BENCHMARKS]
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(labels) + 1.2))
    height = 0.27
    for k, (impl, color) in enumerate((("cdefc", "#1f77b4"), ("cffi", "#ff7f0e"),
                                       ("hand", "#2ca02c"))):
        values = [statistics.median(per_op[(label, impl)]) if (label, impl) in per_op else 0
                  for label in labels]
        ax.barh([i + (k - 1) * height for i in range(len(labels))], values, height,
                label={"cffi": "CFFI", "hand": "hand-written"}.get(impl, impl), color=color)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("ns per operation (less is better)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_results(path, report, per_op):
    """RESULTS.md: the report as printed, and the chart beside it."""
    chart = path.with_name("results.png")
    has_chart = write_chart(per_op, chart)
    lines = ["<!-- Written by bench/run.py: the last full run on this machine. -->",
             "# Benchmark results", "",
             f"`bench/run.py` on {time.strftime('%Y-%m-%d %H:%M %Z')}: "
             "ns per operation, ratios below 1 are cdefc faster (see README.md).", ""]
    if has_chart:
        lines += [f"![ns per operation, cdefc, CFFI and hand-written]({chart.name})", ""]
    lines += ["```", report.rstrip("\n"), "```", ""]
    path.write_text("\n".join(lines))
    print(f"wrote {path}" + (f" and {chart}" if has_chart else " (no chart: python3-matplotlib "
                                                                 "is not installed)"))


def main(argv):
    args = parse_args(argv)
    if args.python:
        reexec_under(args.python, argv)
    if args.quick:
        args.repeat, args.batch_ms, args.import_runs = 7, 1.0, 3
    if args.repeat < 3:
        sys.exit("bench: --repeat must be at least 3")
    results = None if args.results == "-" or (args.quick and args.results is None) else \
        Path(args.results or BENCH / "RESULTS.md")
    tee = Tee(sys.stdout)
    sys.stdout = tee
    started = time.perf_counter()
    cdefc_desc = setup_cdefc(args)
    print_environment(cdefc_desc)

    if args.out:
        out = Path(args.out).resolve()
        out.mkdir(parents=True, exist_ok=True)
        cleanup = None
    else:
        out = Path(tempfile.mkdtemp(prefix="cdefc-bench-"))
        cleanup = out
    try:
        paths = build_all(out, args.verbose)
        sys.path.insert(0, str(out))
        import importlib
        mods = {impl: importlib.import_module(name) for impl, name in MODULES.items()}
        for impl, mod in mods.items():
            if os.path.abspath(mod.__file__) != paths[impl]:
                sys.exit(f"bench: imported {mod.__file__}, built {paths[impl]}")
        ns = namespaces(mods)
        check(mods, ns)
        per_op, loop = run_timings(ns, args.repeat, args.batch_ms)
        print_timings(per_op, loop, args.repeat, args.batch_ms)
        print_process_costs(paths, out, args.import_runs, not args.no_memory)
        if not args.no_big:
            print_big_module(out, args.import_runs, args.verbose)
    finally:
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
    print()
    print(f"total {time.perf_counter() - started:.1f} s")
    sys.stdout = tee.stream
    if results is not None:
        write_results(results, tee.text(), per_op)


if __name__ == "__main__":
    main(sys.argv[1:])
