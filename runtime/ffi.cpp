// The `ffi` object: new, new_allocator, cast, typeof, sizeof, alignof, offsetof, addressof, string,
// unpack, release, gc, handles, memmove, buffer, getctype, errno, NULL, error, CData, CType.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "internal.h"

namespace cdefc::rt {

namespace {

inline cdefc_context* ctx_of(PyObject* self) { return reinterpret_cast<FFIObject*>(self)->ctx; }
inline CData* as_cd(PyObject* o) { return reinterpret_cast<CData*>(o); }
inline bool is_ctype(PyObject* o) { return PyObject_TypeCheck(o, g->ctype_type); }

/// A ctype from a type string or a ctype object; `what` names the accepted kinds in errors.
CType* ctype_arg(PyObject* self, PyObject* arg, bool cdata_ok, const char* what) {
  if (PyUnicode_Check(arg)) return ctx_parse(ctx_of(self), arg);
  if (is_ctype(arg)) return reinterpret_cast<CType*>(arg);
  if (cdata_ok && is_cdata(arg)) return as_cd(arg)->ct;
  PyErr_Format(PyExc_TypeError, "expected a %s, got '%s'", what, type_name(arg).c_str());
  return nullptr;
}

// ---- ffi.new, ffi.new_allocator ----

/// Where ffi.new() memory comes from: ffi.new_allocator()'s arguments (null for ffi.new).
struct Allocator {
  PyObject* alloc;  ///< called with the size; None: the runtime's own (PyMem) memory
  PyObject* free;   ///< called with what `alloc` returned when the cdata dies; may be None
  bool clear;       ///< zero the memory before the initializer is written
};

/// A cdata of `ct` (a pointer or array type) over `bytes` bytes of new memory (`length`
/// items for an array) from `a`: zeroed unless `a` says otherwise.
CData* allocate(CType* ct, size_t bytes, Py_ssize_t length, const Allocator* a) {
  if (!a || a->alloc == Py_None) return make_owning(ct, bytes, length, !a || a->clear);
  // A pointer to a character gets room for a terminating null too, as in CFFI.
  size_t request = bytes;
  if (ct->kind == Kind::Pointer && ct->item->kind == Kind::Primitive &&
      (ct->item->flags & (kChar | kWChar)))
    request *= 2;
  PyObject* result = PyObject_CallFunction(a->alloc, "n", static_cast<Py_ssize_t>(request));
  if (!result) return nullptr;
  CData* mem = is_cdata(result) ? as_cd(result) : nullptr;
  char* address = nullptr;
  if (!mem) {
    raise(PyExc_TypeError, "alloc() must return a cdata object (got %s)",
          type_name(result).c_str());
  } else if (mem->ct->kind != Kind::Pointer && mem->ct->kind != Kind::Array) {
    raise(PyExc_TypeError, "alloc() must return a cdata pointer, not '%s'", cname(mem->ct));
  } else if (check_alive(mem)) {
    address = cdata_address(mem);
    if (!address) PyErr_SetString(PyExc_MemoryError, "alloc() returned NULL");
  }
  // Memory of known extent that is too small would be written past its end (CFFI does):
  // refused.
  Py_ssize_t extent = -1;
  if (address && mem->ct->kind == Kind::Array && mem->ct->item->size > 0)
    extent = mem->length * mem->ct->item->size;
  else if (address && owns_one_item(mem))
    extent = static_cast<Py_ssize_t>(mem->alloc_size);
  if (extent >= 0 && static_cast<size_t>(extent) < request) {
    raise(PyExc_ValueError, "alloc() must return at least %zu bytes, got cdata '%s' of %zd bytes",
          request, cname(mem->ct), extent);
    address = nullptr;
  }
  if (!address) {
    Py_DECREF(result);
    return nullptr;
  }
  // An ffi.gc()-like cdata over the memory: `owner` keeps what alloc() returned, `extra` is
  // the free function (see kAllocator).
  PyObject* cd = ct->kind == Kind::Array ? make_view(ct, address, result, length)
                                         : make_pointer(ct, address, result);
  Py_DECREF(result);
  if (!cd) return nullptr;
  CData* out = as_cd(cd);
  out->flags |= kGC | kAllocator;
  if (ct->kind == Kind::Array && ct->length < 0) out->flags |= kSliced;  // CFFI's repr
  out->alloc = address;
  out->alloc_size = bytes;
  if (a->free != Py_None) {
    Py_INCREF(a->free);
    out->extra = a->free;
  }
  if (a->clear) memset(address, 0, request);
  return out;
}

/// ffi.new(decl, init) with memory from `a` (null: ffi.new's own).
PyObject* new_cdata(PyObject* self, PyObject* decl, PyObject* init, const Allocator* a) {
  CType* ct = ctype_arg(self, decl, false, "string or ctype object");
  if (!ct) return nullptr;
  CData* cd = nullptr;
  if (ct->kind == Kind::Pointer) {
    CType* item = ct->item;
    // "T *" needs T's layout; "T[n]" below only C's size of T (as in CFFI).
    if (!check_layout(item)) return nullptr;
    if (item->size < 0)
      return raise(PyExc_TypeError, "cannot instantiate ctype '%s' of unknown size", cname(item));
    // A struct ending with a flexible array member gets room for the items its initializer
    // gives, as in CFFI.
    Py_ssize_t flex = init != Py_None ? flex_items(item, init) : 0;
    if (flex < 0) return nullptr;
    size_t size = static_cast<size_t>(item->size);
    if (flex > 0 && item->d->fields.back().type->item->size > 0) {
      const FieldInfo& last = item->d->fields.back();
      if (flex > (PY_SSIZE_T_MAX - last.offset) / last.type->item->size)
        return raise(PyExc_OverflowError, "flexible array too large");
      size = std::max(size, static_cast<size_t>(last.offset + flex * last.type->item->size));
    }
    cd = allocate(ct, size, -1, a);
    if (!cd || init == Py_None) return reinterpret_cast<PyObject*>(cd);
    int rc = is_record(item) ? record_from_object(item, cdata_address(cd), init, flex)
                             : to_c(item, cdata_address(cd), init);
    if (rc < 0) Py_CLEAR(cd);
    return reinterpret_cast<PyObject*>(cd);
  }
  if (ct->kind != Kind::Array)
    return raise(PyExc_TypeError, "expected a pointer or array ctype, got '%s'", cname(ct));
  CType* item = ct->item;
  Py_ssize_t n = ct->length;
  if (n < 0) {
    if (PyLong_Check(init)) {
      n = PyLong_AsSsize_t(init);
      if (n == -1 && PyErr_Occurred()) return nullptr;
      if (n < 0) return raise(PyExc_ValueError, "negative array length");
      init = Py_None;
    } else if (PyList_Check(init) || PyTuple_Check(init)) {
      n = PySequence_Size(init);
    } else if (PyBytes_Check(init) && item->size == 1 &&
               (item->flags & (kChar | kSigned | kUnsigned))) {
      n = PyBytes_Size(init) + 1;
    } else if (PyUnicode_Check(init) && (item->flags & kWChar)) {
      PyObject* units = wide_units(init, item);
      if (!units) return nullptr;
      n = PyBytes_Size(units) / item->size + 1;
      Py_DECREF(units);
    } else if (is_cdata(init) && as_cd(init)->ct->kind == Kind::Array) {
      n = as_cd(init)->length;
    } else if (PyBytes_Check(init) || PyUnicode_Check(init)) {
      // A length as CFFI counts it: to_c() below refuses the initializer once the memory is
      // allocated (an ffi.new_allocator()'s alloc() and free() see it, as in CFFI).
      n = (PyBytes_Check(init) ? PyBytes_Size(init) : PyUnicode_GetLength(init)) + 1;
    } else {
      return raise(PyExc_TypeError, "expected new array length or list/tuple/str, not %s",
                   describe(init).c_str());
    }
  }
  if (item->size > 0 && n > PY_SSIZE_T_MAX / item->size)
    return raise(PyExc_OverflowError, "array size would overflow a Py_ssize_t");
  cd = allocate(ct, static_cast<size_t>(n * item->size), n, a);
  if (cd && init != Py_None) {
    if (to_c(ct, cd->data, init) < 0) Py_CLEAR(cd);
  }
  return reinterpret_cast<PyObject*>(cd);
}

PyObject* ffi_new(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdecl", "init", nullptr};
  PyObject *decl, *init = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:new", const_cast<char**>(kw), &decl, &init))
    return nullptr;
  return new_cdata(self, decl, init, nullptr);
}

/// The allocator ffi.new_allocator() returns: a builtin bound to the tuple (ffi, alloc, free,
/// should_clear_after_alloc), as CFFI's is; called as allocator(cdecl, init=None).
PyObject* allocator_call(PyObject* state, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdecl", "init", nullptr};
  PyObject *decl, *init = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:new", const_cast<char**>(kw), &decl, &init))
    return nullptr;
  Allocator a{PyTuple_GetItem(state, 1), PyTuple_GetItem(state, 2),
              PyTuple_GetItem(state, 3) == Py_True};
  return new_cdata(PyTuple_GetItem(state, 0), decl, init, &a);
}

PyMethodDef allocator_def = {
    "allocator", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(allocator_call)),
    METH_VARARGS | METH_KEYWORDS, nullptr};

PyObject* ffi_new_allocator(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"alloc", "free", "should_clear_after_alloc", nullptr};
  PyObject *alloc = Py_None, *free = Py_None;
  int clear = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOi:new_allocator", const_cast<char**>(kw),
                                   &alloc, &free, &clear))
    return nullptr;
  if (alloc == Py_None && free != Py_None)
    return raise(PyExc_TypeError, "cannot pass 'free' without 'alloc'");
  PyObject* state = Py_BuildValue("(OOOO)", self, alloc, free, clear ? Py_True : Py_False);
  if (!state) return nullptr;
  PyObject* allocator = PyCFunction_NewEx(&allocator_def, state, nullptr);
  Py_DECREF(state);
  return allocator;
}

