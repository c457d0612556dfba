/* The contract between a generated module and the cdefc runtime: the tables a module
   describes itself with, and the functions its wrappers call. Plain C, valid as C++.
   Versioned: a change of any struct or function below changes CDEFC_ABI_VERSION. */
#ifndef CDEFC_MODULE_H
#define CDEFC_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this contract; the runtime refuses tables of another version. */
#define CDEFC_ABI_VERSION 3

/** Compile-time checks in generated code, the same spelling in C and C++. */
#ifdef __cplusplus
#define CDEFC_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#define CDEFC_ALIGNOF(type) alignof(type)
#else
#define CDEFC_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define CDEFC_ALIGNOF(type) _Alignof(type)
#endif

/** A big module's wrappers may be compiled in parallel, in files apart from the one with the
    user's source (cdefc --pieces): those files and the main one share symbols with C linkage
    that the module does not export. CDEFC_PIECE defines one (or declares a function),
    CDEFC_PIECE_EXTERN declares one. */
#if defined(__GNUC__) || defined(__clang__)
#define CDEFC_HIDDEN __attribute__((visibility("hidden")))
#else
#define CDEFC_HIDDEN
#endif
#ifdef __cplusplus
#define CDEFC_PIECE extern "C" CDEFC_HIDDEN
#define CDEFC_PIECE_EXTERN extern "C" CDEFC_HIDDEN
#else
#define CDEFC_PIECE CDEFC_HIDDEN
#define CDEFC_PIECE_EXTERN extern CDEFC_HIDDEN
#endif

/* ---- Primitive types: the runtime knows each one's size, alignment and signedness. ---- */

/** Every primitive type once, in the order of enum cdefc_primitive, as
    X(ID, name, KIND, storage): `name` as CFFI and the cdef spell it (the names ending in _t,
    and FILE, are the standard typedef names a cdef may use without declaring them); KIND one
    of SIGNED, UNSIGNED, BOOL, CHAR, WCHAR (CFFI's character types), FLOAT, LONGDOUBLE,
    COMPLEX (two of `storage`), OPAQUE (no size: FILE), VOID; `storage` the C++ type whose
    size and alignment the runtime uses. The compiler and the runtime expand it; generated
    modules only use the ids. */
