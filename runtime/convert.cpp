// Conversions between Python objects and C memory, with CFFI's range checks and messages:
// integers, characters, floats, pointers (and call-argument temporaries), arrays, structs.
#include <algorithm>
#include <cstring>
#include <cwchar>

#include "internal.h"

namespace cdefc::rt {

// ---- raw memory ----

namespace {

/// The T stored (maybe unaligned) at p.
template <class T>
T load(const char* p) {
  T v;
  memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

double read_float(const CType* ct, const char* p) {
  if (ct->flags & kLongDouble) {
    long double v;
    memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
  }
  if (ct->size == sizeof(float)) {
    float v;
    memcpy(&v, p, sizeof v);
    return v;
  }
  double v;
  memcpy(&v, p, sizeof v);
  return v;
}

void write_float(const CType* ct, char* p, double v) {
  if (ct->flags & kLongDouble) {
    long double x = v;
    memcpy(p, &x, sizeof x);
  } else if (ct->size == sizeof(float)) {
    float x = static_cast<float>(v);
    memcpy(p, &x, sizeof x);
  } else {
    memcpy(p, &v, sizeof v);
  }
}

void* frame_alloc(Frame* frame, size_t n) {
  void* p = PyMem_Calloc(1, n ? n : 1);
  if (!p) {
    PyErr_NoMemory();
    return nullptr;
  }
  if (frame->count < sizeof(frame->owned) / sizeof(frame->owned[0])) {
    frame->owned[frame->count++] = p;
  } else {
    if (!frame->more) frame->more = new std::vector<void*>();
    static_cast<std::vector<void*>*>(frame->more)->push_back(p);
  }
  return p;
}

PyObject* wide_units(PyObject* s, const CType* item) {
  // Little-endian code units: UTF-16 (surrogate pairs) for 2-byte items, UTF-32 otherwise.
  return PyUnicode_AsEncodedString(s, item->size == 2 ? "utf-16-le" : "utf-32-le", "surrogatepass");
}

// ---- integers ----

namespace {

/// A new reference to `o` as a Python int, CFFI's way: ints, integer-like objects and
/// cdata; never floats ("an integer is required").
PyObject* as_pylong(PyObject* o) {
  if (PyLong_Check(o)) {
    Py_INCREF(o);
    return o;
  }
  bool is_float = PyFloat_Check(o);
  if (!is_float && is_cdata(o)) {
    CType* ct = reinterpret_cast<CData*>(o)->ct;
    is_float = ct->kind == Kind::Primitive && (ct->flags & (kFloat | kLongDouble | kComplex));
  }
  if (!is_float && PyType_GetSlot(Py_TYPE(o), Py_nb_int)) return PyNumber_Long(o);
  PyErr_SetString(PyExc_TypeError, "an integer is required");
  return nullptr;
}

int too_big() {
  PyErr_SetString(PyExc_OverflowError, "int too big to convert");
  return -1;
}
int negative_unsigned() {
  PyErr_SetString(PyExc_OverflowError, "can't convert negative number to unsigned");
  return -1;
}
int does_not_fit(PyObject* num, const char* name) {
  PyObject* s = PyObject_Str(num);
  if (!s) return -1;
  PyErr_Format(PyExc_OverflowError, "integer %U does not fit '%s'", s, name);
  Py_DECREF(s);
  return -1;
}

}  // namespace

int integer_from_object(PyObject* o, bool is_signed, size_t size, const char* name,
                        long long* out_signed, unsigned long long* out_unsigned) {
  PyObject* num = as_pylong(o);
  if (!num) return -1;
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(num, &overflow);
  int rc = 0;
  if (v == -1 && PyErr_Occurred()) {
    rc = -1;
  } else if (overflow == 0) {
    if (is_signed) {
      if (size < 8) {
        long long lim = 1LL << (size * 8 - 1);
        if (v < -lim || v >= lim) rc = does_not_fit(num, name);
      }
      if (rc == 0 && out_signed) *out_signed = v;
    } else if (v < 0) {
      rc = negative_unsigned();
    } else {
      if (size < 8 && static_cast<unsigned long long>(v) >> (size * 8))
        rc = does_not_fit(num, name);
      if (rc == 0 && out_unsigned) *out_unsigned = static_cast<unsigned long long>(v);
    }
  } else if (overflow > 0 && !is_signed) {
    unsigned long long u = PyLong_AsUnsignedLongLong(num);
    if (u == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
      PyErr_Clear();
      rc = too_big();
    } else if (size < 8) {
      rc = does_not_fit(num, name);
    } else if (out_unsigned) {
      *out_unsigned = u;
    }
  } else {
    rc = overflow < 0 && !is_signed ? negative_unsigned() : too_big();
  }
  Py_DECREF(num);
  return rc;
}

namespace {

/// Writes an integer-kind value (integers, enums, _Bool) with range checks.
int integer_to_c(CType* ct, char* dst, PyObject* o) {
  if (ct->flags & kBool) {
    unsigned long long u = 0;
    if (integer_from_object(o, false, 1, "_Bool", nullptr, &u) < 0) return -1;
    if (u > 1) {
      PyObject* n = PyLong_FromUnsignedLongLong(u);
      if (n) does_not_fit(n, "_Bool");
      Py_XDECREF(n);
      return -1;
    }
    *dst = static_cast<char>(u);
    return 0;
  }
  bool is_signed = ct->flags & kSigned;
  if (PyLong_CheckExact(o)) {
    // Fast path: an int that fits.
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (!overflow && !(v == -1 && PyErr_Occurred())) {
      size_t bits = static_cast<size_t>(ct->size) * 8;
      bool fits = is_signed
                      ? (bits >= 64 || (v >= -(1LL << (bits - 1)) && v < (1LL << (bits - 1))))
                      : (v >= 0 && (bits >= 64 || static_cast<unsigned long long>(v) >> bits == 0));
      if (fits) {
        write_integer(dst, ct->size, static_cast<unsigned long long>(v));
        return 0;
      }
    }
    PyErr_Clear();
  }
  long long s = 0;
  unsigned long long u = 0;
  if (integer_from_object(o, is_signed, static_cast<size_t>(ct->size), cname(ct), &s, &u) < 0)
    return -1;
  write_integer(dst, ct->size, is_signed ? static_cast<unsigned long long>(s) : u);
  return 0;
}

/// The code point of a str of length 1 (or a wchar cdata), for wchar_t/char16_t/char32_t.
int wchar_to_c(CType* ct, char* dst, PyObject* o) {
  unsigned long code = 0;
  if (PyUnicode_Check(o) && PyUnicode_GetLength(o) == 1) {
    code = PyUnicode_ReadChar(o, 0);
  } else if (is_cdata(o) && (reinterpret_cast<CData*>(o)->ct->flags & kWChar)) {
    CData* cd = reinterpret_cast<CData*>(o);
    code = static_cast<unsigned long>(read_unsigned(cd->data, cd->ct->size));
  } else {
    // CFFI names wchar_t by its representation here.
    const char* name =
        ct->prim == CDEFC_PRIM_WCHAR ? (ct->size == 4 ? "char32_t" : "char16_t") : cname(ct);
    if (PyUnicode_Check(o))
      return raise_int(PyExc_TypeError,
                       "initializer for ctype '%s' must be a unicode string of length 1, not "
                       "unicode string of length %zd",
                       name, PyUnicode_GetLength(o));
    return raise_int(PyExc_TypeError,
                     "initializer for ctype '%s' must be a unicode string of length 1, not %s",
                     name, describe(o).c_str());
  }
  if (ct->size == 2 && code > 0xFFFF)
    return raise_int(PyExc_TypeError,
                     "initializer for ctype '%s' must be a unicode string of length 1, not "
                     "larger-than-0xFFFF character",
                     cname(ct));
  write_integer(dst, ct->size, code);
  return 0;
}

int char_to_c(CType* ct, char* dst, PyObject* o) {
  if (PyBytes_Check(o) && PyBytes_Size(o) == 1) {
    *dst = PyBytes_AsString(o)[0];
    return 0;
  }
  if (PyByteArray_Check(o) && PyByteArray_Size(o) == 1) {
    *dst = PyByteArray_AsString(o)[0];
    return 0;
  }
  if (is_cdata(o) && (reinterpret_cast<CData*>(o)->ct->flags & kChar)) {
    *dst = reinterpret_cast<CData*>(o)->data[0];
    return 0;
  }
  return raise_int(PyExc_TypeError,
                   "initializer for ctype '%s' must be a bytes of length 1, not %s", cname(ct),
                   describe(o).c_str());
}

int float_to_c(CType* ct, char* dst, PyObject* o) {
  if (is_cdata(o) && (reinterpret_cast<CData*>(o)->ct->flags & kLongDouble)) {
    long double v;
    memcpy(&v, reinterpret_cast<CData*>(o)->data, sizeof v);
    if (ct->flags & kLongDouble) {
      memcpy(dst, &v, sizeof v);
      return 0;
    }
    write_float(ct, dst, static_cast<double>(v));
    return 0;
  }
  double v = PyFloat_AsDouble(o);
  if (v == -1.0 && PyErr_Occurred()) return -1;
  write_float(ct, dst, v);
  return 0;
}

int complex_to_c(CType* ct, char* dst, PyObject* o) {
  double re, im = 0.0;
  if (PyComplex_Check(o)) {
    re = PyComplex_RealAsDouble(o);
    im = PyComplex_ImagAsDouble(o);
  } else {
    re = PyFloat_AsDouble(o);
  }
  if (PyErr_Occurred()) return -1;
  if (ct->prim == CDEFC_PRIM_FLOATCOMPLEX) {
    float v[2] = {static_cast<float>(re), static_cast<float>(im)};
    memcpy(dst, v, sizeof v);
  } else {
    double v[2] = {re, im};
    memcpy(dst, v, sizeof v);
  }
  return 0;
}

/// Writes an array from a list/tuple/bytes/str/array cdata; a TypeError names `shown` (the
/// declared type of a flexible array member written through a sized type) or `ct`.
int array_to_c(CType* ct, char* dst, PyObject* o, CType* shown = nullptr) {
  CType* item = ct->item;
  Py_ssize_t length = ct->length;
  if (PyList_Check(o) || PyTuple_Check(o)) {
    Py_ssize_t n = PySequence_Size(o);
    if (length >= 0 && n > length)
      return raise_int(PyExc_IndexError, "too many initializers for '%s' (got %zd)", cname(ct), n);
    for (Py_ssize_t i = 0; i < n; ++i) {
      PyObject* x = PySequence_GetItem(o, i);
      if (!x) return -1;
      int rc = to_c(item, dst + i * item->size, x);
      Py_DECREF(x);
      if (rc < 0) return -1;
    }
    return 0;
  }
  if (is_char_item(item) && PyBytes_Check(o)) {
    Py_ssize_t n = PyBytes_Size(o);
    if (length >= 0 && n > length)
      return raise_int(PyExc_IndexError,
                       "initializer bytes is too long for '%s' (got %zd characters)", cname(ct), n);
    memcpy(dst, PyBytes_AsString(o), static_cast<size_t>(n));
    if (length < 0 || n < length) dst[n] = 0;
    return 0;
  }
  if ((item->flags & kWChar) && PyUnicode_Check(o)) {
    PyObject* units = wide_units(o, item);
    if (!units) return -1;
    Py_ssize_t n = PyBytes_Size(units) / item->size;
    if (length >= 0 && n > length) {
      Py_DECREF(units);
      return raise_int(PyExc_IndexError,
                       "initializer unicode is too long for '%s' (got %zd characters)", cname(ct),
                       n);
    }
    memcpy(dst, PyBytes_AsString(units), static_cast<size_t>(n * item->size));
    Py_DECREF(units);
    if (length < 0 || n < length) write_integer(dst + n * item->size, item->size, 0);
    return 0;
  }
  if (is_cdata(o)) {
    CData* cd = reinterpret_cast<CData*>(o);
    if (cd->ct->kind == Kind::Array && cd->ct->item == item) {
      if (!check_alive(cd)) return -1;
      if (!cd->data && cd->length > 0)
        return raise_int(PyExc_RuntimeError, "cannot dereference null pointer from cdata '%s'",
                         cname(cd->ct));
      Py_ssize_t n = cd->length;
      if (length >= 0 && n > length)
        return raise_int(PyExc_IndexError, "too many initializers for '%s' (got %zd)", cname(ct),
                         n);
      memmove(dst, cd->data, static_cast<size_t>(n * item->size));
      return 0;
    }
  }
  const char* what = item->kind == Kind::Void ? "a cdata pointer"  // no items to list
                     : is_char_item(item)       ? "a bytes or list or tuple"
                     : (item->flags & kWChar)   ? "a unicode or list or tuple"
                                                : "a list or tuple";
  return raise_int(PyExc_TypeError, "initializer for ctype '%s' must be %s, not %s",
                   cname(shown ? shown : ct), what, describe(o).c_str());
}

/// Reads a bitfield as an int.
PyObject* read_bitfield(const FieldInfo& f, const char* base) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(base + f.offset);
  size_t nbytes = static_cast<size_t>(f.bitshift + f.bitsize + 7) / 8;
  unsigned __int128 raw = 0;
  for (size_t i = 0; i < nbytes; ++i) raw |= static_cast<unsigned __int128>(p[i]) << (8 * i);
  unsigned long long v = static_cast<unsigned long long>(raw >> f.bitshift);
  if (f.bitsize < 64) v &= (1ULL << f.bitsize) - 1;
  // Bitfields read as ints, _Bool ones included (CFFI's).
  if ((f.type->flags & kSigned) && f.bitsize > 0 && f.bitsize < 64 && (v >> (f.bitsize - 1)) & 1)
    return PyLong_FromLongLong(static_cast<long long>(v | ~((1ULL << f.bitsize) - 1)));
  if (f.type->flags & kSigned) return PyLong_FromLongLong(static_cast<long long>(v));
  return PyLong_FromUnsignedLongLong(v);
}

int write_bitfield(const FieldInfo& f, char* base, PyObject* o) {
  // Only ints and objects with __index__ (CFFI's cdata have none, floats neither).
  if (!PyLong_Check(o) && (is_cdata(o) || !PyIndex_Check(o)))
    return raise_int(PyExc_TypeError, "'%s' object cannot be interpreted as an integer",
                     type_name(o).c_str());
  bool is_signed = f.type->flags & kSigned;
  unsigned long long u = 0;
  if (f.bitsize < 64) {
    // As CFFI: the value as a long long, then the range of the field's width (a signed
    // 1-bit field takes -1..1: "int x:1" may receive 1).
    long long v = 0;
    if (integer_from_object(o, true, 8, cname(f.type), &v, nullptr) < 0) return -1;
    long long lo = 0, hi = static_cast<long long>((1ULL << f.bitsize) - 1);
    if (is_signed) {
      lo = f.bitsize > 0 ? -(1LL << (f.bitsize - 1)) : 0;
      hi = f.bitsize > 0 ? (1LL << (f.bitsize - 1)) - 1 : 0;
      if (hi == 0) hi = 1;
    }
    if (v < lo || v > hi) {
      PyObject* text = PyObject_Str(o);
      if (text)
        PyErr_Format(PyExc_OverflowError,
                     "value %U outside the range allowed by the bit field width: %lld <= x <= %lld",
                     text, lo, hi);
      Py_XDECREF(text);
      return -1;
    }
    u = static_cast<unsigned long long>(v) & ((1ULL << f.bitsize) - 1);
  } else {
    long long s = 0;
    if (integer_from_object(o, is_signed, static_cast<size_t>(f.type->size), cname(f.type), &s,
                            &u) < 0)
      return -1;
    if (is_signed) u = static_cast<unsigned long long>(s);
  }
  unsigned char* p = reinterpret_cast<unsigned char*>(base + f.offset);
  size_t nbytes = static_cast<size_t>(f.bitshift + f.bitsize + 7) / 8;
  unsigned __int128 raw = 0;
  for (size_t i = 0; i < nbytes; ++i) raw |= static_cast<unsigned __int128>(p[i]) << (8 * i);
  unsigned __int128 mask = ((static_cast<unsigned __int128>(1) << f.bitsize) - 1) << f.bitshift;
  raw = (raw & ~mask) | ((static_cast<unsigned __int128>(u) << f.bitshift) & mask);
  for (size_t i = 0; i < nbytes; ++i) p[i] = static_cast<unsigned char>(raw >> (8 * i));
  return 0;
}

}  // namespace

/// Whether `t` is an array of unknown length (a flexible array member as a field).
inline bool is_open_array(const CType* t) { return t->kind == Kind::Array && t->length < 0; }

Py_ssize_t flex_capacity(const FieldInfo& f, char* base, PyObject* owner) {
  if (!is_open_array(f.type) || !owner || !is_cdata(owner)) return -1;
  CData* own = reinterpret_cast<CData*>(owner);
  if (!(own->flags & (kOwning | kAllocator)) || own->ct->kind == Kind::Array) return -1;
  char* start = static_cast<char*>(own->alloc);
  char* p = base + f.offset;
  if (!start || p < start || p > start + own->alloc_size || f.type->item->size <= 0) return -1;
  return (start + own->alloc_size - p) / f.type->item->size;
}

PyObject* read_field(const FieldInfo& f, char* base, PyObject* owner, Py_ssize_t flex) {
  if (f.bitsize >= 0) return read_bitfield(f, base);
  if (is_open_array(f.type)) {
    // A flexible array member: as many items as ffi.new() allocated, else a plain pointer.
    Py_ssize_t n = flex;
    if (n < 0) {
      CType* pt = pointer_to(f.type->item);
      return pt ? make_pointer(pt, base + f.offset, owner) : nullptr;
    }
    PyObject* r = make_view(f.type, base + f.offset, owner, n);
    if (r) reinterpret_cast<CData*>(r)->flags |= kSliced;
    return r;
  }
  return from_c(f.type, base + f.offset, owner);
}

int write_field(const FieldInfo& f, char* base, PyObject* o, Py_ssize_t flex) {
  if (f.bitsize >= 0) return write_bitfield(f, base, o);
  if (is_open_array(f.type)) {
    // Never past the memory that holds the struct: an unknown capacity holds nothing.
    CType* sized = array_of(f.type->item, flex < 0 ? 0 : flex);
    return sized ? array_to_c(sized, base + f.offset, o, f.type) : -1;
  }
  return to_c(f.type, base + f.offset, o);
}

namespace {

/// CFFI's length of a new array of `item` from `o`: list/tuple items, bytes or str with a
/// terminating null, or an integer alone (then *only_length is set); -1 with an exception.
Py_ssize_t new_array_length(CType* item, PyObject* o, bool* only_length) {
  *only_length = false;
  if (PyList_Check(o) || PyTuple_Check(o)) return PySequence_Size(o);
  if (PyBytes_Check(o)) return PyBytes_Size(o) + 1;
  if (PyUnicode_Check(o)) {
    if (item->size != 2) return PyUnicode_GetLength(o) + 1;
    PyObject* units = wide_units(o, item);  // UTF-16: surrogate pairs count twice
    Py_ssize_t n = units ? PyBytes_Size(units) / 2 + 1 : -1;
    Py_XDECREF(units);
    return n;
  }
  // An integer (CFFI's cdata are no integers here).
  if (is_cdata(o) || !PyIndex_Check(o))
    return raise_int(PyExc_TypeError, "expected new array length or list/tuple/str, not %s",
                     type_name(o).c_str());
  Py_ssize_t n = PyNumber_AsSsize_t(o, PyExc_OverflowError);
  if (n == -1 && PyErr_Occurred()) return -1;
  if (n < 0) return raise_int(PyExc_ValueError, "negative array length");
  *only_length = true;
  return n;
}

/// Writes field `f` of a struct initialized as a whole: a flexible array member may also be
/// given as its length alone (its items stay zero), as in CFFI.
int init_field(const FieldInfo& f, char* dst, PyObject* o, Py_ssize_t flex) {
  if (f.bitsize < 0 && is_open_array(f.type)) {
    bool only_length = false;
    if (new_array_length(f.type->item, o, &only_length) < 0) return -1;
    if (only_length) return 0;
  }
  return write_field(f, dst, o, flex);
}

}  // namespace

Py_ssize_t flex_items(CType* ct, PyObject* o) {
  if (!is_record(ct) || (ct->flags & kOpaque)) return 0;
  if (!realize_fields(ct)) return -1;
  if (ct->d->fields.empty()) return 0;
  const FieldInfo& last = ct->d->fields.back();
  if (!is_open_array(last.type)) return 0;
  PyObject* value = nullptr;
  if (PyDict_Check(o)) {
    value = PyDict_GetItemWithError(o, last.name);
    if (!value && PyErr_Occurred()) return -1;
  } else if ((PyList_Check(o) || PyTuple_Check(o)) &&
             PySequence_Size(o) == static_cast<Py_ssize_t>(ct->d->fields.size())) {
    value = PyList_Check(o) ? PyList_GetItem(o, PyList_Size(o) - 1)
                            : PyTuple_GetItem(o, PyTuple_Size(o) - 1);
  }
  if (!value) return 0;
  bool only_length = false;
  return new_array_length(last.type->item, value, &only_length);
}

int record_from_object(CType* ct, char* dst, PyObject* o, Py_ssize_t flex) {
  if (ct->flags & kOpaque)
    return raise_int(PyExc_TypeError, "cannot initialize ctype '%s' of unknown size", cname(ct));
  // A struct cdata of the same type is copied whole: no fields needed, so even a wrong
  // layout (CTypeDetail::error) copies, as in CFFI.
  if (is_cdata(o) && reinterpret_cast<CData*>(o)->ct == ct) {
    CData* cd = reinterpret_cast<CData*>(o);
    if (!check_alive(cd)) return -1;
    if (!cd->data)
      return raise_int(PyExc_RuntimeError, "cannot dereference null pointer from cdata '%s'",
                       cname(cd->ct));
    memmove(dst, cd->data, static_cast<size_t>(ct->size));
    return 0;
  }
  if (!realize_fields(ct)) return -1;
  const std::vector<FieldInfo>& fields = ct->d->fields;
  if (PyList_Check(o) || PyTuple_Check(o)) {
    Py_ssize_t n = PySequence_Size(o);
    Py_ssize_t max = ct->kind == Kind::Union ? 1 : static_cast<Py_ssize_t>(fields.size());
    if (n > max)
      return raise_int(PyExc_ValueError, "too many initializers for '%s' (got %zd)", cname(ct), n);
    for (Py_ssize_t i = 0; i < n; ++i) {
      PyObject* x = PySequence_GetItem(o, i);
      if (!x) return -1;
      int rc = init_field(fields[static_cast<size_t>(i)], dst, x, flex);
      Py_DECREF(x);
      if (rc < 0) return -1;
    }
    return 0;
  }
  if (PyDict_Check(o)) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(o, &pos, &key, &value)) {
      const FieldInfo* f = PyUnicode_Check(key) ? find_field(ct, key) : nullptr;
      if (!f) {
        if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
        return -1;
      }
      if (init_field(*f, dst, value, flex) < 0) return -1;
    }
    return 0;
  }
  return raise_int(
      PyExc_TypeError,
      "initializer for ctype '%s' must be a list or tuple or dict or struct-cdata, not %s",
      cname(ct), describe(o).c_str());
}

