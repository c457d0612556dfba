/* set_source() of pkg._zheaders: its cdef is read from zlib.h (CDEF_FROM_HEADERS). */
#include <zlib.h>
