#include <stddef.h>
int compress(char *dest, const char *src);