namespace {

/// Whether a pointer of type `src` converts to one of type `ct` (CFFI's rules: the same
/// type, or void * on either side; char * with a warning); false with an exception whose
/// message describes `obj` (null: a cdata of type `src`).
bool pointer_compatible(CType* ct, CType* src, PyObject* obj) {
  if (src == ct) return true;
  uint32_t both = ct->flags | src->flags;
  if (both & kVoidPtr) return true;  // void * converts to and from any pointer
  if ((both & kCharPtr) && ct->kind == Kind::Pointer && src->kind == Kind::Pointer) {
    if (ct->item->size == 1 && src->item->size == 1) return true;
    return PyErr_WarnEx(PyExc_UserWarning,
                        (ct->flags & kCharPtr)
                            ? "implicit cast to 'char *' from a different pointer type: will be "
                              "forbidden in the future (check that the types are as you expect; "
                              "use an explicit ffi.cast() if they are correct)"
                            : "implicit cast from 'char *' to a different pointer type: will be "
                              "forbidden in the future (check that the types are as you expect; "
                              "use an explicit ffi.cast() if they are correct)",
                        1) == 0;
  }
  // The description is built only here: the success path stays allocation-free.
  const std::string what = obj ? describe(obj) : std::string("cdata '") + cname(src) + "'";
  PyErr_Format(PyExc_TypeError, "initializer for ctype '%s' must be a pointer to same type, not %s",
               cname(ct), what.c_str());
  return false;
}

/// The pointer value of a cdata for a pointer of type `ct`, with CFFI's type checks.
int pointer_from_cdata(CType* ct, CData* cd, void** out) {
  CType* src = cd->ct;
  CType* srcptr = src;
  if (src->kind == Kind::Array) {
    srcptr = pointer_to(src->item);
    if (!srcptr) return -1;
  } else if (src->kind != Kind::Pointer && src->kind != Kind::Function) {
    return raise_int(PyExc_TypeError,
                     "initializer for ctype '%s' must be a pointer or array, not %s", cname(ct),
                     describe(reinterpret_cast<PyObject*>(cd)).c_str());
  }
  if (!check_alive(cd)) return -1;
  if (!pointer_compatible(ct, srcptr, reinterpret_cast<PyObject*>(cd))) return -1;
  *out = cdata_address(cd);
  return 0;
}

}  // namespace

