// ffi.buffer(): raw bytes of C memory as a Python object with the buffer protocol (writable,
// format "B"), len, indexing, slicing to bytes, assignment and comparisons as CFFI's, keeping
// the cdata it came from alive; ffi.from_buffer(): a cdata over the memory of any object with
// the buffer protocol, which stays exported while the cdata lives; ffi.memmove() between cdata
// and such objects.
#include <cstring>
#include <optional>

#include "internal.h"

namespace cdefc::rt {

namespace {

inline BufferObject* as_buf(PyObject* o) { return reinterpret_cast<BufferObject*>(o); }

void buffer_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  Py_XDECREF(as_buf(self)->keep);
  auto free_fn = reinterpret_cast<freefunc>(PyType_GetSlot(tp, Py_tp_free));
  free_fn(self);
  Py_DECREF(tp);
}

/// The memory, or null with an exception if the cdata was released.
char* memory(BufferObject* b) {
  if (b->keep && is_cdata(b->keep) && !check_alive(reinterpret_cast<CData*>(b->keep)))
    return nullptr;
  return b->data;
}

/// The type's name as CPython's tp_name spells it in messages ("str", "array.array").
std::string tp_name(PyObject* o) {
  std::string name = type_name(o);
  PyObject* module = PyObject_GetAttrString(reinterpret_cast<PyObject*>(Py_TYPE(o)), "__module__");
  if (module && PyUnicode_Check(module)) {
    const char* m = PyUnicode_AsUTF8AndSize(module, nullptr);
    if (m && strcmp(m, "builtins") != 0) name = std::string(m) + "." + name;
  }
  Py_XDECREF(module);
  PyErr_Clear();
  return name;
}

/// A contiguous view of the bytes of a buffer-protocol object (PyBUF_WRITABLE if `writable`),
/// released with the object. On failure, the exception of the object's getbuffer or of
/// CFFI's contiguity check is set and ok() is false.
class ByteView {
 public:
  ByteView(PyObject* o, bool writable) {
    if (PyObject_GetBuffer(o, &view_, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0) return;
    held_ = true;
    if (!PyBuffer_IsContiguous(&view_, 'A')) {
      PyErr_SetString(PyExc_TypeError, "contiguous buffer expected");
      return;
    }
    ok_ = true;
  }
  ~ByteView() {
    if (held_) PyBuffer_Release(&view_);
  }
  ByteView(const ByteView&) = delete;
  ByteView& operator=(const ByteView&) = delete;
  bool ok() const { return ok_; }
  char* data() const { return static_cast<char*>(view_.buf); }
  Py_ssize_t size() const { return view_.len; }

 private:
  Py_buffer view_{};
  bool held_ = false;
  bool ok_ = false;
};

// ---- the buffer protocol ----

int buffer_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  BufferObject* b = as_buf(self);
  char* p = memory(b);
  if (!p) {
    view->obj = nullptr;
    return -1;
  }
  // view->obj holds this object, which holds the cdata: the memory outlives the export.
  return PyBuffer_FillInfo(view, self, p, b->size, /*readonly=*/0, flags);
}

// ---- sequence and mapping ----

Py_ssize_t buffer_length(PyObject* self) { return as_buf(self)->size; }

/// Item `i` (already made non-negative by the caller) as bytes of length 1.
PyObject* buffer_item(PyObject* self, Py_ssize_t i) {
  BufferObject* b = as_buf(self);
  if (i < 0 || i >= b->size) return raise(PyExc_IndexError, "buffer index out of range");
  char* p = memory(b);
  return p ? PyBytes_FromStringAndSize(p + i, 1) : nullptr;
}

/// Normalizes the key of b[key] / b[key] = v: an index (*is_slice false, *start >= 0 maybe
/// out of range) or a slice of step 1 (*start, *count clipped to the buffer).
bool buffer_key(BufferObject* b, PyObject* key, Py_ssize_t* start, Py_ssize_t* count,
                bool* is_slice) {
  if (PyIndex_Check(key)) {
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) return false;
    *start = i < 0 ? i + b->size : i;
    *count = 1;
    *is_slice = false;
    return true;
  }
  if (PySlice_Check(key)) {
    Py_ssize_t stop, step;
    if (PySlice_Unpack(key, start, &stop, &step) < 0) return false;
    *count = PySlice_AdjustIndices(b->size, start, &stop, step);
    if (step != 1) {
      PyErr_SetString(PyExc_TypeError, "buffer doesn't support slicing with step != 1");
      return false;
    }
    *is_slice = true;
    return true;
  }
  PyErr_Format(PyExc_TypeError, "buffer indices must be integers, not %s", tp_name(key).c_str());
  return false;
}

PyObject* buffer_subscript(PyObject* self, PyObject* key) {
  BufferObject* b = as_buf(self);
  Py_ssize_t start, count;
  bool is_slice;
  if (!buffer_key(b, key, &start, &count, &is_slice)) return nullptr;
  if (!is_slice) return buffer_item(self, start);
  char* p = memory(b);
  return p ? PyBytes_FromStringAndSize(p + start, count) : nullptr;
}

