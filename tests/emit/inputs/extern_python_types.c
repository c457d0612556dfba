#include <uchar.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include <sys/types.h>
typedef const int cint_t;
typedef double vec3[3];
typedef enum { RED, GREEN } color_t;
typedef long gap_t;
struct pt { int x, y; };
union num { int i; double d; };
static bool on_flip(bool b, char c, signed char s, unsigned char u);
static float on_float(float x, double y, long double z);
static long double on_ld(void);
static wchar_t on_wide(wchar_t c, char16_t a, char32_t b);
static color_t on_color(color_t c, gap_t g);
/* Parameters are declared decayed, as the cdef parser (and CFFI) decays them. */
static double on_vec(double *v, cint_t x, const int y);
static const char *on_name(const char *s, int (*cb)(int), void cb2(int));
static struct pt on_pt(struct pt p, struct pt *pp, union num n);
static double _Complex on_complex(double _Complex z);
void on_void(void);
uint64_t on_ints(int16_t a, uint64_t b, size_t c, ssize_t d);
static int twice(int x) { return 2 * x; }
static void ignore(int x) { (void)x; }
int use_them(void)
{
    vec3 v = {1, 2, 3};
    struct pt p = {1, 2};
    union num n;
    n.i = 3;
    on_void();
    return (int)on_flip(true, 'a', -1, 200) + (int)on_float(1.5f, 2.5, 3.5L) + (int)on_ld() +
           (int)on_wide(L'x', u'y', U'z') + (int)on_color(GREEN, 7) + (int)on_vec(v, 1, 2) +
           (on_name("x", twice, ignore) != NULL) + on_pt(p, &p, n).x +
           (int)__real__ on_complex(1.0) + (int)on_ints(-3, 4, 5, -6);
}
