// ffi.CData: C values seen from Python — numbers, pointers, arrays, structs, function
// pointers — with CFFI's indexing, slicing, arithmetic, comparisons, fields and reprs.

#include <cstdio>
#include <cstring>

#include <cstddef>

#include "internal.h"
// structmember.h needs Python.h (from internal.h) first.
#include <structmember.h>

namespace cdefc::rt {

namespace {

CData* alloc_cdata(CType* ct, size_t trailing = 0) {
  // The type is not subclassable and has no GC: PyObject_Malloc and PyObject_Init are what
  // tp_alloc would do, without zeroing the whole object (every field is set below).
  void* mem = PyObject_Malloc(sizeof(CData) + trailing);
  if (!mem) {
    PyErr_NoMemory();
    return nullptr;
  }
  auto* cd = reinterpret_cast<CData*>(
      PyObject_Init(static_cast<PyObject*>(mem), g->cdata_type));  // a new type reference
  if (!cd) return nullptr;
  Py_INCREF(ct);
  cd->ct = ct;
  cd->data = reinterpret_cast<char*>(cd->storage);
  cd->owner = nullptr;
  cd->length = -1;
  cd->flags = 0;
  cd->alloc_size = 0;
  cd->alloc = nullptr;
  cd->extra = nullptr;
  cd->weakrefs = nullptr;
  memset(cd->storage, 0, sizeof cd->storage);
  return cd;
}

inline CData* as_cd(PyObject* o) { return reinterpret_cast<CData*>(o); }

/// The size pointer arithmetic uses for items of `ptr` (void counts as 1 byte); -1 with an
/// exception if unknown.
Py_ssize_t arith_item_size(CType* ptr) {
  CType* item = ptr->item;
  if (item->kind == Kind::Void) return 1;
  if (item->size < 0)
    return raise_int(PyExc_TypeError, "ctype '%s' points to items of unknown size", cname(ptr));
  return item->size;
}

/// The pointer type a pointer-like cdata behaves as (arrays: pointer to item).
CType* pointer_type_of(CData* cd) {
  return cd->ct->kind == Kind::Array ? pointer_to(cd->ct->item) : cd->ct;
}

PyObject* null_deref(CData* cd) {
  return raise(PyExc_RuntimeError, "cannot dereference null pointer from cdata '%s'",
               cname(cd->ct));
}

// ---- lifetime ----

/// Calls the ffi.gc() destructor of `cd` with the cdata given to ffi.gc(); an exception is
/// reported as CFFI reports it ("Exception ignored from callback for ffi.gc <cdata ...>").
void call_gc_destructor(CData* cd) {
  PyObject* given = cd->owner ? cd->owner : Py_None;
  PyObject* r = PyObject_CallFunctionObjArgs(cd->extra, given, nullptr);
  if (r) {
    Py_DECREF(r);
    return;
  }
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyObject* shown = PyObject_Repr(given);
  const char* text = shown ? PyUnicode_AsUTF8AndSize(shown, nullptr) : nullptr;
  std::string message = std::string("Exception ignored from callback for ffi.gc ") +
                        (text ? text : "?");
  Py_XDECREF(shown);
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
  write_unraisable(message);
}

void cdata_dealloc(PyObject* self) {
  CData* cd = as_cd(self);
  PyTypeObject* tp = Py_TYPE(self);
  // Destructors (ffi.gc), weak reference callbacks and what handles or buffers hold may run
  // Python code: keep the exception that may be propagating while this cdata dies.
  const bool runs_python =
      (cd->flags & (kGC | kHandle | kCallback | kFromBuffer)) || cd->weakrefs;
  PyObject *err_type = nullptr, *err_value = nullptr, *err_tb = nullptr;
  if (runs_python) PyErr_Fetch(&err_type, &err_value, &err_tb);
  if (cd->weakrefs) PyObject_ClearWeakRefs(self);
  if ((cd->flags & kGC) && cd->extra && !(cd->flags & kReleased)) {
    call_gc_destructor(cd);
  }
  if ((cd->flags & kOwning) && !(cd->flags & (kReleased | kInline))) free_owning_block(cd->alloc);
  if (cd->flags & kCallback) free_callback(cd);
  if (cd->flags & kHandle) {
    PyObject* key = PyLong_FromVoidPtr(self);
    if (!key || PyDict_DelItem(g->handles, key) < 0) PyErr_Clear();
    Py_XDECREF(key);
  }
  Py_XDECREF(cd->extra);
  Py_XDECREF(cd->owner);
  Py_DECREF(cd->ct);
  if (runs_python) PyErr_Restore(err_type, err_value, err_tb);
  PyObject_Free(self);  // as alloc_cdata allocated it
  Py_DECREF(tp);
}

// ---- repr ----

std::string value_text(CData* cd) {
  CType* ct = cd->ct;
  char buf[128];
  if (ct->kind == Kind::Enum) {
    bool uns = ct->flags & kUnsigned;
    long long v = uns ? static_cast<long long>(read_unsigned(cd->data, ct->size))
                      : read_signed(cd->data, ct->size);
    if (uns)
      snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
    else
      snprintf(buf, sizeof buf, "%lld", v);
    std::string s = buf;
    for (const auto& [name, value] : ct->d->enumerators)
      if (value == v) return s + ": " + name;
    return s;
  }
  if (ct->flags & kLongDouble) {
    long double v;
    memcpy(&v, cd->data, sizeof v);
    snprintf(buf, sizeof buf, "%LE", v);
    return buf;
  }
  if (ct->flags & kWChar) {  // no character: the number (CFFI's repr fails with SystemError)
    long long code = read_wchar(ct, cd->data);
    if (code < 0 || code > 0x10FFFF) return std::to_string(code);
  }
  PyObject* v = primitive_value(cd);
  if (ct->flags & kBool) {
    Py_XDECREF(v);
    return *cd->data ? "True" : "False";
  }
  std::string s = "?";
  if (v) {
    PyObject* r = PyObject_Repr(v);
    if (r) {
      const char* u = PyUnicode_AsUTF8AndSize(r, nullptr);
      if (u) s = u;
      Py_DECREF(r);
    }
    Py_DECREF(v);
  }
  PyErr_Clear();
  return s;
}

// ---- numbers ----

PyObject* cdata_int(PyObject* self) {
  CData* cd = as_cd(self);
  CType* ct = cd->ct;
  if (ct->kind == Kind::Primitive || ct->kind == Kind::Enum) {
    if (ct->flags & (kSigned | kUnsigned | kBool)) return primitive_value(cd);
    if (ct->flags & kChar) return PyLong_FromLong(static_cast<unsigned char>(cd->data[0]));
    if (ct->flags & kWChar) return PyLong_FromLongLong(read_wchar(ct, cd->data));
    if (ct->flags & (kFloat | kLongDouble)) {
      double v = read_float(ct, cd->data);
      PyObject* f = PyFloat_FromDouble(v);
      if (!f) return nullptr;
      PyObject* r = PyNumber_Long(f);
      Py_DECREF(f);
      return r;
    }
  }
  return raise(PyExc_TypeError, "int() not supported on cdata '%s'", cname(ct));
}

PyObject* cdata_float(PyObject* self) {
  CData* cd = as_cd(self);
  CType* ct = cd->ct;
  if (ct->kind == Kind::Primitive && (ct->flags & (kFloat | kLongDouble)))
    return PyFloat_FromDouble(read_float(ct, cd->data));
  return raise(PyExc_TypeError, "float() not supported on cdata '%s'", cname(ct));
}

int cdata_bool(PyObject* self) {
  CData* cd = as_cd(self);
  CType* ct = cd->ct;
  switch (ct->kind) {
    case Kind::Primitive:
    case Kind::Enum:
      if (ct->flags & (kFloat | kLongDouble)) return read_float(ct, cd->data) != 0.0;
      if (ct->flags & kComplex) {
        for (Py_ssize_t i = 0; i < ct->size; ++i)
          if (cd->data[i]) return 1;
        return 0;
      }
      return read_unsigned(cd->data, ct->size) != 0;
    case Kind::Pointer:
    case Kind::Function:
    case Kind::Array:
      return cdata_address(cd) != nullptr;
    default:
      return 1;
  }
}

PyObject* pointer_add(CData* cd, PyObject* offset, bool negate) {
  CType* ptr = pointer_type_of(cd);
  if (!ptr) return nullptr;
  if (ptr->kind != Kind::Pointer)
    return raise(PyExc_TypeError, "cannot add a cdata '%s' and a number", cname(cd->ct));
  Py_ssize_t i = PyNumber_AsSsize_t(offset, PyExc_OverflowError);
  if (i == -1 && PyErr_Occurred()) return nullptr;
  Py_ssize_t size = arith_item_size(ptr);
  if (size < 0) return nullptr;
  if (negate) i = -i;
  char* base = cdata_address(cd);
  return make_pointer(ptr, offset_address(base, i, size), owner_of(cd));
}

bool is_index_like(PyObject* o) { return PyLong_Check(o) || (!is_cdata(o) && PyIndex_Check(o)); }

PyObject* cdata_add(PyObject* a, PyObject* b) {
  if (is_cdata(a) && is_pointer_like(as_cd(a)->ct) && (is_index_like(b) || PyFloat_Check(b)))
    return pointer_add(as_cd(a), b, false);
  if (is_cdata(b) && is_pointer_like(as_cd(b)->ct) && (is_index_like(a) || PyFloat_Check(a)))
    return pointer_add(as_cd(b), a, false);
  if (is_cdata(a) && !is_pointer_like(as_cd(a)->ct) && PyNumber_Check(b))
    return raise(PyExc_TypeError, "cannot add a cdata '%s' and a number", cname(as_cd(a)->ct));
  Py_RETURN_NOTIMPLEMENTED;
}

PyObject* cdata_sub(PyObject* a, PyObject* b) {
  if (!is_cdata(a) || !is_pointer_like(as_cd(a)->ct)) Py_RETURN_NOTIMPLEMENTED;
  CData* x = as_cd(a);
  if (is_index_like(b)) return pointer_add(x, b, true);
  if (is_cdata(b)) {
    // CFFI's rule: the right side (an array counts as a pointer to its item) must have the
    // left side's type, a pointer to items of known size (or void *).
    CData* y = as_cd(b);
    CType* py = y->ct->kind == Kind::Array ? pointer_to(y->ct->item) : y->ct;
    if (!py) return nullptr;
    if (py != x->ct || py->kind != Kind::Pointer ||
        (py->item->size <= 0 && !(py->flags & kVoidPtr)))
      return raise(PyExc_TypeError, "cannot subtract cdata '%s' and cdata '%s'", cname(x->ct),
                   cname(py));
    Py_ssize_t size = py->item->size;
    Py_ssize_t diff = cdata_address(x) - cdata_address(y);
    if (size > 1) {
      if (diff % size)
        return raise(PyExc_ValueError,
                     "pointer subtraction: the distance between the two pointers is not a "
                     "multiple of the item size");
      diff /= size;
    }
    return PyLong_FromSsize_t(diff);
  }
  Py_RETURN_NOTIMPLEMENTED;
}

// ---- comparisons ----

bool is_plain_number(CType* ct) {
  return (ct->kind == Kind::Primitive || ct->kind == Kind::Enum) && !(ct->flags & kLongDouble);
}

/// The address used to compare and hash non-primitive cdata.
char* identity_address(CData* cd) { return is_pointer_like(cd->ct) ? cdata_address(cd) : cd->data; }

PyObject* cdata_richcompare(PyObject* a, PyObject* b, int op) {
  CData* x = as_cd(a);
  if (x->ct->flags & kLongDouble)
    return raise(PyExc_NotImplementedError, "cannot use <cdata 'long double'> in a comparison");
  if (is_plain_number(x->ct)) {
    PyObject* other = b;
    if (is_cdata(b)) {
      if (!is_plain_number(as_cd(b)->ct)) {
        if (op == Py_EQ) Py_RETURN_FALSE;
        if (op == Py_NE) Py_RETURN_TRUE;
        Py_RETURN_NOTIMPLEMENTED;
      }
      other = primitive_value(as_cd(b));
      if (!other) return nullptr;
    } else {
      Py_INCREF(other);
    }
    PyObject* v = primitive_value(x);
    PyObject* r = v ? PyObject_RichCompare(v, other, op) : nullptr;
    Py_XDECREF(v);
    Py_DECREF(other);
    return r;
  }
  if (!is_cdata(b) || is_plain_number(as_cd(b)->ct)) {
    if (op == Py_EQ) Py_RETURN_FALSE;
    if (op == Py_NE) Py_RETURN_TRUE;
    Py_RETURN_NOTIMPLEMENTED;
  }
  CData* y = as_cd(b);
  bool ptrs = is_pointer_like(x->ct) && is_pointer_like(y->ct);
  if (!ptrs && op != Py_EQ && op != Py_NE) Py_RETURN_NOTIMPLEMENTED;
  uintptr_t p = reinterpret_cast<uintptr_t>(identity_address(x));
  uintptr_t q = reinterpret_cast<uintptr_t>(identity_address(y));
  if (!ptrs && is_record(x->ct) != is_record(y->ct)) q = p + 1;  // a struct never equals a pointer
  bool r = false;
  switch (op) {
    case Py_LT:
      r = p < q;
      break;
    case Py_LE:
      r = p <= q;
      break;
    case Py_EQ:
      r = p == q;
      break;
    case Py_NE:
      r = p != q;
      break;
    case Py_GT:
      r = p > q;
      break;
    case Py_GE:
      r = p >= q;
      break;
  }
  return PyBool_FromLong(r);
}

Py_hash_t cdata_hash(PyObject* self) {
  CData* cd = as_cd(self);
  PyObject* v =
      is_plain_number(cd->ct) ? primitive_value(cd) : PyLong_FromVoidPtr(identity_address(cd));
  if (!v) return -1;
  Py_hash_t h = PyObject_Hash(v);
  Py_DECREF(v);
  return h;
}

// ---- items ----

/// Address of item `i`, with CFFI's checks; sets *item to its ctype.
char* item_address(CData* cd, Py_ssize_t i, CType** item) {
  CType* ct = cd->ct;
  if (ct->kind == Kind::Pointer) {
    char* base = *reinterpret_cast<char**>(cd->data);
    if (!base) {
      null_deref(cd);
      return nullptr;
    }
    if (ct->item->size < 0) {
      PyErr_Format(PyExc_TypeError, "cdata of type '%s' cannot be indexed", cname(ct));
      return nullptr;
    }
    if (owns_one_item(cd) && i != 0) {
      PyErr_Format(PyExc_IndexError, "cdata '%s' can only be indexed by 0", cname(ct));
      return nullptr;
    }
    if (!check_alive(cd)) return nullptr;
    *item = ct->item;
    return offset_address(base, i, ct->item->size);
  }
  if (ct->kind == Kind::Array) {
    if (!cd->data) {  // ffi.cast("int[3]", ffi.NULL)
      null_deref(cd);
      return nullptr;
    }
    if (i < 0) {
      PyErr_SetString(PyExc_IndexError, "negative index");
      return nullptr;
    }
    if (i >= cd->length) {
      PyErr_Format(PyExc_IndexError, "index too large for cdata '%s' (expected %zd < %zd)",
                   cname(ct), i, cd->length);
      return nullptr;
    }
    if (!check_alive(cd)) return nullptr;
    *item = ct->item;
    return cd->data + i * ct->item->size;
  }
  PyErr_Format(PyExc_TypeError, "cdata of type '%s' cannot be indexed", cname(ct));
  return nullptr;
}

/// Start/stop of a slice with CFFI's rules; false with an exception.
bool slice_bounds(CData* cd, PyObject* slice, Py_ssize_t* start, Py_ssize_t* stop) {
  PyObject* a = PyObject_GetAttrString(slice, "start");
  PyObject* b = PyObject_GetAttrString(slice, "stop");
  PyObject* c = PyObject_GetAttrString(slice, "step");
  bool ok = false;
  if (!a || !b || !c) {
  } else if (a == Py_None) {
    PyErr_SetString(PyExc_IndexError, "slice start must be specified");
  } else if (b == Py_None) {
    PyErr_SetString(PyExc_IndexError, "slice stop must be specified");
  } else if (c != Py_None) {
    PyErr_SetString(PyExc_IndexError, "slice with step not supported");
  } else {
    *start = PyNumber_AsSsize_t(a, PyExc_IndexError);
    *stop = PyErr_Occurred() ? 0 : PyNumber_AsSsize_t(b, PyExc_IndexError);
    if (PyErr_Occurred()) {
    } else if (*start > *stop) {
      PyErr_SetString(PyExc_IndexError, "slice start > stop");
    } else if (cd->ct->kind == Kind::Array && *start < 0) {
      PyErr_SetString(PyExc_IndexError, "negative index");
    } else if (cd->ct->kind == Kind::Array && *stop > cd->length) {
      PyErr_Format(PyExc_IndexError, "index too large (expected %zd <= %zd)", *stop, cd->length);
    } else if (owns_one_item(cd) && (*start < 0 || *stop > 1)) {
      // ffi.new("T *") owns exactly one item
      PyErr_Format(PyExc_IndexError, "cdata '%s' can only be indexed by 0", cname(cd->ct));
    } else if (cd->ct->kind != Kind::Array && cd->ct->kind != Kind::Pointer) {
      PyErr_Format(PyExc_TypeError, "cdata of type '%s' cannot be indexed", cname(cd->ct));
    } else {
      ok = true;
    }
  }
  Py_XDECREF(a);
  Py_XDECREF(b);
  Py_XDECREF(c);
  return ok;
}

/// Address of the first item of a slice (start already checked).
char* slice_base(CData* cd, Py_ssize_t start) {
  if (!check_alive(cd)) return nullptr;
  char* base = cdata_address(cd);
  if (!base) {
    null_deref(cd);
    return nullptr;
  }
  if (cd->ct->item->size < 0) {
    PyErr_Format(PyExc_TypeError, "cdata of type '%s' cannot be indexed", cname(cd->ct));
    return nullptr;
  }
  return offset_address(base, start, cd->ct->item->size);
}

PyObject* cdata_subscript(PyObject* self, PyObject* key) {
  CData* cd = as_cd(self);
  // The hot path: an int index into an array of integers, read straight (the checks of
  // item_address: bounds, a NULL array, released memory).
  if (Py_IS_TYPE(key, &PyLong_Type) && cd->ct->kind == Kind::Array && cd->data) {
    CType* item = cd->ct->item;
    Py_ssize_t i = PyLong_AsSsize_t(key);
    if (i >= 0 && i < cd->length && item->kind == Kind::Primitive &&
        (item->flags & (kSigned | kUnsigned)) && !(cd->flags & kReleased) &&
        (!cd->owner || check_alive(cd))) {
      const char* p = cd->data + i * item->size;
      return (item->flags & kSigned) ? int_object(read_signed(p, item->size))
                                     : int_object_unsigned(read_unsigned(p, item->size));
    }
    if (PyErr_Occurred()) {
      if (!PyErr_ExceptionMatches(PyExc_OverflowError)) return nullptr;
      PyErr_Clear();  // the general path below says it as usual
    }
  }
  if (PySlice_Check(key)) {
    Py_ssize_t start, stop;
    if (!slice_bounds(cd, key, &start, &stop)) return nullptr;
    char* base = slice_base(cd, start);
    if (!base) return nullptr;
    CType* open = array_of(cd->ct->item, -1);
    if (!open) return nullptr;
    PyObject* r = make_view(open, base, owner_of(cd), stop - start);
    if (r) as_cd(r)->flags |= kSliced;
    return r;
  }
  Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
  if (i == -1 && PyErr_Occurred()) return nullptr;
  CType* item = nullptr;
  char* p = item_address(cd, i, &item);
  if (!p) return nullptr;
  PyObject* r = from_c(item, p, owner_of(cd));
  // A struct reached through ffi.new()'s pointer is shown as the owning memory, as CFFI does.
  if (r && (cd->flags & kOwning) && cd->ct->kind == Kind::Pointer && is_record(item)) {
    as_cd(r)->flags |= kShowOwning;
    as_cd(r)->alloc_size = cd->alloc_size;
  }
  return r;
}

int cdata_ass_subscript(PyObject* self, PyObject* key, PyObject* value) {
  CData* cd = as_cd(self);
  if (!value) return raise_int(PyExc_TypeError, "cdata does not support item deletion");
  if (PySlice_Check(key)) {
    Py_ssize_t start, stop;
    if (!slice_bounds(cd, key, &start, &stop)) return -1;
    char* base = slice_base(cd, start);
    if (!base) return -1;
    CType* item = cd->ct->item;
    Py_ssize_t n = stop - start;
    if (is_cdata(value) && as_cd(value)->ct->kind == Kind::Array &&
        as_cd(value)->ct->item == item) {
      CData* src = as_cd(value);
      if (src->length != n)
        return raise_int(PyExc_ValueError, "need %zd values to unpack, got %zd", n, src->length);
      if (!check_alive(src)) return -1;
      memmove(base, src->data, static_cast<size_t>(n * item->size));
      return 0;
    }
    PyObject* seq = PySequence_Fast(value, "expected a sequence");
    if (!seq) return -1;
    Py_ssize_t m = PySequence_Size(seq);
    int rc = 0;
    if (m != n) {
      rc = raise_int(PyExc_ValueError, "need %zd values to unpack, got %zd", n, m);
    } else {
      for (Py_ssize_t i = 0; i < n && rc == 0; ++i) {
        PyObject* x = PySequence_GetItem(seq, i);
        rc = x ? to_c(item, base + i * item->size, x) : -1;
        Py_XDECREF(x);
      }
    }
    Py_DECREF(seq);
    return rc;
  }
  Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
  if (i == -1 && PyErr_Occurred()) return -1;
  CType* item = nullptr;
  char* p = item_address(cd, i, &item);
  if (!p) return -1;
  return to_c(item, p, value);
}

Py_ssize_t cdata_length(PyObject* self) {
  CData* cd = as_cd(self);
  if (cd->ct->kind == Kind::Array) return cd->length;
  return raise_int(PyExc_TypeError, "cdata of type '%s' has no len()", cname(cd->ct));
}

PyObject* cdata_iter(PyObject* self) {
  CData* cd = as_cd(self);
  if (cd->ct->kind != Kind::Array)
    return raise(PyExc_TypeError, "cdata '%s' does not support iteration", cname(cd->ct));
  if (!check_alive(cd)) return nullptr;
  if (!cd->data && cd->length > 0) return null_deref(cd);
  PyObject* list = PyList_New(cd->length);
  if (!list) return nullptr;
  CType* item = cd->ct->item;
  for (Py_ssize_t i = 0; i < cd->length; ++i) {
    PyObject* x = from_c(item, cd->data + i * item->size, owner_of(cd));
    if (!x) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SetItem(list, i, x);
  }
  PyObject* it = PyObject_GetIter(list);
  Py_DECREF(list);
  return it;
}

// ---- fields ----

/// The struct a cdata gives fields of (itself, or what it points to); null if none.
CType* record_of(CData* cd, char** base) {
  CType* ct = cd->ct;
  if (is_record(ct)) {
    *base = cd->data;
    return ct;
  }
  if (ct->kind == Kind::Pointer && is_record(ct->item)) {
    *base = *reinterpret_cast<char**>(cd->data);
    return ct->item;
  }
  return nullptr;
}

PyObject* cdata_getattro(PyObject* self, PyObject* name) {
  CData* cd = as_cd(self);
  char* base = nullptr;
  CType* rec = record_of(cd, &base);
  if (rec && !(rec->flags & kOpaque)) {
    if (!fields_realized(rec)) return nullptr;
    if (const FieldInfo* f = find_field(rec, name)) {
      if (!base) return null_deref(cd);
      if (!check_alive(cd)) return nullptr;
      // The hot path: an integer field that is no bitfield, read straight.
      CType* ft = f->type;
      if (f->bitsize < 0 && ft->kind == Kind::Primitive && (ft->flags & (kSigned | kUnsigned))) {
        const char* p = base + f->offset;
        return (ft->flags & kSigned) ? int_object(read_signed(p, ft->size))
                                     : int_object_unsigned(read_unsigned(p, ft->size));
      }
      // The room of a flexible array member is known through ffi.new()'s or an allocator's own
      // cdata only.
      Py_ssize_t flex = (cd->flags & (kOwning | kShowOwning | kAllocator))
                            ? flex_capacity(*f, base, owner_of(cd))
                            : -1;
      return read_field(*f, base, owner_of(cd), flex);
    }
    if (PyErr_Occurred()) return nullptr;
  }
  PyObject* r = PyObject_GenericGetAttr(self, name);
  if (!r && PyErr_ExceptionMatches(PyExc_AttributeError)) {
    PyErr_Clear();
    if (rec && (rec->flags & kOpaque))  // CFFI's words
      PyErr_Format(PyExc_AttributeError, "cdata '%s' points to an opaque type: cannot read fields",
                   cname(cd->ct));
    else if (rec)
      PyErr_Format(PyExc_AttributeError, "cdata '%s' has no field '%U'", cname(cd->ct), name);
    else
      PyErr_Format(PyExc_AttributeError, "cdata '%s' has no attribute '%U'", cname(cd->ct), name);
  }
  return r;
}

int cdata_setattro(PyObject* self, PyObject* name, PyObject* value) {
  CData* cd = as_cd(self);
  char* base = nullptr;
  CType* rec = record_of(cd, &base);
  if (rec && !(rec->flags & kOpaque)) {
    if (!fields_realized(rec)) return -1;
    if (const FieldInfo* f = find_field(rec, name)) {
      if (!value) return raise_int(PyExc_AttributeError, "cannot delete struct field");
      if (!base) {
        null_deref(cd);
        return -1;
      }
      if (!check_alive(cd)) return -1;
      return write_field(*f, base, value, flex_capacity(*f, base, owner_of(cd)));
    }
    if (PyErr_Occurred()) return -1;
    PyErr_Format(PyExc_AttributeError, "cdata '%s' has no field '%U'", cname(cd->ct), name);
    return -1;
  }
  PyErr_Format(PyExc_AttributeError, "cdata '%s' has no attribute '%U'", cname(cd->ct), name);
  return -1;
}

// ---- calls, methods ----

PyObject* cdata_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  CData* cd = as_cd(self);
  if (cd->ct->kind != Kind::Function)
    return raise(PyExc_TypeError, "cdata '%s' is not callable", cname(cd->ct));
  if (kwargs && PyDict_Size(kwargs) > 0)
    return raise(PyExc_TypeError, "cdata function pointers take no keyword arguments");
  return call_function_pointer(cd, args);
}

PyObject* cdata_enter(PyObject* self, PyObject*) {
  CData* cd = as_cd(self);
  if (!(cd->flags & (kOwning | kGC | kFromBuffer)))
    return raise(PyExc_ValueError,
                 "only 'cdata' object from ffi.new(), ffi.gc(), ffi.from_buffer() or "
                 "ffi.new_allocator()() can be used with the 'with' keyword or ffi.release()");
  Py_INCREF(self);
  return self;
}

PyObject* cdata_exit(PyObject* self, PyObject*) {
  if (cdata_release(as_cd(self)) < 0) return nullptr;
  Py_RETURN_FALSE;
}

PyObject* cdata_dir(PyObject* self, PyObject*) {
  CData* cd = as_cd(self);
  char* base = nullptr;
  CType* rec = record_of(cd, &base);
  PyObject* list = PyList_New(0);
  if (!list || !rec || (rec->flags & kOpaque)) return list;
  if (!realize_fields(rec)) {
    Py_DECREF(list);
    return nullptr;
  }
  for (const FieldInfo& f : rec->d->fields)
    if (PyList_Append(list, f.name) < 0) {
      Py_DECREF(list);
      return nullptr;
    }
  return list;
}

PyObject* cdata_complex(PyObject* self, PyObject*) {
  CData* cd = as_cd(self);
  CType* ct = cd->ct;
  // Only the complex types, as in CFFI (float(p) gives a float's value).
  if (ct->kind == Kind::Primitive && (ct->flags & kComplex)) return from_c(ct, cd->data, nullptr);
  return raise(PyExc_TypeError, "complex() not supported on cdata '%s'", cname(ct));
}

PyMethodDef cdata_methods[] = {{"__complex__", cdata_complex, METH_NOARGS, nullptr},
                               {"__enter__", cdata_enter, METH_NOARGS, nullptr},
                               {"__exit__", cdata_exit, METH_VARARGS, nullptr},
                               {"__dir__", cdata_dir, METH_NOARGS, nullptr},
                               {nullptr, nullptr, 0, nullptr}};

PyMemberDef cdata_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(CData, weakrefs), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot cdata_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(cdata_dealloc)},
                             {Py_tp_repr, reinterpret_cast<void*>(cdata_repr)},
                             {Py_tp_hash, reinterpret_cast<void*>(cdata_hash)},
                             {Py_tp_richcompare, reinterpret_cast<void*>(cdata_richcompare)},
                             {Py_tp_getattro, reinterpret_cast<void*>(cdata_getattro)},
                             {Py_tp_setattro, reinterpret_cast<void*>(cdata_setattro)},
                             {Py_tp_call, reinterpret_cast<void*>(cdata_call)},
                             {Py_tp_iter, reinterpret_cast<void*>(cdata_iter)},
                             {Py_tp_methods, cdata_methods},
                             {Py_tp_members, cdata_members},
                             {Py_nb_int, reinterpret_cast<void*>(cdata_int)},
                             {Py_nb_float, reinterpret_cast<void*>(cdata_float)},
                             {Py_nb_bool, reinterpret_cast<void*>(cdata_bool)},
                             {Py_nb_add, reinterpret_cast<void*>(cdata_add)},
                             {Py_nb_subtract, reinterpret_cast<void*>(cdata_sub)},
                             {Py_mp_length, reinterpret_cast<void*>(cdata_length)},
                             {Py_mp_subscript, reinterpret_cast<void*>(cdata_subscript)},
                             {Py_mp_ass_subscript, reinterpret_cast<void*>(cdata_ass_subscript)},
                             {0, nullptr}};

