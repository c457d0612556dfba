# Bad input from Python: every ffi function, lib calls, cdata operations and attribute writes
# given wrong types, None, huge and negative integers for every integer size, NaN, negative
# sizes, out-of-range indexes and slices, NULL, released memory, bad type strings, wrong
# argument counts, writes to functions and constants. Each case must raise (never crash) the
# exception CFFI raises where CFFI can run it, with CFFI's message (OWN_WORDS: where cdefc
# words it otherwise); cases CFFI cannot run safely name cdefc's class. The cases run in a
# worker process: a crash fails that case alone, and a new worker goes on with the next.
import json
import shutil
import subprocess
import sys
import sysconfig

import pytest

import cdefc

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)
cffi = pytest.importorskip("cffi")

CDEF = """
struct pt { int x, y; };
int add(int, int);
double scale(double);
int first(const char *);
int sum_pt(struct pt *);
int apply(int (*)(int), int);
int counter;
#define K 7
"""
SOURCE = r"""
struct pt { int x, y; };
static int add(int a, int b) { return a + b; }
static double scale(double d) { return 2 * d; }
static int first(const char *s) { return s[0]; }
static int sum_pt(struct pt *p) { return p->x + p->y; }
static int apply(int (*f)(int), int x) { return f(x); }
int counter;
#define K 7
"""

INT_TYPES = ["signed char", "unsigned char", "short", "unsigned short", "int", "unsigned int",
             "long", "unsigned long", "long long", "unsigned long long", "int8_t", "uint8_t",
             "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "size_t",
             "ssize_t"]
BAD_INTS = ["2**64", "-2**64 - 1", "1.5", "'1'", "b'1'", "float('nan')", "float('-inf')"]

