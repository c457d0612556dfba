// The `lib` object: functions, global variables and constants of a module, found by binary
// search in its sorted globals table on first access and cached (variables are read live);
// also ffi.dlopen()'s libs, whose functions and globals are looked up in a shared library.
#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "internal.h"

namespace cdefc::rt {

namespace {

inline LibObject* as_lib(PyObject* o) { return reinterpret_cast<LibObject*>(o); }

/// Index of the global named `name` in the sorted table, or -1.
int find_global(const cdefc_module_def* def, const char* name) {
  return find_by_name(def->globals, def->num_globals, name);
}

}  // namespace

int lib_find_global(cdefc_context* ctx, const char* name) {
  return find_global(ctx_def(ctx), name);
}

namespace {

bool is_const_variable(cdefc_context* ctx, const cdefc_global& gl) {
  return gl.kind == CDEFC_GLOBAL_VARIABLE && gl.type < ctx_def(ctx)->num_types &&
         (ctx_def(ctx)->types[gl.type].flags & CDEFC_TYPE_CONST);
}

/// Whether a global variable is a constant for CFFI: const and not an array (const arrays
/// stay addressable memory).
bool is_constant_variable(cdefc_context* ctx, const cdefc_global& gl) {
  if (!is_const_variable(ctx, gl)) return false;
  uint8_t kind = ctx_def(ctx)->types[gl.type].kind;
  return kind != CDEFC_TYPE_ARRAY && kind != CDEFC_TYPE_OPEN_ARRAY;
}

/// The value of a lib constant read from `p`: as from_c, except that a _Bool constant is an
/// int (CFFI builds integer constants, _Bool included, as ints).
PyObject* constant_from_c(CType* ct, char* p) {
  if (ct->kind == Kind::Primitive && (ct->flags & kBool)) return PyLong_FromLong(*p != 0);
  return from_c(ct, p, nullptr);
}

/// The name repr and messages show: the module's, or the dlopen()ed library's.
PyObject* lib_name(LibObject* lib) {
  return lib->libname ? lib->libname : ctx_module_name(lib->ctx);
}

PyObject* no_such_name(LibObject* lib, PyObject* name) {
  PyErr_Format(PyExc_AttributeError,
               "cffi library '%U' has no function, constant or global variable named '%U'",
               lib_name(lib), name);
  return nullptr;
}

/// Where the C function or variable `gl` is: in the module, or (ffi.dlopen()) in the library,
/// where it may be missing or closed (ffi.error, as CFFI's ABI mode).
void* address_of(LibObject* lib, const cdefc_global& gl) {
  if (!lib->handle) return gl.kind == CDEFC_GLOBAL_VARIABLE ? gl.address() :
                                                              reinterpret_cast<void*>(gl.address);
  if (lib->closed) {
    PyErr_Format(g->ffi_error, "library '%U' has already been closed", lib->libname);
    return nullptr;
  }
  dlerror();
  void* p = dlsym(lib->handle, gl.name);
  if (!p) {
    const char* why = dlerror();
    PyErr_Format(g->ffi_error, "symbol '%s' not found in library '%U': %s", gl.name,
                 lib->libname, why ? why : "its address is NULL");
  }
  return p;
}

/// The value of a constant: its getter writes it into a temporary buffer.
PyObject* constant_value(CType* ct, const cdefc_global& gl) {
  if (ct->size < 0 || !gl.getter)
    return raise(PyExc_SystemError, "cdefc: constant of unknown size");
  std::vector<long double> buf(static_cast<size_t>(ct->size) / sizeof(long double) + 1);
  char* p = reinterpret_cast<char*>(buf.data());
  gl.getter(p);
  if (is_record(ct)) return make_record_copy(ct, p);
  if (ct->kind == Kind::Array) {
    CData* cd = make_owning(ct, static_cast<size_t>(ct->size), ct->length);
    if (cd) memcpy(cd->data, p, static_cast<size_t>(ct->size));
    return reinterpret_cast<PyObject*>(cd);
  }
  return constant_from_c(ct, p);
}

/// Builds the attribute for globals[index]; *cache tells whether it may be kept.
PyObject* build_attribute(LibObject* lib, int index, bool* cache) {
  cdefc_context* ctx = lib->ctx;
  const cdefc_global& gl = ctx_def(ctx)->globals[index];
  // Its value is not the cdef's (a #define): every read raises, nothing is cached, as in CFFI.
  if (gl.error) {
    *cache = false;
    return raise_ffi_error(gl.error);
  }
  *cache = true;
  if (lib->handle && gl.kind == CDEFC_GLOBAL_EXTERN_PYTHON) {
    *cache = false;
    PyObject* name = PyUnicode_FromString(gl.name);
    if (name) no_such_name(lib, name);
    Py_XDECREF(name);
    return nullptr;
  }
  switch (gl.kind) {
    case CDEFC_GLOBAL_FUNCTION: {
      if (!lib->handle)
        return PyCFunction_NewEx(static_cast<PyMethodDef*>(const_cast<void*>(gl.method)),
                                 reinterpret_cast<PyObject*>(lib), ctx_module_name(ctx));
      // ffi.dlopen(): the library's function, called through libffi.
      void* f = address_of(lib, gl);
      CType* ct = f ? ctx_type(ctx, gl.type) : nullptr;
      return ct ? make_pointer(ct, f, nullptr) : nullptr;
    }
    case CDEFC_GLOBAL_VARIABLE: {
      CType* ct = ctx_type(ctx, gl.type);
      if (!ct) return nullptr;
      // A const global is a constant, as in CFFI; others are read each time.
      *cache = is_const_variable(ctx, gl);
      if (is_record(ct) && (ct->flags & kOpaque))  // as CFFI: only its address is usable
        return raise(PyExc_TypeError, "cdata '%s' is opaque", cname(ct));
      char* p = static_cast<char*>(address_of(lib, gl));
      if (!p) return nullptr;
      // An array of unknown length ('extern int a[];', 'int m[][5]') reads as a pointer to
      // its first item ('int *', 'int(*)[5]'), as in CFFI: it has no length to check.
      if (ct->kind == Kind::Array && ct->length < 0) {
        CType* pt = pointer_to(ct->item);
        return pt ? make_pointer(pt, p, nullptr) : nullptr;
      }
      return is_constant_variable(ctx, gl) ? constant_from_c(ct, p) : from_c(ct, p, nullptr);
    }
    case CDEFC_GLOBAL_CONSTANT: {
      CType* ct = ctx_type(ctx, gl.type);
      if (!ct) return nullptr;
      return constant_value(ct, gl);
    }
    case CDEFC_GLOBAL_EXTERN_PYTHON: {
      CType* ct = ctx_type(ctx, gl.type);
      if (!ct) return nullptr;
      return make_pointer(ct, reinterpret_cast<void*>(gl.address), nullptr);
    }
  }
  return raise(PyExc_SystemError, "cdefc: bad global kind %u", gl.kind);
}

/// The names dir(lib) lists (`constants_only`: what lib.__all__ lists, without the writable
/// variables): the module's globals, and the enumerators of the enums its cdef has from an
/// included module (as CFFI, which declares those again). False with an exception set.
bool lib_names(LibObject* lib, bool constants_only, std::vector<std::string>& out) {
  const cdefc_module_def* def = ctx_def(lib->ctx);
  for (uint32_t i = 0; i < def->num_globals; ++i) {
    const cdefc_global& gl = def->globals[i];
    if (constants_only && gl.kind == CDEFC_GLOBAL_VARIABLE && !is_const_variable(lib->ctx, gl))
      continue;
    out.push_back(gl.name);
  }
  if (lib->handle) return true;
  bool added = false;
  for (uint32_t i = 0; i < def->num_enums; ++i) {
    if (!(def->enums[i].flags & CDEFC_ENUM_INCLUDED)) continue;
    CType* ct = ctx_enum(lib->ctx, i);
    if (!ct) return false;
    for (const auto& [name, value] : ct->d->enumerators)
      if (find_global(def, name.c_str()) < 0) {
        out.push_back(name);
        added = true;
      }
  }
  if (added) {
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return true;
}

/// The slot of LibObject::seen for the name object `name`.
inline LibObject::Seen& seen_slot(LibObject* lib, PyObject* name) {
  // Objects are 16-byte aligned and str objects larger than 32 bytes: skip the low bits.
  return lib->seen[(reinterpret_cast<uintptr_t>(name) >> 5) & (kLibSeenSlots - 1)];
}

PyObject* lib_getattro(PyObject* self, PyObject* name) {
  LibObject* lib = as_lib(self);
  LibObject::Seen& slot = seen_slot(lib, name);
  if (slot.name == name) {
    Py_INCREF(slot.value);
    return slot.value;
  }
  PyObject* v = PyDict_GetItemWithError(lib->dict, name);
  if (v) {
    Py_INCREF(name);
    Py_XDECREF(slot.name);  // a str: frees nothing else
    slot = {name, v};
    Py_INCREF(v);
    return v;
  }
  if (PyErr_Occurred()) return nullptr;
  // What is not cached (global variables, read live): found again by the name object.
  auto& seen = lib->ctx->global_by_name;
  if (auto it = seen.find(name); it != seen.end()) {
    bool cache = false;
    return build_attribute(lib, it->second, &cache);
  }
  const char* s = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, nullptr) : nullptr;
  if (!s) return PyObject_GenericGetAttr(self, name);
  const cdefc_module_def* def = ctx_def(lib->ctx);
  int index = find_global(def, s);
  if (index >= 0 && !lib->handle && def->globals[index].kind == CDEFC_GLOBAL_VARIABLE &&
      seen.size() < 4 * static_cast<size_t>(def->num_globals) + 64) {
    Py_INCREF(name);  // the key stays alive with the context
    seen.emplace(name, index);
  }
  if (index >= 0) {
    bool cache = false;
    v = build_attribute(lib, index, &cache);
    if (v && cache && PyDict_SetItem(lib->dict, name, v) < 0) Py_CLEAR(v);
    return v;
  }
  // What an included module declares is read from its lib (CFFI's API mode shows it here).
  if (!lib->handle)
    if (PyObject* other = included_lib_with(lib->ctx, s)) return PyObject_GetAttr(other, name);
  if (s[0] == '_' && s[1] == '_') {
    if (!strcmp(s, "__name__")) return PyUnicode_FromFormat("%U.lib", ctx_module_name(lib->ctx));
    if (!strcmp(s, "__class__")) {
      Py_INCREF(&PyModule_Type);
      return reinterpret_cast<PyObject*>(&PyModule_Type);
    }
    if (!strcmp(s, "__loader__") || !strcmp(s, "__spec__")) Py_RETURN_NONE;
    if (!strcmp(s, "__all__") || !strcmp(s, "__dict__")) {
      bool all = s[2] == 'a';
      PyObject* out = all ? PyList_New(0) : PyDict_New();
      std::vector<std::string> names;
      if (!lib_names(lib, all, names)) Py_CLEAR(out);
      for (size_t i = 0; out && i < names.size(); ++i) {
        PyObject* key = PyUnicode_FromString(names[i].c_str());
        PyObject* value = all ? nullptr : (key ? lib_getattro(self, key) : nullptr);
        int rc = !key    ? -1
                 : all   ? PyList_Append(out, key)
                 : value ? PyDict_SetItem(out, key, value)
                         : -1;
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (rc < 0) Py_CLEAR(out);
      }
      return out;
    }
    if (!strcmp(s, "__file__") || !strcmp(s, "__path__") || !strcmp(s, "__doc__"))
      return no_such_name(lib, name);
  }
  v = PyObject_GenericGetAttr(self, name);
  if (!v && PyErr_ExceptionMatches(PyExc_AttributeError)) {
    PyErr_Clear();
    return no_such_name(lib, name);
  }
  return v;
}

int lib_setattro(PyObject* self, PyObject* name, PyObject* value) {
  LibObject* lib = as_lib(self);
  const char* s = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, nullptr) : nullptr;
  if (!s) return -1;
  // Writing and deleting find the attribute first, as in CFFI: an unknown name and a lazy
  // ffi.error come before the refusal.
  int index = find_global(ctx_def(lib->ctx), s);
  if (index < 0) {
    if (PyObject* other = lib->handle ? nullptr : included_lib_with(lib->ctx, s))
      return PyObject_SetAttr(other, name, value);
    no_such_name(lib, name);
    return -1;
  }
  const cdefc_global& gl = ctx_def(lib->ctx)->globals[index];
  if (gl.error) {
    raise_ffi_error(gl.error);
    return -1;
  }
  if (!value) return raise_int(PyExc_AttributeError, "C attribute cannot be deleted");
  if (gl.kind != CDEFC_GLOBAL_VARIABLE || is_const_variable(lib->ctx, gl)) {
    PyErr_Format(PyExc_AttributeError, "cannot write to function or constant '%U'", name);
    return -1;
  }
  CType* ct = ctx_type(lib->ctx, gl.type);
  char* p = ct ? static_cast<char*>(address_of(lib, gl)) : nullptr;
  return p ? to_c(ct, p, value) : -1;
}

PyObject* lib_repr(PyObject* self) {
  return PyUnicode_FromFormat("<Lib object for '%U'>", lib_name(as_lib(self)));
}

PyObject* lib_dir(PyObject* self, PyObject*) {
  std::vector<std::string> names;
  PyObject* list = lib_names(as_lib(self), false, names) ? PyList_New(0) : nullptr;
  for (size_t i = 0; list && i < names.size(); ++i) {
    PyObject* key = PyUnicode_FromString(names[i].c_str());
    if (!key || PyList_Append(list, key) < 0) Py_CLEAR(list);
    Py_XDECREF(key);
  }
  return list;
}

void lib_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  for (LibObject::Seen& slot : as_lib(self)->seen) Py_XDECREF(slot.name);
  Py_XDECREF(as_lib(self)->dict);
  Py_XDECREF(as_lib(self)->libname);  // a dlopen()ed library stays loaded: its functions
                                      // may still be held as cdata
  auto free_fn = reinterpret_cast<freefunc>(PyType_GetSlot(tp, Py_tp_free));
  free_fn(self);
  Py_DECREF(tp);
}

