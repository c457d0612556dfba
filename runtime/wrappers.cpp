// What generated METH_FASTCALL wrappers call (include/cdefc/module.h): argument count and
// argument conversions with CFFI's exceptions, call temporaries, and result objects.
#include <cstdio>
#include <cstring>

#include "internal.h"

#define CDEFC_EXPORT __attribute__((visibility("default")))

using namespace cdefc::rt;

namespace {

/// "32-bit int", "8-bit unsigned int": how CFFI names integer arguments in OverflowError.
void bit_name(char* buf, size_t n, size_t size, bool is_signed) {
  snprintf(buf, n, "%zu-bit %sint", size * 8, is_signed ? "" : "unsigned ");
}

}  // namespace

extern "C" {

CDEFC_EXPORT int cdefc_check_nargs(const char* fname, ptrdiff_t nargs, ptrdiff_t expected) {
  if (nargs == expected) return 0;
  if (expected == 0)
    PyErr_Format(PyExc_TypeError, "%s() takes no arguments (%zd given)", fname, static_cast<Py_ssize_t>(nargs));
  else if (expected == 1)
    PyErr_Format(PyExc_TypeError, "%s() takes exactly one argument (%zd given)", fname,
                 static_cast<Py_ssize_t>(nargs));
  else
    PyErr_Format(PyExc_TypeError, "%s expected %zd arguments, got %zd", fname,
                 static_cast<Py_ssize_t>(expected), static_cast<Py_ssize_t>(nargs));
  return -1;
}

CDEFC_EXPORT long long cdefc_arg_signed(PyObject* o, size_t size, const char* /*type_name*/) {
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
  if (integer_from_object(o, true, size, name, &v, nullptr) < 0) return -1;
  return v;
}

CDEFC_EXPORT unsigned long long cdefc_arg_unsigned(PyObject* o, size_t size, const char* /*type_name*/) {
  char name[32];
  bit_name(name, sizeof name, size, false);
  unsigned long long v = 0;
  if (integer_from_object(o, false, size, name, nullptr, &v) < 0) return static_cast<unsigned long long>(-1);
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

}  // extern "C"