// ---- ffi.cast ----

/// The integer bits ffi.cast takes from `o` (wrapping, truncating floats).
int cast_bits(PyObject* o, unsigned long long* bits) {
  if (PyLong_Check(o)) {
    *bits = PyLong_AsUnsignedLongLongMask(o);
    return PyErr_Occurred() ? -1 : 0;
  }
  if (PyFloat_Check(o)) {
    double d = PyFloat_AsDouble(o);
    *bits = std::isfinite(d) && d > -9.2e18 && d < 9.2e18
                ? static_cast<unsigned long long>(static_cast<long long>(d))
                : 0;
    return 0;
  }
  if (is_cdata(o)) {
    CData* cd = as_cd(o);
    CType* ct = cd->ct;
    if (is_pointer_like(ct)) {
      if (!check_alive(cd)) return -1;
      *bits = reinterpret_cast<uintptr_t>(cdata_address(cd));
      return 0;
    }
    if (ct->kind == Kind::Primitive || ct->kind == Kind::Enum) {
      if (ct->flags & kSigned)
        *bits = static_cast<unsigned long long>(read_signed(cd->data, ct->size));
      else if (ct->flags & kWChar)
        *bits = static_cast<unsigned long long>(read_wchar(ct, cd->data));
      else if (ct->flags & (kUnsigned | kBool | kChar))
        *bits = read_unsigned(cd->data, ct->size);
      else if (ct->flags & (kFloat | kLongDouble))
        *bits = static_cast<unsigned long long>(static_cast<long long>(read_float(ct, cd->data)));
      else
        return raise_int(PyExc_TypeError, "int() not supported on cdata '%s'", cname(ct));
      return 0;
    }
    return raise_int(PyExc_TypeError, "int() not supported on cdata '%s'", cname(ct));
  }
  void* address = nullptr;
  if (PyCFunction_Check(o) && lib_function_of(o, &address)) {
    *bits = reinterpret_cast<uintptr_t>(address);
    return 0;
  }
  if (PyErr_Occurred()) return -1;  // a lib function whose type is an ffi.error
  if (PyUnicode_Check(o) && PyUnicode_GetLength(o) == 1) {
    *bits = PyUnicode_ReadChar(o, 0);
    return 0;
  }
  if (PyBytes_Check(o) && PyBytes_Size(o) == 1) {
    *bits = static_cast<unsigned char>(PyBytes_AsString(o)[0]);
    return 0;
  }
  if (!PyIndex_Check(o)) return raise_int(PyExc_TypeError, "an integer is required");
  PyObject* n = PyNumber_Index(o);
  if (!n) return -1;
  *bits = PyLong_AsUnsignedLongLongMask(n);
  Py_DECREF(n);
  return PyErr_Occurred() ? -1 : 0;
}

