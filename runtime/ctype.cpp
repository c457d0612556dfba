// ffi.CType: the C types a module knows — primitives, pointers, arrays, structs, unions,
// enums, pointers to functions — with CFFI's names, and the caches that make them unique.

#include <cstdio>
#include <cstring>
#include <cwchar>
#include <type_traits>

#include "internal.h"
// structmember.h needs Python.h (from internal.h) first.
#include <structmember.h>

namespace cdefc::rt {

namespace {

/// What the runtime knows of each primitive type.
struct PrimInfo {
  const char* name;
  Py_ssize_t size;
  Py_ssize_t align;
  uint32_t flags;
};

/// The runtime flags of each KIND of include/cdefc/module.h's CDEFC_PRIMITIVES.
constexpr uint32_t kind_VOID = 0, kind_BOOL = kBool, kind_CHAR = kChar, kind_SIGNED = kSigned,
                   kind_UNSIGNED = kUnsigned, kind_WCHAR = kWChar, kind_FLOAT = kFloat,
                   kind_LONGDOUBLE = kLongDouble, kind_COMPLEX = kComplex, kind_OPAQUE = kOpaque;

/// One row: `count` values of C++ type T (two for complex types); void: no size.
template <typename T>
constexpr PrimInfo prim(const char* name, uint32_t flags) {
  if constexpr (std::is_void_v<T>) {
    return {name, -1, 0, flags};
  } else {
    const Py_ssize_t count = flags == kComplex ? 2 : 1;
    return {name, count * static_cast<Py_ssize_t>(sizeof(T)), alignof(T), flags};
  }
}

const PrimInfo* prim_table() {
#define CDEFC_PRIM_INFO(ID, name, KIND, storage) prim<storage>(name, kind_##KIND),
  static const PrimInfo table[CDEFC_PRIM__COUNT] = {CDEFC_PRIMITIVES(CDEFC_PRIM_INFO)};
#undef CDEFC_PRIM_INFO
  return table;
}

/// Allocates a CType with an empty detail.
CType* alloc_ctype(Kind kind) {
  auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(g->ctype_type, Py_tp_alloc));
  auto* ct = reinterpret_cast<CType*>(alloc(g->ctype_type, 0));
  if (!ct) return nullptr;
  ct->kind = kind;
  ct->prim = 0;
  ct->flags = 0;
  ct->size = -1;
  ct->align = 0;
  ct->item = nullptr;
  ct->length = -1;
  ct->d = new CTypeDetail();
  return ct;
}

void set_name(CType* ct, std::string name, size_t pos) {
  ct->d->name = std::move(name);
  ct->d->name_pos = pos;
}

/// `base`'s name with `text` inserted at its declarator position.
std::string insert_at(const CType* base, const std::string& text) {
  std::string n = base->d->name;
  n.insert(base->d->name_pos, text);
  return n;
}

const char* kind_name(const CType* ct) {
  switch (ct->kind) {
    case Kind::Void:
      return "void";
    case Kind::Primitive:
      return "primitive";
    case Kind::Pointer:
      return "pointer";
    case Kind::Array:
      return "array";
    case Kind::Struct:
      return "struct";
    case Kind::Union:
      return "union";
    case Kind::Enum:
      return "enum";
    case Kind::Function:
      return "function";
  }
  return "?";
}

// ---- the CType Python type ----

PyObject* ctype_repr(PyObject* self) {
  return PyUnicode_FromFormat("<ctype '%s'>", cname(reinterpret_cast<CType*>(self)));
}

void ctype_dealloc(PyObject* self) {
  // Not reached in practice (caches keep every ctype); kept correct for completeness.
  auto* ct = reinterpret_cast<CType*>(self);
  PyTypeObject* tp = Py_TYPE(self);
  delete ct->d;
  Py_XDECREF(ct->item);
  auto free_fn = reinterpret_cast<freefunc>(PyType_GetSlot(tp, Py_tp_free));
  free_fn(self);
  Py_DECREF(tp);
}

PyObject* no_attr(const char* name) {
  PyErr_SetString(PyExc_AttributeError, name);
  return nullptr;
}

PyObject* get_kind(PyObject* self, void*) {
  return PyUnicode_FromString(kind_name(reinterpret_cast<CType*>(self)));
}
PyObject* get_cname(PyObject* self, void*) {
  return PyUnicode_FromString(cname(reinterpret_cast<CType*>(self)));
}
PyObject* get_item(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Pointer && ct->kind != Kind::Array) return no_attr("item");
  Py_INCREF(ct->item);
  return reinterpret_cast<PyObject*>(ct->item);
}
PyObject* get_length(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Array) return no_attr("length");
  if (ct->length < 0) Py_RETURN_NONE;
  return PyLong_FromSsize_t(ct->length);
}

