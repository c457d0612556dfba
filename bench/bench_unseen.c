/* A function the bindings cannot see the body of (another translation unit): cdefc releases
 * the GIL around it, as CFFI does for every call. Linked into all three modules. */
#include "bench_lib.h"

int add_unseen(int a, int b) { return a + b; }