PyType_Spec cdata_spec = {"cdefc.CData", sizeof(CData), 0,
                          Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, cdata_slots};

}  // namespace

PyObject* cdata_repr(PyObject* self) {
  CData* cd = as_cd(self);
  CType* ct = cd->ct;
  // ffi.new_allocator(alloc)()'s pointers to structs say "owning", its other cdata do not.
  if ((cd->flags & (kOwning | kShowOwning)) ||
      ((cd->flags & kAllocator) && ct->kind == Kind::Pointer && is_record(ct->item)))
    return PyUnicode_FromFormat("<cdata '%s' owning %zu bytes>", cname(ct), cd->alloc_size);
  if (cd->flags & kSliced)
    return PyUnicode_FromFormat("<cdata '%s' sliced length %zd>", cname(ct), cd->length);
  if (cd->flags & kHandle)
    return PyUnicode_FromFormat("<cdata '%s' handle to %R>", cname(ct), cd->extra);
  if (cd->flags & kCallback)
    return PyUnicode_FromFormat("<cdata '%s' calling %R>", cname(ct), cd->extra);
  if (cd->flags & kFromBuffer) {
    if (!cd->extra) return PyUnicode_FromFormat("<cdata '%s' buffer RELEASED>", cname(ct));
    if (ct->kind == Kind::Pointer)
      return PyUnicode_FromFormat("<cdata '%s' buffer from '%s' object>", cname(ct),
                                  type_name(cd->extra).c_str());
    return PyUnicode_FromFormat("<cdata '%s' buffer len %zd from '%s' object>", cname(ct),
                                cd->length, type_name(cd->extra).c_str());
  }
  switch (ct->kind) {
    case Kind::Primitive:
    case Kind::Enum:
      return PyUnicode_FromFormat("<cdata '%s' %s>", cname(ct), value_text(cd).c_str());
    case Kind::Pointer:
    case Kind::Function: {
      void* p = cdata_address(cd);
      if (!p) return PyUnicode_FromFormat("<cdata '%s' NULL>", cname(ct));
      return PyUnicode_FromFormat("<cdata '%s' %p>", cname(ct), p);
    }
    case Kind::Array:
      return PyUnicode_FromFormat("<cdata '%s' %p>", cname(ct), cd->data);
    case Kind::Struct:
    case Kind::Union:
      return PyUnicode_FromFormat("<cdata '%s &' %p>", cname(ct), cd->data);
    default:
      return PyUnicode_FromFormat("<cdata '%s'>", cname(ct));
  }
}