PyObject* new_cfield(const FieldInfo& f) {
  auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(g->cfield_type, Py_tp_alloc));
  auto* cf = reinterpret_cast<CFieldObject*>(alloc(g->cfield_type, 0));
  if (!cf) return nullptr;
  Py_INCREF(f.type);
  cf->type = reinterpret_cast<PyObject*>(f.type);
  cf->offset = f.offset;
  cf->bitshift = f.bitshift;
  cf->bitsize = f.bitsize;
  return reinterpret_cast<PyObject*>(cf);
}

PyObject* get_fields(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (!is_record(ct)) return no_attr("fields");
  if (ct->flags & kOpaque) Py_RETURN_NONE;
  if (!realize_fields(ct)) return nullptr;
  PyObject* list = PyList_New(0);
  if (!list) return nullptr;
  for (const FieldInfo& f : ct->d->fields) {
    PyObject* cf = new_cfield(f);
    PyObject* pair = cf ? Py_BuildValue("(ON)", f.name, cf) : nullptr;
    if (!pair || PyList_Append(list, pair) < 0) {
      Py_XDECREF(pair);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(pair);
  }
  return list;
}
PyObject* get_result(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Function) return no_attr("result");
  Py_INCREF(ct->d->result);
  return reinterpret_cast<PyObject*>(ct->d->result);
}
PyObject* get_args(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Function) return no_attr("args");
  PyObject* t = PyTuple_New(static_cast<Py_ssize_t>(ct->d->args.size()));
  if (!t) return nullptr;
  for (size_t i = 0; i < ct->d->args.size(); ++i) {
    Py_INCREF(ct->d->args[i]);
    PyTuple_SetItem(t, static_cast<Py_ssize_t>(i), reinterpret_cast<PyObject*>(ct->d->args[i]));
  }
  return t;
}
PyObject* get_ellipsis(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Function) return no_attr("ellipsis");
  return PyBool_FromLong(ct->d->variadic);
}
PyObject* get_abi(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Function) return no_attr("abi");
  return PyLong_FromLong(2);  // FFI_DEFAULT_ABI on x86-64 Unix, as CFFI shows it
}
PyObject* enum_dict(CType* ct, bool by_name) {
  PyObject* d = PyDict_New();
  if (!d) return nullptr;
  bool uns = ct->flags & kUnsigned;
  // CFFI fills these dicts from the last enumerator to the first.
  for (auto it = ct->d->enumerators.rbegin(); it != ct->d->enumerators.rend(); ++it) {
    const auto& [name, value] = *it;
    PyObject* k = PyUnicode_FromString(name.c_str());
    PyObject* v = uns ? PyLong_FromUnsignedLongLong(static_cast<unsigned long long>(value))
                      : PyLong_FromLongLong(value);
    int rc = (k && v) ? (by_name ? PyDict_SetItem(d, k, v) : PyDict_SetItem(d, v, k)) : -1;
    Py_XDECREF(k);
    Py_XDECREF(v);
    if (rc < 0) {
      Py_DECREF(d);
      return nullptr;
    }
  }
  return d;
}
PyObject* get_elements(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Enum) return no_attr("elements");
  return enum_dict(ct, false);
}
PyObject* get_relements(PyObject* self, void*) {
  auto* ct = reinterpret_cast<CType*>(self);
  if (ct->kind != Kind::Enum) return no_attr("relements");
  return enum_dict(ct, true);
}