/// The double ffi.cast takes from `o` (to `target`, named in messages).
int cast_double(PyObject* o, CType* target, double* out) {
  if (is_cdata(o)) {
    CData* cd = as_cd(o);
    CType* ct = cd->ct;
    if (ct->flags & (kFloat | kLongDouble)) {
      *out = read_float(ct, cd->data);
      return 0;
    }
    if (ct->flags & kSigned) {
      *out = static_cast<double>(read_signed(cd->data, ct->size));
      return 0;
    }
    if (ct->flags & kWChar) {
      *out = static_cast<double>(read_wchar(ct, cd->data));
      return 0;
    }
    if (ct->flags & (kUnsigned | kBool | kChar)) {
      *out = static_cast<double>(read_unsigned(cd->data, ct->size));
      return 0;
    }
    return raise_int(PyExc_TypeError, "cannot cast ctype '%s' to ctype '%s'", cname(ct),
                     cname(target));
  }
  if ((PyUnicode_Check(o) && PyUnicode_GetLength(o) == 1) ||
      (PyBytes_Check(o) && PyBytes_Size(o) == 1)) {
    unsigned long long b = 0;
    if (cast_bits(o, &b) < 0) return -1;
    *out = static_cast<double>(b);
    return 0;
  }
  *out = PyFloat_AsDouble(o);
  return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

PyObject* cast_value(PyObject* self, PyObject* decl, PyObject* value) {
  CType* ct = ctype_arg(self, decl, false, "string or ctype object");
  if (!ct) return nullptr;
  // The hot path: an exact int to an integer type, as its low bits.
  if (Py_IS_TYPE(value, &PyLong_Type) && (ct->kind == Kind::Primitive || ct->kind == Kind::Enum) &&
      (ct->flags & (kSigned | kUnsigned)) && !(ct->flags & kBool)) {
    unsigned long long bits = PyLong_AsUnsignedLongLongMask(value);
    if (bits == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return nullptr;
    CData* cd = new_value_cdata(ct);
    if (cd) write_integer(cd->data, ct->size, bits);
    return reinterpret_cast<PyObject*>(cd);
  }
  switch (ct->kind) {
    case Kind::Primitive:
    case Kind::Enum: {
      CData* cd = nullptr;
      if (ct->flags & (kFloat | kLongDouble)) {
        if (is_cdata(value) && (as_cd(value)->ct->flags & kLongDouble) &&
            (ct->flags & kLongDouble)) {
          cd = new_value_cdata(ct);
          if (cd) memcpy(cd->data, as_cd(value)->data, sizeof(long double));
          return reinterpret_cast<PyObject*>(cd);
        }
        double d = 0;
        if (cast_double(value, ct, &d) < 0) return nullptr;
        cd = new_value_cdata(ct);
        if (cd) write_float(ct, cd->data, d);
        return reinterpret_cast<PyObject*>(cd);
      }
      if (ct->flags & kComplex) {
        cd = new_value_cdata(ct);
        if (cd && to_c(ct, cd->data, value) < 0) Py_CLEAR(cd);
        return reinterpret_cast<PyObject*>(cd);
      }
      if (PyUnicode_Check(value) && PyUnicode_GetLength(value) != 1)
        return raise(PyExc_TypeError, "cannot cast unicode string of length %zd to ctype '%s'",
                     PyUnicode_GetLength(value), cname(ct));
      unsigned long long bits = 0;
      if (cast_bits(value, &bits) < 0) return nullptr;
      if (ct->flags & kBool)  // the value's truth, not its low bits (2**64 is true)
        bits = PyFloat_Check(value) ? PyFloat_AsDouble(value) != 0.0
               : PyLong_Check(value) ? PyObject_IsTrue(value) == 1
                                     : bits != 0;
      cd = new_value_cdata(ct);
      if (cd) write_integer(cd->data, ct->size, bits);
      return reinterpret_cast<PyObject*>(cd);
    }
    case Kind::Pointer:
    case Kind::Function: {
      // A one-character str or bytes is a number only for primitive casts.
      if (PyUnicode_Check(value) || PyBytes_Check(value))
        return raise(PyExc_TypeError, "an integer is required");
      unsigned long long bits = 0;
      if (cast_bits(value, &bits) < 0) return nullptr;
      PyObject* owner = is_cdata(value) ? owner_of(as_cd(value)) : nullptr;
      return make_pointer(ct, reinterpret_cast<void*>(static_cast<uintptr_t>(bits)), owner);
    }
    case Kind::Array:
      if (is_cdata(value) && is_pointer_like(as_cd(value)->ct) && ct->length >= 0) {
        CData* src = as_cd(value);
        if (!check_alive(src)) return nullptr;
        return make_view(ct, cdata_address(src), owner_of(src), ct->length);
      }
      break;
    default:
      break;
  }
  return raise(PyExc_TypeError, "cannot cast to ctype '%s'", cname(ct));
}

// ---- callbacks ----

PyObject* callback_decorator(PyObject* self, PyObject* func);
PyMethodDef decorator_def = {"callback_decorator", callback_decorator, METH_O, nullptr};

PyObject* ffi_callback(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdecl", "python_callable", "error", "onerror", nullptr};
  PyObject *decl, *callable = Py_None, *error = Py_None, *onerror = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OOO:callback", const_cast<char**>(kw), &decl,
                                   &callable, &error, &onerror))
    return nullptr;
  CType* ct = nullptr;
  if (PyUnicode_Check(decl)) {
    bool is_function = false;
    ct = ctx_parse(ctx_of(self), decl, &is_function);  // "int(int)" and "int(*)(int)" both do
  } else {
    ct = ctype_arg(self, decl, false, "string or ctype object");
  }
  if (!ct) return nullptr;
  if (callable == Py_None) {
    // @ffi.callback("int(int)", ...): a decorator that makes the callback.
    PyObject* state = Py_BuildValue("(OOO)", reinterpret_cast<PyObject*>(ct), error, onerror);
    if (!state) return nullptr;
    PyObject* deco = PyCFunction_New(&decorator_def, state);
    Py_DECREF(state);
    return deco;
  }
  return make_callback(ct, callable, error, onerror);
}

PyObject* callback_decorator(PyObject* state, PyObject* func) {
  return make_callback(reinterpret_cast<CType*>(PyTuple_GetItem(state, 0)), func,
                       PyTuple_GetItem(state, 1), PyTuple_GetItem(state, 2));
}

// ---- extern "Python" ----

PyObject* def_extern_decorator(PyObject* state, PyObject* func);
PyMethodDef def_extern_def = {"def_extern_decorator", def_extern_decorator, METH_O, nullptr};

PyObject* ffi_def_extern(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"name", "error", "onerror", nullptr};
  PyObject *name = Py_None, *error = Py_None, *onerror = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOO:def_extern", const_cast<char**>(kw), &name,
                                   &error, &onerror))
    return nullptr;
  // @ffi.def_extern(...): the decorator does the work, as in CFFI.
  PyObject* state = Py_BuildValue("(OOOO)", self, name, error, onerror);
  if (!state) return nullptr;
  PyObject* deco = PyCFunction_New(&def_extern_def, state);
  Py_DECREF(state);
  return deco;
}

/// Attaches `func` to the extern "Python" function named `name` (None: func.__name__).
PyObject* def_extern_decorator(PyObject* state, PyObject* func) {
  cdefc_context* ctx = ctx_of(PyTuple_GetItem(state, 0));
  PyObject* name = PyTuple_GetItem(state, 1);
  if (name == Py_None) {
    name = PyObject_GetAttrString(func, "__name__");
    if (!name) return nullptr;
  } else if (PyUnicode_Check(name)) {
    Py_INCREF(name);
  } else {
    return raise(PyExc_TypeError, "argument 2 must be str or None, not %s",
                 type_name(name).c_str());
  }
  const char* s = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, nullptr) : nullptr;
  std::string text = s ? s : "";
  Py_DECREF(name);
  if (!s) return PyErr_Occurred() ? nullptr : raise(PyExc_TypeError, "__name__ must be a str");
  int index = lib_find_global(ctx, text.c_str());
  if (index < 0 || ctx_def(ctx)->globals[index].kind != CDEFC_GLOBAL_EXTERN_PYTHON)
    return raise_ffi_error("ffi.def_extern('" + text +
                           "'): no 'extern \"Python\"' function with this name");
  if (def_extern(ctx, static_cast<uint32_t>(index), func, PyTuple_GetItem(state, 2),
                 PyTuple_GetItem(state, 3)) < 0)
    return nullptr;
  Py_INCREF(func);
  return func;
}

// ---- types and layout ----

PyObject* ffi_typeof(PyObject* self, PyObject* arg) {
  if (PyUnicode_Check(arg)) {
    CType* ct = ctx_parse(ctx_of(self), arg);
    Py_XINCREF(ct);
    return reinterpret_cast<PyObject*>(ct);
  }
  CType* ct = nullptr;
  if (is_cdata(arg))
    ct = as_cd(arg)->ct;
  else if (is_ctype(arg))
    ct = reinterpret_cast<CType*>(arg);
  else
    ct = lib_function_of(arg, nullptr);
  if (!ct && PyErr_Occurred()) return nullptr;  // a lib function whose type is an ffi.error
  if (!ct)
    return raise(PyExc_TypeError, "expected a string or cdata object, got '%s'",
                 type_name(arg).c_str());
  Py_INCREF(ct);
  return reinterpret_cast<PyObject*>(ct);
}

