/* Declares what libz lacks: cdefc_add_module leaves it out (find_library gives libz.so). */
#include <zlib.h>
int zlib_lacks_this(void);