bool init_cdata_type(Internals& in) {
  in.cdata_type = make_type(&cdata_spec);
  return in.cdata_type != nullptr;
}

CData* new_value_cdata(CType* ct) { return alloc_cdata(ct); }

PyObject* make_pointer(CType* ct, void* p, PyObject* owner) {
  CData* cd = alloc_cdata(ct);
  if (!cd) return nullptr;
  memcpy(cd->storage, &p, sizeof p);
  Py_XINCREF(owner);
  cd->owner = owner;
  return reinterpret_cast<PyObject*>(cd);
}

PyObject* make_view(CType* ct, char* data, PyObject* owner, Py_ssize_t length) {
  CData* cd = alloc_cdata(ct);
  if (!cd) return nullptr;
  cd->data = data;
  cd->length = length;
  Py_XINCREF(owner);
  cd->owner = owner;
  return reinterpret_cast<PyObject*>(cd);
}

namespace {

/// Bytes before the data of an owning block. A freed block keeps its bytes until it is reused,
/// but the allocator writes its own links into the first 8 (pymalloc) or 16 (glibc) bytes:
/// with the pad those land outside the data, which then stays as it was, as CFFI's (whose data
/// follows the object's header). Code that reads a pointer briefly after its owner died, as
/// tpm2-pytss's FAPI callbacks do with `auth[0] = allocator("char[]", value)`, keeps working.
constexpr size_t kOwningPad = 16;

}  // namespace