PyObject* ffi_sizeof(PyObject* self, PyObject* arg) {
  if (is_cdata(arg)) {
    CData* cd = as_cd(arg);
    if (cd->ct->kind == Kind::Array) return PyLong_FromSsize_t(cd->length * cd->ct->item->size);
    if (is_record(cd->ct) && (cd->flags & (kOwning | kShowOwning)))  // variable-size structs
      return PyLong_FromSize_t(cd->alloc_size);
    if (cd->ct->size >= 0) return PyLong_FromSsize_t(cd->ct->size);
  }
  CType* ct = ctype_arg(self, arg, true, "string or ctype object or cdata object");
  if (!ct) return nullptr;
  // A struct type needs its layout; an array of it has C's size (as in CFFI).
  if (is_record(ct) && !check_layout(ct)) return nullptr;
  if (ct->size < 0)
    return raise_ffi_error(std::string("don't know the size of ctype '") + cname(ct) + "'");
  return PyLong_FromSsize_t(ct->size);
}

PyObject* ffi_alignof(PyObject* self, PyObject* arg) {
  CType* ct = ctype_arg(self, arg, true, "string or ctype object or cdata object");
  if (!ct) return nullptr;
  if (!check_layout(ct)) return nullptr;  // of a struct, or of an array's items
  // ValueError here, unlike sizeof's ffi.error: CFFI's own messages.
  if (ct->align <= 0)
    return raise(PyExc_ValueError, "ctype '%s' is of unknown alignment", cname(ct));
  return PyLong_FromSsize_t(ct->align);
}

/// Walks fields/indexes from `ct` (offsetof/addressof); false with an exception.
bool walk(CType*& ct, PyObject* args, Py_ssize_t first, Py_ssize_t& offset) {
  Py_ssize_t n = PyTuple_Size(args);
  for (Py_ssize_t i = first; i < n; ++i) {
    PyObject* key = PyTuple_GetItem(args, i);
    if (PyUnicode_Check(key) && PyUnicode_FindChar(key, '.', 0, PyUnicode_GetLength(key), 1) >= 0) {
      // "a.b": the fields one after the other (CFFI's compiled ffi wants them separately).
      PyObject* dot = PyUnicode_FromString(".");
      PyObject* parts = dot ? PyUnicode_Split(key, dot, -1) : nullptr;
      Py_XDECREF(dot);
      if (!parts) return false;
      PyObject* sub = PyList_AsTuple(parts);
      Py_DECREF(parts);
      if (!sub) return false;
      bool ok = walk(ct, sub, 0, offset);
      Py_DECREF(sub);
      if (!ok) return false;
      continue;
    }
    if (PyUnicode_Check(key)) {
      CType* rec = ct;
      if (rec->kind == Kind::Pointer && is_record(rec->item) && i == first) rec = rec->item;
      if (!is_record(rec) || (rec->flags & kOpaque)) {
        PyErr_SetString(PyExc_TypeError,
                        "with a field name argument, expected a struct or union ctype");
        return false;
      }
      if (!realize_fields(rec)) return false;
      const FieldInfo* f = find_field(rec, key);
      if (!f) {
        if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
        return false;
      }
      if (f->bitsize >= 0) {
        PyErr_SetString(PyExc_TypeError, "not supported for bitfields");
        return false;
      }
      if (__builtin_add_overflow(offset, f->offset, &offset)) {
        PyErr_SetString(PyExc_OverflowError, "array offset would overflow a Py_ssize_t");
        return false;
      }
      ct = f->type;
    } else {
      Py_ssize_t idx = PyNumber_AsSsize_t(key, PyExc_OverflowError);
      if (idx == -1 && PyErr_Occurred()) return false;
      if (ct->kind != Kind::Array && ct->kind != Kind::Pointer) {
        PyErr_Format(PyExc_TypeError, "with an integer argument, expected an array ctype, got '%s'",
                     cname(ct));
        return false;
      }
      if (ct->item->size < 0) {
        PyErr_Format(PyExc_TypeError, "ctype '%s' has items of unknown size", cname(ct));
        return false;
      }
      Py_ssize_t step = 0;
      if (__builtin_mul_overflow(idx, ct->item->size, &step) ||
          __builtin_add_overflow(offset, step, &offset)) {
        PyErr_SetString(PyExc_OverflowError, "array offset would overflow a Py_ssize_t");
        return false;
      }
      ct = ct->item;
    }
  }
  return true;
}

PyObject* ffi_offsetof(PyObject* self, PyObject* args) {
  Py_ssize_t n = PyTuple_Size(args);
  if (n < 2) return raise(PyExc_TypeError, "offsetof() expects at least 2 arguments");
  CType* ct = ctype_arg(self, PyTuple_GetItem(args, 0), false, "string or ctype object");
  if (!ct) return nullptr;
  Py_ssize_t offset = 0;
  if (!walk(ct, args, 1, offset)) return nullptr;
  return PyLong_FromSsize_t(offset);
}

PyObject* ffi_addressof(PyObject*, PyObject* args) {
  Py_ssize_t n = PyTuple_Size(args);
  if (n < 1) return raise(PyExc_TypeError, "addressof() expects at least 1 argument");
  PyObject* obj = PyTuple_GetItem(args, 0);
  if (is_lib(obj)) {
    if (n != 2)
      return raise(PyExc_TypeError, "addressof(Lib, fieldname) expects exactly 2 arguments");
    return lib_addressof(obj, PyTuple_GetItem(args, 1));
  }
  if (!is_cdata(obj))
    return raise(PyExc_TypeError, "expected a cdata object, got '%s'", type_name(obj).c_str());
  CData* cd = as_cd(obj);
  CType* ct = cd->ct;
  char* base;
  if (is_record(ct) || ct->kind == Kind::Array) {
    base = cd->data;
  } else if (ct->kind == Kind::Pointer && is_record(ct->item) && n > 1) {
    base = *reinterpret_cast<char**>(cd->data);
  } else {
    return raise(PyExc_TypeError, "expected a cdata struct/union/array object");
  }
  if (!check_alive(cd)) return nullptr;
  Py_ssize_t offset = 0;
  if (!walk(ct, args, 1, offset)) return nullptr;
  CType* pt = pointer_to(ct);
  if (!pt) return nullptr;
  return make_pointer(pt, base + offset, owner_of(cd));
}

// ---- strings ----

bool is_char(const CType* t) { return t->kind == Kind::Primitive && (t->flags & kChar); }
bool is_wchar(const CType* t) { return t->kind == Kind::Primitive && (t->flags & kWChar); }

/// str from `n` code units of a wchar_t/char16_t/char32_t array.
PyObject* decode_wide(const CType* item, const char* p, Py_ssize_t n) {
  int order = -1;  // little endian, the machines cdefc runs on
  if (item->size == 2) return PyUnicode_DecodeUTF16(p, n * 2, "surrogatepass", &order);
  return PyUnicode_DecodeUTF32(p, n * 4, "strict", &order);
}