# (expression, None: the class CFFI raises | a class name for a case CFFI cannot run safely)
CASES = [(f"ffi.new('{t} *', {v})", None) for t in INT_TYPES for v in BAD_INTS]
CASES += [(e, None) for e in [
    # lib calls: counts, keywords, types, ranges
    "lib.add()", "lib.add(1)", "lib.add(1, 2, 3)", "lib.add(x=1, y=2)", "lib.add(1, None)",
    "lib.add('1', 2)", "lib.add(1.5, 2)", "lib.add(2**31, 0)", "lib.add(-2**31 - 1, 0)",
    "lib.add(2**100, 0)", "lib.add(ffi.NULL, 0)", "lib.add([], 0)",
    "lib.scale(None)", "lib.scale('x')", "lib.scale(2**2000)", "lib.scale(ffi.new('int *'))",
    "lib.first(None)", "lib.first('text')", "lib.first(5)",
    "lib.sum_pt(5)", "lib.sum_pt(ffi.new('int *'))", "lib.sum_pt({'x': 1})",
    "lib.apply(lambda x: x, 1)", "lib.apply(5, 1)", "lib.apply(ffi.new('int *'), 1)",
    # lib attributes
    "lib.nope", "lib.add = 1", "lib.K = 2", "del lib.counter", "lib.counter = 'x'",
    "lib.counter = 2**40", "lib.counter = None", "del lib.K", "lib.new_name = 1",
    "ffi.addressof(lib, 'K')", "ffi.addressof(lib, 'nope')", "ffi.addressof(lib, 3)",
    # cdata: indexes, slices, fields
    "ffi.new('int[4]')[4]", "ffi.new('int[4]')[-1]", "ffi.new('int[4]')[2**70]",
    "ffi.new('int[4]')['a']", "ffi.new('int[4]')[1.5]", "ffi.new('int[4]')[0:5]",
    "ffi.new('int[4]')[3:1]", "ffi.new('int[4]')[::2]", "ffi.new('int[4]')[:2]",
    "a = ffi.new('int[4]'); a[0:2] = [1, 2, 3]", "a = ffi.new('int[4]'); a[4] = 1",
    "a = ffi.new('int[4]'); a[0] = 'x'", "a = ffi.new('int[4]'); a[0] = 2**40",
    "a = ffi.new('int[4]'); del a[0]", "ffi.new('struct pt *')[1]", "ffi.new('struct pt *').z",
    "p = ffi.new('struct pt *'); p.x = 'a'", "p = ffi.new('struct pt *'); p.x = 2**40",
    "p = ffi.new('struct pt *'); del p.x", "p = ffi.new('struct pt *'); p.z = 1",
    "len(ffi.new('struct pt *'))", "len(ffi.new('int *'))", "ffi.new('int *') + 'a'",
    "ffi.new('int *') - ffi.new('char *')", "ffi.new('int[2]') < 3", "int(ffi.new('int[2]'))",
    "float(ffi.new('struct pt *'))", "ffi.new('int *')()", "iter(ffi.new('int *'))",
    "ffi.new('struct pt *')[0][0]",
    # ffi functions
    "ffi.new('int[-1]')", "ffi.new('int[]', -1)", "ffi.new('int[]', 2**62)", "ffi.new('int')",
    "ffi.new('struct nowhere *')", "ffi.new('void *', 1)", "ffi.new(3)", "ffi.new('int[2]', [1, 2, 3])",
    "ffi.new('struct pt *', [1, 2, 3])", "ffi.new('struct pt *', {'z': 1})",
    "ffi.new('char[]', 'text')", "ffi.new('int *', [1])",
    "ffi.cast('int', None)", "ffi.cast('struct pt', 1)",
    "ffi.cast('int', 'ab')", "ffi.cast(3, 1)",
    "ffi.typeof('int[')", "ffi.typeof('struct')", "ffi.typeof(3)", "ffi.typeof('int int')",
    "ffi.typeof('int[...]')", "ffi.typeof('nope_t')", "ffi.typeof('')",
    "ffi.sizeof('void')", "ffi.sizeof('struct nowhere')", "ffi.sizeof(3)",
    "ffi.alignof('void')", "ffi.offsetof('struct pt', 'z')", "ffi.offsetof('int', 'x')",
    "ffi.string(3)", "ffi.string(ffi.new('struct pt *'))", "ffi.string(ffi.new('int[2]'), -2)",
    "ffi.unpack(ffi.new('int[2]'), -1)", "ffi.unpack(3, 1)", "ffi.unpack(ffi.new('void **')[0], 1)",
    "ffi.buffer(3)", "ffi.buffer(ffi.new('int *'))[8]",
    "ffi.from_buffer('str')", "ffi.from_buffer(3)", "ffi.from_buffer(b'abc', require_writable=True)",
    "ffi.release(3)", "ffi.release(ffi.cast('int *', 0))",
    "ffi.gc(3, None)", "ffi.callback('int(int)', 3)",
    "ffi.callback('int', lambda: 1)", "ffi.callback('int(int)', lambda x: x, error='x')",
    "ffi.addressof(3)", "ffi.addressof(ffi.new('struct pt *')[0], 'z')",
    "ffi.init_once(3, 'tag')", "ffi.new_allocator(3)('int *')",
    "ffi.dlopen(3)", "ffi.dlclose(3)", "ffi.getctype(3)", "ffi.getctype('int', 3)",
    "ffi.errno = 'x'", "ffi.integer_const('nope')", "ffi.list_types(1)",
]]
# Where CFFI reads freed or NULL memory (or crashes), cdefc raises: the class it raises.
CASES += [
    ("ffi.cast('int *', 0)[0]", "RuntimeError"),
    ("ffi.cast('struct pt *', 0).x", "RuntimeError"),
    ("ffi.cast('int *', 0)[0] = 1", "RuntimeError"),
    ("ffi.string(ffi.cast('char *', 0))", "RuntimeError"),
    ("ffi.cast('int(*)(int)', 0)(1)", "RuntimeError"),
    ("ffi.from_handle(ffi.NULL)", "RuntimeError"),
    ("ffi.from_handle(ffi.new('int *'))", "RuntimeError"),
    ("q = ffi.new('int[4]'); ffi.release(q); q[0]", "RuntimeError"),
    ("q = ffi.new('struct pt *'); ffi.release(q); q.x", "RuntimeError"),
    ("q = ffi.new('int[4]'); ffi.release(q); list(q)", "RuntimeError"),
    ("q = ffi.new('char[]', b'ab'); ffi.release(q); ffi.string(q)", "RuntimeError"),
    ("q = ffi.new('int[4]'); ffi.release(q); ffi.buffer(q)[:]", "RuntimeError"),
    ("ffi.unpack(ffi.new('int[2]'), 3)", "IndexError"),
    ("ffi.new('struct pt *')[0:2]", "IndexError"),
    ("ffi.memmove(ffi.new('char[2]'), b'x' * 10, 10)", "IndexError"),  # CFFI writes past it
    ("ffi.memmove(3, b'x', 1)", "TypeError"),  # CFFI takes 3 as an address
    ("ffi.cast('int[2]', 1)", "TypeError"),  # CFFI makes an array at address 1
]