void* owning_block(size_t bytes, bool clear) {
  size_t n = kOwningPad + (bytes ? bytes : 1);
  void* block = clear ? PyMem_Calloc(1, n) : PyMem_Malloc(n);
  if (!block) {
    PyErr_NoMemory();
    return nullptr;
  }
  return static_cast<char*>(block) + kOwningPad;
}

void free_owning_block(void* data) {
  if (data) PyMem_Free(static_cast<char*>(data) - kOwningPad);
}

CData* make_owning(CType* ct, size_t bytes, Py_ssize_t length, bool clear) {
  // Small data lives in the object: an array's in all of `storage`, a pointer's after the
  // pointer value (its first 8 bytes), when the item's alignment allows; up to
  // kTrailingMax bytes after the object, in the same allocation (16-byte aligned: pymalloc's
  // blocks are, and so is sizeof(CData)).
  static_assert(sizeof(CData) % 16 == 0, "trailing data is 16-byte aligned");
  const bool is_array = ct->kind == Kind::Array;
  const size_t room = is_array ? sizeof(CData::storage) : sizeof(CData::storage) - sizeof(void*);
  const size_t align = is_array ? alignof(std::max_align_t) : sizeof(void*);
  CType* item = ct->item;
  const bool in_storage = bytes <= room && item && item->align > 0 &&
                          static_cast<size_t>(item->align) <= align;
  const bool trailing = !in_storage && bytes <= kTrailingMax && item && item->align > 0 &&
                        static_cast<size_t>(item->align) <= 16;
  if (bytes > 0 && (in_storage || trailing)) {
    CData* cd = alloc_cdata(ct, trailing ? bytes : 0);  // storage zeroed
    if (!cd) return nullptr;
    char* data = trailing ? reinterpret_cast<char*>(cd + 1)
                          : reinterpret_cast<char*>(cd->storage) + (is_array ? 0 : sizeof(void*));
    if (trailing && clear) memset(data, 0, bytes);
    cd->alloc = data;
    cd->alloc_size = bytes;
    cd->flags = kOwning | kInline;
    if (is_array) {
      cd->data = data;
      cd->length = length;
    } else {
      memcpy(cd->storage, &data, sizeof data);
    }
    return cd;
  }
  void* block = owning_block(bytes, clear);
  if (!block) return nullptr;
  CData* cd = alloc_cdata(ct);
  if (!cd) {
    free_owning_block(block);
    return nullptr;
  }
  cd->alloc = block;
  cd->alloc_size = bytes;
  cd->flags = kOwning;
  if (ct->kind == Kind::Array) {
    cd->data = static_cast<char*>(block);
    cd->length = length;
  } else {
    memcpy(cd->storage, &block, sizeof block);
  }
  return cd;
}