PyMethodDef lib_methods[] = {{"__dir__", lib_dir, METH_NOARGS, nullptr},
                             {nullptr, nullptr, 0, nullptr}};

PyType_Slot lib_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(lib_dealloc)},
                           {Py_tp_repr, reinterpret_cast<void*>(lib_repr)},
                           {Py_tp_getattro, reinterpret_cast<void*>(lib_getattro)},
                           {Py_tp_setattro, reinterpret_cast<void*>(lib_setattro)},
                           {Py_tp_methods, lib_methods},
                           {0, nullptr}};

PyType_Spec lib_spec = {"cdefc.Lib", sizeof(LibObject), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, lib_slots};

}  // namespace

bool init_lib_type(Internals& in) {
  in.lib_type = make_type(&lib_spec);
  return in.lib_type != nullptr;
}

PyObject* new_lib(cdefc_context* ctx) {
  auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(g->lib_type, Py_tp_alloc));
  auto* lib = reinterpret_cast<LibObject*>(alloc(g->lib_type, 0));
  if (!lib) return nullptr;
  lib->ctx = ctx;
  lib->handle = nullptr;
  lib->libname = nullptr;
  lib->closed = 0;
  for (LibObject::Seen& slot : lib->seen) slot = {nullptr, nullptr};
  lib->dict = PyDict_New();
  if (!lib->dict) {
    Py_DECREF(lib);
    return nullptr;
  }
  return reinterpret_cast<PyObject*>(lib);
}

