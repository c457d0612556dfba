/* A module written by hand exactly as the cdefc emitter writes one (include/cdefc/module.h):
   a small C library, its tables, METH_FASTCALL wrappers and PyInit. test_runtime.py imports
   it and compares it with the same library built by CFFI (the text between the LIBRARY
   markers is extracted for that). */
#define Py_LIMITED_API 0x030b0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "cdefc/module.h"

/* The same source builds two modules (_handmade, _handmade2) to test shared internals. */
#ifndef HANDMADE_NAME
#define HANDMADE_NAME _handmade
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#define HANDMADE_NAME_STR STR(HANDMADE_NAME)
#define PYINIT_(n) PyInit_##n
#define PYINIT(n) PYINIT_(n)

/* LIBRARY BEGIN */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <wchar.h>

struct point { int x; int y; };
union value { int i; double d; unsigned char bytes[8]; };
enum color { RED, GREEN = 5, BLUE };
typedef struct { int kind; union { int i; float f; }; } tagged_t;
struct flags { unsigned a : 3; unsigned b : 5; int c : 4; };
struct rect { struct point tl; struct point br; const char *label; };
struct list { int value; struct list *next; };
typedef int myint_t;
struct vs { int n; int data[]; };

#define LIMIT 100
#define NEG -7
static const double HALF = 0.5;
static const char *const NAME = "cdefc";

static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }
static int sum_ints(int n, ...) {
  va_list ap;
  int s = 0;
  va_start(ap, n);
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}

int numbers[5] = {1, 2, 3, 4, 5};
struct point origin = {3, 4};
const int answer = 42;
int counter;
char *message = "hello";
int (*binop)(int, int) = add;
int (*sum_ints_ptr)(int, ...) = sum_ints;

static long long sum_array(int *p, int n) { long long s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }
static struct point make_point(int x, int y) { struct point p = {x, y}; return p; }
static int point_sum(struct point *p) { return p->x + p->y; }
static int point_sum_value(struct point p) { return p.x + p.y; }
static size_t count_chars(const char *s) { return strlen(s); }
static const char *greeting(void) { return "hi there"; }
static char first_char(const char *s) { return s[0]; }
static double scale(double x, float f) { return x * f; }
static enum color next_color(enum color c) { return c == RED ? GREEN : BLUE; }
static int apply(int (*f)(int, int), int a, int b) { return f(a, b); }
static int fail_with(int e) { errno = e; return -1; }
static unsigned char low_byte(unsigned int x) { return (unsigned char)x; }
static _Bool is_positive(int x) { return x > 0; }
static int bool_to_int(_Bool b) { return b ? 10 : 20; }
static struct point *null_point(void) { return NULL; }
static long long neg64(long long x) { return -x; }
static unsigned long long twice_u64(unsigned long long x) { return 2 * x; }
static short half_short(short x) { return x / 2; }
static long double ld_twice(long double x) { return 2 * x; }
static size_t wlen(const wchar_t *s) { return wcslen(s); }
static int sum_points(struct point *pts, int n) { int s = 0; for (int i = 0; i < n; i++) s += pts[i].x + pts[i].y; return s; }
static wchar_t wfirst(const wchar_t *s) { return s[0]; }
static int take_void(void *p) { return p != NULL; }
static int take_uchar_ptr(unsigned char *p) { return p[0]; }
static int vs_sum(struct vs *v) { int s = 0; for (int i = 0; i < v->n; i++) s += v->data[i]; return s; }

/* Where the cdef is not C (test_runtime.py's CDEF): x and y swapped, a field missing, a
   #define's value. CFFI builds the module and raises ffi.error at their first use. */
struct swapped { int y; int x; };
struct grown { int a; int extra; };
struct holds_swapped { struct swapped s; int n; };
struct swapped_ref { struct swapped *p; int n; };
typedef struct swapped swapped_t;
#define WRONG 6
static struct swapped the_swapped = {2, 1};
struct swapped swapped_global = {4, 3};
static struct swapped *get_swapped(void) { return &the_swapped; }
static int swapped_x(struct swapped *s) { return s ? s->x : -1; }
static int swapped_x_value(struct swapped s) { return s.x; }
static struct swapped make_swapped(void) { return the_swapped; }
int (*swapped_x_ptr)(struct swapped) = swapped_x_value;
/* LIBRARY END */

/* ---- types: every type the declarations mention ---- */

