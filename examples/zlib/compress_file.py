# Compresses and decompresses a file through the zlib example module; checks against Python's zlib.
import sys
import zlib

from _zlib_example import ffi, lib

CHUNK = 16384


def stream(data: bytes, begin, step, end, flush: int) -> bytes:
    """Runs a z_stream (whose layout Clang filled in) over `data`: begin(strm) sets it up,
    step(strm, flush) is deflate or inflate, end(strm) frees it."""
    strm = ffi.new("z_stream *")
    rc = begin(strm)
    assert rc == lib.Z_OK, rc
    src = ffi.new("unsigned char[]", data)
    out = ffi.new("unsigned char[]", CHUNK)
    strm.next_in = src
    strm.avail_in = len(data)
    pieces = []
    while True:
        strm.next_out = out
        strm.avail_out = CHUNK
        rc = step(strm, flush)
        pieces.append(bytes(ffi.unpack(out, CHUNK - strm.avail_out)))
        if rc == lib.Z_STREAM_END:
            break
        assert rc in (lib.Z_OK, lib.Z_BUF_ERROR), (rc, ffi.string(strm.msg) if strm.msg else None)
    assert strm.total_in == len(data)
    end(strm)
    return b"".join(pieces)


def deflate(data: bytes, level: int = lib.Z_DEFAULT_COMPRESSION) -> bytes:
    """Streaming compression."""
    return stream(data, lambda s: lib.deflateInit_(s, level, lib.ZLIB_VERSION, ffi.sizeof(s[0])),
                  lib.deflate, lib.deflateEnd, lib.Z_FINISH)


def inflate(data: bytes) -> bytes:
    """Streaming decompression."""
    return stream(data, lambda s: lib.inflateInit_(s, lib.ZLIB_VERSION, ffi.sizeof("z_stream")),
                  lib.inflate, lib.inflateEnd, lib.Z_NO_FLUSH)


def one_shot(data: bytes) -> bytes:
    """compress()/uncompress() with an 'unsigned long *' in/out length."""
    bound = lib.compressBound(len(data))
    dest = ffi.new("unsigned char[]", bound)
    dest_len = ffi.new("unsigned long *", bound)
    assert lib.compress(dest, dest_len, data, len(data)) == lib.Z_OK
    packed = bytes(ffi.unpack(dest, dest_len[0]))
    back = ffi.new("unsigned char[]", len(data))
    back_len = ffi.new("unsigned long *", len(data))
    assert lib.uncompress(back, back_len, packed, len(packed)) == lib.Z_OK
    assert back_len[0] == len(data)
    return bytes(ffi.unpack(back, back_len[0]))


def main(path: str) -> int:
    with open(path, "rb") as f:
        data = f.read()
    print(f"zlib {ffi.string(lib.zlibVersion()).decode()} through module {lib.__name__}")
    packed = deflate(data)
    assert zlib.decompress(packed) == data, "Python's zlib cannot read what the module wrote"
    assert inflate(zlib.compress(data)) == data, "the module cannot read what Python's zlib wrote"
    assert inflate(packed) == data
    assert one_shot(data) == data
    assert lib.crc32(0, data, len(data)) == zlib.crc32(data)
    print(f"{path}: {len(data)} bytes -> {len(packed)} bytes compressed; "
          f"round trip, one-shot and crc32 agree with Python's zlib")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else __file__))
