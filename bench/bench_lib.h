/* The C functions the benchmarks call, identical for all three modules: cdefc's and CFFI's
 * set_source() text is `#include "bench_lib.h"`, and handwritten.c includes it too. Every
 * function is static and trivial, so what is measured is the binding, not the C code. */
#ifndef BENCH_LIB_H
#define BENCH_LIB_H

#define BENCH_MAGIC 42
#define BENCH_ARRAY_LEN 16

struct point {
    int x;
    int y;
};

/* A global variable, read and written through `lib.counter`. */
static int counter = 0;

static struct point bench_origin = {0, 0};

static int add(int a, int b) { return a + b; }

static double mul(double a, double b) { return a * b; }

static void nop(void) {}

static int first_char(const char *s) { return s[0]; }

static int point_sum(struct point *p) { return p->x + p->y; }

static struct point *origin(void) { return &bench_origin; }

/* Defined in bench_unseen.c: its body is not seen where it is called. */
int add_unseen(int a, int b);

#endif