PyObject* dlopen_lib(cdefc_context* ctx, PyObject* name, int flags) {
  const char* path = nullptr;
  if (name != Py_None) {
    if (!PyUnicode_Check(name))
      return raise(PyExc_TypeError, "dlopen() argument 1 must be str or None, not %s",
                   type_name(name).c_str());
    path = PyUnicode_AsUTF8AndSize(name, nullptr);
    if (!path) return nullptr;
  }
  const char* shown = path ? path : "<None>";
  void* handle = dlopen(path, flags ? flags : RTLD_NOW);
  if (!handle) {
    const char* why = dlerror();
    return raise(PyExc_OSError, "cannot load library '%s': %s", shown, why ? why : "unknown");
  }
  PyObject* lib = new_lib(ctx);
  PyObject* libname = lib ? PyUnicode_FromString(shown) : nullptr;
  if (!libname) {
    Py_XDECREF(lib);
    dlclose(handle);
    return nullptr;
  }
  as_lib(lib)->handle = handle;
  as_lib(lib)->libname = libname;
  return lib;
}

int dlclose_lib(PyObject* lib) {
  if (!is_lib(lib))
    return raise_int(PyExc_TypeError, "dlclose() argument 1 must be cdefc.Lib, not %s",
                     type_name(lib).c_str());
  LibObject* l = as_lib(lib);
  if (l->handle && !l->closed) {
    l->closed = 1;
    if (dlclose(l->handle) != 0) {
      const char* why = dlerror();
      return raise_int(PyExc_OSError, "error closing library '%s': %s",
                       PyUnicode_AsUTF8AndSize(l->libname, nullptr), why ? why : "unknown");
    }
  }
  return 0;
}