#define CDEFC_PRIMITIVES(X) \
  X(VOID, "void", VOID, void) \
  X(BOOL, "_Bool", BOOL, bool) \
  X(CHAR, "char", CHAR, char) \
  X(SCHAR, "signed char", SIGNED, signed char) \
  X(UCHAR, "unsigned char", UNSIGNED, unsigned char) \
  X(SHORT, "short", SIGNED, short) \
  X(USHORT, "unsigned short", UNSIGNED, unsigned short) \
  X(INT, "int", SIGNED, int) \
  X(UINT, "unsigned int", UNSIGNED, unsigned int) \
  X(LONG, "long", SIGNED, long) \
  X(ULONG, "unsigned long", UNSIGNED, unsigned long) \
  X(LONGLONG, "long long", SIGNED, long long) \
  X(ULONGLONG, "unsigned long long", UNSIGNED, unsigned long long) \
  X(INT8, "int8_t", SIGNED, int8_t) \
  X(UINT8, "uint8_t", UNSIGNED, uint8_t) \
  X(INT16, "int16_t", SIGNED, int16_t) \
  X(UINT16, "uint16_t", UNSIGNED, uint16_t) \
  X(INT32, "int32_t", SIGNED, int32_t) \
  X(UINT32, "uint32_t", UNSIGNED, uint32_t) \
  X(INT64, "int64_t", SIGNED, int64_t) \
  X(UINT64, "uint64_t", UNSIGNED, uint64_t) \
  X(INT_LEAST8, "int_least8_t", SIGNED, int_least8_t) \
  X(UINT_LEAST8, "uint_least8_t", UNSIGNED, uint_least8_t) \
  X(INT_LEAST16, "int_least16_t", SIGNED, int_least16_t) \
  X(UINT_LEAST16, "uint_least16_t", UNSIGNED, uint_least16_t) \
  X(INT_LEAST32, "int_least32_t", SIGNED, int_least32_t) \
  X(UINT_LEAST32, "uint_least32_t", UNSIGNED, uint_least32_t) \
  X(INT_LEAST64, "int_least64_t", SIGNED, int_least64_t) \
  X(UINT_LEAST64, "uint_least64_t", UNSIGNED, uint_least64_t) \
  X(INT_FAST8, "int_fast8_t", SIGNED, int_fast8_t) \
  X(UINT_FAST8, "uint_fast8_t", UNSIGNED, uint_fast8_t) \
  X(INT_FAST16, "int_fast16_t", SIGNED, int_fast16_t) \
  X(UINT_FAST16, "uint_fast16_t", UNSIGNED, uint_fast16_t) \
  X(INT_FAST32, "int_fast32_t", SIGNED, int_fast32_t) \
  X(UINT_FAST32, "uint_fast32_t", UNSIGNED, uint_fast32_t) \
  X(INT_FAST64, "int_fast64_t", SIGNED, int_fast64_t) \
  X(UINT_FAST64, "uint_fast64_t", UNSIGNED, uint_fast64_t) \
  X(INTPTR, "intptr_t", SIGNED, intptr_t) \
  X(UINTPTR, "uintptr_t", UNSIGNED, uintptr_t) \
  X(INTMAX, "intmax_t", SIGNED, intmax_t) \
  X(UINTMAX, "uintmax_t", UNSIGNED, uintmax_t) \
  X(PTRDIFF, "ptrdiff_t", SIGNED, ptrdiff_t) \
  X(SIZE, "size_t", UNSIGNED, size_t) \
  X(SSIZE, "ssize_t", SIGNED, ssize_t) \
  X(WCHAR, "wchar_t", WCHAR, wchar_t) \
  X(CHAR16, "char16_t", WCHAR, char16_t) \
  X(CHAR32, "char32_t", WCHAR, char32_t) \
  X(FLOAT, "float", FLOAT, float) \
  X(DOUBLE, "double", FLOAT, double) \
  X(LONGDOUBLE, "long double", LONGDOUBLE, long double) \
  X(FLOATCOMPLEX, "float _Complex", COMPLEX, float) \
  X(DOUBLECOMPLEX, "double _Complex", COMPLEX, double) \
  X(FILE, "FILE", OPAQUE, void)

/** Primitive type ids (cdefc_type.primitive). */
#define CDEFC_PRIM_ID(ID, name, KIND, storage) CDEFC_PRIM_##ID,
enum cdefc_primitive { CDEFC_PRIMITIVES(CDEFC_PRIM_ID) CDEFC_PRIM__COUNT };
#undef CDEFC_PRIM_ID

/* ---- Types: every type a module mentions, by index into cdefc_module_def.types. ---- */

/** What a cdefc_type is. */
enum cdefc_type_kind {
  CDEFC_TYPE_PRIMITIVE = 1, /**< `primitive` says which (VOID included) */
  CDEFC_TYPE_POINTER,       /**< pointer to types[target] */
  CDEFC_TYPE_ARRAY,         /**< types[target][length] */
  CDEFC_TYPE_OPEN_ARRAY,    /**< types[target][] (length unknown) */
  CDEFC_TYPE_RECORD,        /**< records[target] (struct or union) */
  CDEFC_TYPE_ENUM,          /**< enums[target] */
  CDEFC_TYPE_FUNCTION       /**< result types[target]; params args[first_arg .. +num_args] */
};

/** cdefc_type.flags */
#define CDEFC_TYPE_CONST 1u    /**< const-qualified (read-only globals) */
#define CDEFC_TYPE_VARIADIC 2u /**< function type ending with '...' */