int pointer_argument(CType* ct, PyObject* o, void** out, Frame* frame) {
  if (is_cdata(o)) return pointer_from_cdata(ct, reinterpret_cast<CData*>(o), out);
  if (frame && ct->kind == Kind::Pointer && (ct->flags & kSmallItem) && PyBytes_Check(o)) {
    *out = PyBytes_AsString(o);  // the caller's argument keeps the bytes alive
    return 0;
  }
  // A function of a lib stands for its function pointer (as in CFFI >= 1.16).
  void* address = nullptr;
  if (CType* fn = PyCFunction_Check(o) ? lib_function_of(o, &address) : nullptr) {
    if (!pointer_compatible(ct, fn, nullptr)) return -1;
    *out = address;
    return 0;
  }
  if (PyErr_Occurred()) return -1;
  if (frame && ct->kind == Kind::Pointer) {
    CType* item = ct->item;
    if ((PyList_Check(o) || PyTuple_Check(o)) && item->size > 0) {
      if (!check_layout(item)) return -1;  // even for [], as in CFFI
      Py_ssize_t n = PySequence_Size(o);
      if (n < 0) return -1;
      if (n > PY_SSIZE_T_MAX / item->size)
        return raise_int(PyExc_OverflowError, "array size would overflow a Py_ssize_t");
      char* buf = static_cast<char*>(frame_alloc(frame, static_cast<size_t>(n * item->size)));
      if (!buf) return -1;
      for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* x = PySequence_GetItem(o, i);
        if (!x) return -1;
        int rc = to_c(item, buf + i * item->size, x);
        Py_DECREF(x);
        if (rc < 0) return -1;
      }
      *out = buf;
      return 0;
    }
    if (PyUnicode_Check(o)) {
      if (item->flags & kWChar) {
        PyObject* units = wide_units(o, item);
        if (!units) return -1;
        Py_ssize_t n = PyBytes_Size(units);
        char* buf = static_cast<char*>(frame_alloc(frame, static_cast<size_t>(n + item->size)));
        if (buf) memcpy(buf, PyBytes_AsString(units), static_cast<size_t>(n));
        Py_DECREF(units);
        if (!buf) return -1;
        *out = buf;
        return 0;
      }
      return raise_int(PyExc_TypeError, "initializer for ctype '%s' must be %s, not str", cname(ct),
                       item->kind == Kind::Void ? "a cdata pointer"
                       : is_char_item(item)     ? "a bytes or list or tuple"
                                                : "a list or tuple");
    }
  }
  return raise_int(PyExc_TypeError, "initializer for ctype '%s' must be a cdata pointer, not %s",
                   cname(ct), describe(o).c_str());
}

