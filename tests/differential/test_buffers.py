# The buffer protocol, cdefc against CFFI: ffi.buffer() as a buffer (memoryview, bytearray,
# io, zlib, files, slicing, assignment, comparisons), ffi.from_buffer() over any object with
# the buffer protocol (bytes, bytearray, memoryview, array.array, mmap, ffi.buffer) with its
# checks and its export's lifetime, and ffi.memmove() between cdata and such objects.
import gc
import io
import os

import pytest

CDEF = """
struct pt { int x, y; };
size_t sum_bytes(const unsigned char *p, size_t n);
void fill(char *p, size_t n, int c);
int sum_ints(const int *a, int n);
const char *greeting(void);
"""

SOURCE = r"""
#include <string.h>
struct pt { int x, y; };
static size_t sum_bytes(const unsigned char *p, size_t n)
{
    size_t s = 0;
    while (n--) s += *p++;
    return s;
}
static void fill(char *p, size_t n, int c) { memset(p, c, n); }
static int sum_ints(const int *a, int n) { int s = 0; while (n--) s += *a++; return s; }
static const char *greeting(void) { return "hello, world"; }
"""


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("buffers", CDEF, SOURCE)


# Every expression starts from `p`, 'char[6]' holding b"hello\0", and `b`, its ffi.buffer.
HELLO = 'p = ffi.new("char[]", b"hello"); b = ffi.buffer(p); '

