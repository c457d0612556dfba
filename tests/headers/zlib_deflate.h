/* A real header, narrowly selected: deflate() and z_stream bring the whole typedef chain
   (z_streamp, Bytef, uInt, alloc_func, ...) from zlib.h and zconf.h. */
// flags: --include-names deflate --include-names deflateEnd --include-names z_stream --include-names Z_FINISH
#include <zlib.h>
