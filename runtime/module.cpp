// Module import: joins (or creates) the internals shared by every module of this runtime ABI,
// builds a module's context (its tables, their ctypes, the type-name grammar) and `ffi`/`lib`.
#include <cstring>
#include <iterator>

#include "cdef/parser.h"
#include "internal.h"

namespace cdefc::rt {

Internals* g = nullptr;
PyObject* small_ints[kSmallIntCount] = {};

namespace {

// What the shared internals' layout depends on besides kInternalsVersion: the shared type
// objects' details hold C++ standard-library objects (vectors, strings), whose layout belongs
// to the compiler family, the standard library and its ABI (as nanobind keys its internals).
#define CDEFC_STR2(x) #x
#define CDEFC_STR(x) CDEFC_STR2(x)
#if defined(__clang__)
#define CDEFC_COMPILER "_clang"
#elif defined(__GNUC__)
#define CDEFC_COMPILER "_gcc"
#else
#define CDEFC_COMPILER "_cc"
#endif
#if defined(_LIBCPP_VERSION)
#define CDEFC_STDLIB "_libcpp" CDEFC_STR(_LIBCPP_ABI_VERSION)
#elif defined(__GLIBCXX__)
#define CDEFC_STDLIB "_libstdcpp_cxx11abi" CDEFC_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define CDEFC_STDLIB "_stdlib"
#endif
#if defined(__GXX_ABI_VERSION)
#define CDEFC_CXXABI "_cxxabi" CDEFC_STR(__GXX_ABI_VERSION)
#else
#define CDEFC_CXXABI ""
#endif

/// The name of the internals capsule in the builtins dict: modules whose runtimes could read
/// each other's shared state find the same one; any other keeps its own.
constexpr const char* kCapsuleKey =
    "__cdefc_internals_v" CDEFC_STR(CDEFC_INTERNALS_VERSION) CDEFC_COMPILER CDEFC_STDLIB
    CDEFC_CXXABI "__";
constexpr const char* kCapsuleName = "cdefc.internals.v" CDEFC_STR(CDEFC_INTERNALS_VERSION);

/// This copy's thread-local errno. Every copy of the runtime uses the one of the copy that
/// created the internals, so ffi.errno and the generated wrappers agree.
thread_local int t_errno = 0;
int* local_errno_slot() { return &t_errno; }
/// Invariant: written only while importing (GIL held), before any wrapper runs.
int* (*s_errno_fn)(void) = local_errno_slot;

/// The contexts of the modules this copy of the runtime initialized (normally one: the
/// module it is linked into), for names in messages. Appended to while importing (GIL held).
std::vector<cdefc_context*> s_contexts;

bool create_internals(Internals& in) {
  in.errno_slot = local_errno_slot;
  if (!init_errors(in) || !init_ctype_types(in)) return false;
  // Types must be reachable through `g` while the rest is built.
  g = &in;
  if (!init_cdata_type(in) || !init_ffi_type(in) || !init_lib_type(in) || !init_buffer_type(in))
    return false;
  CType* voidp = pointer_to(primitive_ctype(CDEFC_PRIM_VOID));
  if (!voidp) return false;
  in.null = make_pointer(voidp, nullptr, nullptr);
  in.handles = PyDict_New();
  return in.null && in.handles && init_ffi_class_attributes(in);
}

/// Fills small_ints (this copy of the runtime's).
bool take_small_ints() {
  for (int i = 0; i < kSmallIntCount; ++i)
    if (!(small_ints[i] = PyLong_FromLong(i + kSmallIntMin))) return false;
  return true;
}

/// Finds the internals of this runtime ABI in the builtins dict, or creates them.
bool join_internals() {
  if (g) return true;
  if (!take_small_ints()) return false;
  PyObject* builtins = PyImport_AddModule("builtins");  // borrowed
  if (!builtins) return false;
  PyObject* dict = PyModule_GetDict(builtins);  // borrowed
  PyObject* capsule = PyDict_GetItemString(dict, kCapsuleKey);
  if (capsule && PyCapsule_IsValid(capsule, kCapsuleName)) {
    auto* in = static_cast<Internals*>(PyCapsule_GetPointer(capsule, kCapsuleName));
    if (in && in->version == kInternalsVersion) {
      g = in;
      s_errno_fn = in->errno_slot;
      return true;
    }
  }
  auto* in = new Internals();
  if (!create_internals(*in)) {
    g = nullptr;
    return false;  // `in` leaks with its half-made types: import fails anyway
  }
  g = in;
  PyObject* cap = PyCapsule_New(in, kCapsuleName, nullptr);
  if (!cap) return false;
  int rc = PyDict_SetItemString(dict, kCapsuleKey, cap);
  Py_DECREF(cap);
  return rc == 0;
}

// ---- the declarations, names only, for the type-name grammar ----

using cdef::TypeKind;
using cdef::TypeRef;

TypeRef table_type(const cdefc_module_def* def, uint32_t index, std::vector<TypeRef>& memo,
                   int depth = 0) {
  if (index >= def->num_types || depth > 200) return nullptr;
  if (memo[index]) return memo[index];
  const cdefc_type& t = def->types[index];
  auto n = std::make_shared<cdef::Type>();
  if (t.flags & CDEFC_TYPE_CONST) n->quals = cdef::kConst;
  switch (t.kind) {
    case CDEFC_TYPE_PRIMITIVE:
      if (t.primitive == CDEFC_PRIM_VOID) {
        n->kind = TypeKind::Void;
      } else {
        n->kind = TypeKind::Primitive;
        n->name = cname(primitive_ctype(t.primitive));
      }
      break;
    case CDEFC_TYPE_POINTER:
      n->kind = TypeKind::Pointer;
      n->target = table_type(def, t.target, memo, depth + 1);
      break;
    case CDEFC_TYPE_ARRAY:
    case CDEFC_TYPE_OPEN_ARRAY:
      n->kind = TypeKind::Array;
      n->target = table_type(def, t.target, memo, depth + 1);
      n->length_kind =
          t.kind == CDEFC_TYPE_ARRAY ? cdef::ArrayLength::Known : cdef::ArrayLength::Unspecified;
      n->length = t.length;
      break;
    case CDEFC_TYPE_RECORD:
      n->kind = TypeKind::Record;
      n->index = static_cast<int>(t.target);
      break;
    case CDEFC_TYPE_ENUM:
      n->kind = TypeKind::Enum;
      n->index = static_cast<int>(t.target);
      break;
    case CDEFC_TYPE_FUNCTION:
      n->kind = TypeKind::Function;
      n->target = table_type(def, t.target, memo, depth + 1);
      n->variadic = t.flags & CDEFC_TYPE_VARIADIC;
      for (uint32_t i = 0; i < t.num_args; ++i) {
        cdef::Param p;
        p.type = table_type(def, def->args[t.first_arg + i], memo, depth + 1);
        n->params.push_back(std::move(p));
      }
      break;
    default:
      return nullptr;
  }
  memo[index] = n;
  return n;
}

/// Splits "struct point" into (tag "point", typedef ""), "foo_t" into ("", "foo_t").
void split_name(const char* name, const char* keyword, std::string& tag, std::string& td) {
  std::string n = name ? name : "";
  std::string kw = std::string(keyword) + " ";
  if (n.compare(0, kw.size(), kw) == 0)
    tag = n.substr(kw.size());
  else
    td = n;
}

std::unique_ptr<cdef::Module> build_names(const cdefc_module_def* def) {
  auto m = std::make_unique<cdef::Module>();
  for (uint32_t i = 0; i < def->num_records; ++i) {
    const cdefc_record& r = def->records[i];
    cdef::Record rec;
    rec.is_union = r.flags & CDEFC_RECORD_UNION;
    split_name(r.name, rec.is_union ? "union" : "struct", rec.tag, rec.typedef_name);
    rec.opaque = r.flags & CDEFC_RECORD_OPAQUE;
    rec.complete = !rec.opaque;
    m->records.push_back(std::move(rec));
  }
  for (uint32_t i = 0; i < def->num_enums; ++i) {
    const cdefc_enum& e = def->enums[i];
    cdef::Enum en;
    split_name(e.name, "enum", en.tag, en.typedef_name);
    en.complete = true;
    for (uint32_t v = 0; v < e.num_values; ++v) {
      cdef::Enumerator x;
      x.name = def->enumerators[e.first_value + v].name;
      x.value = def->enumerators[e.first_value + v].value;
      en.values.push_back(std::move(x));
    }
    m->enums.push_back(std::move(en));
  }
  std::vector<TypeRef> memo(def->num_types);
  for (uint32_t i = 0; i < def->num_typedefs; ++i) {
    cdef::Typedef td;
    td.name = def->typedefs[i].name;
    td.type = table_type(def, def->typedefs[i].type, memo);
    m->typedefs.push_back(std::move(td));
  }
  return m;
}

/// Index of the typedef named `name` (binary search in the sorted table), or -1.
int find_typedef(const cdefc_module_def* def, const std::string& name) {
  return find_by_name(def->typedefs, def->num_typedefs, name.c_str());
}

/// Raises and returns null (a CType*).
template <typename... A>
CType* fail(PyObject* exc, const char* fmt, A... args) {
  raise(exc, fmt, args...);
  return nullptr;
}

/// Index of the row named `name` of an unsorted module table (records, enums), or -1.
template <class Row>
int find_row(const Row* rows, uint32_t count, const char* name) {
  for (uint32_t i = 0; i < count; ++i)
    if (strcmp(rows[i].name, name) == 0) return static_cast<int>(i);
  return -1;
}

/// ffi.error for a type an included module should have and has not (it was rebuilt with
/// other declarations since this module was built).
CType* not_included(cdefc_context* ctx, const char* name) {
  return fail(g->ffi_error,
              "'%s' comes from a module that '%s' includes (ffi.include()), but none of them "
              "declares it any more: rebuild '%s'",
              name, ctx->def->module_name, ctx->def->module_name);
}

/// The ctype of the typedef `name` of a module; `is_function` tells a function type.
CType* ctx_typedef(cdefc_context* ctx, const std::string& name, bool* is_function) {
  int i = find_typedef(ctx->def, name);
  if (i < 0) return fail(g->ffi_error, "undefined type name '%s'", name.c_str());
  const cdefc_typedef& td = ctx->def->typedefs[i];
  if (td.flags & CDEFC_TYPEDEF_INCLUDED) {
    for (cdefc_context* inc : ctx->includes)
      if (find_typedef(inc->def, name) >= 0) return ctx_typedef(inc, name, is_function);
    return not_included(ctx, name.c_str());
  }
  *is_function = ctx_type_is_function(ctx, td.type);
  return ctx_type(ctx, td.type);
}

/// The context of module `name`, imported now: a cdefc module of this runtime ABI.
cdefc_context* import_included(const cdefc_module_def* def, const char* name) {
  PyObject* module = PyImport_ImportModule(name);
  if (!module) return nullptr;
  PyObject* ffi = PyObject_GetAttrString(module, "ffi");
  Py_DECREF(module);
  if (!ffi) PyErr_Clear();
  if (!ffi || !PyObject_TypeCheck(ffi, g->ffi_type)) {
    Py_XDECREF(ffi);
    PyErr_Format(PyExc_ImportError,
                 "cdefc: module '%s' includes '%s' (ffi.include()), which is not a module "
                 "built by cdefc with the same runtime ABI: build both with one cdefc",
                 def->module_name, name);
    return nullptr;
  }
  cdefc_context* ctx = reinterpret_cast<FFIObject*>(ffi)->ctx;
  Py_DECREF(ffi);  // the module stays in sys.modules; contexts are never freed
  return ctx;
}

/// The ctype of a parsed type; `is_function` tells a bare function type.
CType* from_parsed(cdefc_context* ctx, const cdef::Type* t, bool* is_function, int depth = 0) {
  *is_function = false;
  if (!t || depth > 300) {
    PyErr_SetString(g->ffi_error, "bad type");
    return nullptr;
  }
  bool fn = false;
  switch (t->kind) {
    case TypeKind::Void:
      return primitive_ctype(CDEFC_PRIM_VOID);
    case TypeKind::Primitive: {
      int p = primitive_by_name(t->name);
      if (p < 0) return fail(g->ffi_error, "unknown type '%s'", t->name.c_str());
      return primitive_ctype(p);
    }
    case TypeKind::Typedef:
      return ctx_typedef(ctx, t->name, is_function);
    case TypeKind::Record:
      return ctx_record(ctx, static_cast<uint32_t>(t->index));
    case TypeKind::Enum:
      return ctx_enum(ctx, static_cast<uint32_t>(t->index));
    case TypeKind::Pointer: {
      CType* target = from_parsed(ctx, t->target.get(), &fn, depth + 1);
      if (!target || fn) return target;  // pointer to function: the function ctype
      return pointer_to(target);
    }
    case TypeKind::Array: {
      CType* item = from_parsed(ctx, t->target.get(), &fn, depth + 1);
      if (!item) return nullptr;
      if (fn) return fail(g->ffi_error, "array of functions");
      if (t->length_kind == cdef::ArrayLength::Gap)
        return fail(g->ffi_error, "'[...]' is not allowed in a type name");
      if (t->length_kind == cdef::ArrayLength::Known && t->length > PY_SSIZE_T_MAX)
        return fail(PyExc_OverflowError, "array length too large");
      return array_of(item, t->length_kind == cdef::ArrayLength::Known
                                ? static_cast<Py_ssize_t>(t->length)
                                : -1);
    }
    case TypeKind::Function: {
      CType* result = from_parsed(ctx, t->target.get(), &fn, depth + 1);
      if (!result) return nullptr;
      std::vector<CType*> args;
      for (const cdef::Param& p : t->params) {
        CType* a = from_parsed(ctx, p.type.get(), &fn, depth + 1);
        if (!a) return nullptr;
        if (a->kind == Kind::Array) a = pointer_to(a->item);
        if (!a) return nullptr;
        args.push_back(a);
      }
      *is_function = true;
      return function_type(result, args, t->variadic);
    }
  }
  return nullptr;
}

}  // namespace

const cdefc_module_def* ctx_def(cdefc_context* ctx) { return ctx->def; }

cdefc_context* new_bare_context() {
  static const cdefc_module_def kNoDeclarations = {
      CDEFC_ABI_VERSION, "", nullptr, 0, nullptr, nullptr, 0, nullptr, nullptr, 0,
      nullptr,           nullptr, 0, nullptr, 0, nullptr, 0, CDEFC_MODULE_ABI_MODE};
  auto* ctx = new cdefc_context();
  ctx->def = &kNoDeclarations;
  ctx->parsed = PyDict_New();
  ctx->init_once = PyDict_New();
  ctx->module_name = PyUnicode_FromString("");
  if (!ctx->parsed || !ctx->init_once || !ctx->module_name) return nullptr;  // leaks: rare
  return ctx;
}
PyObject* ctx_module_name(cdefc_context* ctx) { return ctx->module_name; }

std::string enum_name_of(const char* type_name) {
  for (auto it = s_contexts.rbegin(); type_name && it != s_contexts.rend(); ++it) {
    PyObject* text = PyUnicode_FromString(type_name);
    CType* ct = text ? ctx_parse(*it, text) : nullptr;
    Py_XDECREF(text);
    if (!ct) PyErr_Clear();
    if (ct && ct->kind == Kind::Enum) return cname(ct);
  }
  return type_name && strncmp(type_name, "enum ", 5) == 0 ? type_name : "";
}

bool ctx_type_is_function(cdefc_context* ctx, uint32_t index) {
  return index < ctx->def->num_types && ctx->def->types[index].kind == CDEFC_TYPE_FUNCTION;
}

CType* ctx_type_slow(cdefc_context* ctx, uint32_t index) {
  const cdefc_module_def* def = ctx->def;
  if (index >= def->num_types) {
    PyErr_Format(PyExc_SystemError, "cdefc: type index %u out of range", index);
    return nullptr;
  }
  if (CType* ct = ctx->types[index]) return ct;
  const cdefc_type& t = def->types[index];
  CType* ct = nullptr;
  switch (t.kind) {
    case CDEFC_TYPE_PRIMITIVE:
      ct = primitive_ctype(t.primitive);
      break;
    case CDEFC_TYPE_POINTER: {
      CType* target = ctx_type(ctx, t.target);
      if (!target) return nullptr;
      ct = ctx_type_is_function(ctx, t.target) ? target : pointer_to(target);
      break;
    }
    case CDEFC_TYPE_ARRAY:
    case CDEFC_TYPE_OPEN_ARRAY: {
      CType* item = ctx_type(ctx, t.target);
      if (!item) return nullptr;
      ct = array_of(item, t.kind == CDEFC_TYPE_ARRAY ? static_cast<Py_ssize_t>(t.length) : -1);
      break;
    }
    case CDEFC_TYPE_RECORD:
      ct = ctx_record(ctx, t.target);
      break;
    case CDEFC_TYPE_ENUM:
      ct = ctx_enum(ctx, t.target);
      break;
    case CDEFC_TYPE_FUNCTION: {
      CType* result = ctx_type(ctx, t.target);
      if (!result) return nullptr;
      std::vector<CType*> args;
      for (uint32_t i = 0; i < t.num_args; ++i) {
        uint32_t ai = def->args[t.first_arg + i];
        CType* a = ctx_type(ctx, ai);
        if (!a) return nullptr;
        if (a->kind == Kind::Array) a = pointer_to(a->item);
        if (!a) return nullptr;
        args.push_back(a);
      }
      ct = function_type(result, args, t.flags & CDEFC_TYPE_VARIADIC);
      break;
    }
    default:
      PyErr_Format(PyExc_SystemError, "cdefc: bad type kind %u", t.kind);
      return nullptr;
  }
  ctx->types[index] = ct;  // borrowed: ctypes live for the whole process
  return ct;
}

CType* ctx_record(cdefc_context* ctx, uint32_t index) {
  if (index >= ctx->def->num_records) {
    PyErr_Format(PyExc_SystemError, "cdefc: record index %u out of range", index);
    return nullptr;
  }
  if (!ctx->records[index]) {
    const cdefc_record& rec = ctx->def->records[index];
    if (rec.flags & CDEFC_RECORD_INCLUDED) {
      for (cdefc_context* inc : ctx->includes) {
        int i = find_row(inc->def->records, inc->def->num_records, rec.name);
        if (i >= 0) return ctx->records[index] = ctx_record(inc, static_cast<uint32_t>(i));
      }
      return not_included(ctx, rec.name);
    }
    ctx->records[index] = new_record_ctype(ctx, index, rec);
  }
  return ctx->records[index];
}

CType* ctx_enum(cdefc_context* ctx, uint32_t index) {
  if (index >= ctx->def->num_enums) {
    PyErr_Format(PyExc_SystemError, "cdefc: enum index %u out of range", index);
    return nullptr;
  }
  if (!ctx->enums[index]) {
    const cdefc_enum& en = ctx->def->enums[index];
    if (en.flags & CDEFC_ENUM_INCLUDED) {
      for (cdefc_context* inc : ctx->includes) {
        int i = find_row(inc->def->enums, inc->def->num_enums, en.name);
        if (i >= 0) return ctx->enums[index] = ctx_enum(inc, static_cast<uint32_t>(i));
      }
      return not_included(ctx, en.name);
    }
    ctx->enums[index] = new_enum_ctype(ctx->def, en);
  }
  return ctx->enums[index];
}

PyObject* included_lib_with(cdefc_context* ctx, const char* name) {
  for (cdefc_context* inc : ctx->includes) {
    if (inc->lib && lib_find_global(inc, name) >= 0) return inc->lib;
    if (PyObject* lib = included_lib_with(inc, name)) return lib;
  }
  return nullptr;
}

namespace {
/// ctx_parse without its cache of last strings; `*is_function`: a bare function type.
CType* parse_uncached(cdefc_context* ctx, PyObject* text, bool* is_function);
}  // namespace

CType* ctx_parse(cdefc_context* ctx, PyObject* text, bool* is_function) {
  // The last type strings seen, by address (string literals are the same object each time),
  // in front of the dict of every string parsed.
  cdefc_context::ParseSeen& seen =
      ctx->parse_seen[(reinterpret_cast<uintptr_t>(text) >> 5) % std::size(ctx->parse_seen)];
  bool fn = false;
  CType* ct = nullptr;
  if (seen.text == text) {
    fn = seen.is_function;
    ct = seen.ct;
  } else {
    ct = parse_uncached(ctx, text, &fn);
    if (!ct) return nullptr;
    Py_INCREF(text);
    Py_XDECREF(seen.text);  // a str: frees nothing else
    seen = {text, ct, fn};  // ct: kept by ctx->parsed
  }
  if (fn && !is_function) {
    // "the type 'int(int)'": CFFI shows the function type, i.e. our name without "(*)".
    std::string shown = cname(ct);
    size_t p = shown.find("(*)");
    if (p != std::string::npos) shown.erase(p, 3);
    raise_ffi_error("the type '" + shown + "' is a function type, not a pointer-to-function type");
    return nullptr;
  }
  if (is_function) *is_function = fn;
  return ct;
}

namespace {
CType* parse_uncached(cdefc_context* ctx, PyObject* text, bool* is_function) {
  PyObject* hit = PyDict_GetItemWithError(ctx->parsed, text);
  if (!hit && PyErr_Occurred()) return nullptr;
  bool fn = false;
  CType* ct = nullptr;
  if (hit) {
    fn = PyTuple_Check(hit);
    ct = reinterpret_cast<CType*>(fn ? PyTuple_GetItem(hit, 0) : hit);
  } else {
    Py_ssize_t len = 0;
    const char* s = PyUnicode_AsUTF8AndSize(text, &len);
    if (!s) return nullptr;
    if (!ctx->names) ctx->names = build_names(ctx->def);
    cdef::Diagnostics diags;
    TypeRef t =
        cdef::parse_type_name(*ctx->names, std::string_view(s, static_cast<size_t>(len)), diags);
    if (!t) {
      std::string msg = "bad type name";
      unsigned column = 0;
      for (const cdef::Diagnostic& d : diags.all())
        if (d.severity == cdef::Severity::Error) {
          // CFFI's wording for unknown names, then its layout: the message, the type string,
          // a caret under the problem.
          switch (d.code) {
            case cdef::DiagCode::UnknownRecord: msg = "undefined struct/union name"; break;
            case cdef::DiagCode::UnknownEnum: msg = "undefined enum name"; break;
            case cdef::DiagCode::UnknownTypeName: msg = "undefined type name"; break;
            case cdef::DiagCode::Other: msg = d.message; break;
          }
          column = d.loc.column;
          break;
        }
      msg += "\n" + std::string(s, static_cast<size_t>(len)) + "\n";
      if (column > 0) msg += std::string(column - 1, ' ') + "^";
      raise_ffi_error(msg);
      return nullptr;
    }
    ct = from_parsed(ctx, t.get(), &fn);
    if (!ct) return nullptr;
    PyObject* value = fn ? PyTuple_Pack(1, reinterpret_cast<PyObject*>(ct))
                         : (Py_INCREF(ct), reinterpret_cast<PyObject*>(ct));
    if (!value || PyDict_SetItem(ctx->parsed, text, value) < 0) {
      Py_XDECREF(value);
      return nullptr;
    }
    Py_DECREF(value);
  }
  *is_function = fn;
  return ct;
}
}  // namespace

}  // namespace cdefc::rt