enum {
  T_VOID, T_INT, T_CHAR, T_UINT, T_DOUBLE, T_FLOAT, T_LONGLONG, T_ULONGLONG, T_SHORT, T_UCHAR,
  T_BOOL, T_SIZE, T_LONGDOUBLE, T_WCHAR,
  T_POINT, T_VALUE, T_COLOR, T_TAGGED, T_FLAGS, T_RECT, T_LIST,
  T_INT_P, T_CHAR_P, T_POINT_P, T_LIST_P, T_VOID_P, T_UCHAR_P, T_WCHAR_P, T_INT_5, T_UCHAR_8,
  T_FN_II_I, T_FN_II_I_P, T_CONST_INT,
  T_FN_SUM_ARRAY, T_FN_MAKE_POINT, T_FN_POINT_SUM, T_FN_COUNT_CHARS, T_FN_GREETING,
  T_FN_FIRST_CHAR, T_FN_SCALE, T_FN_NEXT_COLOR, T_FN_APPLY, T_FN_I_I, T_FN_LOW_BYTE,
  T_FN_IS_POSITIVE, T_FN_NULL_POINT, T_FN_POINT_SUM_VALUE, T_FN_BOOL_TO_INT, T_FN_NEG64,
  T_FN_TWICE_U64, T_FN_HALF_SHORT, T_FN_LD_TWICE, T_FN_WLEN, T_FN_SUM_POINTS, T_FN_WFIRST,
  T_FN_TAKE_VOID, T_FN_TAKE_UCHAR_PTR, T_FN_SUM_INTS, T_FN_SUM_INTS_P,
  T_VS, T_VS_P, T_INT_OPEN, T_FN_VS_SUM,
  T_SWAPPED, T_GROWN, T_HOLDS_SWAPPED, T_SWAPPED_REF, T_SWAPPED_P, T_FN_GET_SWAPPED,
  T_FN_SWAPPED_X, T_FN_SWAPPED_X_VALUE, T_FN_SWAPPED_X_VALUE_P, T_FN_MAKE_SWAPPED,
  T__COUNT
};

#define PRIM(p) {CDEFC_TYPE_PRIMITIVE, 0, p, 0, 0, 0, 0}
#define PTR(t) {CDEFC_TYPE_POINTER, 0, 0, t, 0, 0, 0}
#define REC(r) {CDEFC_TYPE_RECORD, 0, 0, r, 0, 0, 0}
#define FN(result, first, n) {CDEFC_TYPE_FUNCTION, 0, 0, result, first, n, 0}

static const uint32_t _cdefc_args[] = {
    /* 0 */ T_INT, T_INT,           /* (int, int) */
    /* 2 */ T_INT_P, T_INT,         /* sum_array */
    /* 4 */ T_POINT_P,              /* point_sum */
    /* 5 */ T_CHAR_P,               /* count_chars, first_char */
    /* 6 */ T_DOUBLE, T_FLOAT,      /* scale */
    /* 8 */ T_COLOR,                /* next_color */
    /* 9 */ T_FN_II_I_P, T_INT, T_INT, /* apply */
    /* 12 */ T_INT,                 /* fail_with, is_positive */
    /* 13 */ T_UINT,                /* low_byte */
    /* 14 */ T_POINT,               /* point_sum_value */
    /* 15 */ T_BOOL,                /* bool_to_int */
    /* 16 */ T_LONGLONG,            /* neg64 */
    /* 17 */ T_ULONGLONG,           /* twice_u64 */
    /* 18 */ T_SHORT,               /* half_short */
    /* 19 */ T_LONGDOUBLE,          /* ld_twice */
    /* 20 */ T_WCHAR_P,             /* wlen, wfirst */
    /* 21 */ T_POINT_P, T_INT,      /* sum_points */
    /* 23 */ T_VOID_P,              /* take_void */
    /* 24 */ T_UCHAR_P,             /* take_uchar_ptr */
    /* 25 */ T_VS_P,                /* vs_sum */
    /* 26 */ T_SWAPPED_P,           /* swapped_x */
    /* 27 */ T_SWAPPED,             /* swapped_x_value, swapped_x_ptr */
};