/** One C type. */
typedef struct cdefc_type {
  uint8_t kind;       /**< enum cdefc_type_kind */
  uint8_t flags;      /**< CDEFC_TYPE_* */
  uint16_t primitive; /**< enum cdefc_primitive, for CDEFC_TYPE_PRIMITIVE */
  uint32_t target;    /**< see enum cdefc_type_kind */
  uint32_t first_arg; /**< functions: first index into cdefc_module_def.args */
  uint32_t num_args;  /**< functions: number of parameters */
  uint64_t length;    /**< arrays: number of items */
} cdefc_type;

/* ---- Structs and unions. ---- */

/** cdefc_record.flags */
#define CDEFC_RECORD_UNION 1u   /**< a union, not a struct */
#define CDEFC_RECORD_OPAQUE 2u  /**< 'typedef ... t': no size, no fields */
#define CDEFC_RECORD_PACKED 4u  /**< cdef(packed=True) or pack=N */
#define CDEFC_RECORD_INCLUDED 8u /**< declared by an included module (ffi.include()): the
                                      ctype is that module's, found by name; no size, no
                                      fields here */

/** One field. Anonymous struct/union members are flattened: their fields appear in the
    enclosing record with offsets from its start, as CFFI shows them. */
typedef struct cdefc_field {
  const char *name;
  uint32_t type;       /**< index into types */
  int32_t bit_width;   /**< -1 when not a bitfield */
  size_t offset;       /**< byte offset (for bitfields: bit_offset / 8) */
  size_t bit_offset;   /**< bitfields: offset in bits from the record's start */
} cdefc_field;

/** One struct or union. */
typedef struct cdefc_record {
  const char *name;     /**< "struct point", "union value", or the typedef name of an
                             anonymous one ("foo_t") */
  size_t size;          /**< sizeof (0 when opaque) */
  size_t align;         /**< alignof (0 when opaque) */
  uint32_t flags;       /**< CDEFC_RECORD_* */
  uint32_t first_field; /**< index into cdefc_module_def.fields */
  uint32_t num_fields;
  const char *error;    /**< NULL, or the message of the ffi.error that the first use of
                             the type raises (the cdef's exact layout is not C's), as CFFI */
} cdefc_record;

/* ---- Enums. ---- */

/** One enumerator. */
typedef struct cdefc_enumerator {
  const char *name;
  int64_t value; /**< as uint64_t bits when the enum's primitive is unsigned */
} cdefc_enumerator;

/** cdefc_enum.flags */
#define CDEFC_ENUM_INCLUDED 1u /**< declared by an included module: the ctype is that
                                    module's, found by name; no enumerators here */

/** One enum. */
typedef struct cdefc_enum {
  const char *name;         /**< "enum color", or the typedef name of an anonymous one */
  uint16_t primitive;       /**< the integer type that holds it (enum cdefc_primitive) */
  uint16_t flags;           /**< CDEFC_ENUM_* */
  uint32_t first_value;     /**< index into cdefc_module_def.enumerators */
  uint32_t num_values;
} cdefc_enum;

/** A typedef name, for the run-time type-name grammar (ffi.new("foo_t *")). */
typedef struct cdefc_typedef {
  const char *name;
  uint32_t type;  /**< index into types */
  uint32_t flags; /**< CDEFC_TYPEDEF_* */
} cdefc_typedef;

/** cdefc_typedef.flags */
#define CDEFC_TYPEDEF_INCLUDED 1u /**< declared by an included module: the type is what
                                       that module's typedef of this name is */

/* ---- lib attributes. ---- */

/** What a lib attribute is. */
enum cdefc_global_kind {
  CDEFC_GLOBAL_FUNCTION = 1, /**< a C function: `method` is its fast wrapper */
  CDEFC_GLOBAL_VARIABLE,     /**< a global variable: `address` returns its address */
  CDEFC_GLOBAL_CONSTANT,     /**< #define, static const, enumerator: `getter` writes it */
  CDEFC_GLOBAL_EXTERN_PYTHON /**< extern "Python": a C function the module implements */
};

