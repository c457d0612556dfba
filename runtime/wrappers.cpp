// What generated METH_FASTCALL wrappers call (include/cdefc/module.h): argument count and
// argument conversions with CFFI's exceptions, call temporaries, and result objects.
#include <cstdio>
#include <cstring>
#include <string>

#include "internal.h"

#define CDEFC_EXPORT __attribute__((visibility("default")))

using namespace cdefc::rt;

namespace {

/// "32-bit int", "8-bit unsigned int": how CFFI names integer arguments in OverflowError.
void bit_name(char* buf, size_t n, size_t size, bool is_signed) {
  snprintf(buf, n, "%zu-bit %sint", size * 8, is_signed ? "" : "unsigned ");
}

/// An integer argument whose conversion failed: an OverflowError of an enum-typed argument
/// names the enum, as CFFI does ("does not fit 'enum color'"), not its integer type.
/// Always returns -1.
int rename_enum_overflow(PyObject* o, bool is_signed, size_t size, const char* type_name) {
  if (!type_name || !PyErr_ExceptionMatches(PyExc_OverflowError)) return -1;
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  std::string name = enum_name_of(type_name);  // only on this error path: it parses
  if (name.empty()) {
    PyErr_Restore(type, value, traceback);
    return -1;
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(traceback);
  long long s = 0;
  unsigned long long u = 0;
  if (integer_from_object(o, is_signed, size, name.c_str(), &s, &u) == 0)  // cannot happen
    PyErr_SetString(PyExc_SystemError, "cdefc: integer argument converted on the second try");
  return -1;
}

/// "<module>.Lib.f()" as CPython shows builtins in messages (module, then __qualname__),
/// for the lib function `fname` made with `self` as its __self__; "f()" without a lib.
PyObject* function_str(PyObject* self, const char* fname) {
  if (self && is_lib(self))
    return PyUnicode_FromFormat("%U.Lib.%s()",
                                ctx_module_name(reinterpret_cast<LibObject*>(self)->ctx), fname);
  return PyUnicode_FromFormat("%s()", fname);
}

}  // namespace

extern "C" {

/// Arguments of a METH_FASTCALL | METH_KEYWORDS wrapper: TypeError unless the call has
/// `expected` positional arguments and no keyword arguments. The messages are CFFI's, whose
/// functions are METH_NOARGS / METH_O builtins (CPython's messages, naming
/// "<module>.Lib.f()") for 0 and 1 parameters and METH_VARARGS ones (its own messages) for
/// more. `self` is the lib (the builtin's __self__). Keywords are checked first, as there.
CDEFC_EXPORT int cdefc_check_args(PyObject* self, const char* fname, ptrdiff_t nargs,
                                  PyObject* kwnames, ptrdiff_t expected) {
  if (nargs == expected && !kwnames) return 0;
  if (kwnames && PyTuple_Size(kwnames) > 0) {
    if (expected >= 2) {
      PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments", fname);
    } else if (PyObject* shown = function_str(self, fname)) {
      PyErr_Format(PyExc_TypeError, "%U takes no keyword arguments", shown);
      Py_DECREF(shown);
    }
    return -1;
  }
  if (nargs == expected) return 0;
  if (expected >= 2) {
    PyErr_Format(PyExc_TypeError, "%s expected %zd arguments, got %zd", fname,
                 static_cast<Py_ssize_t>(expected), static_cast<Py_ssize_t>(nargs));
    return -1;
  }
  if (PyObject* shown = function_str(self, fname)) {
    PyErr_Format(PyExc_TypeError,
                 expected == 0 ? "%U takes no arguments (%zd given)"
                               : "%U takes exactly one argument (%zd given)",
                 shown, static_cast<Py_ssize_t>(nargs));
    Py_DECREF(shown);
  }
  return -1;
}

CDEFC_EXPORT long long cdefc_arg_signed(PyObject* o, size_t size, const char* type_name) {
  if (PyLong_Check(o)) {
    // Fast path: an int that fits.
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (!overflow && (size >= 8 || (v >= -(1LL << (size * 8 - 1)) && v < (1LL << (size * 8 - 1)))))
      return v;
    PyErr_Clear();
  }
  char name[32];
  bit_name(name, sizeof name, size, true);
  long long v = 0;
  if (integer_from_object(o, true, size, name, &v, nullptr) < 0)
    return rename_enum_overflow(o, true, size, type_name);
  return v;
}

CDEFC_EXPORT unsigned long long cdefc_arg_unsigned(PyObject* o, size_t size,
                                                   const char* type_name) {
  char name[32];
  bit_name(name, sizeof name, size, false);
  unsigned long long v = 0;
  if (integer_from_object(o, false, size, name, nullptr, &v) < 0) {
    rename_enum_overflow(o, false, size, type_name);
    return static_cast<unsigned long long>(-1);
  }
  return v;
}

CDEFC_EXPORT double cdefc_arg_double(PyObject* o) {
  if (is_cdata(o) && (reinterpret_cast<CData*>(o)->ct->flags & kLongDouble))
    return read_float(reinterpret_cast<CData*>(o)->ct, reinterpret_cast<CData*>(o)->data);
  return PyFloat_AsDouble(o);
}

CDEFC_EXPORT int cdefc_arg_longdouble(PyObject* o, long double* out) {
  if (is_cdata(o) && (reinterpret_cast<CData*>(o)->ct->flags & kLongDouble)) {
    memcpy(out, reinterpret_cast<CData*>(o)->data, sizeof(long double));
    return 0;
  }
  double v = PyFloat_AsDouble(o);
  if (v == -1.0 && PyErr_Occurred()) return -1;
  *out = v;
  return 0;
}

CDEFC_EXPORT int cdefc_arg_char(PyObject* o, char* out) {
  return to_c(primitive_ctype(CDEFC_PRIM_CHAR), out, o);
}

CDEFC_EXPORT int cdefc_arg_bool(PyObject* o) {
  char v = 0;
  if (to_c(primitive_ctype(CDEFC_PRIM_BOOL), &v, o) < 0) return -1;
  return v;
}

CDEFC_EXPORT int cdefc_arg_pointer(cdefc_context* ctx, uint32_t type, PyObject* o, void** out,
                                   cdefc_frame* frame) {
  CType* ct = ctx_type(ctx, type);
  if (ct && ct->kind == Kind::Array) ct = pointer_to(ct->item);
  if (!ct) return -1;
  return pointer_argument(ct, o, out, frame);
}

CDEFC_EXPORT int cdefc_arg_record(cdefc_context* ctx, uint32_t type, PyObject* o, void* out) {
  CType* ct = ctx_type(ctx, type);
  if (!ct) return -1;
  if (ct->size > 0) memset(out, 0, static_cast<size_t>(ct->size));
  return to_c(ct, static_cast<char*>(out), o);
}

CDEFC_EXPORT void cdefc_frame_release(cdefc_frame* frame) {
  for (size_t i = 0; i < frame->count; ++i) PyMem_Free(frame->owned[i]);
  frame->count = 0;
  if (frame->more) {
    auto* more = static_cast<std::vector<void*>*>(frame->more);
    for (void* p : *more) PyMem_Free(p);
    delete more;
    frame->more = nullptr;
  }
}

CDEFC_EXPORT PyObject* cdefc_result_pointer(cdefc_context* ctx, uint32_t type, void* p) {
  CType* ct = ctx_type(ctx, type);
  if (!ct) return nullptr;
  return make_pointer(ct, p, nullptr);
}

CDEFC_EXPORT PyObject* cdefc_result_record(cdefc_context* ctx, uint32_t type, const void* p) {
  CType* ct = ctx_type(ctx, type);
  if (!ct) return nullptr;
  if (is_record(ct)) return make_record_copy(ct, p);
  // wchar_t, char16_t, char32_t, complex: plain values.
  return from_c(ct, static_cast<char*>(const_cast<void*>(p)), nullptr);
}

CDEFC_EXPORT PyObject* cdefc_result_char(char c) { return PyBytes_FromStringAndSize(&c, 1); }

CDEFC_EXPORT PyObject* cdefc_result_longdouble(cdefc_context* /*ctx*/, long double v) {
  CData* cd = new_value_cdata(primitive_ctype(CDEFC_PRIM_LONGDOUBLE));
  if (cd) memcpy(cd->data, &v, sizeof v);
  return reinterpret_cast<PyObject*>(cd);
}

CDEFC_EXPORT int cdefc_call_python(cdefc_context* ctx, uint32_t global_index, void** args,
                                   void* result) {
  if (!ctx) {
    // No Python to call (nor to print with): the module's PyInit did not run yet.
    fputs(
        "extern \"Python\": function called before its cdefc module was imported.  "
        "Returning 0.\n",
        stderr);
    return -1;
  }
  call_extern_python(ctx, global_index, args, result);
  return 0;
}

}  // extern "C"