int to_c(CType* ct, char* dst, PyObject* o) {
  switch (ct->kind) {
    case Kind::Primitive:
      if (ct->flags & (kSigned | kUnsigned | kBool)) return integer_to_c(ct, dst, o);
      if (ct->flags & kChar) return char_to_c(ct, dst, o);
      if (ct->flags & kWChar) return wchar_to_c(ct, dst, o);
      if (ct->flags & (kFloat | kLongDouble)) return float_to_c(ct, dst, o);
      if (ct->flags & kComplex) return complex_to_c(ct, dst, o);
      break;
    case Kind::Enum:
      return integer_to_c(ct, dst, o);
    case Kind::Pointer:
    case Kind::Function: {
      void* p = nullptr;
      if (pointer_argument(ct, o, &p, nullptr) < 0) return -1;
      memcpy(dst, &p, sizeof p);
      return 0;
    }
    case Kind::Array:
      return array_to_c(ct, dst, o);
    case Kind::Struct:
    case Kind::Union:
      return record_from_object(ct, dst, o);
    case Kind::Void:
      break;
  }
  return raise_int(PyExc_TypeError, "cannot write a value of ctype '%s'", cname(ct));
}

PyObject* from_c(CType* ct, char* src, PyObject* owner) {
  switch (ct->kind) {
    case Kind::Primitive:
      if (ct->flags & kSigned) return int_object(read_signed(src, ct->size));
      if (ct->flags & kUnsigned) return int_object_unsigned(read_unsigned(src, ct->size));
      if (ct->flags & kBool) return PyBool_FromLong(*src != 0);
      if (ct->flags & kChar) return PyBytes_FromStringAndSize(src, 1);
      if (ct->flags & kWChar) {
        long long code = read_wchar(ct, src);
        if (code < 0 || code > 0x10FFFF)
          return raise(PyExc_ValueError, "%s out of range: %lld", cname(ct), code);
        return PyUnicode_FromOrdinal(static_cast<int>(code));
      }
      if (ct->flags & kFloat) return PyFloat_FromDouble(read_float(ct, src));
      if (ct->flags & kLongDouble) {
        CData* cd = new_value_cdata(ct);
        if (cd) memcpy(cd->data, src, sizeof(long double));
        return reinterpret_cast<PyObject*>(cd);
      }
      if (ct->flags & kComplex) {
        if (ct->prim == CDEFC_PRIM_FLOATCOMPLEX) {
          float v[2];
          memcpy(v, src, sizeof v);
          return PyComplex_FromDoubles(v[0], v[1]);
        }
        double v[2];
        memcpy(v, src, sizeof v);
        return PyComplex_FromDoubles(v[0], v[1]);
      }
      break;
    case Kind::Enum:
      if (ct->flags & kSigned) return int_object(read_signed(src, ct->size));
      return int_object_unsigned(read_unsigned(src, ct->size));
    case Kind::Pointer:
    case Kind::Function: {
      void* p;
      memcpy(&p, src, sizeof p);
      return make_pointer(ct, p, nullptr);
    }
    case Kind::Array:
      return make_view(ct, src, owner, ct->length);
    case Kind::Struct:
    case Kind::Union:
      // A struct seen in memory needs its layout (CFFI raises a wrong one's ffi.error here).
      if (!check_layout(ct)) return nullptr;
      return make_view(ct, src, owner, -1);
    case Kind::Void:
      break;
  }
  return raise(PyExc_TypeError, "cannot read a value of ctype '%s'", cname(ct));
}

long long read_wchar(const CType* ct, const char* p) {
  constexpr bool kSignedWChar = static_cast<wchar_t>(-1) < 0;
  if (kSignedWChar && ct->prim == CDEFC_PRIM_WCHAR) return read_signed(p, ct->size);
  return static_cast<long long>(read_unsigned(p, ct->size));
}

PyObject* primitive_value(CData* cd) {
  CType* ct = cd->ct;
  if (ct->flags & kLongDouble) {
    long double v;
    memcpy(&v, cd->data, sizeof v);
    return PyFloat_FromDouble(static_cast<double>(v));
  }
  if (ct->flags & kBool) return PyLong_FromLong(*cd->data != 0);
  return from_c(ct, cd->data, nullptr);
}

}  // namespace cdefc::rt