/** One lib attribute (the globals array is sorted by strcmp of names). */
typedef struct cdefc_global {
  const char *name;
  uint32_t kind;                 /**< enum cdefc_global_kind */
  uint32_t type;                 /**< its type (functions: the function type) */
  const void *method;            /**< FUNCTION: the PyMethodDef of its wrapper */
  void *(*address)(void);        /**< FUNCTION, EXTERN_PYTHON: the C function; VARIABLE: its
                                      address */
  void (*getter)(void *out);     /**< CONSTANT: writes the value (of `type`) into out */
  const char *error;             /**< NULL, or the message of the ffi.error that reading the
                                      attribute raises (a #define whose value is not the
                                      cdef's), as CFFI */
} cdefc_global;

/** Everything a generated module tells the runtime about itself. */
typedef struct cdefc_module_def {
  uint32_t abi_version;                  /**< CDEFC_ABI_VERSION */
  const char *module_name;               /**< full dotted name, e.g. "pkg._foo" */
  const cdefc_type *types;
  uint32_t num_types;
  const uint32_t *args;                  /**< function parameter type indices */
  const cdefc_record *records;
  uint32_t num_records;
  const cdefc_field *fields;
  const cdefc_enum *enums;
  uint32_t num_enums;
  const cdefc_enumerator *enumerators;
  const cdefc_typedef *typedefs;         /**< sorted by name */
  uint32_t num_typedefs;
  const cdefc_global *globals;           /**< sorted by name */
  uint32_t num_globals;
  const char *const *includes;           /**< dotted names of the modules ffi.include() gave:
                                              imported first; lib attributes and types this
                                              module lacks are looked up there, in order */
  uint32_t num_includes;
  uint32_t flags;                        /**< CDEFC_MODULE_* */
} cdefc_module_def;

/** cdefc_module_def.flags */
#define CDEFC_MODULE_ABI_MODE 1u /**< set_source(name, None): the module has `ffi` and no
                                      `lib`; functions and variables (no `method`, no
                                      `address`) are reached through ffi.dlopen() alone */

/* ---- What generated wrappers call. `struct _object` is CPython's PyObject. ---- */

/** A module's run-time state, made by cdefc_module_init. */
typedef struct cdefc_context cdefc_context;

/** Temporaries of one call (bytes for char *, lists for T *), freed after the call. */
typedef struct cdefc_frame {
  void *owned[8];       /**< small inline storage; overflow goes to `more` */
  size_t count;
  void *more;
} cdefc_frame;

/* Helpers for the bodies of generated wrappers (macros: they change no ABI). `fail` is the
   statement that leaves the wrapper on error (`return NULL` or `goto _fail`). */

/** Empties a call's frame of temporaries. */
#define CDEFC_FRAME_INIT(frame) ((frame).count = 0, (frame).more = NULL)
#ifdef CDEFC_COMPACT_WRAPPERS
/* A big module's wrappers compiled apart (cdefc --pieces) convert integers through the
   runtime only: a quarter less C compiler time, a nanosecond or two more per argument. */
#define CDEFC_ARG_SIGNED(x, T, arg, type_name, fail)                      \
  do {                                                                    \
    (x) = (T)cdefc_arg_signed(arg, sizeof(T), type_name);                 \
    if ((x) == (T)-1 && PyErr_Occurred()) fail;                           \
  } while (0)
#define CDEFC_ARG_UNSIGNED(x, T, arg, type_name, fail)                    \
  do {                                                                    \
    (x) = (T)cdefc_arg_unsigned(arg, sizeof(T), type_name);               \
    if ((x) == (T)-1 && PyErr_Occurred()) fail;                           \
  } while (0)