PyObject* ctype_dir(PyObject* self, PyObject*) {
  auto* ct = reinterpret_cast<CType*>(self);
  std::vector<const char*> names = {"cname", "kind"};
  switch (ct->kind) {
    case Kind::Pointer:
      names.push_back("item");
      break;
    case Kind::Array:
      names.insert(names.end(), {"item", "length"});
      break;
    case Kind::Struct:
    case Kind::Union:
      // Not when reading it raises (a wrong layout), as CFFI lists only readable attributes.
      if (check_layout(ct))
        names.push_back("fields");
      else
        PyErr_Clear();
      break;
    case Kind::Enum:
      names.insert(names.end(), {"elements", "relements"});
      break;
    case Kind::Function:
      names.insert(names.end(), {"abi", "args", "ellipsis", "result"});
      break;
    default:
      break;
  }
  PyObject* list = PyList_New(0);
  if (!list) return nullptr;
  for (const char* n : names) {
    PyObject* s = PyUnicode_FromString(n);
    if (!s || PyList_Append(list, s) < 0) {
      Py_XDECREF(s);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(s);
  }
  if (PyList_Sort(list) < 0) {
    Py_DECREF(list);
    return nullptr;
  }
  return list;
}

PyGetSetDef ctype_getset[] = {{"kind", get_kind, nullptr, nullptr, nullptr},
                              {"cname", get_cname, nullptr, nullptr, nullptr},
                              {"item", get_item, nullptr, nullptr, nullptr},
                              {"length", get_length, nullptr, nullptr, nullptr},
                              {"fields", get_fields, nullptr, nullptr, nullptr},
                              {"result", get_result, nullptr, nullptr, nullptr},
                              {"args", get_args, nullptr, nullptr, nullptr},
                              {"ellipsis", get_ellipsis, nullptr, nullptr, nullptr},
                              {"abi", get_abi, nullptr, nullptr, nullptr},
                              {"elements", get_elements, nullptr, nullptr, nullptr},
                              {"relements", get_relements, nullptr, nullptr, nullptr},
                              {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef ctype_methods[] = {{"__dir__", ctype_dir, METH_NOARGS, nullptr},
                               {nullptr, nullptr, 0, nullptr}};

PyType_Slot ctype_slots[] = {{Py_tp_repr, reinterpret_cast<void*>(ctype_repr)},
                             {Py_tp_dealloc, reinterpret_cast<void*>(ctype_dealloc)},
                             {Py_tp_getset, ctype_getset},
                             {Py_tp_methods, ctype_methods},
                             {0, nullptr}};

PyType_Spec ctype_spec = {"cdefc.CType", sizeof(CType), 0,
                          Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, ctype_slots};

// ---- CField ----

void cfield_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  Py_XDECREF(reinterpret_cast<CFieldObject*>(self)->type);
  auto free_fn = reinterpret_cast<freefunc>(PyType_GetSlot(tp, Py_tp_free));
  free_fn(self);
  Py_DECREF(tp);
}
PyObject* cfield_flags(PyObject*, void*) { return PyLong_FromLong(0); }

PyMemberDef cfield_members[] = {
    {"type", T_OBJECT, offsetof(CFieldObject, type), READONLY, nullptr},
    {"offset", T_PYSSIZET, offsetof(CFieldObject, offset), READONLY, nullptr},
    {"bitshift", T_INT, offsetof(CFieldObject, bitshift), READONLY, nullptr},
    {"bitsize", T_INT, offsetof(CFieldObject, bitsize), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};
PyGetSetDef cfield_getset[] = {{"flags", cfield_flags, nullptr, nullptr, nullptr},
                               {nullptr, nullptr, nullptr, nullptr, nullptr}};
PyType_Slot cfield_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(cfield_dealloc)},
                              {Py_tp_members, cfield_members},
                              {Py_tp_getset, cfield_getset},
                              {0, nullptr}};
PyType_Spec cfield_spec = {"cdefc.CField", sizeof(CFieldObject), 0,
                           Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, cfield_slots};

}  // namespace

