// ffi.buffer(): raw bytes of C memory as a Python object (len, indexing, slicing to bytes,
// assignment, bytes()), keeping the cdata it came from alive.
#include <cstring>

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

Py_ssize_t buffer_length(PyObject* self) { return as_buf(self)->size; }

/// Normalizes an int or slice key: *start, *count (step must be 1 for slices).
bool key_range(BufferObject* b, PyObject* key, Py_ssize_t* start, Py_ssize_t* count,
               bool* is_slice) {
  if (PySlice_Check(key)) {
    Py_ssize_t stop, step;
    if (PySlice_Unpack(key, start, &stop, &step) < 0) return false;
    *count = PySlice_AdjustIndices(b->size, start, &stop, step);
    if (step != 1) {
      PyErr_SetString(PyExc_ValueError, "buffer slices with a step are not supported");
      return false;
    }
    *is_slice = true;
    return true;
  }
  Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
  if (i == -1 && PyErr_Occurred()) return false;
  if (i < 0) i += b->size;
  if (i < 0 || i >= b->size) {
    PyErr_SetString(PyExc_IndexError, "buffer index out of range");
    return false;
  }
  *start = i;
  *count = 1;
  *is_slice = false;
  return true;
}

PyObject* buffer_subscript(PyObject* self, PyObject* key) {
  BufferObject* b = as_buf(self);
  Py_ssize_t start, count;
  bool is_slice;
  if (!key_range(b, key, &start, &count, &is_slice)) return nullptr;
  char* p = memory(b);
  if (!p) return nullptr;
  return PyBytes_FromStringAndSize(p + start, count);
}

int buffer_ass_subscript(PyObject* self, PyObject* key, PyObject* value) {
  BufferObject* b = as_buf(self);
  if (!value) return raise_int(PyExc_TypeError, "buffer items cannot be deleted");
  Py_ssize_t start, count;
  bool is_slice;
  if (!key_range(b, key, &start, &count, &is_slice)) return -1;
  const char* src;
  Py_ssize_t n;
  if (PyBytes_Check(value)) {
    src = PyBytes_AsString(value);
    n = PyBytes_Size(value);
  } else if (PyByteArray_Check(value)) {
    src = PyByteArray_AsString(value);
    n = PyByteArray_Size(value);
  } else {
    return raise_int(PyExc_TypeError,
                     is_slice ? "a bytes-like object is required, not '%s'"
                              : "must assign a bytes of length 1, not %s",
                     type_name(value).c_str());
  }
  if (n != count) {
    if (!is_slice)
      return raise_int(PyExc_TypeError, "must assign a bytes of length 1, not bytes of length %zd",
                       n);
    return raise_int(PyExc_ValueError, "right operand length must match slice length");
  }
  char* p = memory(b);
  if (!p) return -1;
  memmove(p + start, src, static_cast<size_t>(n));
  return 0;
}

PyObject* buffer_bytes(PyObject* self, PyObject*) {
  BufferObject* b = as_buf(self);
  char* p = memory(b);
  return p ? PyBytes_FromStringAndSize(p, b->size) : nullptr;
}

PyObject* buffer_iter(PyObject* self) {
  BufferObject* b = as_buf(self);
  char* p = memory(b);
  if (!p) return nullptr;
  PyObject* list = PyList_New(b->size);
  for (Py_ssize_t i = 0; list && i < b->size; ++i) {
    PyObject* x = PyBytes_FromStringAndSize(p + i, 1);
    if (!x)
      Py_CLEAR(list);
    else
      PyList_SetItem(list, i, x);
  }
  if (!list) return nullptr;
  PyObject* it = PyObject_GetIter(list);
  Py_DECREF(list);
  return it;
}

PyMethodDef buffer_methods[] = {{"__bytes__", buffer_bytes, METH_NOARGS, nullptr},
                                {nullptr, nullptr, 0, nullptr}};

PyType_Slot buffer_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(buffer_dealloc)},
                              {Py_tp_methods, buffer_methods},
                              {Py_tp_iter, reinterpret_cast<void*>(buffer_iter)},
                              {Py_mp_length, reinterpret_cast<void*>(buffer_length)},
                              {Py_mp_subscript, reinterpret_cast<void*>(buffer_subscript)},
                              {Py_mp_ass_subscript, reinterpret_cast<void*>(buffer_ass_subscript)},
                              {0, nullptr}};

PyType_Spec buffer_spec = {"cdefc.buffer", sizeof(BufferObject), 0,
                           Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, buffer_slots};

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

}  // namespace cdefc::rt