int buffer_ass_subscript(PyObject* self, PyObject* key, PyObject* value) {
  BufferObject* b = as_buf(self);
  // CFFI crashes here (it reads the new value of `del b[...]` as an object).
  if (!value) return raise_int(PyExc_TypeError, "buffer items cannot be deleted");
  Py_ssize_t start, count;
  bool is_slice;
  if (!buffer_key(b, key, &start, &count, &is_slice)) return -1;
  if (!is_slice) {
    if (start < 0 || start >= b->size)
      return raise_int(PyExc_IndexError, "buffer assignment index out of range");
    if (!PyBytes_Check(value) || PyBytes_Size(value) != 1)
      return raise_int(PyExc_TypeError, "must assign a bytes of length 1, not %s",
                       tp_name(value).c_str());
    char* p = memory(b);
    if (!p) return -1;
    p[start] = PyBytes_AsString(value)[0];
    return 0;
  }
  // Any contiguous bytes-like object of the slice's length, as in CFFI.
  ByteView src(value, false);
  if (!src.ok()) return -1;
  if (src.size() != count)
    return raise_int(PyExc_ValueError, "right operand length must match slice length");
  char* p = memory(b);
  if (!p) return -1;
  if (count) memmove(p + start, src.data(), static_cast<size_t>(count));
  return 0;
}

// ---- comparisons: as bytes, against any object with the buffer protocol ----

PyObject* buffer_richcompare(PyObject* self, PyObject* other, int op) {
  // As CFFI (and bytes): never equal to a str, ordering against non-buffers is a TypeError.
  if (PyUnicode_Check(other)) Py_RETURN_NOTIMPLEMENTED;
  BufferObject* b = as_buf(self);
  Py_buffer o;
  if (PyObject_GetBuffer(other, &o, PyBUF_SIMPLE) < 0) {
    PyErr_Clear();
    Py_RETURN_NOTIMPLEMENTED;
  }
  char* p = memory(b);
  if (!p) {
    PyBuffer_Release(&o);
    return nullptr;
  }
  Py_ssize_t n = b->size, m = o.len;
  int c = 1;  // memcmp's sign, then the lengths'; buffers of different lengths are not equal
  if (n == m || (op != Py_EQ && op != Py_NE)) {
    c = memcmp(p, o.buf, static_cast<size_t>(n < m ? n : m));
    if (c == 0) c = n < m ? -1 : (n > m ? 1 : 0);
  }
  PyBuffer_Release(&o);
  Py_RETURN_RICHCOMPARE(c, 0, op);
}

PyObject* buffer_bytes(PyObject* self, PyObject*) {
  BufferObject* b = as_buf(self);
  char* p = memory(b);
  return p ? PyBytes_FromStringAndSize(p, b->size) : nullptr;
}

PyMethodDef buffer_methods[] = {{"__bytes__", buffer_bytes, METH_NOARGS, nullptr},
                                {nullptr, nullptr, 0, nullptr}};

// No tp_hash: with tp_richcompare, the type is unhashable, as CFFI's. Iteration, `in` and
// reversed() go through sq_item, reading the memory at each step, as in CFFI.
/// ffi.buffer(cdata, size=-1): the type is ffi.buffer, as in CFFI.
PyObject* buffer_new(PyTypeObject*, PyObject* args, PyObject* kwargs) {
  return buffer_of(args, kwargs);
}

PyType_Slot buffer_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(buffer_dealloc)},
                              {Py_tp_new, reinterpret_cast<void*>(buffer_new)},
                              {Py_tp_methods, buffer_methods},
                              {Py_tp_richcompare, reinterpret_cast<void*>(buffer_richcompare)},
                              {Py_bf_getbuffer, reinterpret_cast<void*>(buffer_getbuffer)},
                              {Py_sq_length, reinterpret_cast<void*>(buffer_length)},
                              {Py_sq_item, reinterpret_cast<void*>(buffer_item)},
                              {Py_mp_length, reinterpret_cast<void*>(buffer_length)},
                              {Py_mp_subscript, reinterpret_cast<void*>(buffer_subscript)},
                              {Py_mp_ass_subscript, reinterpret_cast<void*>(buffer_ass_subscript)},
                              {0, nullptr}};

PyType_Spec buffer_spec = {"cdefc.buffer", sizeof(BufferObject), 0, Py_TPFLAGS_DEFAULT,
                           buffer_slots};

}  // namespace

bool init_buffer_type(Internals& in) {
  in.buffer_type = make_type(&buffer_spec);
  return in.buffer_type != nullptr;
}

PyObject* new_buffer(PyObject* keep, char* data, Py_ssize_t size) {
  auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(g->buffer_type, Py_tp_alloc));
  auto* b = reinterpret_cast<BufferObject*>(alloc(g->buffer_type, 0));
  if (!b) return nullptr;
  Py_XINCREF(keep);
  b->keep = keep;
  b->data = data;
  b->size = size;
  return reinterpret_cast<PyObject*>(b);
}