bool init_ctype_types(Internals& in) {
  in.ctype_type = make_type(&ctype_spec);
  in.cfield_type = make_type(&cfield_spec);
  in.function_types = PyDict_New();
  return in.ctype_type && in.cfield_type && in.function_types;
}

CType* primitive_ctype(int prim) {
  if (prim < 0 || prim >= CDEFC_PRIM__COUNT) prim = CDEFC_PRIM_VOID;
  if (CType* ct = prim == CDEFC_PRIM_VOID ? g->void_type : g->primitives[prim]) return ct;
  const PrimInfo& info = prim_table()[prim];
  Kind kind = prim == CDEFC_PRIM_VOID   ? Kind::Void
              : prim == CDEFC_PRIM_FILE ? Kind::Struct
                                        : Kind::Primitive;
  CType* ct = alloc_ctype(kind);
  if (!ct) return nullptr;
  ct->prim = static_cast<uint16_t>(prim);
  ct->flags = info.flags;
  ct->size = info.size;
  ct->align = info.align;
  set_name(ct, info.name, strlen(info.name));
  if (kind == Kind::Struct) ct->d->fields_ready = true;
  if (prim == CDEFC_PRIM_VOID)
    g->void_type = ct;
  else
    g->primitives[prim] = ct;
  return ct;
}

int primitive_by_name(std::string_view name) {
  if (name == "bool") return CDEFC_PRIM_BOOL;
  const PrimInfo* t = prim_table();
  for (int i = 0; i < CDEFC_PRIM__COUNT; ++i)
    if (name == t[i].name) return i;
  return -1;
}

CType* pointer_to(CType* t) {
  if (t->d->pointer) return t->d->pointer;
  CType* ct = alloc_ctype(Kind::Pointer);
  if (!ct) return nullptr;
  Py_INCREF(t);
  ct->item = t;
  ct->size = sizeof(void*);
  ct->align = alignof(void*);
  if (t->kind == Kind::Void) ct->flags |= kVoidPtr;
  if (t->kind == Kind::Primitive && t->prim == CDEFC_PRIM_CHAR) ct->flags |= kCharPtr;
  if (t->kind == Kind::Void ||
      (t->kind == Kind::Primitive && t->size == 1 && (t->flags & (kChar | kSigned | kUnsigned))))
    ct->flags |= kSmallItem;
  bool parens = t->kind == Kind::Array;
  set_name(ct, insert_at(t, parens ? "(*)" : " *"), t->d->name_pos + 2);
  t->d->pointer = ct;
  return ct;
}

CType* array_of(CType* t, Py_ssize_t length) {
  auto it = t->d->arrays.find(length);
  if (it != t->d->arrays.end()) return it->second;
  if (t->size < 0) {
    PyErr_Format(PyExc_ValueError, "array item of unknown size: '%s'", cname(t));
    return nullptr;
  }
  if (length >= 0 && t->size > 0 && length > PY_SSIZE_T_MAX / t->size) {
    PyErr_SetString(PyExc_OverflowError, "array size would overflow a Py_ssize_t");
    return nullptr;
  }
  CType* ct = alloc_ctype(Kind::Array);
  if (!ct) return nullptr;
  Py_INCREF(t);
  ct->item = t;
  ct->length = length;
  ct->size = length < 0 ? -1 : length * t->size;
  ct->align = t->align;
  std::string brackets = length < 0 ? "[]" : "[" + std::to_string(length) + "]";
  set_name(ct, insert_at(t, brackets), t->d->name_pos);
  t->d->arrays.emplace(length, ct);
  return ct;
}

