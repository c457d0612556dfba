# Symbol hygiene: a built module exports PyInit_<name> alone (`nm -D --defined-only`), plus
# what the user's own C defines non-static (as with CFFI); the runtime and the C++ standard
# library linked into it stay hidden, so modules do not bind to each other's code, and several
# of them (C and C++) work side by side in one process.
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

import cdefc
from cdefc import build

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)
if sys.platform in ("win32", "cygwin", "darwin") or not shutil.which("nm"):
    pytest.skip("checks ELF dynamic symbols with nm", allow_module_level=True)

# (module name, cdef, source, source_extension)
MODULES = {
    "c": ("pkg._hyg_c", "int add(int a, int b); int sum(int *p, int n);", r"""
        static int add(int a, int b) { return a + b; }
        static int sum(int *p, int n) { int s = 0; while (n--) s += *p++; return s; }
    """, ".c"),
    "other_c": ("_hyg_other", "int sum(int *p, int n);", r"""
        static int sum(int *p, int n) { int s = 0; while (n--) s += *p++; return s; }
    """, ".c"),
    "cpp": ("pkg._hyg_cpp", "int count_words(const char *text);", r"""
        #include <set>
        #include <sstream>
        #include <string>
        extern "C" { static int count_words(const char *text) {
            std::istringstream in(text);
            std::set<std::string> words;
            for (std::string w; in >> w;) words.insert(w);
            return (int)words.size();
        } }
    """, ".cpp"),
    # The user's non-static C and `extern "Python+C"` functions are exported, as by CFFI.
    "user_exports": ("_hyg_user", """
        int visible(int);
        extern "Python+C" { int on_event(int); }
    """, r"""
        int visible(int x) { return x + 1; }
    """, ".c"),
}

#: Symbols the linker itself defines, exported by gold (and old GNU ld), never code.
LINKER_DEFINED = {"__bss_start", "_edata", "_end"}


def defined_dynamic_symbols(path):
    out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    symbols = (line.split()[-1] for line in out.splitlines() if line.strip())
    return sorted(set(symbols) - LINKER_DEFINED)


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    """The MODULES, built with compile() into one directory: kind -> path."""
    directory = tmp_path_factory.mktemp("symbols")
    built = {}
    for kind, (name, cdef, source, extension) in MODULES.items():
        ffibuilder = cdefc.FFI()
        ffibuilder.cdef(cdef)
        ffibuilder.set_source(name, source, source_extension=extension)
        built[kind] = ffibuilder.compile(tmpdir=str(directory))
    return built


@pytest.mark.parametrize("kind", ["c", "cpp"])
def test_module_exports_only_its_init_function(modules, kind):
    name = MODULES[kind][0].rpartition(".")[2]
    assert defined_dynamic_symbols(modules[kind]) == [f"PyInit_{name}"]


def needed_libraries(path):
    """The DT_NEEDED entries of a shared object (readelf -d)."""
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True,
                         check=True).stdout
    return sorted(line.split("[")[1].split("]")[0] for line in out.splitlines()
                  if "(NEEDED)" in line)


@pytest.mark.skipif(not shutil.which("readelf"), reason="needs readelf")
def test_a_c_module_loads_no_cxx_library(modules):
    # libstdc++ and its unwinder are linked in: loading libgcc_s.so alone would be about half
    # of the module's import time.
    needed = needed_libraries(modules["c"])
    assert not [lib for lib in needed if lib.startswith(("libstdc++", "libgcc_s"))], needed
    assert any(lib.startswith("libffi") for lib in needed)


def test_the_users_own_symbols_are_exported_as_by_cffi(modules):
    assert defined_dynamic_symbols(modules["user_exports"]) == \
        ["PyInit__hyg_user", "on_event", "visible"]


def test_modules_work_side_by_side(modules):
    """Two C modules (each with its own hidden copy of the runtime and libstdc++) and a C++
    module (libstdc++.so) in one process: calls, errors raised by the runtime, and cdata
    of one module given to another."""
    use = r'''
import sys
sys.path.insert(0, sys.argv[1])
from pkg import _hyg_c, _hyg_cpp
import _hyg_other
assert _hyg_c.lib.add(2, 3) == 5
assert _hyg_cpp.lib.count_words(b"a b a c") == 3
try:
    _hyg_c.lib.add(2**40, 1)
except OverflowError as e:
    assert "32-bit int" in str(e), e
else:
    raise AssertionError("no OverflowError")
for ffi in (_hyg_c.ffi, _hyg_cpp.ffi, _hyg_other.ffi):
    try:
        ffi.new("struct nope *")
    except ffi.error:
        pass
    else:
        raise AssertionError("no ffi.error")
p = _hyg_c.ffi.new("int[3]", [1, 2, 3])
q = _hyg_other.ffi.new("int[2]", [4, 5])
assert (_hyg_other.lib.sum(p, 3), _hyg_c.lib.sum(q, 2)) == (6, 9)
print("ok")
'''
    directory = os.path.dirname(os.path.dirname(modules["c"]))
    result = subprocess.run([sys.executable, "-c", use, directory], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_archives_are_hidden_before_the_static_cxx_runtime():
    """C and C++ modules alike link with --exclude-libs,ALL; CC and LDFLAGS stay setuptools'."""
    for c_file in ("_c.c", "_c.cpp"):
        ext = build.make_extension("_c", c_file, {"extra_link_args": ["-Wl,-z,now"]}, True)
        assert ext.extra_link_args[:2] == ["-Wl,-z,now", "-Wl,--exclude-libs,ALL"]