BUFFER = [
    # memoryview(ffi.buffer(...)): one writable dimension of unsigned bytes over the memory
    (HELLO + 'm = memoryview(b); (m.format, m.readonly, m.nbytes, m.itemsize, m.ndim, m.shape, '
     'm.strides, m.c_contiguous, m.contiguous, m.tobytes(), m.obj is b)',
     ("B", False, 6, 1, 1, (6,), (1,), True, True, b"hello\x00", True)),
    (HELLO + 'memoryview(ffi.buffer(p, 3)).tobytes()', b"hel"),
    (HELLO + 'memoryview(b)[1:4].tobytes()', b"ell"),
    (HELLO + 'memoryview(b)[::2].tobytes()', b"hlo"),
    (HELLO + 'memoryview(b)[1]', ord("e")),
    (HELLO + 'memoryview(b).tolist()', [104, 101, 108, 108, 111, 0]),
    (HELLO + 'm = memoryview(b); m[0:2] = b"HE"; m[4] = 79; ffi.string(p)', b"HEllO"),
    (HELLO + 'memoryview(ffi.buffer(p, 0)).tobytes()', b""),
    ('a = ffi.new("int[3]", [1, -2, 3]); memoryview(ffi.buffer(a)).cast("i").tolist()',
     [1, -2, 3]),
    ('a = ffi.new("int[2]"); memoryview(ffi.buffer(a)).cast("i")[1] = 7; list(a)', [0, 7]),
    ('s = ffi.new("struct pt *", [1, 2]); memoryview(ffi.buffer(s)).cast("i").tolist()', [1, 2]),
    # tpm2-pytss: a buffer over a pointer with an explicit size
    ('memoryview(ffi.buffer(lib.greeting(), 5)).tobytes()', b"hello"),
    ('bytes(memoryview(ffi.buffer(ffi.cast("char *", lib.greeting()), 12))[7:])', b"world"),
    # the export keeps the buffer, and the cdata under it, alive
    ('m = memoryview(ffi.buffer(ffi.new("char[]", b"kept alive"))); import gc; gc.collect(); '
     'm.tobytes()', b"kept alive\x00"),
    (HELLO + 'm = memoryview(b); del p, b; import gc; gc.collect(); m[0:5] = b"HELLO"; '
     'm.tobytes()', b"HELLO\x00"),
    # what takes a bytes-like object
    (HELLO + 'bytearray(b)', b"hello\x00"),
    (HELLO + 'bytearray(ffi.buffer(p, 2))', b"he"),
    (HELLO + 'import io; f = io.BytesIO(); (f.write(b), f.getvalue())', (6, b"hello\x00")),
    (HELLO + 'import io; f = io.BytesIO(b"xyz"); (f.readinto(b), ffi.string(p))', (3, b"xyzlo")),
    (HELLO + 'import zlib; zlib.decompress(zlib.compress(b))', b"hello\x00"),
    (HELLO + 'import zlib; zlib.crc32(b) == zlib.crc32(b"hello\\0")', True),
    (HELLO + 'import hashlib; hashlib.sha256(b).hexdigest() == '
     'hashlib.sha256(b"hello\\0").hexdigest()', True),
    (HELLO + 'import struct; struct.unpack_from("<5s", b)', (b"hello",)),
    (HELLO + 'import struct; struct.pack_into("<H", b, 1, 0x4241); ffi.string(p)', b"hABlo"),
    (HELLO + 'int.from_bytes(b, "little")', int.from_bytes(b"hello\x00", "little")),
    (HELLO + 'b"<" + b + b">"', b"<hello\x00>"),
    (HELLO + 'b"-".join([b, ffi.buffer(p, 2)])', b"hello\x00-he"),
    (HELLO + 'bytes(b).startswith(ffi.buffer(p, 3))', True),
    (HELLO + 'ba = bytearray(b"ab"); ba += b; ba', b"abhello\x00"),
    (HELLO + 'lib.sum_bytes(memoryview(b).tobytes(), 5)', 532),
    (HELLO + 'lib.sum_bytes(ffi.from_buffer(b), 5)', 532),
    # CFFI's own operations: len, bytes, indexing, slicing, iteration
    (HELLO + '(len(b), bytes(b), b[:], b[0], b[-1], b[1:3], b[3:100], b[4:1], b[-3:])',
     (6, b"hello\x00", b"hello\x00", b"h", b"\x00", b"el", b"lo\x00", b"", b"lo\x00")),
    (HELLO + 'b[0:2:1]', b"he"),
    (HELLO + '(list(ffi.buffer(p, 3)), list(reversed(ffi.buffer(p, 3))))',
     ([b"h", b"e", b"l"], [b"l", b"e", b"h"])),
    (HELLO + '(b"h" in b, b"x" in b, b"ell" in b, 104 in b)', (True, False, False, False)),
    (HELLO + 'bool(b), bool(ffi.buffer(p, 0))', (True, False)),
    # assignment: an index takes bytes of length 1, a slice any bytes-like object
    (HELLO + 'b[0] = b"J"; b[-2] = b"y"; ffi.string(p)', b"Jelly"),
    (HELLO + 'b[0:4] = b"HELL"; ffi.string(p)', b"HELLo"),
    (HELLO + 'b[:] = b"world!"; bytes(b)', b"world!"),
    (HELLO + 'b[1:3] = bytearray(b"EL"); ffi.string(p)', b"hELlo"),
    (HELLO + 'b[1:3] = memoryview(b"xELx")[1:3]; ffi.string(p)', b"hELlo"),
    (HELLO + 'import array; b[0:4] = array.array("i", [0x41424344]); bytes(b)',
     b"DCBAo\x00"),
    (HELLO + 'b[3:5] = ffi.buffer(ffi.new("char[]", b"XY"), 2); ffi.string(p)', b"helXY"),
    (HELLO + 'b[1:4] = b[0:3]; ffi.string(p)', b"hhelo"),
    (HELLO + 'b[2:2] = b""; ffi.string(p)', b"hello"),
    (HELLO + 'b[5:100] = b"!"; bytes(b)', b"hello!"),
    # comparisons: as bytes, against any object with the buffer protocol
    (HELLO + '(b == b"hello\\0", b == bytearray(b"hello\\0"), b == memoryview(b"hello\\0"), '
     'b == ffi.buffer(p), ffi.buffer(p, 2) == ffi.buffer(p, 2), b == b"hello", b != b"x")',
     (True, True, True, True, True, False, True)),
    (HELLO + '(b < b"z", b > b"a", b <= b"hello\\0", b >= b"hello\\0\\0", b < b"hello")',
     (True, True, True, False, False)),
    (HELLO + '(b == "hello\\0", b == 5, b == None, b == [b"h"], b != "x")',
     (False, False, False, False, True)),
    (HELLO + 'b == memoryview(b"hheelllloo\\0\\0")[::2]', True),  # memoryview's ==
]


