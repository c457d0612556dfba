# Threads: Python threads calling functions that release the GIL, C threads calling back into
# Python (extern "Python" and ffi.callback), ffi.new / ffi.gc / ffi.release and ffi.init_once
# all at once. Every result is checked, and the whole run must end in bounded time (a deadlock
# fails the test instead of hanging the suite).
import shutil
import sys
import sysconfig
import threading
import time

import pytest

import cdefc
from conftest import import_from

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)
if sys.platform == "win32":
    pytest.skip("the C side uses pthreads", allow_module_level=True)

CDEF = """
int spin_add(int a, int b);
extern "Python" int py_square(int);
long long run_threads(int nthreads, int calls);
long long run_threads_fp(int nthreads, int calls, int (*fp)(int));
int call_fp(int (*fp)(int), int x);
int sum_ints(int *p, int n);
"""

SOURCE = r"""
#include <pthread.h>
static int py_square(int);
/* A loop: not a leaf, so the GIL is released around it. */
static int spin_add(int a, int b) {
    volatile int s = 0;
    for (int i = 0; i < 200; ++i) s += i & 0;
    return a + b + s;
}
struct job { int calls; int (*fp)(int); long long sum; };
static void *worker(void *p) {
    struct job *j = (struct job *)p;
    for (int i = 0; i < j->calls; ++i) j->sum += j->fp ? j->fp(i) : py_square(i);
    return 0;
}
static long long run_all(int n, int calls, int (*fp)(int)) {
    pthread_t t[16];
    struct job jobs[16];
    long long total = 0;
    if (n > 16) n = 16;
    for (int i = 0; i < n; ++i) {
        jobs[i].calls = calls; jobs[i].fp = fp; jobs[i].sum = 0;
        pthread_create(&t[i], 0, worker, &jobs[i]);
    }
    for (int i = 0; i < n; ++i) { pthread_join(t[i], 0); total += jobs[i].sum; }
    return total;
}
/* C threads calling the extern "Python" function, or a function pointer (an ffi.callback). */
static long long run_threads(int n, int calls) { return run_all(n, calls, 0); }
static long long run_threads_fp(int n, int calls, int (*fp)(int)) { return run_all(n, calls, fp); }
static int call_fp(int (*fp)(int), int x) { return fp(x); }
static int sum_ints(int *p, int n) { int s = 0; while (n--) s += *p++; return s; }
"""

THREADS = 8
ROUNDS = 150
DEADLINE = 120  # seconds for the whole stress run


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    out = tmp_path_factory.mktemp("threads")
    ffi = cdefc.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("_threads_mod", SOURCE, extra_link_args=["-pthread"])
    ffi.compile(tmpdir=str(out))
    module = import_from(out, "_threads_mod")

    @module.ffi.def_extern()
    def py_square(x):
        return x * x

    return module


def expected_squares(n_threads, calls):
    return n_threads * sum(i * i for i in range(calls))


def test_stress(mod):
    ffi, lib = mod.ffi, mod.lib
    errors = []
    freed = []
    inits = []
    freed_lock = threading.Lock()

    def init():
        inits.append(threading.get_ident())
        time.sleep(0.01)  # others must wait for it, not run it again
        return 42

    def destructor(p):
        with freed_lock:
            freed.append(1)

    def work(k):
        try:
            cb = ffi.callback("int(int)", lambda x: x + k)
            for r in range(ROUNDS):
                assert lib.spin_add(r, k) == r + k
                a = ffi.new("int[]", list(range(r % 50)))
                assert lib.sum_ints(a, len(a)) == sum(range(r % 50))
                g = ffi.gc(ffi.new("int *", r), destructor)
                assert g[0] == r
                if r % 2:
                    ffi.release(g)  # the destructor runs now, once
                del g
                assert lib.call_fp(cb, r) == r + k
                assert ffi.init_once(init, "tag") == 42
                if r % 25 == 0:
                    assert lib.run_threads(3, 20) == expected_squares(3, 20)
                    assert lib.run_threads_fp(2, 10, cb) == 2 * sum(i + k for i in range(10))
                    ffi.errno = k
                    assert ffi.errno == k  # per thread
        except BaseException as error:  # reported below, with the thread's index
            errors.append((k, repr(error)))

    start = time.monotonic()
    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, DEADLINE - (time.monotonic() - start)))
    assert not [t for t in threads if t.is_alive()], "deadlock: threads still running"
    assert errors == []
    import gc
    gc.collect()
    assert len(freed) == THREADS * ROUNDS  # every ffi.gc destructor ran exactly once
    assert len(inits) == 1  # init_once ran its function once for all threads


def test_callbacks_from_many_c_threads(mod):
    # Sixteen C threads at once, none of which Python created.
    lib = mod.lib
    assert lib.run_threads(16, 200) == expected_squares(16, 200)