PyObject* make_record_copy(CType* ct, const void* src) {
  void* block = owning_block(ct->size > 0 ? static_cast<size_t>(ct->size) : 1, true);
  if (!block) return nullptr;
  CData* cd = alloc_cdata(ct);
  if (!cd) {
    free_owning_block(block);
    return nullptr;
  }
  if (ct->size > 0) memcpy(block, src, static_cast<size_t>(ct->size));
  cd->alloc = block;
  cd->alloc_size = static_cast<size_t>(ct->size);
  cd->flags = kOwning;
  cd->data = static_cast<char*>(block);
  return reinterpret_cast<PyObject*>(cd);
}

PyObject* owner_of(CData* cd) {
  // ffi.gc() and ffi.new_allocator(alloc)() memory is freed when this cdata dies or is
  // released: views keep it alive and see the release. (CFFI's views keep nothing alive and
  // read freed memory.)
  if (cd->flags & (kOwning | kGC)) return reinterpret_cast<PyObject*>(cd);
  return cd->owner;
}

bool check_alive_chain(CData* cd) {
  // The chain of owners is short: a view's owner owns memory or is an ffi.gc() object, whose
  // owner is the cdata given to ffi.gc() (itself maybe a view or an ffi.gc() object).
  for (CData* c = cd;;) {
    if (c->flags & kReleased) {
      PyErr_Format(PyExc_RuntimeError, "cannot use cdata '%s' after ffi.release()", cname(cd->ct));
      return false;
    }
    if (!c->owner || !is_cdata(c->owner)) return true;
    c = as_cd(c->owner);
  }
}