@pytest.mark.parametrize("expr, value", BUFFER, ids=[e.replace(HELLO, "") for e, _ in BUFFER])
def test_buffer(d, expr, value):
    d.expect(expr, value)


BUFFER_ERRORS = [
    # (expression, exception, compare messages)
    (HELLO + 'b[::2]', TypeError, True),
    (HELLO + 'b[::-1]', TypeError, True),
    (HELLO + 'b[::0]', ValueError, True),
    (HELLO + 'b[0:4:2] = b"ab"', TypeError, True),
    (HELLO + 'b["a"]', TypeError, True),
    (HELLO + 'b[1.0]', TypeError, True),
    (HELLO + 'b[None]', TypeError, True),
    (HELLO + 'b[1.0] = b"x"', TypeError, True),
    (HELLO + 'b[6]', IndexError, True),
    (HELLO + 'b[-7]', IndexError, True),
    (HELLO + 'b[2**70]', IndexError, True),
    (HELLO + 'b[6] = b"x"', IndexError, True),
    (HELLO + 'b[-7] = b"x"', IndexError, True),
    (HELLO + 'b[0] = b"ab"', TypeError, True),
    (HELLO + 'b[0] = b""', TypeError, True),
    (HELLO + 'b[0] = bytearray(b"a")', TypeError, True),
    (HELLO + 'b[0] = 65', TypeError, True),
    (HELLO + 'b[0] = "a"', TypeError, True),
    (HELLO + 'b[0:2] = b"x"', ValueError, True),
    (HELLO + 'b[:] = b"hello"', ValueError, True),
    (HELLO + 'b[0:2] = "ab"', TypeError, True),
    (HELLO + 'b[0:2] = 5', TypeError, True),
    (HELLO + 'b[0:2] = None', TypeError, True),
    (HELLO + 'b[0:2] = [1, 2]', TypeError, True),
    (HELLO + 'b[0:2] = memoryview(b"abcd")[::2]', BufferError, True),
    (HELLO + 'memoryview(b)[0] = 256', ValueError, True),
    (HELLO + 'memoryview(b)[0:2] = b"abc"', ValueError, True),
    (HELLO + 'memoryview(b).cast("i")', TypeError, True),
    # unhashable, ordered against buffers only (the type's name differs in the messages)
    (HELLO + 'hash(b)', TypeError, False),
    (HELLO + 'b < "z"', TypeError, False),
    (HELLO + 'b < 3', TypeError, False),
    (HELLO + '{b: 1}', TypeError, False),
    (HELLO + 'ffi.buffer(b)', TypeError, False),
    ('ffi.buffer("abc")', TypeError, False),
]


@pytest.mark.parametrize("expr, exception, message", BUFFER_ERRORS,
                         ids=[e.replace(HELLO, "") for e, _, _ in BUFFER_ERRORS])
def test_buffer_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


def test_files(d, tmp_path):
    """File I/O through ffi.buffer(): write, write of a part, readinto (buffered and raw), and
    a readinto a memoryview of part of it."""
    def io_round_trip(ffi, lib):
        path = tmp_path / "data.bin"
        p = ffi.new("char[]", b"0123456789")
        with open(path, "wb") as f:
            written = (f.write(ffi.buffer(p, 4)), f.write(ffi.buffer(p)[6:]),
                       f.write(memoryview(ffi.buffer(p))[1:3]))
        q = ffi.new("char[8]")
        with open(path, "rb") as f:
            first = f.readinto(ffi.buffer(q))
            after_first = bytes(ffi.buffer(q))
            rest = f.readinto(ffi.buffer(q))
        r = ffi.new("char[6]")
        with open(path, "rb", buffering=0) as f:
            raw = (f.readinto(ffi.buffer(r, 3)), f.readinto(memoryview(ffi.buffer(r))[3:]))
        fd = os.open(path, os.O_RDONLY)
        try:
            pread = os.preadv(fd, [ffi.buffer(r, 2)], 8)
        finally:
            os.close(fd)
        with open(path, "ab") as f:
            f.writelines([ffi.buffer(p, 1), ffi.buffer(p, 2)])
        return (written, first, after_first, rest, bytes(ffi.buffer(q)), raw, pread,
                bytes(ffi.buffer(r)), path.read_bytes())

    d.expect(io_round_trip, ((4, 5, 2), 8, b"01236789", 3, b"\x001236789", (3, 3), 2,
                             b"\x0012367", b"01236789\x0012001"))


