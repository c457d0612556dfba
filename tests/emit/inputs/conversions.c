#include <uchar.h>
#include <stdbool.h>
typedef const int cint_t;
typedef double vec3[3];
typedef enum { RED, GREEN } color_t;
enum level { LOW = -1, HIGH = 1 };
bool flip(bool b);
char next_char(char c);
signed char to_schar(unsigned char x);
float halve(float x);
long double extend(long double x);
wchar_t widen(wchar_t c);
char32_t wider(char16_t c);
color_t paint(color_t c, enum level l);
double sum(vec3 v);
int first(cint_t x, const int y);
const char *name_of(int i);
int (*pick(int which))(int);
void apply(int cb(int), void *data);
void nothing(void);
int16_t clamp16(int32_t v);
uint64_t mix(uint64_t a, int64_t b, ssize_t c, size_t d);
double _Complex rotate(double _Complex z);