PyObject* string_of(PyObject* obj, Py_ssize_t maxlen) {
  if (!is_cdata(obj))
    return raise(PyExc_TypeError, "string() argument 1 must be cdefc.CData, not %s",
                 type_name(obj).c_str());
  CData* cd = as_cd(obj);
  CType* ct = cd->ct;
  if ((ct->kind == Kind::Pointer || ct->kind == Kind::Array) &&
      (is_char_item(ct->item) || is_wchar(ct->item))) {
    if (!check_alive(cd)) return nullptr;
    const char* p = cdata_address(cd);
    if (!p) {
      PyObject* r = cdata_repr(obj);
      if (r) PyErr_Format(PyExc_RuntimeError, "cannot use string() on %U", r);
      Py_XDECREF(r);
      return nullptr;
    }
    // Arrays and ffi.new()'s pointers (one item) are bounded; other pointers end at a 0.
    Py_ssize_t limit = ct->kind == Kind::Array ? cd->length : owns_one_item(cd) ? 1 : -1;
    if (maxlen >= 0 && (limit < 0 || maxlen < limit)) limit = maxlen;
    Py_ssize_t size = ct->item->size, n = 0;
    while (limit < 0 || n < limit) {
      bool zero = true;
      for (Py_ssize_t b = 0; b < size; ++b)
        if (p[n * size + b]) zero = false;
      if (zero) break;
      ++n;
    }
    if (is_char_item(ct->item)) return PyBytes_FromStringAndSize(p, n);
    return decode_wide(ct->item, p, n);
  }
  if (is_char_item(ct)) return PyBytes_FromStringAndSize(cd->data, 1);
  if (is_wchar(ct)) return decode_wide(ct, cd->data, 1);
  if (ct->kind == Kind::Enum) {
    long long v = (ct->flags & kSigned) ? read_signed(cd->data, ct->size)
                                        : static_cast<long long>(read_unsigned(cd->data, ct->size));
    for (const auto& [name, value] : ct->d->enumerators)
      if (value == v) return PyUnicode_FromString(name.c_str());
    PyObject* num = primitive_value(cd);
    if (!num) return nullptr;
    PyObject* s = PyObject_Str(num);
    Py_DECREF(num);
    return s;
  }
  return raise(PyExc_TypeError, "string(): unexpected cdata '%s' argument", cname(ct));
}

PyObject* ffi_unpack(PyObject*, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdata", "length", nullptr};
  PyObject* obj;
  Py_ssize_t length;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "On:unpack", const_cast<char**>(kw), &obj,
                                   &length))
    return nullptr;
  if (!is_cdata(obj))
    return raise(PyExc_TypeError, "unpack() argument 1 must be cdefc.CData, not %s",
                 type_name(obj).c_str());
  CData* cd = as_cd(obj);
  CType* ct = cd->ct;
  if (ct->kind != Kind::Pointer && ct->kind != Kind::Array)
    return raise(PyExc_TypeError, "expected a pointer or array, got '%s'", cname(ct));
  if (length < 0) return raise(PyExc_ValueError, "'length' cannot be negative");
  if (!check_alive(cd)) return nullptr;
  char* p = cdata_address(cd);
  if (!p) {
    PyObject* r = cdata_repr(obj);
    if (r) PyErr_Format(PyExc_RuntimeError, "cannot use unpack() on %U", r);
    Py_XDECREF(r);
    return nullptr;
  }
  if (ct->kind == Kind::Array && length > cd->length)
    return raise(PyExc_IndexError, "index too large for cdata '%s' (expected %zd <= %zd)",
                 cname(ct), length, cd->length);
  if (owns_one_item(cd) && length > 1)
    return raise(PyExc_IndexError, "cdata '%s' can only be indexed by 0", cname(ct));
  CType* item = ct->item;
  if (item->size < 0)
    return raise(PyExc_ValueError, "'%s' points to items of unknown size", cname(ct));
  if (is_char(item)) return PyBytes_FromStringAndSize(p, length);
  if (is_wchar(item)) return decode_wide(item, p, length);
  PyObject* list = PyList_New(length);
  for (Py_ssize_t i = 0; list && i < length; ++i) {
    PyObject* x = from_c(item, p + i * item->size, owner_of(cd));
    if (!x)
      Py_CLEAR(list);
    else
      PyList_SetItem(list, i, x);
  }
  return list;
}

// ---- memory ----

PyObject* ffi_from_buffer(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdecl", "python_buffer", "require_writable", nullptr};
  PyObject *a = nullptr, *b = nullptr;
  int writable = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|Oi:from_buffer", const_cast<char**>(kw), &a, &b,
                                   &writable))
    return nullptr;
  PyObject* decl = b ? a : nullptr;
  PyObject* obj = b ? b : a;
  CType* ct = nullptr;
  if (decl) {
    ct = ctype_arg(self, decl, false, "string or ctype object");
  } else {
    ct = array_of(primitive_ctype(CDEFC_PRIM_CHAR), -1);
  }
  if (!ct) return nullptr;
  return from_buffer(ct, obj, writable);
}

PyObject* ffi_release(PyObject*, PyObject* arg) {
  if (!is_cdata(arg)) return raise(PyExc_TypeError, "expected a 'cdata' object");
  if (cdata_release(as_cd(arg)) < 0) return nullptr;
  Py_RETURN_NONE;
}

/// What ffi.gc(obj, destructor) returns for the cdata `obj`: a cdata of the same type over the
/// same C value (a struct or an array is the same memory, a number or pointer a copy of the
/// value), not "owning", that keeps `obj` alive and calls destructor(obj) when it dies or is
/// released (see kGC). CFFI accepts every cdata here, numbers and ffi.NULL included.
PyObject* gc_object(PyObject* obj, PyObject* destructor) {
  CData* cd = as_cd(obj);
  CType* ct = cd->ct;
  PyObject* r;
  if (ct->kind == Kind::Array || is_record(ct)) {
    r = make_view(ct, cd->data, obj, cd->length);
    // A T[] keeps its length (CFFI's own reads a length it never stored) and CFFI's repr.
    if (r && ct->kind == Kind::Array && ct->length < 0) as_cd(r)->flags |= kSliced;
  } else {
    if (ct->size < 0 || static_cast<size_t>(ct->size) > sizeof cd->storage)
      return raise(PyExc_TypeError, "ffi.gc(): unexpected cdata '%s'", cname(ct));
    CData* v = new_value_cdata(ct);
    if (!v) return nullptr;
    memcpy(v->data, cd->data, static_cast<size_t>(ct->size));
    Py_INCREF(obj);
    v->owner = obj;
    r = reinterpret_cast<PyObject*>(v);
  }
  if (!r) return nullptr;
  Py_INCREF(destructor);
  as_cd(r)->extra = destructor;
  as_cd(r)->flags |= kGC;
  return r;
}

PyObject* ffi_gc(PyObject*, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdata", "destructor", "size", nullptr};
  PyObject *obj, *destructor;
  Py_ssize_t size = 0;  // a hint for PyPy's GC; checked as CFFI does, then unused
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O|n:gc", const_cast<char**>(kw), g->cdata_type,
                                   &obj, &destructor, &size))
    return nullptr;
  CData* cd = as_cd(obj);
  if (destructor == Py_None) {
    // ffi.gc(p, None): p no longer calls its destructor; None is returned. CFFI refuses other
    // cdata, and ffi.new_allocator(alloc)()'s pointers to structs (its gc object is the struct).
    if (!(cd->flags & kGC) ||
        ((cd->flags & kAllocator) && cd->ct->kind == Kind::Pointer && is_record(cd->ct->item)))
      return raise(PyExc_TypeError,
                   "Can remove destructor only on a object previously returned by ffi.gc()");
    Py_CLEAR(cd->extra);
    Py_RETURN_NONE;
  }
  return gc_object(obj, destructor);
}

