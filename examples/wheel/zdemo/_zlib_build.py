# Build script of zdemo._zlib, unchanged from CFFI: listed in cdefc_modules, `cffi` is cdefc.
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("""
    #define Z_OK ...
    const char *zlibVersion(void);
    unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned int len);
    unsigned long compressBound(unsigned long sourceLen);
    int compress(unsigned char *dest, unsigned long *destLen,
                 const unsigned char *source, unsigned long sourceLen);
    int uncompress(unsigned char *dest, unsigned long *destLen,
                   const unsigned char *source, unsigned long sourceLen);
""")
ffibuilder.set_source("zdemo._zlib", "#include <zlib.h>", libraries=["z"])

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