#else
/** Integer argument `arg` into `x` of signed C type T: an exact int that fits T inline, the
    rest (other objects, CFFI's errors) through cdefc_arg_signed. */
#define CDEFC_ARG_SIGNED(x, T, arg, type_name, fail)                      \
  do {                                                                    \
    long cdefc_v_ = -1;                                                   \
    if (Py_IS_TYPE(arg, &PyLong_Type) &&                                  \
        ((cdefc_v_ = PyLong_AsLong(arg)) != -1 || !PyErr_Occurred()) &&   \
        (long)(T)cdefc_v_ == cdefc_v_) {                                  \
      (x) = (T)cdefc_v_;                                                  \
    } else {                                                              \
      PyErr_Clear();                                                      \
      (x) = (T)cdefc_arg_signed(arg, sizeof(T), type_name);               \
      if ((x) == (T)-1 && PyErr_Occurred()) fail;                         \
    }                                                                     \
  } while (0)
/** The same for an unsigned C type T (cdefc_arg_unsigned). */
#define CDEFC_ARG_UNSIGNED(x, T, arg, type_name, fail)                    \
  do {                                                                    \
    long cdefc_v_ = -1;                                                   \
    if (Py_IS_TYPE(arg, &PyLong_Type) && (cdefc_v_ = PyLong_AsLong(arg)) >= 0 && \
        (unsigned long)(T)cdefc_v_ == (unsigned long)cdefc_v_) {          \
      (x) = (T)cdefc_v_;                                                  \
    } else {                                                              \
      PyErr_Clear();                                                      \
      (x) = (T)cdefc_arg_unsigned(arg, sizeof(T), type_name);             \
      if ((x) == (T)-1 && PyErr_Occurred()) fail;                         \
    }                                                                     \
  } while (0)
#endif
/** float/double argument `arg` into `x` of C type T: an exact float inline, the rest through
    cdefc_arg_double. */
#define CDEFC_ARG_DOUBLE(x, T, arg, fail)                                 \
  do {                                                                    \
    double cdefc_d_ = Py_IS_TYPE(arg, &PyFloat_Type) ? PyFloat_AsDouble(arg) \
                                                     : cdefc_arg_double(arg); \
    if (cdefc_d_ == -1.0 && PyErr_Occurred()) fail;                       \
    (x) = (T)cdefc_d_;                                                    \
  } while (0)
/** Pointer argument `arg` (types[type]) into `x` of C type T. */
#define CDEFC_ARG_POINTER(x, T, ctx, type, arg, frame, fail)              \
  do {                                                                    \
    void *cdefc_p_;                                                       \
    if (cdefc_arg_pointer(ctx, type, arg, &cdefc_p_, &(frame)) < 0) fail; \
    (x) = (T)cdefc_p_;                                                    \
  } while (0)
/** The same for a pointer to void or to a one-byte item, which takes bytes as they are (the
    caller's argument keeps them alive, as in CFFI): an exact bytes object inline. */
#define CDEFC_ARG_POINTER_OR_BYTES(x, T, ctx, type, arg, frame, fail)     \
  do {                                                                    \
    if (Py_IS_TYPE(arg, &PyBytes_Type))                                   \
      (x) = (T)(void *)PyBytes_AsString(arg);                             \
    else                                                                  \
      CDEFC_ARG_POINTER(x, T, ctx, type, arg, frame, fail);               \
  } while (0)
/** Runs the C call statement with the GIL released and errno restored before, saved after,
    as CFFI does. */
#define CDEFC_CALL(statement)                                             \
  do {                                                                    \
    int *cdefc_slot_ = cdefc_errno_slot(); /* this thread's, throughout */ \
    PyThreadState *cdefc_ts_ = PyEval_SaveThread();                       \
    errno = *cdefc_slot_;                                                 \
    statement;                                                            \
    *cdefc_slot_ = errno;                                                 \
    PyEval_RestoreThread(cdefc_ts_);                                      \
  } while (0)