static const cdefc_type _cdefc_types[T__COUNT] = {
    [T_VOID] = PRIM(CDEFC_PRIM_VOID),
    [T_INT] = PRIM(CDEFC_PRIM_INT),
    [T_CHAR] = PRIM(CDEFC_PRIM_CHAR),
    [T_UINT] = PRIM(CDEFC_PRIM_UINT),
    [T_DOUBLE] = PRIM(CDEFC_PRIM_DOUBLE),
    [T_FLOAT] = PRIM(CDEFC_PRIM_FLOAT),
    [T_LONGLONG] = PRIM(CDEFC_PRIM_LONGLONG),
    [T_ULONGLONG] = PRIM(CDEFC_PRIM_ULONGLONG),
    [T_SHORT] = PRIM(CDEFC_PRIM_SHORT),
    [T_UCHAR] = PRIM(CDEFC_PRIM_UCHAR),
    [T_BOOL] = PRIM(CDEFC_PRIM_BOOL),
    [T_SIZE] = PRIM(CDEFC_PRIM_SIZE),
    [T_LONGDOUBLE] = PRIM(CDEFC_PRIM_LONGDOUBLE),
    [T_WCHAR] = PRIM(CDEFC_PRIM_WCHAR),
    [T_POINT] = REC(0),
    [T_VALUE] = REC(1),
    [T_COLOR] = {CDEFC_TYPE_ENUM, 0, 0, 0, 0, 0, 0},
    [T_TAGGED] = REC(2),
    [T_FLAGS] = REC(3),
    [T_RECT] = REC(4),
    [T_LIST] = REC(5),
    [T_INT_P] = PTR(T_INT),
    [T_CHAR_P] = PTR(T_CHAR),
    [T_POINT_P] = PTR(T_POINT),
    [T_LIST_P] = PTR(T_LIST),
    [T_VOID_P] = PTR(T_VOID),
    [T_UCHAR_P] = PTR(T_UCHAR),
    [T_WCHAR_P] = PTR(T_WCHAR),
    [T_INT_5] = {CDEFC_TYPE_ARRAY, 0, 0, T_INT, 0, 0, 5},
    [T_UCHAR_8] = {CDEFC_TYPE_ARRAY, 0, 0, T_UCHAR, 0, 0, 8},
    [T_FN_II_I] = FN(T_INT, 0, 2),
    [T_FN_II_I_P] = PTR(T_FN_II_I),
    [T_CONST_INT] = {CDEFC_TYPE_PRIMITIVE, CDEFC_TYPE_CONST, CDEFC_PRIM_INT, 0, 0, 0, 0},
    [T_FN_SUM_ARRAY] = FN(T_LONGLONG, 2, 2),
    [T_FN_MAKE_POINT] = FN(T_POINT, 0, 2),
    [T_FN_POINT_SUM] = FN(T_INT, 4, 1),
    [T_FN_COUNT_CHARS] = FN(T_SIZE, 5, 1),
    [T_FN_GREETING] = FN(T_CHAR_P, 0, 0),
    [T_FN_FIRST_CHAR] = FN(T_CHAR, 5, 1),
    [T_FN_SCALE] = FN(T_DOUBLE, 6, 2),
    [T_FN_NEXT_COLOR] = FN(T_COLOR, 8, 1),
    [T_FN_APPLY] = FN(T_INT, 9, 3),
    [T_FN_I_I] = FN(T_INT, 12, 1),
    [T_FN_LOW_BYTE] = FN(T_UCHAR, 13, 1),
    [T_FN_IS_POSITIVE] = FN(T_BOOL, 12, 1),
    [T_FN_NULL_POINT] = FN(T_POINT_P, 0, 0),
    [T_FN_POINT_SUM_VALUE] = FN(T_INT, 14, 1),
    [T_FN_BOOL_TO_INT] = FN(T_INT, 15, 1),
    [T_FN_NEG64] = FN(T_LONGLONG, 16, 1),
    [T_FN_TWICE_U64] = FN(T_ULONGLONG, 17, 1),
    [T_FN_HALF_SHORT] = FN(T_SHORT, 18, 1),
    [T_FN_LD_TWICE] = FN(T_LONGDOUBLE, 19, 1),
    [T_FN_WLEN] = FN(T_SIZE, 20, 1),
    [T_FN_SUM_POINTS] = FN(T_INT, 21, 2),
    [T_FN_WFIRST] = FN(T_WCHAR, 20, 1),
    [T_FN_TAKE_VOID] = FN(T_INT, 23, 1),
    [T_FN_TAKE_UCHAR_PTR] = FN(T_INT, 24, 1),
    [T_FN_SUM_INTS] = {CDEFC_TYPE_FUNCTION, CDEFC_TYPE_VARIADIC, 0, T_INT, 12, 1, 0},
    [T_FN_SUM_INTS_P] = PTR(T_FN_SUM_INTS),
    [T_VS] = REC(6),
    [T_VS_P] = PTR(T_VS),
    [T_INT_OPEN] = {CDEFC_TYPE_OPEN_ARRAY, 0, 0, T_INT, 0, 0, 0},
    [T_FN_VS_SUM] = FN(T_INT, 25, 1),
    [T_SWAPPED] = REC(7),
    [T_GROWN] = REC(8),
    [T_HOLDS_SWAPPED] = REC(9),
    [T_SWAPPED_REF] = REC(10),
    [T_SWAPPED_P] = PTR(T_SWAPPED),
    [T_FN_GET_SWAPPED] = FN(T_SWAPPED_P, 0, 0),
    [T_FN_SWAPPED_X] = FN(T_INT, 26, 1),
    [T_FN_SWAPPED_X_VALUE] = FN(T_INT, 27, 1),
    [T_FN_SWAPPED_X_VALUE_P] = PTR(T_FN_SWAPPED_X_VALUE),
    [T_FN_MAKE_SWAPPED] = FN(T_SWAPPED, 0, 0),
};