# Same class as CFFI, other words: the type-name grammar's more precise messages, cdefc's own
# type names ('cdefc.CData'), Python's own operator messages. Every other message is CFFI's.
OWN_WORDS = {
    "ffi.addressof(lib, 3)", "a = ffi.new('int[4]'); a[0:2] = [1, 2, 3]",
    "a = ffi.new('int[4]'); del a[0]", "ffi.new('int *') + 'a'", "ffi.new('int[2]') < 3",
    "ffi.new('int[-1]')", "ffi.typeof('int[')", "ffi.typeof('struct')", "ffi.typeof('int int')",
    "ffi.typeof('int[...]')", "ffi.typeof('')", "ffi.string(3)", "ffi.unpack(3, 1)",
    "ffi.buffer(3)", "ffi.gc(3, None)", "ffi.dlopen(3)", "ffi.dlclose(3)",
}

WORKER = r"""
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
sys.path[:0] = sys.argv[1:3]
mods = {"cdefc": importlib.import_module("_bad_cdefc"), "cffi": importlib.import_module("_bad_cffi")}
for line in sys.stdin:
    case = json.loads(line)
    out = {}
    for side in case["sides"]:
        m = mods[side]
        try:
            exec(case["expr"], {"ffi": m.ffi, "lib": m.lib})
            out[side] = None
        except Exception as e:
            name = type(e).__name__ if type(e) is not m.ffi.error else "ffi.error"
            out[side] = [name, str(e)]
    print(json.dumps(out), flush=True)
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every case's outcome on each side, from worker processes ('crash' for a dead one)."""
    out = tmp_path_factory.mktemp("bad_input")
    for name, ffi_class in (("_bad_cdefc", cdefc.FFI), ("_bad_cffi", cffi.FFI)):
        ffi = ffi_class()
        ffi.cdef(CDEF)
        ffi.set_source(name, SOURCE)
        ffi.compile(tmpdir=str(out / name))
    done = {}
    pending = list(CASES)
    while pending:
        worker = subprocess.Popen([sys.executable, "-c", WORKER, str(out / "_bad_cdefc"),
                                   str(out / "_bad_cffi")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        while pending:
            expr, own = pending[0]
            sides = ["cdefc"] if own else ["cdefc", "cffi"]
            try:
                worker.stdin.write(json.dumps({"expr": expr, "sides": sides}) + "\n")
                worker.stdin.flush()
                line = worker.stdout.readline()
            except BrokenPipeError:
                line = ""
            pending.pop(0)
            if not line:  # the worker died on this case
                done[expr] = "crash"
                break
            done[expr] = json.loads(line)
        worker.stdin.close()
        worker.wait(timeout=60)
    return done


def test_enough_cases():
    assert len(CASES) >= 150 and len({e for e, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("expr, own", CASES, ids=[e for e, _ in CASES])
def test_bad_input(results, expr, own):
    outcome = results[expr]
    assert outcome != "crash", "the process died"
    ours = outcome["cdefc"]
    assert ours is not None, "no exception"
    name, message = ours
    assert message, f"{name} without a message"
    if own:
        assert name == own
    else:
        theirs = outcome["cffi"]
        assert theirs is not None, f"CFFI raises nothing here (the test is wrong); cdefc: {ours}"
        assert name == theirs[0], f"cdefc {ours}, CFFI {theirs}"
        same_words = message.replace("_bad_cdefc", "<module>") == \
            theirs[1].replace("_bad_cffi", "<module>")
        assert same_words != (expr in OWN_WORDS), f"cdefc {message!r}, CFFI {theirs[1]!r}"