using namespace cdefc::rt;

extern "C" {

__attribute__((visibility("default"))) int* cdefc_errno_slot(void) { return s_errno_fn(); }

__attribute__((visibility("default"))) PyObject* cdefc_module_init(const cdefc_module_def* def,
                                                                   cdefc_context** out_ctx) {
  if (!def || def->abi_version != CDEFC_ABI_VERSION) {
    PyErr_Format(PyExc_ImportError,
                 "cdefc: module was generated for runtime ABI %u, this runtime has %d",
                 def ? def->abi_version : 0u, CDEFC_ABI_VERSION);
    return nullptr;
  }
  if (!join_internals()) return nullptr;
  auto* ctx = new cdefc_context();  // lives as long as the process (modules are not unloaded)
  ctx->def = def;
  ctx->types.assign(def->num_types, nullptr);
  ctx->records.assign(def->num_records, nullptr);
  ctx->enums.assign(def->num_enums, nullptr);
  ctx->parsed = PyDict_New();
  ctx->init_once = PyDict_New();
  ctx->module_name = PyUnicode_FromString(def->module_name);
  if (!ctx->parsed || !ctx->init_once || !ctx->module_name) return nullptr;
  // The included modules first, as CFFI imports them.
  for (uint32_t i = 0; i < def->num_includes; ++i) {
    cdefc_context* inc = import_included(def, def->includes[i]);
    if (!inc) return nullptr;
    ctx->includes.push_back(inc);
  }

  // Single-phase init needs a PyModuleDef that outlives the module: one per module, kept.
  auto* mdef = new PyModuleDef{PyModuleDef_HEAD_INIT,
                               def->module_name,
                               nullptr,
                               -1,
                               nullptr,
                               nullptr,
                               nullptr,
                               nullptr,
                               nullptr};
  PyObject* module = PyModule_Create(mdef);
  if (!module) return nullptr;
  PyObject* ffi = new_ffi(ctx);
  if (!ffi || PyModule_AddObject(module, "ffi", ffi) < 0) {
    Py_XDECREF(ffi);
    Py_DECREF(module);
    return nullptr;
  }
  // The ABI mode's module is `ffi` alone (ffi.dlopen() makes libs), as CFFI's.
  if (!(def->flags & CDEFC_MODULE_ABI_MODE)) {
    PyObject* lib = new_lib(ctx);
    if (!lib) {
      Py_DECREF(module);
      return nullptr;
    }
    Py_INCREF(lib);
    ctx->lib = lib;
    if (PyModule_AddObject(module, "lib", lib) < 0) {
      Py_DECREF(lib);
      Py_DECREF(module);
      return nullptr;
    }
    // `from pkg._foo.lib import f` finds the lib in sys.modules, as with CFFI.
    PyObject* modules = PyImport_GetModuleDict();  // borrowed
    PyObject* libname = PyUnicode_FromFormat("%s.lib", def->module_name);
    if (!libname || PyDict_SetItem(modules, libname, ctx->lib) < 0) {
      Py_XDECREF(libname);
      Py_DECREF(module);
      return nullptr;
    }
    Py_DECREF(libname);
  }
  s_contexts.push_back(ctx);
  if (out_ctx) *out_ctx = ctx;
  return module;
}

}  // extern "C"
