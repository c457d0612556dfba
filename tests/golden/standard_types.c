#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include <sys/types.h>
#include <wchar.h>
int64_t sum64(int64_t a, uint32_t b);
size_t length(const char *s, ssize_t max);
wchar_t widen_char(char c);
_Bool is_set(bool flag);
FILE *open_log(void);
intptr_t address(void *p);