/* ---- records, fields, enums, typedefs ---- */

static const cdefc_field _cdefc_fields[] = {
    /* 0: struct point */
    {"x", T_INT, -1, offsetof(struct point, x), 0},
    {"y", T_INT, -1, offsetof(struct point, y), 0},
    /* 2: union value */
    {"i", T_INT, -1, offsetof(union value, i), 0},
    {"d", T_DOUBLE, -1, offsetof(union value, d), 0},
    {"bytes", T_UCHAR_8, -1, offsetof(union value, bytes), 0},
    /* 5: tagged_t, the anonymous union flattened */
    {"kind", T_INT, -1, offsetof(tagged_t, kind), 0},
    {"i", T_INT, -1, offsetof(tagged_t, i), 0},
    {"f", T_FLOAT, -1, offsetof(tagged_t, f), 0},
    /* 8: struct flags (bit offsets as Clang reports them) */
    {"a", T_UINT, 3, 0, 0},
    {"b", T_UINT, 5, 0, 3},
    {"c", T_INT, 4, 1, 8},
    /* 11: struct rect */
    {"tl", T_POINT, -1, offsetof(struct rect, tl), 0},
    {"br", T_POINT, -1, offsetof(struct rect, br), 0},
    {"label", T_CHAR_P, -1, offsetof(struct rect, label), 0},
    /* 14: struct list */
    {"value", T_INT, -1, offsetof(struct list, value), 0},
    {"next", T_LIST_P, -1, offsetof(struct list, next), 0},
    /* 16: struct vs */
    {"n", T_INT, -1, offsetof(struct vs, n), 0},
    {"data", T_INT_OPEN, -1, offsetof(struct vs, data), 0},
    /* 18: struct swapped: the cdef's fields at C's offsets, as the emitter writes them */
    {"x", T_INT, -1, offsetof(struct swapped, x), 0},
    {"y", T_INT, -1, offsetof(struct swapped, y), 0},
    /* 20: struct grown */
    {"a", T_INT, -1, offsetof(struct grown, a), 0},
    /* 21: struct holds_swapped (its own layout is right: the error is its member's) */
    {"s", T_SWAPPED, -1, offsetof(struct holds_swapped, s), 0},
    {"n", T_INT, -1, offsetof(struct holds_swapped, n), 0},
    /* 23: struct swapped_ref (a pointer to it: no error) */
    {"p", T_SWAPPED_P, -1, offsetof(struct swapped_ref, p), 0},
    {"n", T_INT, -1, offsetof(struct swapped_ref, n), 0},
};

/* The ffi.error messages the compiler writes (CFFI's words). */
#define SWAPPED_ERROR                                                                        \
  "struct swapped: wrong offset for field 'x' (cdef says 0, but C compiler says 4). fix it " \
  "or use \"...;\" as the last field in the cdef for struct swapped to make it flexible"
#define GROWN_ERROR                                                                     \
  "struct grown: wrong total size (cdef says 4, but C compiler says 8). fix it or use " \
  "\"...;\" as the last field in the cdef for struct grown to make it flexible"
#define WRONG_ERROR "the C compiler says 'WRONG' is equal to 6 (0x6), but the cdef disagrees"

static const cdefc_record _cdefc_records[] = {
    {"struct point", sizeof(struct point), CDEFC_ALIGNOF(struct point), 0, 0, 2, NULL},
    {"union value", sizeof(union value), CDEFC_ALIGNOF(union value), CDEFC_RECORD_UNION, 2, 3, NULL},
    {"tagged_t", sizeof(tagged_t), CDEFC_ALIGNOF(tagged_t), 0, 5, 3, NULL},
    {"struct flags", sizeof(struct flags), CDEFC_ALIGNOF(struct flags), 0, 8, 3, NULL},
    {"struct rect", sizeof(struct rect), CDEFC_ALIGNOF(struct rect), 0, 11, 3, NULL},
    {"struct list", sizeof(struct list), CDEFC_ALIGNOF(struct list), 0, 14, 2, NULL},
    {"struct vs", sizeof(struct vs), CDEFC_ALIGNOF(struct vs), 0, 16, 2, NULL},
    {"struct swapped", sizeof(struct swapped), CDEFC_ALIGNOF(struct swapped), 0, 18, 2, SWAPPED_ERROR},
    {"struct grown", sizeof(struct grown), CDEFC_ALIGNOF(struct grown), 0, 20, 1, GROWN_ERROR},
    {"struct holds_swapped", sizeof(struct holds_swapped), CDEFC_ALIGNOF(struct holds_swapped), 0, 21, 2, NULL},
    {"struct swapped_ref", sizeof(struct swapped_ref), CDEFC_ALIGNOF(struct swapped_ref), 0, 23, 2, NULL},
};

