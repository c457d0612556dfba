# Build script of the zlib example: a CFFI API-mode build script, with the import line changed.
import os
import sys

if os.environ.get("CDEFC_EXAMPLE_USE_CFFI"):  # the same script, built by CFFI, for comparison
    from cffi import FFI
else:
    from cdefc import FFI

ffibuilder = FFI()
ffibuilder.cdef("""
    typedef struct z_stream_s {
        unsigned char *next_in;
        unsigned int avail_in;
        unsigned long total_in;
        unsigned char *next_out;
        unsigned int avail_out;
        unsigned long total_out;
        char *msg;
        ...;
    } z_stream;
    typedef ... gz_header;

    #define Z_OK ...
    #define Z_STREAM_END ...
    #define Z_BUF_ERROR ...
    #define Z_NO_FLUSH ...
    #define Z_FINISH ...
    #define Z_DEFAULT_COMPRESSION ...
    static const char *const ZLIB_VERSION;

    const char *zlibVersion(void);
    int deflateInit_(z_stream *strm, int level, const char *version, int stream_size);
    int deflate(z_stream *strm, int flush);
    int deflateEnd(z_stream *strm);
    int inflateInit_(z_stream *strm, const char *version, int stream_size);
    int inflate(z_stream *strm, int flush);
    int inflateEnd(z_stream *strm);
    int deflateSetHeader(z_stream *strm, gz_header *head);
    unsigned long compressBound(unsigned long sourceLen);
    int compress(unsigned char *dest, unsigned long *destLen,
                 const unsigned char *source, unsigned long sourceLen);
    int uncompress(unsigned char *dest, unsigned long *destLen,
                   const unsigned char *source, unsigned long sourceLen);
    unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned int len);
""")
ffibuilder.set_source("_zlib_example", "#include <zlib.h>", libraries=["z"])

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=sys.argv[1] if len(sys.argv) > 1 else ".", verbose=True)
