#include <stdlib.h>
static int add(int a, int b) { return a + b; }
static int sum_to(int n) { int s = 0; for (int i = 0; i < n; ++i) s += i; return s; }
static int twice_abs(int x) { return 2 * abs(x); }
static volatile int port;
static int read_port(void) { return port; }
static inline int spin(int x) { __asm__ volatile("" : "+r"(x)); return x; }
int ext(int x);
int (*hook)(int);
static int hook_impl(int x) { return x; }
int (*hooked)(int) = hook_impl;
#define macro_add(a, b) ((a) + (b))
int ext(int x) { return x; }