CType* function_type(CType* result, const std::vector<CType*>& args, bool variadic) {
  PyObject* key = PyTuple_New(static_cast<Py_ssize_t>(args.size() + 2));
  if (!key) return nullptr;
  Py_INCREF(result);
  PyTuple_SetItem(key, 0, reinterpret_cast<PyObject*>(result));
  for (size_t i = 0; i < args.size(); ++i) {
    Py_INCREF(args[i]);
    PyTuple_SetItem(key, static_cast<Py_ssize_t>(i + 1), reinterpret_cast<PyObject*>(args[i]));
  }
  PyTuple_SetItem(key, static_cast<Py_ssize_t>(args.size() + 1), PyBool_FromLong(variadic));
  PyObject* found = PyDict_GetItemWithError(g->function_types, key);
  if (found || PyErr_Occurred()) {
    Py_DECREF(key);
    return reinterpret_cast<CType*>(found);
  }
  // Structs/unions by value need their layout (libffi's description of the call), as in CFFI:
  // a wrong one makes the function type an ffi.error, each time it is asked for.
  bool usable = check_layout(result);
  for (size_t i = 0; usable && i < args.size(); ++i) usable = check_layout(args[i]);
  if (!usable) {
    Py_DECREF(key);
    return nullptr;
  }
  CType* ct = alloc_ctype(Kind::Function);
  if (!ct) {
    Py_DECREF(key);
    return nullptr;
  }
  ct->size = sizeof(void (*)());
  ct->align = alignof(void (*)());
  ct->d->result = result;
  ct->d->args = args;
  ct->d->variadic = variadic;
  Py_INCREF(result);
  for (CType* a : args) Py_INCREF(a);
  std::string params;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) params += ", ";
    params += cname(args[i]);
  }
  if (variadic) params += args.empty() ? "..." : ", ...";
  set_name(ct, insert_at(result, "(*)(" + params + ")"), result->d->name_pos + 2);
  int rc = PyDict_SetItem(g->function_types, key, reinterpret_cast<PyObject*>(ct));
  Py_DECREF(key);
  Py_DECREF(ct);  // the dict keeps it
  return rc < 0 ? nullptr : ct;
}

CType* new_record_ctype(cdefc_context* ctx, uint32_t index, const cdefc_record& rec) {
  CType* ct = alloc_ctype((rec.flags & CDEFC_RECORD_UNION) ? Kind::Union : Kind::Struct);
  if (!ct) return nullptr;
  if (rec.flags & CDEFC_RECORD_OPAQUE) {
    ct->flags |= kOpaque;
    ct->d->fields_ready = true;
  } else {
    // C's size and alignment: arrays of it and pointer arithmetic use them even when the
    // cdef's layout is wrong (`error`), as in CFFI.
    ct->size = static_cast<Py_ssize_t>(rec.size);
    ct->align = static_cast<Py_ssize_t>(rec.align);
    ct->d->error = rec.error;
  }
  const char* name = rec.name ? rec.name : "struct $anonymous";
  set_name(ct, name, strlen(name));
  ct->d->ctx = ctx;
  ct->d->record = index;
  return ct;
}

CType* new_enum_ctype(const cdefc_module_def* def, const cdefc_enum& en) {
  CType* base = primitive_ctype(en.primitive);
  if (!base) return nullptr;
  CType* ct = alloc_ctype(Kind::Enum);
  if (!ct) return nullptr;
  ct->prim = base->prim;
  ct->flags = base->flags & (kSigned | kUnsigned);
  ct->size = base->size;
  ct->align = base->align;
  const char* name = en.name ? en.name : "enum $anonymous";
  set_name(ct, name, strlen(name));
  for (uint32_t i = 0; i < en.num_values; ++i) {
    const cdefc_enumerator& e = def->enumerators[en.first_value + i];
    ct->d->enumerators.emplace_back(e.name, e.value);
  }
  return ct;
}

