/* The set_source text of the zlib example: the real header the cdef is checked against. */
#include <zlib.h>