static const cdefc_enumerator _cdefc_enumerators[] = {{"RED", RED}, {"GREEN", GREEN}, {"BLUE", BLUE}};
static const cdefc_enum _cdefc_enums[] = {{"enum color", CDEFC_PRIM_UINT, 0, 0, 3}};
static const cdefc_typedef _cdefc_typedefs[] = {
    {"myint_t", T_INT, 0}, {"swapped_t", T_SWAPPED, 0}, {"tagged_t", T_TAGGED, 0}};

/* ---- wrappers ---- */

static cdefc_context *_cdefc_ctx;

/* The C call with the GIL released and errno restored/saved, as the emitter writes it. */
#define CALL(stmt)                                   \
  do {                                               \
    int *_e = cdefc_errno_slot();                    \
    PyThreadState *_ts = PyEval_SaveThread();        \
    errno = *_e;                                     \
    stmt;                                            \
    *_e = errno;                                     \
    PyEval_RestoreThread(_ts);                       \
  } while (0)

/* Wrappers are METH_FASTCALL | METH_KEYWORDS and refuse keywords in cdefc_check_args. */
#define NARGS(name, n) \
  (void)_args; \
  if (cdefc_check_args(_self, name, _nargs, _kwnames, n) < 0) return NULL
#define ARG_S(i, T)                                                   \
  T _x##i;                                                            \
  {                                                                   \
    long long _v = cdefc_arg_signed(_args[i], sizeof(T), #T);         \
    if (_v == -1 && PyErr_Occurred()) return NULL;                    \
    _x##i = (T)_v;                                                    \
  }
#define ARG_U(i, T)                                                   \
  T _x##i;                                                            \
  {                                                                   \
    unsigned long long _v = cdefc_arg_unsigned(_args[i], sizeof(T), #T); \
    if (_v == (unsigned long long)-1 && PyErr_Occurred()) return NULL; \
    _x##i = (T)_v;                                                    \
  }
#define ARG_P(i, T, type)                                                         \
  T _x##i;                                                                        \
  {                                                                               \
    void *_p;                                                                     \
    if (cdefc_arg_pointer(_cdefc_ctx, type, _args[i], &_p, &_frame) < 0) goto _fail; \
    _x##i = (T)_p;                                                                \
  }
#define FRAME cdefc_frame _frame = {{0}, 0, 0}
#define WRAPPER(name) \
  static PyObject *_cdefc_fn_##name(PyObject *_self, PyObject *const *_args, Py_ssize_t _nargs, \
                                    PyObject *_kwnames)

WRAPPER(add) {
  NARGS("add", 2);
  ARG_S(0, int) ARG_S(1, int)
  int _r;
  CALL(_r = add(_x0, _x1));
  return PyLong_FromLong(_r);
}
WRAPPER(mul) {
  NARGS("mul", 2);
  ARG_S(0, int) ARG_S(1, int)
  int _r;
  CALL(_r = mul(_x0, _x1));
  return PyLong_FromLong(_r);
}
WRAPPER(sum_array) {
  NARGS("sum_array", 2);
  FRAME;
  ARG_P(0, int *, T_INT_P)
  {
    ARG_S(1, int)
    long long _r;
    CALL(_r = sum_array(_x0, _x1));
    cdefc_frame_release(&_frame);
    return PyLong_FromLongLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(make_point) {
  NARGS("make_point", 2);
  ARG_S(0, int) ARG_S(1, int)
  struct point _r;
  CALL(_r = make_point(_x0, _x1));
  return cdefc_result_record(_cdefc_ctx, T_POINT, &_r);
}
WRAPPER(point_sum) {
  NARGS("point_sum", 1);
  FRAME;
  ARG_P(0, struct point *, T_POINT_P)
  {
    int _r;
    CALL(_r = point_sum(_x0));
    cdefc_frame_release(&_frame);
    return PyLong_FromLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(point_sum_value) {
  NARGS("point_sum_value", 1);
  struct point _x0;
  if (cdefc_arg_record(_cdefc_ctx, T_POINT, _args[0], &_x0) < 0) return NULL;
  int _r;
  CALL(_r = point_sum_value(_x0));
  return PyLong_FromLong(_r);
}
WRAPPER(count_chars) {
  NARGS("count_chars", 1);
  FRAME;
  ARG_P(0, char *, T_CHAR_P)
  {
    size_t _r;
    CALL(_r = count_chars(_x0));
    cdefc_frame_release(&_frame);
    return PyLong_FromSize_t(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(greeting) {
  NARGS("greeting", 0);
  const char *_r;
  CALL(_r = greeting());
  return cdefc_result_pointer(_cdefc_ctx, T_CHAR_P, (void *)_r);
}
WRAPPER(first_char) {
  NARGS("first_char", 1);
  FRAME;
  ARG_P(0, char *, T_CHAR_P)
  {
    char _r;
    CALL(_r = first_char(_x0));
    cdefc_frame_release(&_frame);
    return cdefc_result_char(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(scale) {
  NARGS("scale", 2);
  double _x0 = cdefc_arg_double(_args[0]);
  if (_x0 == -1.0 && PyErr_Occurred()) return NULL;
  double _x1 = cdefc_arg_double(_args[1]);
  if (_x1 == -1.0 && PyErr_Occurred()) return NULL;
  double _r;
  CALL(_r = scale(_x0, (float)_x1));
  return PyFloat_FromDouble(_r);
}
WRAPPER(next_color) {
  NARGS("next_color", 1);
  ARG_U(0, enum color)
  enum color _r;
  CALL(_r = next_color(_x0));
  return PyLong_FromUnsignedLongLong(_r);
}
WRAPPER(apply) {
  NARGS("apply", 3);
  FRAME;
  ARG_P(0, void *, T_FN_II_I_P)
  {
    ARG_S(1, int) ARG_S(2, int)
    int _r;
    CALL(_r = apply((int (*)(int, int))_x0, _x1, _x2));
    cdefc_frame_release(&_frame);
    return PyLong_FromLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(fail_with) {
  NARGS("fail_with", 1);
  ARG_S(0, int)
  int _r;
  CALL(_r = fail_with(_x0));
  return PyLong_FromLong(_r);
}
WRAPPER(low_byte) {
  NARGS("low_byte", 1);
  ARG_U(0, unsigned int)
  unsigned char _r;
  CALL(_r = low_byte(_x0));
  return PyLong_FromUnsignedLong(_r);
}
WRAPPER(is_positive) {
  NARGS("is_positive", 1);
  ARG_S(0, int)
  _Bool _r;
  CALL(_r = is_positive(_x0));
  return PyBool_FromLong(_r);
}
WRAPPER(bool_to_int) {
  NARGS("bool_to_int", 1);
  int _b = cdefc_arg_bool(_args[0]);
  if (_b < 0) return NULL;
  int _r;
  CALL(_r = bool_to_int((_Bool)_b));
  return PyLong_FromLong(_r);
}
WRAPPER(null_point) {
  NARGS("null_point", 0);
  struct point *_r;
  CALL(_r = null_point());
  return cdefc_result_pointer(_cdefc_ctx, T_POINT_P, _r);
}
WRAPPER(neg64) {
  NARGS("neg64", 1);
  ARG_S(0, long long)
  long long _r;
  CALL(_r = neg64(_x0));
  return PyLong_FromLongLong(_r);
}
WRAPPER(twice_u64) {
  NARGS("twice_u64", 1);
  ARG_U(0, unsigned long long)
  unsigned long long _r;
  CALL(_r = twice_u64(_x0));
  return PyLong_FromUnsignedLongLong(_r);
}
WRAPPER(half_short) {
  NARGS("half_short", 1);
  ARG_S(0, short)
  short _r;
  CALL(_r = half_short(_x0));
  return PyLong_FromLong(_r);
}
WRAPPER(ld_twice) {
  NARGS("ld_twice", 1);
  long double _x0;
  if (cdefc_arg_longdouble(_args[0], &_x0) < 0) return NULL;
  long double _r;
  CALL(_r = ld_twice(_x0));
  return cdefc_result_longdouble(_cdefc_ctx, _r);
}
WRAPPER(wlen) {
  NARGS("wlen", 1);
  FRAME;
  ARG_P(0, wchar_t *, T_WCHAR_P)
  {
    size_t _r;
    CALL(_r = wlen(_x0));
    cdefc_frame_release(&_frame);
    return PyLong_FromSize_t(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(sum_points) {
  NARGS("sum_points", 2);
  FRAME;
  ARG_P(0, struct point *, T_POINT_P)
  {
    ARG_S(1, int)
    int _r;
    CALL(_r = sum_points(_x0, _x1));
    cdefc_frame_release(&_frame);
    return PyLong_FromLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(wfirst) {
  NARGS("wfirst", 1);
  FRAME;
  ARG_P(0, wchar_t *, T_WCHAR_P)
  {
    wchar_t _r;
    CALL(_r = wfirst(_x0));
    cdefc_frame_release(&_frame);
    return cdefc_result_record(_cdefc_ctx, T_WCHAR, &_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(take_void) {
  NARGS("take_void", 1);
  FRAME;
  ARG_P(0, void *, T_VOID_P)
  {
    int _r;
    CALL(_r = take_void(_x0));
    cdefc_frame_release(&_frame);
    return PyLong_FromLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(vs_sum) {
  NARGS("vs_sum", 1);
  FRAME;
  ARG_P(0, struct vs *, T_VS_P)
  {
    int _r;
    CALL(_r = vs_sum(_x0));
    cdefc_frame_release(&_frame);
    return PyLong_FromLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(take_uchar_ptr) {
  NARGS("take_uchar_ptr", 1);
  FRAME;
  ARG_P(0, unsigned char *, T_UCHAR_P)
  {
    int _r;
    CALL(_r = take_uchar_ptr(_x0));
    cdefc_frame_release(&_frame);
    return PyLong_FromLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(get_swapped) {
  NARGS("get_swapped", 0);
  struct swapped *_r;
  CALL(_r = get_swapped());
  return cdefc_result_pointer(_cdefc_ctx, T_SWAPPED_P, _r);
}
WRAPPER(swapped_x) {
  NARGS("swapped_x", 1);
  FRAME;
  ARG_P(0, struct swapped *, T_SWAPPED_P)
  {
    int _r;
    CALL(_r = swapped_x(_x0));
    cdefc_frame_release(&_frame);
    return PyLong_FromLong(_r);
  }
_fail:
  cdefc_frame_release(&_frame);
  return NULL;
}
WRAPPER(swapped_x_value) {
  NARGS("swapped_x_value", 1);
  struct swapped _x0;
  if (cdefc_arg_record(_cdefc_ctx, T_SWAPPED, _args[0], &_x0) < 0) return NULL;
  int _r;
  CALL(_r = swapped_x_value(_x0));
  return PyLong_FromLong(_r);
}
WRAPPER(make_swapped) {
  NARGS("make_swapped", 0);
  struct swapped _r;
  CALL(_r = make_swapped());
  return cdefc_result_record(_cdefc_ctx, T_SWAPPED, &_r);
}

#define METHOD(name) \
  {#name, (PyCFunction)(void (*)(void))_cdefc_fn_##name, METH_FASTCALL | METH_KEYWORDS, NULL}
enum {
  M_add, M_apply, M_bool_to_int, M_count_chars, M_fail_with, M_first_char, M_get_swapped,
  M_greeting, M_half_short, M_is_positive, M_ld_twice, M_low_byte, M_make_point,
  M_make_swapped, M_mul, M_neg64, M_next_color, M_null_point, M_point_sum, M_point_sum_value,
  M_scale, M_sum_array, M_sum_points, M_swapped_x, M_swapped_x_value, M_take_uchar_ptr,
  M_take_void, M_twice_u64, M_vs_sum, M_wfirst, M_wlen
};
static PyMethodDef _cdefc_methods[] = {
    METHOD(add), METHOD(apply), METHOD(bool_to_int), METHOD(count_chars), METHOD(fail_with),
    METHOD(first_char), METHOD(get_swapped), METHOD(greeting), METHOD(half_short),
    METHOD(is_positive), METHOD(ld_twice), METHOD(low_byte), METHOD(make_point),
    METHOD(make_swapped), METHOD(mul), METHOD(neg64), METHOD(next_color), METHOD(null_point),
    METHOD(point_sum), METHOD(point_sum_value), METHOD(scale), METHOD(sum_array),
    METHOD(sum_points), METHOD(swapped_x), METHOD(swapped_x_value), METHOD(take_uchar_ptr),
    METHOD(take_void), METHOD(twice_u64), METHOD(vs_sum), METHOD(wfirst), METHOD(wlen),
    {NULL, NULL, 0, NULL}};

/* ---- variables and constants ---- */

static void *_cdefc_var_answer(void) { return (void *)&answer; }
static void *_cdefc_var_binop(void) { return &binop; }
static void *_cdefc_var_counter(void) { return &counter; }
static void *_cdefc_var_message(void) { return &message; }
static void *_cdefc_var_numbers(void) { return numbers; }
static void *_cdefc_var_origin(void) { return &origin; }
static void *_cdefc_var_sum_ints_ptr(void) { return &sum_ints_ptr; }
static void *_cdefc_var_swapped_global(void) { return &swapped_global; }
static void *_cdefc_var_swapped_x_ptr(void) { return &swapped_x_ptr; }

static void _cdefc_const_BLUE(void *_out) { *(enum color *)_out = BLUE; }
static void _cdefc_const_GREEN(void *_out) { *(enum color *)_out = GREEN; }
static void _cdefc_const_RED(void *_out) { *(enum color *)_out = RED; }
static void _cdefc_const_HALF(void *_out) { *(double *)_out = HALF; }
static void _cdefc_const_LIMIT(void *_out) { *(int *)_out = LIMIT; }
static void _cdefc_const_NAME(void *_out) { *(const char **)_out = NAME; }
static void _cdefc_const_NEG(void *_out) { *(int *)_out = NEG; }
static void _cdefc_const_WRONG(void *_out) { *(int *)_out = WRONG; }

/* ---- lib attributes, sorted by name ---- */

#define FUNC(name, type) {#name, CDEFC_GLOBAL_FUNCTION, type, &_cdefc_methods[M_##name], (void *(*)(void))(void (*)(void))name, NULL, NULL}
#define VAR(name, type) {#name, CDEFC_GLOBAL_VARIABLE, type, NULL, _cdefc_var_##name, NULL, NULL}
#define CONST(name, type) {#name, CDEFC_GLOBAL_CONSTANT, type, NULL, NULL, _cdefc_const_##name, NULL}
/* A #define whose value is not the cdef's: reading it raises ffi.error `error`. */
#define CONST_ERROR(name, type, error) {#name, CDEFC_GLOBAL_CONSTANT, type, NULL, NULL, _cdefc_const_##name, error}

static const cdefc_global _cdefc_globals[] = {
    CONST(BLUE, T_COLOR),
    CONST(GREEN, T_COLOR),
    CONST(HALF, T_DOUBLE),
    CONST(LIMIT, T_INT),
    CONST(NAME, T_CHAR_P),
    CONST(NEG, T_INT),
    CONST(RED, T_COLOR),
    CONST_ERROR(WRONG, T_INT, WRONG_ERROR),
    FUNC(add, T_FN_II_I),
    VAR(answer, T_CONST_INT),
    FUNC(apply, T_FN_APPLY),
    VAR(binop, T_FN_II_I_P),
    FUNC(bool_to_int, T_FN_BOOL_TO_INT),
    FUNC(count_chars, T_FN_COUNT_CHARS),
    VAR(counter, T_INT),
    FUNC(fail_with, T_FN_I_I),
    FUNC(first_char, T_FN_FIRST_CHAR),
    FUNC(get_swapped, T_FN_GET_SWAPPED),
    FUNC(greeting, T_FN_GREETING),
    FUNC(half_short, T_FN_HALF_SHORT),
    FUNC(is_positive, T_FN_IS_POSITIVE),
    FUNC(ld_twice, T_FN_LD_TWICE),
    FUNC(low_byte, T_FN_LOW_BYTE),
    FUNC(make_point, T_FN_MAKE_POINT),
    FUNC(make_swapped, T_FN_MAKE_SWAPPED),
    VAR(message, T_CHAR_P),
    FUNC(mul, T_FN_II_I),
    FUNC(neg64, T_FN_NEG64),
    FUNC(next_color, T_FN_NEXT_COLOR),
    FUNC(null_point, T_FN_NULL_POINT),
    VAR(numbers, T_INT_5),
    VAR(origin, T_POINT),
    FUNC(point_sum, T_FN_POINT_SUM),
    FUNC(point_sum_value, T_FN_POINT_SUM_VALUE),
    FUNC(scale, T_FN_SCALE),
    FUNC(sum_array, T_FN_SUM_ARRAY),
    VAR(sum_ints_ptr, T_FN_SUM_INTS_P),
    FUNC(sum_points, T_FN_SUM_POINTS),
    VAR(swapped_global, T_SWAPPED),
    FUNC(swapped_x, T_FN_SWAPPED_X),
    VAR(swapped_x_ptr, T_FN_SWAPPED_X_VALUE_P),
    FUNC(swapped_x_value, T_FN_SWAPPED_X_VALUE),
    FUNC(take_uchar_ptr, T_FN_TAKE_UCHAR_PTR),
    FUNC(take_void, T_FN_TAKE_VOID),
    FUNC(twice_u64, T_FN_TWICE_U64),
    FUNC(vs_sum, T_FN_VS_SUM),
    FUNC(wfirst, T_FN_WFIRST),
    FUNC(wlen, T_FN_WLEN),
};

static const cdefc_module_def _cdefc_module = {
    CDEFC_ABI_VERSION,
    HANDMADE_NAME_STR,
    _cdefc_types,
    T__COUNT,
    _cdefc_args,
    _cdefc_records,
    sizeof(_cdefc_records) / sizeof(_cdefc_records[0]),
    _cdefc_fields,
    _cdefc_enums,
    1,
    _cdefc_enumerators,
    _cdefc_typedefs,
    sizeof(_cdefc_typedefs) / sizeof(_cdefc_typedefs[0]),
    _cdefc_globals,
    sizeof(_cdefc_globals) / sizeof(_cdefc_globals[0]),
    NULL,
    0,
    0,
};

PyMODINIT_FUNC PYINIT(HANDMADE_NAME)(void) { return cdefc_module_init(&_cdefc_module, &_cdefc_ctx); }
