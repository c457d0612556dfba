# The zlib example module again, its cdef read from zlib.h itself: no declaration written by
# hand. compress_file.py runs on either module.
import sys

from cdefc import FFI

ffibuilder = FFI()
ffibuilder.set_source("_zlib_example", "#include <zlib.h>", libraries=["z"])
# What zlib.h declares (zconf.h's types come along where needed); its function-like macros
# (deflateInit(), ...) have no cdef: compress_file.py calls deflateInit_() as they do.
ffibuilder.cdef_from_headers("zlib.h")

if __name__ == "__main__":
    if "--print-cdef" in sys.argv:
        print(ffibuilder.cdef_text(), end="")
    else:
        ffibuilder.compile(tmpdir=sys.argv[1] if len(sys.argv) > 1 else ".", verbose=True)