/** The same with the GIL kept (a function the build decided keeps it): errno restored and
    saved all the same. */
#define CDEFC_CALL_KEEP_GIL(statement)                                    \
  do {                                                                    \
    int *cdefc_slot_ = cdefc_errno_slot();                                \
    errno = *cdefc_slot_;                                                 \
    statement;                                                            \
    *cdefc_slot_ = errno;                                                 \
  } while (0)

/** Creates the module object (with `ffi` and `lib`) for `def`; stores its context in *ctx.
    Returns a new reference, or NULL with an exception set. */
struct _object *cdefc_module_init(const cdefc_module_def *def, cdefc_context **ctx);

/** Arguments of a METH_FASTCALL | METH_KEYWORDS wrapper: TypeError unless the call has
    `expected` positional arguments and no keyword arguments, with CFFI's messages. `self`
    is the wrapper's self (the lib), `kwnames` its keyword names (NULL without keywords). */
int cdefc_check_args(struct _object *self, const char *fname, ptrdiff_t nargs,
                     struct _object *kwnames, ptrdiff_t expected);

/** Integer argument of `size` bytes: the value, or -1 with an exception set (check
    PyErr_Occurred). Raises TypeError for non-integers, OverflowError (naming `type_name`)
    when out of range. */
long long cdefc_arg_signed(struct _object *o, size_t size, const char *type_name);
unsigned long long cdefc_arg_unsigned(struct _object *o, size_t size, const char *type_name);
/** float/double argument: -1.0 with an exception set on error. */
double cdefc_arg_double(struct _object *o);
/** long double argument into *out; 0 or -1. */
int cdefc_arg_longdouble(struct _object *o, long double *out);
/** char argument (bytes of length 1, or cdata char) into *out; 0 or -1. */
int cdefc_arg_char(struct _object *o, char *out);
/** _Bool argument: 0 or 1, or -1 with an exception set. */
int cdefc_arg_bool(struct _object *o);
/** Pointer argument of types[type] into *out: cdata, ffi.NULL/None, bytes for char *,
    a list/tuple for T * (temporaries recorded in frame). 0 or -1. */
int cdefc_arg_pointer(cdefc_context *ctx, uint32_t type, struct _object *o, void **out,
                      cdefc_frame *frame);
/** Struct/union argument of types[type] by value, copied into out. 0 or -1. */
int cdefc_arg_record(cdefc_context *ctx, uint32_t type, struct _object *o, void *out);
/** Frees the temporaries of a call. */
void cdefc_frame_release(cdefc_frame *frame);

/** Results: new references, or NULL with an exception set. */
struct _object *cdefc_result_pointer(cdefc_context *ctx, uint32_t type, void *p);
struct _object *cdefc_result_record(cdefc_context *ctx, uint32_t type, const void *p);
struct _object *cdefc_result_char(char c);
struct _object *cdefc_result_longdouble(cdefc_context *ctx, long double v);

/** The body of an extern "Python" function: calls the Python function that
    @ffi.def_extern() attached to globals[global_index] (a CDEFC_GLOBAL_EXTERN_PYTHON) with the
    C arguments (`args[i]` points at argument i; NULL when there are none) and writes the C
    result into `result` (nothing for void). Takes the GIL itself: C may call it from any
    thread. When the Python function raises or returns what cannot be converted, `result` is
    def_extern's `error` value (after its `onerror`); before def_extern it is 0 and a message
    is printed, as in CFFI. Returns 0, or -1 when `ctx` is NULL (the module was not imported
    yet): nothing was called and `result` is not written. */
int cdefc_call_python(cdefc_context *ctx, uint32_t global_index, void **args, void *result);

/** The calling thread's saved errno (ffi.errno): restored before a C call, saved after. */
int *cdefc_errno_slot(void);

#ifdef __cplusplus
}
#endif

#endif /* CDEFC_MODULE_H */