PyObject* ffi_new_handle(PyObject*, PyObject* arg) {
  CType* voidp = pointer_to(primitive_ctype(CDEFC_PRIM_VOID));
  if (!voidp) return nullptr;
  CData* cd = new_value_cdata(voidp);
  if (!cd) return nullptr;
  void* self = cd;  // the handle's value is the handle object's own address
  memcpy(cd->data, &self, sizeof self);
  Py_INCREF(arg);
  cd->extra = arg;
  cd->flags |= kHandle;
  PyObject* key = PyLong_FromVoidPtr(self);
  if (!key || PyDict_SetItem(g->handles, key, arg) < 0) {
    Py_XDECREF(key);
    Py_DECREF(cd);
    return nullptr;
  }
  Py_DECREF(key);
  return reinterpret_cast<PyObject*>(cd);
}

PyObject* ffi_from_handle(PyObject*, PyObject* arg) {
  if (!is_cdata(arg) || !is_pointer_like(as_cd(arg)->ct))
    return raise(PyExc_TypeError,
                 "expected a 'cdata' object with a 'void *' out of new_handle(), got '%s'",
                 describe(arg).c_str());
  if (!cdata_address(as_cd(arg)))
    return raise(PyExc_RuntimeError, "cannot use from_handle() on NULL pointer");
  PyObject* key = PyLong_FromVoidPtr(cdata_address(as_cd(arg)));
  if (!key) return nullptr;
  PyObject* obj = PyDict_GetItemWithError(g->handles, key);
  Py_DECREF(key);
  if (!obj) {
    if (!PyErr_Occurred())
      PyErr_SetString(PyExc_RuntimeError,
                      "cannot use from_handle() on a pointer that is not a live handle");
    return nullptr;
  }
  Py_INCREF(obj);
  return obj;
}

/// Address and byte size of a cdata or bytes-like argument of memmove/buffer.
bool memory_of(PyObject* o, char** p, Py_ssize_t* size, bool writable) {
  if (is_cdata(o)) {
    CData* cd = as_cd(o);
    if (!is_pointer_like(cd->ct) || cd->ct->kind == Kind::Function) {
      PyErr_Format(PyExc_TypeError, "expected a pointer or array cdata, got cdata '%s'",
                   cname(cd->ct));
      return false;
    }
    if (!check_alive(cd)) return false;
    *p = cdata_address(cd);
    Py_ssize_t item = cd->ct->item->size > 0 ? cd->ct->item->size : 1;
    *size = cd->ct->kind == Kind::Array ? cd->length * item : (owns_one_item(cd) ? item : -1);
    return true;
  }
  if (PyByteArray_Check(o)) {
    *p = PyByteArray_AsString(o);
    *size = PyByteArray_Size(o);
    return true;
  }
  if (!writable && PyBytes_Check(o)) {
    *p = PyBytes_AsString(o);
    *size = PyBytes_Size(o);
    return true;
  }
  PyErr_Format(PyExc_TypeError, "expected a cdata pointer or array%s, got '%s'",
               writable ? " or bytearray" : ", bytes or bytearray", type_name(o).c_str());
  return false;
}

PyObject* ffi_memmove(PyObject*, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"dest", "src", "n", nullptr};
  PyObject *dest, *src;
  Py_ssize_t n;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOn:memmove", const_cast<char**>(kw), &dest, &src,
                                   &n))
    return nullptr;
  return memmove_objects(dest, src, n);
}

}  // namespace

PyObject* buffer_of(PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdata", "size", nullptr};
  PyObject* obj;
  Py_ssize_t size = -1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n:buffer", const_cast<char**>(kw), &obj, &size))
    return nullptr;
  if (!is_cdata(obj))
    return raise(PyExc_TypeError, "expected a cdata object, got '%s'", type_name(obj).c_str());
  char* p;
  Py_ssize_t n;
  if (!memory_of(obj, &p, &n, true)) return nullptr;
  CData* cd = as_cd(obj);
  if (n < 0 && cd->ct->kind == Kind::Pointer) n = cd->ct->item->size;
  if (size >= 0) {
    // Known extents (arrays, ffi.new() memory) are checked: no buffer over foreign bytes.
    bool known = cd->ct->kind == Kind::Array || owns_one_item(cd);
    if (known && size > n)
      return raise(PyExc_IndexError, "buffer of %zd bytes over cdata '%s' of %zd bytes", size,
                   cname(cd->ct), n);
    n = size;
  }
  if (n < 0) return raise(PyExc_TypeError, "don't know the size of the buffer");
  if (!p) return raise(PyExc_RuntimeError, "cannot make a buffer of a NULL pointer");
  return new_buffer(obj, p, n);
}

namespace {

PyObject* ffi_dlopen(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"name", "flags", nullptr};
  PyObject* name = Py_None;
  int flags = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|Oi:dlopen", const_cast<char**>(kw), &name,
                                   &flags))
    return nullptr;
  return dlopen_lib(ctx_of(self), name, flags);
}

PyObject* ffi_dlclose(PyObject*, PyObject* lib) {
  if (dlclose_lib(lib) < 0) return nullptr;
  Py_RETURN_NONE;
}

/// type(ffi)(): an ffi without declarations (as CFFI's _cffi_backend.FFI()), for type strings
/// of the standard types; subclasses too.
PyObject* ffi_tp_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  if (PyTuple_Size(args) != 0 || (kwargs && PyDict_Size(kwargs) != 0))
    return raise(PyExc_TypeError, "FFI() takes no arguments in cdefc (a module's ffi has the "
                                  "declarations of its cdef)");
  auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(type, Py_tp_alloc));
  auto* ffi = reinterpret_cast<FFIObject*>(alloc(type, 0));
  if (!ffi) return nullptr;
  ffi->ctx = new_bare_context();
  if (!ffi->ctx) {
    Py_DECREF(ffi);
    return nullptr;
  }
  return reinterpret_cast<PyObject*>(ffi);
}

PyObject* ffi_getctype(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"cdecl", "replace_with", nullptr};
  PyObject* decl;
  const char* with = "";
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|s:getctype", const_cast<char**>(kw), &decl,
                                   &with))
    return nullptr;
  CType* ct = ctype_arg(self, decl, false, "string or ctype object");
  if (!ct) return nullptr;
  std::string w = with;
  while (!w.empty() && w.front() == ' ') w.erase(0, 1);
  while (!w.empty() && w.back() == ' ') w.pop_back();
  if (!w.empty() && w.front() == '*' && ct->kind == Kind::Array) w = "(" + w + ")";
  std::string n = cname(ct);
  size_t pos = ct->d->name_pos;
  if (!w.empty() && w[0] != '[' && w[0] != '(' && pos > 0 && n[pos - 1] != '(') w = " " + w;
  n.insert(pos, w);
  return PyUnicode_FromString(n.c_str());
}

// ---- module information ----

