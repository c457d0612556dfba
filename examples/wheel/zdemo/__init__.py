# The example package: zlib's crc32, compress and uncompress through the cdefc-built module.
from ._zlib import ffi, lib

__all__ = ["crc32", "compress", "uncompress", "zlib_version"]


def zlib_version() -> str:
    return ffi.string(lib.zlibVersion()).decode()


def crc32(data: bytes, crc: int = 0) -> int:
    return lib.crc32(crc, data, len(data))


def compress(data: bytes) -> bytes:
    size = ffi.new("unsigned long *", lib.compressBound(len(data)))
    out = ffi.new("unsigned char[]", size[0])
    if lib.compress(out, size, data, len(data)) != lib.Z_OK:
        raise RuntimeError("compress failed")
    return ffi.buffer(out, size[0])[:]


def uncompress(data: bytes, length: int) -> bytes:
    size = ffi.new("unsigned long *", length)
    out = ffi.new("unsigned char[]", max(length, 1))
    if lib.uncompress(out, size, data, len(data)) != lib.Z_OK:
        raise RuntimeError("uncompress failed")
    return ffi.buffer(out, size[0])[:]
