#include <stddef.h>
struct pt { int x, y; };
int add(int a, int b);
int log_message(const char *fmt, ...);
unsigned long counter(void);
void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
struct pt mirror(struct pt p);
