# The GIL decision (set_source(release_gil=...)): a function whose body Clang sees and proves a
# leaf keeps the GIL and leaves errno alone; one with a loop or a call releases it (CFFI's
# way); True/False and a per-function dict override it; ffi.errno stays right in every case.
# Whether the GIL was released is seen from Python: another thread can set a global only
# while the C function runs without it.
import shutil
import sysconfig
import threading

import pytest

import cdefc
from conftest import import_from

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)

CDEF = """
int add(int, int);
extern int flag;
int wait_for_flag(int max_ms);
int set_errno_to(int);
"""

SOURCE = r"""
#include <errno.h>
#include <time.h>
int add(int a, int b) { return a + b; }
volatile int flag;
/* Clears the flag, then waits (at most max_ms) for another thread to set it: only a thread
   running Python can, so 1 means the GIL was released around this call. */
int wait_for_flag(int max_ms) {
    struct timespec t0, t;
    flag = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (flag) return 1;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > max_ms)
            return 0;
    }
}
int set_errno_to(int e) { errno = e; return -1; }
"""


def build(tmp_path, name, **release):
    ffi = cdefc.FFI()
    ffi.cdef(CDEF)
    ffi.set_source(name, SOURCE, **release)
    ffi.compile(tmpdir=str(tmp_path))
    module = import_from(tmp_path, name)
    gil = {f["name"]: f.get("gil") for f in ffi._model["functions"]}
    return module, gil


def released_around(module):
    """Whether lib.wait_for_flag() ran without the GIL: a thread sets the flag meanwhile."""
    stop = threading.Event()

    def setter():
        while not stop.is_set():
            module.lib.flag = 1

    thread = threading.Thread(target=setter)
    thread.start()
    try:
        return module.lib.wait_for_flag(300) == 1
    finally:
        stop.set()
        thread.join()


def test_auto_keeps_it_for_a_leaf_and_releases_it_for_the_rest(tmp_path):
    module, gil = build(tmp_path, "_gil_auto")
    assert gil == {"add": "kept (leaf; errno untouched)",
                   "wait_for_flag": "released (not a leaf: it accesses a volatile object)",
                   "set_errno_to": "released (not a leaf: it calls a function)"}
    assert released_around(module)
    ffi, lib = module.ffi, module.lib
    ffi.errno = 7
    assert lib.add(40, 2) == 42 and ffi.errno == 7  # a leaf leaves errno alone
    assert lib.set_errno_to(33) == -1 and ffi.errno == 33
    text = (tmp_path / "_gil_auto.c").read_text()
    assert "= (int)add(_cdefc_x0, _cdefc_x1);  /* a leaf: the GIL is kept, errno untouched */" \
        in text


def test_per_function_choice(tmp_path):
    module, gil = build(tmp_path, "_gil_dict",
                        release_gil={"wait_for_flag": False, "set_errno_to": False, "add": True})
    assert gil == {"add": "released (release_gil={'add': True})",
                   "wait_for_flag": "kept (release_gil={'wait_for_flag': False})",
                   "set_errno_to": "kept (release_gil={'set_errno_to': False})"}
    assert not released_around(module)
    ffi, lib = module.ffi, module.lib
    ffi.errno = 0
    assert lib.set_errno_to(21) == -1 and ffi.errno == 21  # kept GIL, errno still saved
    ffi.errno = 5
    assert lib.add(1, 2) == 3 and ffi.errno == 5


@pytest.mark.parametrize("release_gil,expected", [
    (True, {"released (release_gil=True)"}),
    # a leaf whose GIL is kept leaves errno alone, whatever kept it
    (False, {"kept (release_gil=False)", "kept (release_gil=False; errno untouched)"})])
def test_always_and_never(tmp_path, release_gil, expected):
    name = f"_gil_{str(release_gil).lower()}"
    module, gil = build(tmp_path, name, release_gil=release_gil)
    assert set(gil.values()) == expected
    assert released_around(module) is release_gil
    module.ffi.errno = 0
    assert module.lib.set_errno_to(12) == -1 and module.ffi.errno == 12


def test_bad_values():
    ffi = cdefc.FFI()
    with pytest.raises(TypeError, match="'release_gil' must be True, False, \"auto\""):
        ffi.set_source("_m", "", release_gil="sometimes")
    with pytest.raises(TypeError, match="maps function names to True or False"):
        cdefc.FFI().set_source("_m", "", release_gil={"f": 1})


def test_an_unknown_name_is_a_warning(tmp_path):
    ffi = cdefc.FFI()
    ffi.cdef("int add(int, int);")
    ffi.set_source("_gil_unknown", "int add(int a, int b) { return a + b; }",
                   release_gil={"ad": False})
    with pytest.warns(cdefc.VerificationWarning,
                      match="release_gil names 'ad', which is no function of the cdef"):
        ffi.emit_c_code(str(tmp_path / "_gil_unknown.c"))


def test_a_function_calling_only_extern_python_keeps_it(tmp_path):
    # Its calls take the GIL anyway: keeping it saves a release and a reacquisition; errno
    # is still saved (the Python code may set ffi.errno).
    ffi = cdefc.FFI()
    ffi.cdef('extern "Python" int twice_in_python(int); int via_python(int);'
             'int via_python_twice(int);')
    ffi.set_source("_gil_python", """
        #include <errno.h>
        static int twice_in_python(int);
        static int via_python(int x) { return twice_in_python(x) + 1; }
        static int via_python_twice(int x) { errno = 3; return twice_in_python(x); }
    """)
    ffi.compile(tmpdir=str(tmp_path))
    gil = {f["name"]: f.get("gil") for f in ffi._model["functions"]}
    assert gil["via_python"] == 'kept (leaf but for extern "Python" calls)'
    assert gil["via_python_twice"] == "released (not a leaf: it calls a function)"  # errno
    module = import_from(tmp_path, "_gil_python")

    @module.ffi.def_extern()
    def twice_in_python(x):
        module.ffi.errno = 11
        return 2 * x

    module.ffi.errno = 0
    assert module.lib.via_python(20) == 41 and module.ffi.errno == 11
    assert module.lib.via_python_twice(4) == 8