PyObject* ffi_list_types(PyObject* self, PyObject*) {
  const cdefc_module_def* def = ctx_def(ctx_of(self));
  PyObject* typedefs = PyList_New(0);
  PyObject* structs = PyList_New(0);
  PyObject* unions = PyList_New(0);
  bool ok = typedefs && structs && unions;
  for (uint32_t i = 0; ok && i < def->num_typedefs; ++i) {
    PyObject* n = PyUnicode_FromString(def->typedefs[i].name);
    ok = n && PyList_Append(typedefs, n) == 0;
    Py_XDECREF(n);
  }
  for (uint32_t i = 0; ok && i < def->num_records; ++i) {
    const cdefc_record& r = def->records[i];
    bool is_union = r.flags & CDEFC_RECORD_UNION;
    const char* kw = is_union ? "union " : "struct ";
    if (!r.name || strncmp(r.name, kw, strlen(kw)) != 0) continue;  // typedef-named: listed above
    // Anonymous records ("struct $1") and those named only by a pointer typedef
    // ("struct $$session_p") are not listed, as in CFFI.
    if (r.name[strlen(kw)] == '$') continue;
    PyObject* n = PyUnicode_FromString(r.name + strlen(kw));
    ok = n && PyList_Append(is_union ? unions : structs, n) == 0;
    Py_XDECREF(n);
  }
  if (ok) ok = PyList_Sort(typedefs) == 0 && PyList_Sort(structs) == 0 && PyList_Sort(unions) == 0;
  PyObject* r = ok ? PyTuple_Pack(3, typedefs, structs, unions) : nullptr;
  Py_XDECREF(typedefs);
  Py_XDECREF(structs);
  Py_XDECREF(unions);
  return r;
}

PyObject* ffi_integer_const(PyObject* self, PyObject* name) {
  cdefc_context* ctx = ctx_of(self);
  if (!PyUnicode_Check(name)) return raise(PyExc_TypeError, "integer_const() expects a str");
  const char* s = PyUnicode_AsUTF8AndSize(name, nullptr);
  if (!s) return nullptr;
  const cdefc_module_def* def = ctx_def(ctx);
  for (uint32_t i = 0; i < def->num_globals; ++i) {
    const cdefc_global& gl = def->globals[i];
    if (strcmp(gl.name, s) != 0) continue;
    CType* ct = gl.kind == CDEFC_GLOBAL_CONSTANT ? ctx_type(ctx, gl.type) : nullptr;
    if (!ct || !is_integer(ct)) {
      PyErr_Clear();
      return raise_ffi_error(std::string("function, global variable or non-integer constant '") +
                             s + "' must be fetched from its original 'lib' object");
    }
    if (ctx->lib) return PyObject_GetAttr(ctx->lib, name);
    PyObject* lib = new_lib(ctx);  // the ABI mode's module has no lib: a passing one
    PyObject* value = lib ? PyObject_GetAttr(lib, name) : nullptr;
    Py_XDECREF(lib);
    return value;
  }
  return raise(PyExc_AttributeError, "integer constant '%s' not found", s);
}

/// ffi.init_once(func, tag): func() runs once per tag; concurrent callers wait for it, as in
/// CFFI. The module's init_once dict maps a tag to a list [done, result, lock].
PyObject* ffi_init_once(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"func", "tag", nullptr};
  PyObject *func, *tag;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:init_once", const_cast<char**>(kw), &func,
                                   &tag))
    return nullptr;
  PyObject* table = ctx_of(self)->init_once;
  PyObject* entry = PyDict_GetItemWithError(table, tag);  // borrowed
  if (!entry) {
    if (PyErr_Occurred()) return nullptr;
    PyObject* thread = PyImport_ImportModule("_thread");
    PyObject* lock = thread ? PyObject_CallMethod(thread, "allocate_lock", nullptr) : nullptr;
    Py_XDECREF(thread);
    if (!lock) return nullptr;
    entry = Py_BuildValue("[OOO]", Py_False, Py_None, lock);
    Py_DECREF(lock);
    if (!entry) return nullptr;
    int rc = PyDict_SetItem(table, tag, entry);
    Py_DECREF(entry);  // the dict keeps it
    if (rc < 0) return nullptr;
  }
  Py_INCREF(entry);
  auto result_if_done = [entry]() -> PyObject* {
    if (PyList_GetItem(entry, 0) != Py_True) return nullptr;
    PyObject* r = PyList_GetItem(entry, 1);
    Py_INCREF(r);
    return r;
  };
  if (PyObject* r = result_if_done()) {
    Py_DECREF(entry);
    return r;
  }
  // Wait for a call in progress in another thread (the lock releases the GIL meanwhile).
  PyObject* lock = PyList_GetItem(entry, 2);
  PyObject* ok = PyObject_CallMethod(lock, "acquire", nullptr);
  if (!ok) {
    Py_DECREF(entry);
    return nullptr;
  }
  Py_DECREF(ok);
  PyObject* result = result_if_done();
  if (!result) {
    result = PyObject_CallObject(func, nullptr);
    if (result && (PyList_SetItem(entry, 1, Py_NewRef(result)) < 0 ||
                   PyList_SetItem(entry, 0, Py_NewRef(Py_True)) < 0))
      Py_CLEAR(result);
  }
  PyObject *et, *ev, *etb;
  PyErr_Fetch(&et, &ev, &etb);  // release the lock even when func raised
  PyObject* released = PyObject_CallMethod(lock, "release", nullptr);
  Py_XDECREF(released);
  PyErr_Restore(et, ev, etb);
  Py_DECREF(entry);
  return result;
}

// ---- attributes ----

PyObject* get_errno(PyObject*, void*) { return PyLong_FromLong(*cdefc_errno_slot()); }
int set_errno(PyObject*, PyObject* value, void*) {
  if (!value) return raise_int(PyExc_AttributeError, "cannot delete errno");
  long v = PyLong_AsLong(value);
  if (v == -1 && PyErr_Occurred()) return -1;
  *cdefc_errno_slot() = static_cast<int>(v);
  return 0;
}
void ffi_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  auto free_fn = reinterpret_cast<freefunc>(PyType_GetSlot(tp, Py_tp_free));
  free_fn(self);
  Py_DECREF(tp);
}

/// The arguments of a METH_FASTCALL | METH_KEYWORDS call as a tuple and a dict (null when
/// there are no keywords), for PyArg_ParseTupleAndKeywords: its checks and messages on the
/// calls the fast paths below leave to it. False with an exception set.
bool as_tuple_and_dict(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                       PyObject** tuple, PyObject** dict) {
  *dict = nullptr;
  *tuple = PyTuple_New(nargs);
  if (!*tuple) return false;
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    Py_INCREF(args[i]);
    PyTuple_SetItem(*tuple, i, args[i]);
  }
  Py_ssize_t nkw = kwnames ? PyTuple_Size(kwnames) : 0;
  if (nkw > 0) {
    *dict = PyDict_New();
    for (Py_ssize_t i = 0; *dict && i < nkw; ++i)
      if (PyDict_SetItem(*dict, PyTuple_GetItem(kwnames, i), args[nargs + i]) < 0)
        Py_CLEAR(*dict);
    if (!*dict) {
      Py_CLEAR(*tuple);
      return false;
    }
  }
  return true;
}

/// ffi.new(cdecl, init=None): positional calls go straight on (the hot path), the rest
/// through PyArg_ParseTupleAndKeywords.
PyObject* ffi_new_fast(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  if (!kwnames && (nargs == 1 || nargs == 2))
    return new_cdata(self, args[0], nargs == 2 ? args[1] : Py_None, nullptr);
  PyObject *tuple, *dict;
  if (!as_tuple_and_dict(args, nargs, kwnames, &tuple, &dict)) return nullptr;
  PyObject* r = ffi_new(self, tuple, dict);
  Py_DECREF(tuple);
  Py_XDECREF(dict);
  return r;
}

