// Errors: ffi.error, and the helpers that spell objects and types in messages as CFFI does.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <exception>

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

namespace {

/// A builtin that appends its argument to the list it is bound to (the hook below).
PyObject* keep_argument(PyObject* list, PyObject* arg) {
  if (PyList_Append(list, arg) < 0) return nullptr;
  Py_RETURN_NONE;
}
PyMethodDef keep_def = {"keep", keep_argument, METH_O, nullptr};

/// sys.UnraisableHookArgs, which sys does not name: asked once of PyErr_WriteUnraisable
/// through a hook that keeps its argument (the limited API has no PyErr_FormatUnraisable).
/// A borrowed reference; null (no exception set) if it cannot be found.
PyObject* unraisable_args_type() {
  static PyObject* type = nullptr;  // GIL-protected
  if (type) return type;
  PyObject* kept = PyList_New(0);
  PyObject* keeper = kept ? PyCFunction_New(&keep_def, kept) : nullptr;
  PyObject* old = PySys_GetObject("unraisablehook");  // borrowed
  Py_XINCREF(old);
  if (keeper && PySys_SetObject("unraisablehook", keeper) == 0) {
    PyErr_SetString(PyExc_RuntimeError, "cdefc: finding UnraisableHookArgs");
    PyErr_WriteUnraisable(Py_None);
    PySys_SetObject("unraisablehook", old);
  }
  if (kept && PyList_Size(kept) == 1) {
    // Borrowed: the interpreter's own static type, alive as long as it is; a reference
    // kept here would outlive its finalization (the debug interpreter asserts on that).
    type = reinterpret_cast<PyObject*>(Py_TYPE(PyList_GetItem(kept, 0)));
  }
  Py_XDECREF(old);
  Py_XDECREF(keeper);
  Py_XDECREF(kept);
  PyErr_Clear();
  return type;
}

}  // namespace

void write_unraisable(const std::string& message) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  if (!type) return;
  PyErr_NormalizeException(&type, &value, &tb);
  if (value && tb) PyException_SetTraceback(value, tb);
  PyObject* args_type = unraisable_args_type();
  PyObject* msg = PyUnicode_FromString(message.c_str());
  PyObject* fields = args_type && msg ? PyTuple_Pack(5, type, value ? value : Py_None,
                                                     tb ? tb : Py_None, msg, Py_None)
                                      : nullptr;
  PyObject* args = fields ? PyObject_CallFunctionObjArgs(args_type, fields, nullptr) : nullptr;
  PyObject* hook = PySys_GetObject("unraisablehook");  // borrowed
  PyObject* r = args && hook ? PyObject_CallFunctionObjArgs(hook, args, nullptr) : nullptr;
  Py_XDECREF(fields);
  Py_XDECREF(args);
  Py_XDECREF(msg);
  if (!r) {  // no hook to give it to: the interpreter's own report, without the message
    PyErr_Clear();
    PyErr_Restore(type, value, tb);
    PyErr_WriteUnraisable(Py_None);
    return;
  }
  Py_DECREF(r);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
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

#if defined(__GLIBCXX__)
// std::terminate's default handler, replacing libstdc++'s verbose one in the modules that link
// libstdc++ statically: that one demangles the exception's type name and so brings in the
// whole C++ demangler (about 50 KB of every module). This one says what() without demangling.
// Only in this object, which every module links, can it come before libstdc++.a's definition.
namespace __gnu_cxx {
void __verbose_terminate_handler() {  // declared by <exception>; hidden by --exclude-libs
  std::fputs("terminate called in a cdefc module", stderr);
  try {
    if (std::exception_ptr e = std::current_exception()) std::rethrow_exception(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, " after an exception: %s", e.what());
  } catch (...) {
    std::fputs(" after an exception", stderr);
  }
  std::fputs("\n", stderr);
  std::abort();
}
}  // namespace __gnu_cxx
#endif