int cdata_release(CData* cd) {
  if (cd->flags & kFromBuffer) {
    if (cd->flags & kReleased) return 0;
    // Ends the memoryview that keeps a bytearray from being resized.
    if (cd->owner && PyMemoryView_Check(cd->owner)) {
      PyObject* r = PyObject_CallMethod(cd->owner, "release", nullptr);
      if (!r) return -1;
      Py_DECREF(r);
    }
    cd->flags |= kReleased;
    Py_CLEAR(cd->extra);  // the object, as CFFI drops it (its own exports end with it)
    return 0;
  }
  if (!(cd->flags & (kOwning | kGC)))
    return raise_int(PyExc_ValueError,
                     "only 'cdata' object from ffi.new(), ffi.gc(), ffi.from_buffer() or "
                     "ffi.new_allocator()() can be used with the 'with' keyword or ffi.release()");
  if (cd->flags & kReleased) return 0;
  cd->flags |= kReleased;
  if ((cd->flags & kGC) && cd->extra) {
    // A destructor that raises is reported, not raised, as in CFFI.
    call_gc_destructor(cd);
  }
  if ((cd->flags & kOwning) && !(cd->flags & kInline)) free_owning_block(cd->alloc);
  cd->alloc = nullptr;
  if (cd->flags & kGC) {
    // The memory is given back: the destructor and the cdata given to ffi.gc() (what alloc()
    // returned) are dropped now, as in CFFI.
    Py_CLEAR(cd->extra);
    Py_CLEAR(cd->owner);
  }
  return 0;
}

}  // namespace cdefc::rt