/// How deep structs/unions held by value may nest.
constexpr int kMaxRecordNesting = 500;

bool realize_fields(CType* ct) {
  CTypeDetail* d = ct->d;
  if (d->fields_ready) return true;
  // A wrong exact layout raises at every use and never gets fields, as in CFFI.
  if (d->error) {
    raise_ffi_error(d->error);
    return false;
  }
  // Records held by value are realized first (below): a bound on that recursion, which only
  // tables where a record holds itself could reach.
  static int depth = 0;  // the GIL protects it
  if (depth >= kMaxRecordNesting) {
    PyErr_Format(PyExc_SystemError, "cdefc: '%s' is nested too deeply", cname(ct));
    return false;
  }
  const cdefc_module_def* def = ctx_def(d->ctx);
  const cdefc_record& rec = def->records[d->record];
  PyObject* index = PyDict_New();
  if (!index) return false;
  std::vector<FieldInfo> fields;
  auto drop = [&]() {
    for (FieldInfo& done : fields) {
      Py_DECREF(done.name);
      Py_DECREF(done.type);
    }
    Py_DECREF(index);
  };
  ++depth;
  for (uint32_t i = 0; i < rec.num_fields; ++i) {
    const cdefc_field& f = def->fields[rec.first_field + i];
    FieldInfo fi;
    fi.type = ctx_type(d->ctx, f.type);
    // A struct/union held by value (or in an array) must have a usable layout itself: its
    // ffi.error is this record's too, as in CFFI.
    if (!fi.type || !check_layout(fi.type)) {
      --depth;
      drop();
      return false;
    }
    fi.name = PyUnicode_InternFromString(f.name ? f.name : "");
    PyObject* pos = fi.name ? PyLong_FromSize_t(fields.size()) : nullptr;
    if (!pos || PyDict_SetItem(index, fi.name, pos) < 0) {
      Py_XDECREF(pos);
      Py_XDECREF(fi.name);
      --depth;
      drop();
      return false;
    }
    Py_DECREF(pos);
    Py_INCREF(fi.type);
    fi.offset = static_cast<Py_ssize_t>(f.offset);
    if (f.bit_width >= 0) {
      // As CFFI shows them: the offset of the field's storage unit, and the shift in it.
      size_t unit = fi.type->size > 0 ? static_cast<size_t>(fi.type->size) : 1;
      size_t unit_offset = f.bit_offset / (8 * unit) * unit;
      fi.offset = static_cast<Py_ssize_t>(unit_offset);
      fi.bitsize = f.bit_width;
      fi.bitshift = static_cast<int>(f.bit_offset - unit_offset * 8);
    }
    fields.push_back(fi);
  }
  --depth;
  if (d->fields_ready) {
    // Realized meanwhile (an allocation above ran Python code that got here first): keep
    // theirs, whose FieldInfo pointers may already be in use.
    drop();
    return true;
  }
  d->fields = std::move(fields);
  d->field_index = index;
  d->fields_ready = true;
  return true;
}

bool check_layout(CType* ct) {
  while (ct->kind == Kind::Array) ct = ct->item;
  return !is_record(ct) || ct->d->fields_ready || realize_fields(ct);
}

const FieldInfo* find_field(CType* ct, PyObject* name) {
  // Attribute names in code are interned, as the fields' names are: a pointer comparison
  // finds the field of a small struct faster than the dict.
  if (ct->d->fields.size() <= 16)
    for (const FieldInfo& f : ct->d->fields)
      if (f.name == name) return &f;
  if (!ct->d->field_index) return nullptr;
  PyObject* pos = PyDict_GetItemWithError(ct->d->field_index, name);
  if (!pos) return nullptr;
  return &ct->d->fields[PyLong_AsSize_t(pos)];
}

}  // namespace cdefc::rt