# ---- ffi.from_buffer() ----

FROM_BUFFER = [
    # the objects: any with the buffer protocol
    ('p = ffi.from_buffer(b"abc"); (ffi.typeof(p).cname, len(p), p[0], bytes(ffi.buffer(p)))',
     ("char[]", 3, b"a", b"abc")),
    ('p = ffi.from_buffer(bytearray(b"abc")); (len(p), p[2])', (3, b"c")),
    ('p = ffi.from_buffer(memoryview(b"abc")); (len(p), p[1])', (3, b"b")),
    ('p = ffi.from_buffer(memoryview(b"abcdef")[2:5]); (len(p), ffi.string(p, 3))', (3, b"cde")),
    ('p = ffi.from_buffer(memoryview(bytearray(range(6))).cast("B", (2, 3))); list(p)',
     [bytes([i]) for i in range(6)]),
    ('import array; p = ffi.from_buffer(array.array("i", [1, 2, 3])); (len(p), p[4])',
     (12, b"\x02")),
    ('import mmap; m = mmap.mmap(-1, 8); m[0:3] = b"map"; p = ffi.from_buffer(m); '
     '(len(p), ffi.string(p))', (8, b"map")),
    ('q = ffi.new("char[]", b"xyz"); p = ffi.from_buffer(ffi.buffer(q)); (len(p), ffi.string(p))',
     (4, b"xyz")),
    ('p = ffi.from_buffer(b""); (len(p), ffi.typeof(p).cname)', (0, "char[]")),
    # the types: T[] (as many items as fit), T[N] (N items), T * (a pointer)
    ('import array; p = ffi.from_buffer("int[]", array.array("i", [1, 2, 3])); list(p)',
     [1, 2, 3]),
    ('p = ffi.from_buffer("int[]", bytearray(7)); (ffi.typeof(p).cname, len(p))', ("int[]", 1)),
    ('p = ffi.from_buffer("int[]", b""); len(p)', 0),
    ('import array; p = ffi.from_buffer("int[2]", array.array("i", [1, 2, 3])); '
     '(ffi.typeof(p).cname, list(p))', ("int[2]", [1, 2])),
    ('p = ffi.from_buffer("int[0]", b""); len(p)', 0),
    ('import array; list(ffi.from_buffer("double[]", array.array("d", [1.5, -2])))', [1.5, -2.0]),
    ('p = ffi.from_buffer("struct pt[]", bytearray(20)); p[1].y = 9; (len(p), p[1].y)', (2, 9)),
    ('p = ffi.from_buffer("char[][2]", b"abcde"); (len(p), [ffi.string(x, 2) for x in p])',
     (2, [b"ab", b"cd"])),
    ('len(ffi.from_buffer("void *[]", bytearray(16)))', 2),
    ('import array; p = ffi.from_buffer("int *", array.array("i", [7, 8])); '
     '(ffi.typeof(p).cname, p[0], p[1])', ("int *", 7, 8)),
    ('import array; p = ffi.from_buffer("int *", array.array("i", [7, 8])); '
     'bytes(ffi.buffer(p))', b"\x07\x00\x00\x00"),
    ('p = ffi.from_buffer("void *", b"xyz"); (ffi.typeof(p).cname, ffi.cast("char *", p)[1])',
     ("void *", b"y")),
    ('ffi.typeof(ffi.from_buffer("char **", bytearray(8))).cname', "char * *"),
    ('len(ffi.from_buffer(ffi.typeof("int[]"), bytearray(8)))', 2),
    ('p = ffi.from_buffer(cdecl="char[]", python_buffer=b"ab"); len(p)', 2),
    ('p = ffi.from_buffer("char[]", bytearray(2), 2); len(p)', 2),
    # require_writable: bytearray, a memoryview of one, array.array, mmap, ffi.buffer
    ('len(ffi.from_buffer(bytearray(b"ab"), require_writable=True))', 2),
    ('len(ffi.from_buffer(memoryview(bytearray(b"abc")), require_writable=True))', 3),
    ('import array; len(ffi.from_buffer("short[]", array.array("h", [1, 2]), True))', 2),
    ('import mmap; len(ffi.from_buffer(mmap.mmap(-1, 5), require_writable=True))', 5),
    ('len(ffi.from_buffer(ffi.buffer(ffi.new("int[2]")), require_writable=True))', 8),
    ('len(ffi.from_buffer(b"abc", require_writable=False))', 3),
    # the cdata is the object's memory: writes show in the object, C reads and writes it
    ('ba = bytearray(b"abc"); p = ffi.from_buffer(ba); p[0] = b"Z"; ba', b"Zbc"),
    ('ba = bytearray(b"abcdef"); p = ffi.from_buffer(memoryview(ba)[2:]); p[0] = b"Z"; ba',
     b"abZdef"),
    ('import array; a = array.array("i", [1, 2]); p = ffi.from_buffer("int[]", a); p[1] = 5; '
     'a.tolist()', [1, 5]),
    ('ba = bytearray(5); lib.fill(ffi.from_buffer(ba, require_writable=True), 3, 120); ba',
     b"xxx\x00\x00"),
    ('lib.sum_bytes(ffi.from_buffer(memoryview(b"\\x01\\x02\\x03")), 3)', 6),
    ('import array; a = array.array("i", [1, 2, 39]); lib.sum_ints(ffi.from_buffer("int[]", a), 3)',
     42),
    ('q = ffi.new("char[]", b"xyz"); p = ffi.from_buffer(ffi.buffer(q)); p[0] = b"X"; '
     'ffi.string(q)', b"Xyz"),
    ('import mmap; m = mmap.mmap(-1, 4); p = ffi.from_buffer(m); lib.fill(p, 4, 65); m[:]',
     b"AAAA"),
    ('ffi.string(ffi.from_buffer(b"ab\\0c"))', b"ab"),
    ('ffi.unpack(ffi.from_buffer(b"abc") + 1, 2)', b"bc"),
    ('list(ffi.from_buffer(b"abcd")[1:3])', [b"b", b"c"]),
    ('(ffi.sizeof(ffi.from_buffer(bytearray(3))), ffi.sizeof(ffi.from_buffer("int[]", '
     'bytearray(9))))', (3, 8)),
    ('repr(ffi.from_buffer(bytearray(3)))',
     "<cdata 'char[]' buffer len 3 from 'bytearray' object>"),
    ('repr(ffi.from_buffer("int[]", memoryview(b"12345678")))',
     "<cdata 'int[]' buffer len 2 from 'memoryview' object>"),
    ('repr(ffi.from_buffer("int *", bytearray(8)))',
     "<cdata 'int *' buffer from 'bytearray' object>"),
    ('p = ffi.from_buffer(bytearray(3)); ffi.release(p); repr(p)',
     "<cdata 'char[]' buffer RELEASED>"),
    ('p = ffi.from_buffer(bytearray(3))\nwith p:\n    pass\nrepr(p)',
     "<cdata 'char[]' buffer RELEASED>"),
    # the object stays exported (a bytearray cannot be resized, an mmap not closed) until
    # ffi.release(), the end of a `with` or the cdata's death; the cdata keeps it alive
    ('ba = bytearray(4); p = ffi.from_buffer(ba); ffi.release(p); ba.extend(b"x"); len(ba)', 5),
    ('ba = bytearray(4); p = ffi.from_buffer(ba); ffi.release(p); ffi.release(p); len(ba)', 4),
    ('ba = bytearray(4)\nwith ffi.from_buffer(ba) as p:\n    p[0] = b"w"\nba.extend(b"x"); ba',
     b"w\x00\x00\x00x"),
    ('import gc; ba = bytearray(4); p = ffi.from_buffer(ba); del p; gc.collect(); '
     'ba.extend(b"x"); len(ba)', 5),
    ('ba = bytearray(4); p = ffi.from_buffer(memoryview(ba)[1:]); ffi.release(p); '
     'ba.extend(b"x"); len(ba)', 5),
    ('import gc, weakref; o = type("BA", (bytearray,), {})(b"x"); r = weakref.ref(o); '
     'p = ffi.from_buffer(o); del o; gc.collect(); alive = r() is not None; ffi.release(p); '
     'gc.collect(); (alive, r() is None)', (True, True)),
    ('import mmap; m = mmap.mmap(-1, 4); p = ffi.from_buffer(m); ffi.release(p); m.close(); '
     'm.closed', True),
    ('import gc; p = ffi.from_buffer(bytearray(b"hello")); gc.collect(); bytes(ffi.buffer(p))',
     b"hello"),
    ('import gc; p = ffi.from_buffer(memoryview(bytearray(b"hello"))[1:3]); gc.collect(); '
     'bytes(ffi.buffer(p))', b"el"),
    ('import gc; p = ffi.from_buffer(ffi.buffer(ffi.new("char[]", b"abc"))); gc.collect(); '
     'ffi.string(p)', b"abc"),
]