PyObject* lib_addressof(PyObject* self, PyObject* name) {
  LibObject* lib = as_lib(self);
  const char* s = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, nullptr) : nullptr;
  if (!s) return raise(PyExc_TypeError, "addressof(lib, name): name must be a str");
  int index = find_global(ctx_def(lib->ctx), s);
  if (index < 0) {
    if (PyObject* other = lib->handle ? nullptr : included_lib_with(lib->ctx, s))
      return lib_addressof(other, name);
    return no_such_name(lib, name);
  }
  const cdefc_global& gl = ctx_def(lib->ctx)->globals[index];
  if (gl.error) return raise_ffi_error(gl.error);
  CType* ct = ctx_type(lib->ctx, gl.type);
  if (!ct) return nullptr;
  switch (gl.kind) {
    case CDEFC_GLOBAL_EXTERN_PYTHON:
      if (lib->handle) return no_such_name(lib, name);
      [[fallthrough]];
    case CDEFC_GLOBAL_FUNCTION: {
      // For functions `address` is the C function itself (the direct wrapper), not a getter.
      void* f = address_of(lib, gl);
      return f ? make_pointer(ct, f, nullptr) : nullptr;
    }
    case CDEFC_GLOBAL_VARIABLE: {
      if (is_constant_variable(lib->ctx, gl)) break;  // a constant for CFFI: no address
      CType* pt = pointer_to(ct);
      void* p = pt ? address_of(lib, gl) : nullptr;
      return p ? make_pointer(pt, p, nullptr) : nullptr;
    }
    default:
      break;
  }
  PyErr_Format(PyExc_AttributeError, "cannot take the address of the constant '%U'", name);
  return nullptr;
}

CType* lib_function_of(PyObject* o, void** address) {
  if (!PyCFunction_Check(o)) return nullptr;
  PyObject* self = PyCFunction_GetSelf(o);
  if (!self || !is_lib(self)) return nullptr;
  PyObject* name = PyObject_GetAttrString(o, "__name__");
  if (!name) {
    PyErr_Clear();
    return nullptr;
  }
  const char* s = PyUnicode_AsUTF8AndSize(name, nullptr);
  LibObject* lib = as_lib(self);
  int index = s ? find_global(ctx_def(lib->ctx), s) : -1;
  Py_DECREF(name);
  PyErr_Clear();
  if (index < 0) return nullptr;
  const cdefc_global& gl = ctx_def(lib->ctx)->globals[index];
  if (gl.kind != CDEFC_GLOBAL_FUNCTION) return nullptr;
  if (address) *address = reinterpret_cast<void*>(gl.address);
  return ctx_type(lib->ctx, gl.type);
}

}  // namespace cdefc::rt
