// Errors: ffi.error, and the helpers that spell objects and types in messages as CFFI does.
#include <cstdarg>
#include <cstdio>

#include "internal.h"

namespace cdefc::rt {

std::string type_name(PyObject* o) {
  std::string out = "?";
  PyObject* n = PyObject_GetAttrString(reinterpret_cast<PyObject*>(Py_TYPE(o)), "__name__");
  if (n) {
    const char* s = PyUnicode_AsUTF8AndSize(n, nullptr);
    if (s) out = s;
    Py_DECREF(n);
  }
  PyErr_Clear();
  return out;
}

std::string describe(PyObject* o) {
  if (g && is_cdata(o))
    return std::string("cdata '") + cname(reinterpret_cast<CData*>(o)->ct) + "'";
  return type_name(o);
}

static PyObject* vraise(PyObject* exc, const char* fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, ap);
  PyErr_SetString(exc, buf);
  return nullptr;
}

PyObject* raise(PyObject* exc, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vraise(exc, fmt, ap);
  va_end(ap);
  return nullptr;
}

int raise_int(PyObject* exc, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vraise(exc, fmt, ap);
  va_end(ap);
  return -1;
}

PyObject* raise_ffi_error(const std::string& msg) {
  PyErr_SetString(g->ffi_error, msg.c_str());
  return nullptr;
}

bool init_errors(Internals& in) {
  // CFFI's class is named 'ffi.error' and derives from Exception.
  in.ffi_error = PyErr_NewException("ffi.error", nullptr, nullptr);
  return in.ffi_error != nullptr;
}

PyTypeObject* make_type(PyType_Spec* spec) {
  return reinterpret_cast<PyTypeObject*>(PyType_FromSpec(spec));
}

}  // namespace cdefc::rt