@pytest.mark.parametrize("expr, value", FROM_BUFFER, ids=[e for e, _ in FROM_BUFFER])
def test_from_buffer(d, expr, value):
    d.expect(expr, value)


FROM_BUFFER_ERRORS = [
    # read-only objects with require_writable
    ('ffi.from_buffer(b"abc", require_writable=True)', BufferError, True),
    ('ffi.from_buffer("char[]", b"abc", True)', BufferError, True),
    ('ffi.from_buffer(memoryview(b"abc"), require_writable=True)', BufferError, True),
    ('ffi.from_buffer(memoryview(bytearray(3)).toreadonly(), require_writable=True)',
     BufferError, True),
    ('import mmap; ffi.from_buffer(mmap.mmap(-1, 4, access=mmap.ACCESS_READ), '
     'require_writable=True)', BufferError, True),
    # non-contiguous buffers
    ('ffi.from_buffer(memoryview(b"abcdef")[::2])', BufferError, True),
    ('ffi.from_buffer(memoryview(bytearray(6))[::2], require_writable=True)', BufferError, True),
    ('ffi.from_buffer(memoryview(bytearray(6)).cast("B", (2, 3))[::-1])', BufferError, True),
    # objects without the buffer protocol
    ('ffi.from_buffer("abc")', TypeError, True),
    ('ffi.from_buffer("char[]", "abc")', TypeError, True),
    ('ffi.from_buffer(3)', TypeError, True),
    ('ffi.from_buffer(None)', TypeError, True),
    ('ffi.from_buffer([1, 2])', TypeError, True),
    ('ffi.from_buffer(ffi.new("char[]", 3))', TypeError, False),
    ('m = memoryview(b"ab"); m.release(); ffi.from_buffer(m)', ValueError, True),
    # bad types
    ('ffi.from_buffer("int", b"abcd")', TypeError, True),
    ('ffi.from_buffer("struct pt", b"abcdefgh")', TypeError, True),
    ('ffi.from_buffer("int(*)(int)", b"abcd")', TypeError, True),
    ('ffi.from_buffer(ffi.typeof("double"), b"abcdefgh")', TypeError, True),
    ('ffi.from_buffer("nope_t[]", b"abcd")', "ffi.error", False),
    ('ffi.from_buffer(b"abc", True)', TypeError, True),
    ('ffi.from_buffer(3, b"abc")', TypeError, True),
    # too small for T[N]
    ('import array; ffi.from_buffer("int[4]", array.array("i", [1, 2, 3]))', ValueError, True),
    ('ffi.from_buffer("int[4]", bytearray(15))', ValueError, True),
    ('ffi.from_buffer("struct pt[2]", b"x" * 15)', ValueError, True),
    # arguments
    ('ffi.from_buffer()', TypeError, True),
    ('ffi.from_buffer(python_buffer=b"ab")', TypeError, True),
    ('ffi.from_buffer("char[]", b"ab", True, 4)', TypeError, True),
    ('ffi.from_buffer("char[]", bytearray(2), "yes")', TypeError, True),
    ('ffi.from_buffer(bytearray(2), require_writable=None)', TypeError, True),
    # the object is exported while the cdata lives
    ('ba = bytearray(4); p = ffi.from_buffer(ba); ba.extend(b"x")', BufferError, True),
    ('ba = bytearray(4); p = ffi.from_buffer(memoryview(ba)); ba.append(1)', BufferError, True),
    ('ba = bytearray(4); p = ffi.from_buffer(ba); q = p + 1; ffi.release(p); ba.extend(b"x"); '
     'r = ffi.from_buffer(ba); ba.clear()', BufferError, True),
    ('ba = bytearray(4)\nwith ffi.from_buffer(ba):\n    ba.extend(b"x")', BufferError, True),
    ('import mmap; m = mmap.mmap(-1, 4); p = ffi.from_buffer(m); m.close()', BufferError, True),
    ('import mmap; m = mmap.mmap(-1, 4); p = ffi.from_buffer(m); m.resize(8)', BufferError, True),
]