/// ffi.cast(cdecl, value).
PyObject* ffi_cast(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs == 2) return cast_value(self, args[0], args[1]);
  PyErr_Format(PyExc_TypeError, "cast expected 2 arguments, got %zd", nargs);
  return nullptr;
}

/// ffi.string(cdata, maxlen=-1).
PyObject* ffi_string(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (!kwnames && nargs == 1) return string_of(args[0], -1);
  PyObject *tuple, *dict;
  if (!as_tuple_and_dict(args, nargs, kwnames, &tuple, &dict)) return nullptr;
  static const char* kw[] = {"cdata", "maxlen", nullptr};
  PyObject* obj;
  Py_ssize_t maxlen = -1;
  PyObject* r = PyArg_ParseTupleAndKeywords(tuple, dict, "O|n:string", const_cast<char**>(kw),
                                            &obj, &maxlen)
                    ? string_of(obj, maxlen)
                    : nullptr;
  Py_DECREF(tuple);
  Py_XDECREF(dict);
  return r;
}

#define KW(f) reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(f))

PyMethodDef ffi_methods[] = {
    {"new", KW(ffi_new_fast), METH_FASTCALL | METH_KEYWORDS,
     "ffi.new(cdecl, init=None): allocate owned, zeroed C memory"},
    {"new_allocator", KW(ffi_new_allocator), METH_VARARGS | METH_KEYWORDS,
     "ffi.new_allocator(alloc=None, free=None, should_clear_after_alloc=True): a function "
     "like ffi.new() whose memory comes from alloc(size) and goes to free(result)"},
    {"cast", KW(ffi_cast), METH_FASTCALL, "ffi.cast(cdecl, value)"},
    {"typeof", ffi_typeof, METH_O, "ffi.typeof(cdecl or cdata)"},
    {"sizeof", ffi_sizeof, METH_O, "ffi.sizeof(cdecl or cdata)"},
    {"alignof", ffi_alignof, METH_O, "ffi.alignof(cdecl or cdata)"},
    {"offsetof", ffi_offsetof, METH_VARARGS, "ffi.offsetof(cdecl, field_or_index, ...)"},
    {"addressof", ffi_addressof, METH_VARARGS, "ffi.addressof(cdata or lib, field_or_index, ...)"},
    {"string", KW(ffi_string), METH_FASTCALL | METH_KEYWORDS, "ffi.string(cdata, maxlen=-1)"},
    {"unpack", KW(ffi_unpack), METH_VARARGS | METH_KEYWORDS, "ffi.unpack(cdata, length)"},
    {"from_buffer", KW(ffi_from_buffer), METH_VARARGS | METH_KEYWORDS,
     "ffi.from_buffer([cdecl,] python_buffer, require_writable=False): the memory "
     "of an object with the buffer protocol as a cdata array"},
    {"release", ffi_release, METH_O, "ffi.release(cdata): free the memory of ffi.new() now"},
    {"gc", KW(ffi_gc), METH_VARARGS | METH_KEYWORDS, "ffi.gc(cdata, destructor, size=0)"},
    {"callback", KW(ffi_callback), METH_VARARGS | METH_KEYWORDS,
     "ffi.callback(cdecl, python_callable=None, error=None, onerror=None)"},
    {"def_extern", KW(ffi_def_extern), METH_VARARGS | METH_KEYWORDS,
     "ffi.def_extern(name=None, error=None, onerror=None): decorator attaching a Python "
     "function to an extern \"Python\" function"},
    {"new_handle", ffi_new_handle, METH_O, "ffi.new_handle(obj)"},
    {"from_handle", ffi_from_handle, METH_O, "ffi.from_handle(cdata)"},
    {"memmove", KW(ffi_memmove), METH_VARARGS | METH_KEYWORDS, "ffi.memmove(dest, src, n)"},
    {"dlopen", KW(ffi_dlopen), METH_VARARGS | METH_KEYWORDS,
     "ffi.dlopen(name=None, flags=0): a lib of the cdef's functions and globals found in the "
     "shared library `name` (None: the program), called through libffi"},
    {"dlclose", ffi_dlclose, METH_O, "ffi.dlclose(lib): close a library of ffi.dlopen()"},
    {"list_types", ffi_list_types, METH_NOARGS,
     "ffi.list_types(): (typedef names, struct names, union names)"},
    {"integer_const", ffi_integer_const, METH_O, "ffi.integer_const(name)"},
    {"init_once", KW(ffi_init_once), METH_VARARGS | METH_KEYWORDS, "ffi.init_once(func, tag)"},
    {"getctype", KW(ffi_getctype), METH_VARARGS | METH_KEYWORDS,
     "ffi.getctype(cdecl, replace_with='')"},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef ffi_getset[] = {{"errno", get_errno, set_errno, nullptr, nullptr},
                            {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyType_Slot ffi_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(ffi_dealloc)},
                           {Py_tp_new, reinterpret_cast<void*>(ffi_tp_new)},
                           {Py_tp_methods, ffi_methods},
                           {Py_tp_getset, ffi_getset},
                           {0, nullptr}};

PyType_Spec ffi_spec = {"cdefc.FFI", sizeof(FFIObject), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, ffi_slots};

}  // namespace

bool init_ffi_type(Internals& in) {
  in.ffi_type = make_type(&ffi_spec);
  return in.ffi_type != nullptr;
}

bool init_ffi_class_attributes(Internals& in) {
  // Class attributes, as CFFI's: type(ffi).NULL, type(ffi).CData, ffi.buffer(...) a type.
  auto* type = reinterpret_cast<PyObject*>(in.ffi_type);
  const std::pair<const char*, PyObject*> objects[] = {
      {"NULL", in.null},
      {"error", in.ffi_error},
      {"CData", reinterpret_cast<PyObject*>(in.cdata_type)},
      {"CType", reinterpret_cast<PyObject*>(in.ctype_type)},
      {"buffer", reinterpret_cast<PyObject*>(in.buffer_type)}};
  for (const auto& [name, value] : objects)
    if (PyObject_SetAttrString(type, name, value) < 0) return false;
  const std::pair<const char*, long> flags[] = {
      {"RTLD_LAZY", RTLD_LAZY},         {"RTLD_NOW", RTLD_NOW},
      {"RTLD_GLOBAL", RTLD_GLOBAL},     {"RTLD_LOCAL", RTLD_LOCAL},
      {"RTLD_NODELETE", RTLD_NODELETE}, {"RTLD_NOLOAD", RTLD_NOLOAD},
      {"RTLD_DEEPBIND", RTLD_DEEPBIND}};
  for (const auto& [name, value] : flags) {
    PyObject* v = PyLong_FromLong(value);
    int rc = v ? PyObject_SetAttrString(type, name, v) : -1;
    Py_XDECREF(v);
    if (rc < 0) return false;
  }
  return true;
}

PyObject* new_ffi(cdefc_context* ctx) {
  auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(g->ffi_type, Py_tp_alloc));
  auto* ffi = reinterpret_cast<FFIObject*>(alloc(g->ffi_type, 0));
  if (!ffi) return nullptr;
  ffi->ctx = ctx;
  return reinterpret_cast<PyObject*>(ffi);
}

}  // namespace cdefc::rt