PyObject* from_buffer(CType* ct, PyObject* obj, bool require_writable) {
  if (ct->kind != Kind::Array && ct->kind != Kind::Pointer)
    return raise(PyExc_TypeError, "expected a pointer or array ctype, got '%s'", cname(ct));
  if (PyUnicode_Check(obj))
    return raise(PyExc_TypeError, "from_buffer() cannot return the address of a unicode object");
  Py_ssize_t length = -1;
  {
    // CFFI's checks and messages: the object's own getbuffer errors (not writable, not
    // C-contiguous, released memoryview...), then the size.
    ByteView check(obj, require_writable);
    if (!check.ok()) return nullptr;
    if (ct->kind == Kind::Array) {
      if (ct->length >= 0) {
        if (check.size() < ct->size)
          return raise(PyExc_ValueError, "buffer is too small (%zd bytes) for '%s' (%zd bytes)",
                       check.size(), cname(ct), ct->size);
        length = ct->length;
      } else if (ct->item->size > 0) {
        length = check.size() / ct->item->size;  // a partial last item is ignored
      } else {
        return raise(PyExc_ZeroDivisionError,
                     "from_buffer('%s', ..): the actual length of the array cannot be computed",
                     cname(ct));
      }
    }
  }
  // The export the cdata keeps: a memoryview of the object, which pins the memory (a
  // bytearray cannot be resized, an mmap not closed) until ffi.release() releases it or the
  // cdata dies. The address is read through the memoryview: the memory it holds.
  PyObject* keep = PyMemoryView_FromObject(obj);
  if (!keep) return nullptr;
  Py_buffer pinned;
  if (PyObject_GetBuffer(keep, &pinned, PyBUF_ANY_CONTIGUOUS) < 0) {
    Py_DECREF(keep);
    return nullptr;
  }
  char* data = static_cast<char*>(pinned.buf);
  Py_ssize_t size = pinned.len;
  PyBuffer_Release(&pinned);  // the memoryview itself stays exported from `obj`
  if (ct->kind == Kind::Array &&
      (ct->length >= 0 ? size < ct->size : size / ct->item->size < length)) {
    Py_DECREF(keep);  // an exporter whose memory changed between the two requests
    return raise(PyExc_BufferError, "the buffer of '%s' changed while from_buffer() read it",
                 type_name(obj).c_str());
  }
  PyObject* r =
      ct->kind == Kind::Pointer ? make_pointer(ct, data, keep) : make_view(ct, data, keep, length);
  Py_DECREF(keep);
  if (!r) return nullptr;
  CData* cd = reinterpret_cast<CData*>(r);
  Py_INCREF(obj);
  cd->extra = obj;
  cd->flags |= kFromBuffer;
  return r;
}

/// The bytes an operand of ffi.memmove() designates: a pointer or array cdata (*size -1 when
/// its extent is unknown) or a contiguous buffer, held by `view` until the copy is done.
static bool memmove_operand(PyObject* o, bool writable, std::optional<ByteView>& view, char** p,
                            Py_ssize_t* size) {
  if (is_cdata(o)) {
    CData* cd = reinterpret_cast<CData*>(o);
    if (cd->ct->kind != Kind::Pointer && cd->ct->kind != Kind::Array) {
      PyErr_Format(PyExc_TypeError, "expected a pointer or array ctype, got '%s'", cname(cd->ct));
      return false;
    }
    if (!check_alive(cd)) return false;
    *p = cdata_address(cd);
    Py_ssize_t item = cd->ct->item->size > 0 ? cd->ct->item->size : 1;
    *size = cd->ct->kind == Kind::Array ? cd->length * item : (owns_one_item(cd) ? item : -1);
    return true;
  }
  view.emplace(o, writable);
  if (!view->ok()) return false;
  *p = view->data();
  *size = view->size();
  return true;
}

PyObject* memmove_objects(PyObject* dest, PyObject* src, Py_ssize_t n) {
  // CFFI's order: the size, the source, the destination (which must be writable).
  if (n < 0) return raise(PyExc_ValueError, "negative size");
  std::optional<ByteView> src_view, dest_view;
  char *d, *s;
  Py_ssize_t dn, sn;
  if (!memmove_operand(src, false, src_view, &s, &sn) ||
      !memmove_operand(dest, true, dest_view, &d, &dn))
    return nullptr;
  // Unlike CFFI, known extents are checked.
  if ((dn >= 0 && n > dn) || (sn >= 0 && n > sn))
    return raise(PyExc_IndexError, "memmove() of %zd bytes out of bounds", n);
  if (n && (!d || !s)) return raise(PyExc_RuntimeError, "memmove() on a NULL pointer");
  if (n) memmove(d, s, static_cast<size_t>(n));
  Py_RETURN_NONE;
}

}  // namespace cdefc::rt