@pytest.mark.parametrize("expr, exception, message", FROM_BUFFER_ERRORS,
                         ids=[e for e, _, _ in FROM_BUFFER_ERRORS])
def test_from_buffer_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


# ---- ffi.memmove() with objects of the buffer protocol ----

MEMMOVE = [
    ('ba = bytearray(4); ffi.memmove(memoryview(ba)[1:], b"ab", 2); ba', b"\x00ab\x00"),
    ('import array; a = array.array("i", [0, 0]); ffi.memmove(a, b"\\x05\\0\\0\\0", 4); a[0]', 5),
    ('p = ffi.new("char[4]"); ffi.memmove(ffi.buffer(p), b"ab", 2); ffi.string(p)', b"ab"),
    ('p = ffi.new("char[4]"); ffi.memmove(p, ffi.buffer(ffi.new("char[]", b"pq")), 2); '
     'ffi.string(p)', b"pq"),
    ('p = ffi.new("char[4]"); ffi.memmove(p, memoryview(b"xyz")[1:], 2); ffi.string(p)', b"yz"),
    ('import array; p = ffi.new("int[2]"); ffi.memmove(p, array.array("i", [3, 4]), 8); list(p)',
     [3, 4]),
    ('ba = bytearray(3); ffi.memmove(ba, ffi.new("char[]", b"xy"), 2); ba', b"xy\x00"),
    ('import mmap; m = mmap.mmap(-1, 3); ffi.memmove(m, b"abc", 3); m[:]', b"abc"),
    # python-zstandard's check that a readinto() target is writable
    ('ffi.memmove(memoryview(bytearray(2)), b"", 0)', None),
    ('ba = bytearray(4); ffi.memmove(dest=ba, src=memoryview(b"wxyz"), n=4); ba', b"wxyz"),
    ('ba = bytearray(b"abcd"); ffi.memmove(memoryview(ba)[1:], ba, 3); ba', b"aabc"),
]


@pytest.mark.parametrize("expr, value", MEMMOVE, ids=[e for e, _ in MEMMOVE])
def test_memmove(d, expr, value):
    d.expect(expr, value)


MEMMOVE_ERRORS = [
    ('ffi.memmove(memoryview(b"abc"), b"", 0)', BufferError, True),
    ('ffi.memmove(b"abc", b"", 0)', BufferError, True),
    ('ffi.memmove(memoryview(bytearray(3)).toreadonly(), b"a", 1)', BufferError, True),
    ('ffi.memmove("abc", b"a", 1)', TypeError, True),
    ('ffi.memmove(bytearray(3), "abc", 1)', TypeError, True),
    ('ffi.memmove(bytearray(3), 5, 1)', TypeError, True),
    ('ffi.memmove(5, b"abc", 1)', TypeError, True),
    ('ffi.memmove("x", 5, 1)', TypeError, True),
    ('ffi.memmove("x", "y", -1)', ValueError, True),
    ('ffi.memmove(bytearray(3), memoryview(b"abcdef")[::2], 2)', BufferError, True),
    ('ffi.memmove(memoryview(bytearray(6))[::2], b"ab", 2)', BufferError, True),
    ('ffi.memmove(ffi.cast("int", 5), b"a", 1)', TypeError, True),
    ('ffi.memmove(bytearray(3), ffi.cast("int", 5), 1)', TypeError, True),
    ('ffi.memmove(bytearray(3), ffi.cast("int(*)(int)", 0), 0)', TypeError, True),
]


@pytest.mark.parametrize("expr, exception, message", MEMMOVE_ERRORS,
                         ids=[e for e, _, _ in MEMMOVE_ERRORS])
def test_memmove_errors(d, expr, exception, message):
    d.raises(expr, exception, message=message)


# ---- cdefc only: where CFFI reads freed memory, crashes or writes out of bounds ----

def test_buffer_after_release_raises(d):
    """A buffer over released memory raises, also when exported (CFFI reads freed memory)."""
    ffi = d.ffi
    p = ffi.new("char[]", b"abc")
    b = ffi.buffer(p)
    ffi.release(p)
    for use in (lambda: bytes(b), lambda: b[:], lambda: b[0], lambda: memoryview(b),
                lambda: bytearray(b), lambda: io.BytesIO().write(b), lambda: list(b)):
        with pytest.raises(RuntimeError, match=r"cannot use cdata 'char\[\]' after ffi.release"):
            use()
    with pytest.raises(RuntimeError, match="after ffi.release"):
        b[0:1] = b"x"
    assert len(b) == 4
    with pytest.raises(RuntimeError, match="after ffi.release"):
        b == b"abc\x00"
    q = ffi.from_buffer(bytearray(b"xyz"))
    qb = ffi.buffer(q)
    ffi.release(q)
    with pytest.raises(RuntimeError, match="after ffi.release"):
        memoryview(qb)
    with pytest.raises(RuntimeError, match="after ffi.release"):
        q[0]


def test_buffer_cannot_delete_or_take_cdata(d):
    """`del b[i]` is a TypeError (CFFI crashes); a cdata is not bytes-like (CFFI copies a
    length it never read)."""
    ffi = d.ffi
    b = ffi.buffer(ffi.new("char[]", b"abcd"))
    with pytest.raises(TypeError, match="cannot be deleted"):
        del b[0]
    with pytest.raises(TypeError, match="cannot be deleted"):
        del b[0:2]
    with pytest.raises(TypeError, match="a bytes-like object is required"):
        b[0:4] = ffi.new("char[]", b"wxyz")
    assert bytes(b) == b"abcd\x00"


def test_memmove_checks_known_extents(d):
    """Buffers and arrays have a known size: memmove() past it raises (CFFI overwrites)."""
    ffi = d.ffi
    ba = bytearray(2)
    with pytest.raises(IndexError, match="memmove\\(\\) of 3 bytes out of bounds"):
        ffi.memmove(ba, b"abc", 3)
    with pytest.raises(IndexError, match="out of bounds"):
        ffi.memmove(ffi.new("char[4]"), memoryview(b"ab"), 3)
    with pytest.raises(IndexError, match="out of bounds"):
        ffi.memmove(ffi.buffer(ffi.new("char[2]")), b"abc", 3)
    assert ba == bytearray(2)


def test_from_buffer_of_a_memoryview_pins_what_it_views(d):
    """From a memoryview, cdefc holds what the view holds: the view itself may be released
    (CFFI holds an export of the view, whose release() then raises BufferError), the memory
    under it stays pinned until the cdata is released."""
    ffi = d.ffi
    ba = bytearray(b"abcd")
    view = memoryview(ba)
    p = ffi.from_buffer(view)
    view.release()
    with pytest.raises(BufferError):
        ba.extend(b"x")
    p[0] = b"Z"
    assert ba == b"Zbcd"
    ffi.release(p)
    ba.extend(b"x")
    assert ba == b"Zbcdx"


def test_from_buffer_keeps_the_object(d):
    """The cdata keeps the object alive, and drops it when it dies."""
    import weakref

    ffi = d.ffi

    class Exporter(bytearray):
        pass

    obj = Exporter(b"data")
    ref = weakref.ref(obj)
    p = ffi.from_buffer(obj)
    del obj
    gc.collect()
    assert ref() is not None and ffi.string(p) == b"data"
    del p
    gc.collect()
    assert ref() is None
