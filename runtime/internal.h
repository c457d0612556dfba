// The runtime's shared declarations: Python object layouts (CType, CData), the per-process
// internals shared by every module of this runtime ABI, and the per-module context.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

// The limited API of Python 3.11 declares these for PyObject* alone (earlier limited APIs and
// the full API cast their argument): the runtime passes its own objects (CType *,
// PyTypeObject *) through the same cast.
#if defined(Py_LIMITED_API) && Py_LIMITED_API + 0 >= 0x030b0000
#define Py_INCREF(op) Py_INCREF(_PyObject_CAST(op))
#define Py_XINCREF(op) Py_XINCREF(_PyObject_CAST(op))
#define Py_XDECREF(op) Py_XDECREF(_PyObject_CAST(op))
#define Py_TYPE(op) Py_TYPE(_PyObject_CAST(op))
#define PyObject_TypeCheck(op, type) PyObject_TypeCheck(_PyObject_CAST(op), type)
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cdefc/module.h"

/// A module's run-time state (module.h's opaque cdefc_context), defined at the end.
struct cdefc_context;

namespace cdefc::cdef {
struct Module;
struct Type;
}  // namespace cdefc::cdef

namespace cdefc::rt {

/// Version of the object layouts below (and of Internals, and of the module.h tables that
/// shared ctypes read through their module's context); part of the internals capsule's name,
/// so a module built with another layout keeps its own type objects. Bump it (and the capsule
/// name in module.cpp) with any change of a struct below or of CDEFC_ABI_VERSION.
/// Also in the capsule's key (module.cpp), hence a macro too.
#define CDEFC_INTERNALS_VERSION 4
inline constexpr int kInternalsVersion = CDEFC_INTERNALS_VERSION;

/// What a CType is, as CFFI's `ctype.kind` says it. Function is a pointer to a function
/// ("int(*)(int)"), as in CFFI: there are no ctypes of bare function types.
enum class Kind : uint8_t { Void, Primitive, Pointer, Array, Struct, Union, Enum, Function };

/// CType::flags: the class of a primitive (enums carry the flags of their integer type).
enum : uint32_t {
  kSigned = 1u << 0,      ///< signed integer (char excluded)
  kUnsigned = 1u << 1,    ///< unsigned integer (_Bool excluded)
  kChar = 1u << 2,        ///< char: bytes of length 1
  kBool = 1u << 3,        ///< _Bool
  kFloat = 1u << 4,       ///< float, double
  kLongDouble = 1u << 5,  ///< long double (stays a cdata)
  kWChar = 1u << 6,       ///< wchar_t, char16_t, char32_t: str of length 1
  kComplex = 1u << 7,     ///< float _Complex, double _Complex
  kOpaque = 1u << 8,      ///< struct/union of unknown layout (FILE, 'typedef ... t')
  kVoidPtr = 1u << 9,     ///< pointer to void
  kCharPtr = 1u << 10,    ///< pointer to char
  kSmallItem = 1u << 11,  ///< pointer to void or to a 1-byte char/int: takes bytes arguments
};

struct CType;

/// One field of a struct or union (anonymous members already flattened by the tables).
struct FieldInfo {
  PyObject* name = nullptr;  ///< interned str (strong)
  CType* type = nullptr;     ///< strong
  Py_ssize_t offset = 0;     ///< byte offset
  int bitshift = -1;         ///< bits from `offset`, -1 when not a bitfield
  int bitsize = -1;          ///< width, -1 when not a bitfield
};

/// What a libffi call needs of a function type, built on the first call.
struct CallInfo;

/// The C++ part of a CType (names, fields, enumerators, function signature, caches).
/// Fields are realized and caches filled lazily, always with the GIL held; once set, an
/// entry never changes (ctypes are immutable to Python code).
struct CTypeDetail {
  std::string name;     ///< as CFFI prints it: "int *", "int(*)(int)", "int[5]"
  size_t name_pos = 0;  ///< where a declarator goes in `name` ("int(*)[5]" -> after '*')
  // Struct and union: fields are realized on first use from the module's tables.
  cdefc_context* ctx = nullptr;  ///< module that declared the record
  uint32_t record = 0;           ///< index into ctx's records table
  /// cdefc_record.error: the cdef's exact layout is not C's, so every use of the layout
  /// raises ffi.error with this message and the fields are never realized (as in CFFI).
  const char* error = nullptr;
  bool fields_ready = false;
  std::vector<FieldInfo> fields;
  PyObject* field_index = nullptr;  ///< dict: field name -> index into `fields`
  // Enum.
  std::vector<std::pair<std::string, int64_t>> enumerators;
  // Function (pointer to function).
  CType* result = nullptr;
  std::vector<CType*> args;
  bool variadic = false;
  std::unique_ptr<CallInfo> call;
  // Derived types, created on demand and kept for the life of the process.
  CType* pointer = nullptr;
  std::unordered_map<Py_ssize_t, CType*> arrays;
  CTypeDetail();  // defined where CallInfo is complete (call.cpp)
  ~CTypeDetail();
};

/// A C type (ffi.CType). CTypes are never freed: caches keep every one alive (CFFI's too).
struct CType {
  PyObject_HEAD Kind kind;
  uint16_t prim;      ///< enum cdefc_primitive for primitives and enums (their int type)
  uint32_t flags;     ///< k* flags above
  Py_ssize_t size;    ///< sizeof, or -1 when unknown (void, T[], opaque)
  Py_ssize_t align;   ///< alignof, or 0 when unknown
  CType* item;        ///< Pointer: the pointee; Array: the item (strong)
  Py_ssize_t length;  ///< Array: number of items, -1 for T[]
  CTypeDetail* d;     ///< never null
};
static_assert(sizeof(CType) == sizeof(PyObject) + 48, "CType layout is part of the internals ABI");

/// CData::flags
enum : uint32_t {
  kOwning = 1u << 0,      ///< from ffi.new(): `alloc` is freed with the object
  kReleased = 1u << 1,    ///< ffi.release() freed the memory already
  kShowOwning = 1u << 2,  ///< a struct seen through an owning pointer: repr says "owning"
  kSliced = 1u << 3,      ///< an array slice: repr says "sliced length N"
  kGC = 1u << 4,          ///< ffi.gc(): `extra` is called with `owner` (the cdata given) once,
                          ///< on deallocation or release; views keep this cdata alive
  kHandle = 1u << 5,      ///< ffi.new_handle(): `extra` is the object, listed in handles
  kCallback = 1u << 6,    ///< ffi.callback(): `alloc` is the libffi closure, `extra` the callable
  kFromBuffer = 1u << 7,  ///< ffi.from_buffer(): `extra` is the Python object, `owner` keeps it
  /// ffi.new_allocator(alloc, ...)(): always with kGC (`owner` is what alloc() returned,
  /// `extra` the free function or null); `alloc` is where the memory starts and `alloc_size`
  /// how many bytes it has. It only refines kGC (bounds, repr),
  /// so a copy of the runtime that predates it handles such cdata as ffi.gc() ones.
  kAllocator = 1u << 8,
  /// kOwning whose data is small enough to live in `storage` (after the pointer, for a
  /// pointer cdata) or after the object (kTrailingMax): no block to free. As CFFI's, whose
  /// small data follows the header.
  kInline = 1u << 9,
};


/// A C value (ffi.CData). `data` is where the value lives: `storage` for values made by
/// casts and calls, memory of `owner` for views into other cdata, or foreign memory.
///  - primitive, enum, pointer, function: the value is at `data` (ctype->size bytes);
///  - array: `data` is the first item, `length` the number of items;
///  - struct, union: `data` is the struct.
struct CData {
  PyObject_HEAD CType* ct;  ///< strong
  char* data;
  PyObject* owner;    ///< strong or null: keeps the memory under `data` alive
  Py_ssize_t length;  ///< arrays: number of items
  uint32_t flags;     ///< k* flags above
  size_t alloc_size;  ///< bytes shown as "owning N bytes"
  void* alloc;        ///< kOwning: the data (owning_block)
  PyObject* extra;    ///< kGC: the destructor (strong)
  PyObject* weakrefs;
  alignas(16) unsigned char storage[16];
};
static_assert(sizeof(CData) == sizeof(PyObject) + 96, "CData layout is part of the internals ABI");

/// Data of ffi.new() up to this size is allocated with its cdata object, after it: what
/// still fits pymalloc's largest blocks (512 bytes); bigger data is calloc'ed on its own
/// (zero pages come free).
inline constexpr size_t kTrailingMax = 512 - sizeof(CData);

/// One ffi object (per module).
struct FFIObject {
  PyObject_HEAD cdefc_context* ctx;
};
static_assert(sizeof(FFIObject) == sizeof(PyObject) + 8, "FFI layout is part of the internals ABI");

/// One lib object: the module's (one per module), or one of ffi.dlopen() (the cdef's
/// functions and globals looked up in a shared library). Its dict caches what it built.
/// Slots of LibObject::seen (a power of two).
inline constexpr int kLibSeenSlots = 64;

struct LibObject {
  PyObject_HEAD cdefc_context* ctx;
  PyObject* dict;      ///< name -> built attribute (functions, constants, const globals)
  void* handle;        ///< ffi.dlopen(): the library's handle; null for a module's lib
  PyObject* libname;   ///< ffi.dlopen(): the name repr and messages show; null for a module's
  int closed;          ///< ffi.dlclose() was called: nothing new is looked up
  /// In front of `dict`: the last attribute name objects seen (strong references) and their
  /// values (borrowed from `dict`, which never drops an entry), direct-mapped by the name's
  /// address. Code objects intern attribute names, so `lib.f` hits here without hashing.
  struct Seen {
    PyObject* name;
    PyObject* value;
  } seen[kLibSeenSlots];
};
static_assert(sizeof(LibObject) == sizeof(PyObject) + 40 + 16 * kLibSeenSlots,
              "Lib layout is part of the internals ABI");

/// An entry of ctype.fields (CFFI's CField): a snapshot of a FieldInfo.
struct CFieldObject {
  PyObject_HEAD PyObject* type;
  Py_ssize_t offset;
  int bitshift;
  int bitsize;
};
static_assert(sizeof(CFieldObject) == sizeof(PyObject) + 24,
              "CField layout is part of the internals ABI");

/// The object ffi.buffer() returns: bytes of C memory, keeping their cdata alive.
struct BufferObject {
  PyObject_HEAD PyObject* keep;  ///< the cdata (strong)
  char* data;
  Py_ssize_t size;
};
static_assert(sizeof(BufferObject) == sizeof(PyObject) + 24,
              "buffer layout is part of the internals ABI");

/// State shared by every module built with this runtime ABI, in a capsule in the builtins
/// dict (`__cdefc_internals_v4_<compiler>_<C++ library ABI>__`, module.cpp). Created by the
/// first such module; never freed.
/// Invariant: only touched with the GIL held; the type objects' slots are the code of the
/// module that created it (every copy of the runtime has the same layouts, see above).
struct Internals {
  int version = kInternalsVersion;
  PyTypeObject* ctype_type = nullptr;
  PyTypeObject* cdata_type = nullptr;
  PyTypeObject* cfield_type = nullptr;
  PyTypeObject* ffi_type = nullptr;
  PyTypeObject* lib_type = nullptr;
  PyTypeObject* buffer_type = nullptr;
  PyObject* ffi_error = nullptr;  ///< the class ffi.error
  CType* void_type = nullptr;
  CType* primitives[CDEFC_PRIM__COUNT] = {};
  PyObject* function_types = nullptr;  ///< dict: (result, args..., variadic) -> CType
  PyObject* null = nullptr;            ///< ffi.NULL
  PyObject* handles = nullptr;         ///< dict: address -> object of live ffi.new_handle()s
  int* (*errno_slot)(void) = nullptr;  ///< one thread-local errno for every module
};
// Every pointer-sized member in place (the int is padded to one): a change of the shared
// layout must change kInternalsVersion.
static_assert(sizeof(Internals) == sizeof(void*) * (13 + CDEFC_PRIM__COUNT),
              "the internals layout is shared by every module of this runtime ABI");

/// The int objects kSmallIntMin.. (references this copy of the runtime took at its first
/// module's import): reading a small value from C memory makes no call into Python.
inline constexpr int kSmallIntMin = -5, kSmallIntCount = 262;
extern PyObject* small_ints[kSmallIntCount];
/// The int object of a C integer value.
inline PyObject* int_object(long long v) {
  if (v >= kSmallIntMin && v < kSmallIntMin + kSmallIntCount) {
    PyObject* o = small_ints[v - kSmallIntMin];
    Py_INCREF(o);
    return o;
  }
  return PyLong_FromLongLong(v);
}
inline PyObject* int_object_unsigned(unsigned long long v) {
  return v < static_cast<unsigned long long>(kSmallIntMin + kSmallIntCount)
             ? int_object(static_cast<long long>(v))
             : PyLong_FromUnsignedLongLong(v);
}

/// This copy of the runtime's view of the internals (set by the first cdefc_module_init in
/// this shared object; the GIL protects it).
extern Internals* g;

/// Temporaries of one call (the module.h frame).
using Frame = cdefc_frame;

// ---- module.cpp: contexts ----

/// The ctype of the module's types[index] (functions become pointers to functions); inline
/// when already built (below), else made by ctx_type_slow.
inline CType* ctx_type(cdefc_context* ctx, uint32_t index);
CType* ctx_type_slow(cdefc_context* ctx, uint32_t index);
/// Whether types[index] is a function type (not a pointer to one).
bool ctx_type_is_function(cdefc_context* ctx, uint32_t index);
/// The ctype of records[index] / enums[index] (an INCLUDED one is the included module's).
CType* ctx_record(cdefc_context* ctx, uint32_t index);
CType* ctx_enum(cdefc_context* ctx, uint32_t index);
/// The lib (borrowed) of the first module `ctx` includes (directly or through its includes)
/// whose globals table has `name`, or null (no exception set).
PyObject* included_lib_with(cdefc_context* ctx, const char* name);
/// Parses a type string ("struct foo *") against the module's declarations (cached);
/// ffi.error on a bad string. A function type ("int(int)") is an error unless
/// `is_function` is given: then it is set and the pointer-to-function type returned.
CType* ctx_parse(cdefc_context* ctx, PyObject* text, bool* is_function = nullptr);
/// The module's definition tables.
const cdefc_module_def* ctx_def(cdefc_context* ctx);
/// A context without declarations (type(ffi)()): kept for the life of the process, as the
/// libs its ffi.dlopen() makes point at it.
cdefc_context* new_bare_context();
/// The module's dotted name as a str (borrowed).
PyObject* ctx_module_name(cdefc_context* ctx);
/// The CFFI name ("enum color", "td_enum_t") of the enum type that `type_name` (a C spelling
/// from generated code: "enum color", "color_t") names in a module initialized by this copy
/// of the runtime; "" when it names no enum. For messages only: it parses the name.
std::string enum_name_of(const char* type_name);

// ---- ctype.cpp ----

/// Creates the CType and CField type objects into `in`.
bool init_ctype_types(Internals& in);
/// The primitive ctype for a cdefc_primitive (borrowed; CDEFC_PRIM_VOID gives void).
CType* primitive_ctype(int prim);
/// The primitive whose CFFI name is `name` ("unsigned int", "size_t"), or -1.
int primitive_by_name(std::string_view name);
/// T * (borrowed, cached on T).
CType* pointer_to(CType* t);
/// T[length], length -1 for T[] (borrowed, cached on T). Null with an exception if T has
/// no known size.
CType* array_of(CType* t, Py_ssize_t length);
/// The pointer-to-function type result(*)(args) (borrowed, cached).
CType* function_type(CType* result, const std::vector<CType*>& args, bool variadic);
/// A new struct/union ctype for records[index] of `ctx` (fields realized later).
CType* new_record_ctype(cdefc_context* ctx, uint32_t index, const cdefc_record& rec);
/// A new enum ctype for `en`.
CType* new_enum_ctype(const cdefc_module_def* def, const cdefc_enum& en);
/// Realizes the fields of a struct/union ctype; false with an exception set: ffi.error, each
/// time, when its layout or that of a struct/union it holds by value is wrong (see
/// CTypeDetail::error).
bool realize_fields(CType* ct);
/// realize_fields() where the fields are not ready yet (the check inline: field access is hot).
inline bool fields_realized(CType* ct) { return ct->d->fields_ready || realize_fields(ct); }
/// Whether the layout of `ct` may be used where CFFI needs it (sizeof and alignof of a type,
/// ffi.new of a pointer, a struct value seen in memory, a parameter or result by value):
/// realizes the fields of a struct/union (of the items of an array); false with an exception
/// set as realize_fields. True at once for other types and realized records.
bool check_layout(CType* ct);
/// The field named `name` of a struct/union ctype, or null (no exception set).
const FieldInfo* find_field(CType* ct, PyObject* name);
/// The printed name ("int *").
inline const char* cname(const CType* ct) { return ct->d->name.c_str(); }
/// Integer kinds (signed, unsigned, enum; not char, bool).
inline bool is_integer(const CType* ct) {
  return (ct->kind == Kind::Primitive || ct->kind == Kind::Enum) &&
         (ct->flags & (kSigned | kUnsigned));
}
/// Pointers, arrays and function pointers: values compared and shown as addresses.
inline bool is_pointer_like(const CType* ct) {
  return ct->kind == Kind::Pointer || ct->kind == Kind::Array || ct->kind == Kind::Function;
}
/// char and the other one-byte integers (signed/unsigned char, int8_t, uint8_t; not _Bool):
/// arrays of them take bytes initializers and ffi.string() reads them as bytes, as in CFFI.
inline bool is_char_item(const CType* item) {
  return item->kind == Kind::Primitive && item->size == 1 &&
         (item->flags & (kChar | kSigned | kUnsigned));
}
inline bool is_record(const CType* ct) {
  return ct->kind == Kind::Struct || ct->kind == Kind::Union;
}

// ---- cdata.cpp ----

/// Creates the CData type object into `in`.
bool init_cdata_type(Internals& in);
inline bool is_cdata(PyObject* o) { return PyObject_TypeCheck(o, g->cdata_type); }
/// A zeroed cdata of `ct` whose value lives in its own storage (size <= 16).
CData* new_value_cdata(CType* ct);
/// A pointer or function cdata with value `p`; `owner` (may be null) is kept alive.
PyObject* make_pointer(CType* ct, void* p, PyObject* owner);
/// A view of memory: struct/union at `data`, or array of `length` items at `data`.
PyObject* make_view(CType* ct, char* data, PyObject* owner, Py_ssize_t length);
/// A block of `bytes` for an owning cdata (zeroed if `clear`), or null with MemoryError set.
void* owning_block(size_t bytes, bool clear);
/// Frees a block of owning_block().
void free_owning_block(void* data);
/// An owning cdata (ffi.new): `bytes` bytes, zeroed if `clear`; `ct` a pointer or array type.
CData* make_owning(CType* ct, size_t bytes, Py_ssize_t length, bool clear = true);
/// An owning copy of a struct/union value (function results): "owning N bytes".
PyObject* make_record_copy(CType* ct, const void* src);
/// The object to keep alive for views derived from `cd` (itself if it owns memory).
PyObject* owner_of(CData* cd);
/// Whether `cd` is a pointer from ffi.new() or ffi.new_allocator()(): it owns exactly one
/// item (`alloc_size` bytes), so it may only be indexed by 0, as in CFFI.
inline bool owns_one_item(const CData* cd) {
  return cd->ct->kind == Kind::Pointer && (cd->flags & (kOwning | kAllocator));
}
/// RuntimeError after ffi.release() of `cd` or of what it views; true if usable.
bool check_alive_chain(CData* cd);
inline bool check_alive(CData* cd) {
  // Most cdata own their memory or view foreign memory: nothing to follow (inline: hot).
  return (!(cd->flags & kReleased) && !cd->owner) || check_alive_chain(cd);
}
/// The address a pointer-like cdata holds: a pointer's value, an array's first item.
inline char* cdata_address(CData* cd) {
  return cd->ct->kind == Kind::Array ? cd->data : *reinterpret_cast<char**>(cd->data);
}
/// The cdata's repr ("<cdata 'int *' 0x10>") as used in messages.
PyObject* cdata_repr(PyObject* self);
/// Releases the memory of an owning cdata (ffi.release, with).
int cdata_release(CData* cd);

// ---- convert.cpp ----

/// Writes Python object `o` into C memory `dst` of type `ct` (initializers, assignment).
int to_c(CType* ct, char* dst, PyObject* o);
/// Reads C memory `src` of type `ct` as a Python object; views keep `owner` alive.
PyObject* from_c(CType* ct, char* src, PyObject* owner);
/// A pointer argument: like to_c, plus bytes/str/list/tuple through temporaries in `frame`.
int pointer_argument(CType* ct, PyObject* o, void** out, Frame* frame);
/// Integer conversion: value of `o` as long long / unsigned long long, with CFFI's range
/// checks for an integer of `size` bytes; `name` is the type shown in OverflowError.
int integer_from_object(PyObject* o, bool is_signed, size_t size, const char* name,
                        long long* out_signed, unsigned long long* out_unsigned);
/// `base + i * size` as the machine computes it (wrapping): C leaves a NULL base or an address
/// outside any object undefined, and CFFI's pointer arithmetic allows both.
inline char* offset_address(char* base, Py_ssize_t i, Py_ssize_t size) {
  return reinterpret_cast<char*>(reinterpret_cast<uintptr_t>(base) +
                                 static_cast<uintptr_t>(i) * static_cast<uintptr_t>(size));
}

/// Reads/writes an integer of `size` bytes (reads inline: item and field reads are hot).
template <class T>
inline T load_unaligned(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline long long read_signed(const char* p, Py_ssize_t size) {
  switch (size) {
    case 1: return load_unaligned<int8_t>(p);
    case 2: return load_unaligned<int16_t>(p);
    case 4: return load_unaligned<int32_t>(p);
    default: return load_unaligned<int64_t>(p);
  }
}
inline unsigned long long read_unsigned(const char* p, Py_ssize_t size) {
  switch (size) {
    case 1: return load_unaligned<uint8_t>(p);
    case 2: return load_unaligned<uint16_t>(p);
    case 4: return load_unaligned<uint32_t>(p);
    default: return load_unaligned<uint64_t>(p);
  }
}
inline void write_integer(char* p, Py_ssize_t size, unsigned long long bits) {
  switch (size) {
    case 1: { uint8_t v = static_cast<uint8_t>(bits); std::memcpy(p, &v, 1); break; }
    case 2: { uint16_t v = static_cast<uint16_t>(bits); std::memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = static_cast<uint32_t>(bits); std::memcpy(p, &v, 4); break; }
    default: { uint64_t v = bits; std::memcpy(p, &v, 8); break; }
  }
}
/// The code unit of a wchar_t/char16_t/char32_t at `p`: wchar_t is signed where C's is
/// (Linux), as in CFFI; the others are unsigned.
long long read_wchar(const CType* ct, const char* p);
/// Reads a float/double/long double as a double.
double read_float(const CType* ct, const char* p);
/// Writes a double into a float/double/long double.
void write_float(const CType* ct, char* p, double v);
/// Python value of a primitive cdata (int, float, bytes, str, bool), for comparisons.
PyObject* primitive_value(CData* cd);
/// The code units of str `s` for wchar_t/char16_t/char32_t items, as bytes.
PyObject* wide_units(PyObject* s, const CType* item);
/// Allocates `n` zeroed bytes owned by `frame` (freed by cdefc_frame_release).
void* frame_alloc(Frame* frame, size_t n);
/// Writes a struct/union from a list/tuple/dict/cdata; `flex` is how many items a trailing
/// flexible array member has room for (0 when unknown).
int record_from_object(CType* ct, char* dst, PyObject* o, Py_ssize_t flex = 0);
/// Reads / writes one field (bitfields, flexible array members included) of the struct at
/// `base`; `owner` is what keeps `base` alive, `flex` the room of a flexible array member
/// (-1 when unknown: reads give a pointer, writes may not add items).
PyObject* read_field(const FieldInfo& f, char* base, PyObject* owner, Py_ssize_t flex);
int write_field(const FieldInfo& f, char* base, PyObject* o, Py_ssize_t flex);
/// Room for items of a flexible array member `f` at `base`, known when `owner` is the
/// ffi.new() or ffi.new_allocator()() memory holding it; -1 when unknown.
Py_ssize_t flex_capacity(const FieldInfo& f, char* base, PyObject* owner);
/// How many items of a trailing flexible array member the initializer `o` of `ct` gives
/// (a list, bytes, str, or the length alone, as in CFFI); -1 with an exception when the
/// member's initializer is none of these.
Py_ssize_t flex_items(CType* ct, PyObject* o);

/// Index of the row named `name` in `rows` (module.h tables sorted by strcmp of `.name`:
/// globals, typedefs), by binary search; -1 when absent.
template <class Row>
int find_by_name(const Row* rows, uint32_t count, const char* name) {
  const Row* end = rows + count;
  const Row* it = std::lower_bound(
      rows, end, name, [](const Row& row, const char* n) { return strcmp(row.name, n) < 0; });
  return it != end && strcmp(it->name, name) == 0 ? static_cast<int>(it - rows) : -1;
}

// ---- call.cpp ----

/// Calls a function-pointer cdata through libffi.
PyObject* call_function_pointer(CData* fn, PyObject* args);
/// ffi.callback(): a function-pointer cdata of type `fn` that calls `callable`; `error` is
/// returned to C when it raises (None: zero), after `onerror` (may be None) was called.
PyObject* make_callback(CType* fn, PyObject* callable, PyObject* error, PyObject* onerror);
/// Frees the closure of a callback cdata (deallocation).
void free_callback(CData* cd);
/// ffi.def_extern(): attaches `callable` (with `error`, `onerror` as in make_callback) to
/// globals[index] of `ctx`, an extern "Python" function, replacing what was attached. 0 or -1.
int def_extern(cdefc_context* ctx, uint32_t index, PyObject* callable, PyObject* error,
               PyObject* onerror);
/// The body of cdefc_call_python for a live `ctx`: takes the GIL, calls what def_extern
/// attached to globals[index] (or prints CFFI's message when nothing is) and writes `result`.
void call_extern_python(cdefc_context* ctx, uint32_t index, void** args, void* result);

// ---- ffi.cpp / lib.cpp ----

bool init_ffi_type(Internals& in);
/// Sets the ffi type's class attributes (NULL, error, CData, CType, buffer, RTLD_*): after
/// the other types and ffi.NULL exist.
bool init_ffi_class_attributes(Internals& in);
/// ffi.buffer(cdata, size=-1) (the buffer type's constructor): a buffer over the cdata's
/// memory, keeping it alive; CFFI's exceptions.
PyObject* buffer_of(PyObject* args, PyObject* kwargs);
bool init_buffer_type(Internals& in);
/// A new ffi.buffer over `size` bytes at `data`, keeping `keep` alive.
PyObject* new_buffer(PyObject* keep, char* data, Py_ssize_t size);
/// ffi.from_buffer(): a `ct` (T[], T[N] or T *) cdata over the memory of `obj`, any object
/// with the buffer protocol (contiguous; writable if `require_writable`), which stays exported
/// (a bytearray not resizable...) until ffi.release() or the cdata's death; CFFI's exceptions.
PyObject* from_buffer(CType* ct, PyObject* obj, bool require_writable);
/// ffi.memmove(dest, src, n): operands are pointer or array cdata or objects with the buffer
/// protocol (dest writable); CFFI's exceptions, and IndexError past a known extent.
PyObject* memmove_objects(PyObject* dest, PyObject* src, Py_ssize_t n);
bool init_lib_type(Internals& in);
/// A new ffi object for a module.
PyObject* new_ffi(cdefc_context* ctx);
/// A new lib object for a module.
PyObject* new_lib(cdefc_context* ctx);
/// ffi.dlopen(name, flags): a lib over the shared library `name` (None: the program and what
/// it loaded) whose attributes are the cdef's functions and globals found there, and its
/// constants. OSError when dlopen() fails.
PyObject* dlopen_lib(cdefc_context* ctx, PyObject* name, int flags);
/// ffi.dlclose(lib): closes a lib of dlopen_lib (nothing for a module's lib). 0 or -1.
int dlclose_lib(PyObject* lib);
/// The function-pointer cdata ffi.addressof(lib, "f") gives, or a pointer to a variable.
PyObject* lib_addressof(PyObject* lib, PyObject* name);
/// Index of the lib attribute `name` in the module's sorted globals table, or -1.
int lib_find_global(cdefc_context* ctx, const char* name);
/// If `o` is a function of a cdefc lib, its ctype (borrowed) and address; else null.
CType* lib_function_of(PyObject* o, void** address);
inline bool is_lib(PyObject* o) { return PyObject_TypeCheck(o, g->lib_type); }

// ---- errors.cpp ----

/// The type name of `o` for messages: "int", "NoneType", or "cdata 'int *'" for cdata.
std::string describe(PyObject* o);
/// The plain type name of `o` ("int", "builtin_function_or_method").
std::string type_name(PyObject* o);
/// Raises `exc` with a printf-style message; returns null (for `return raise(...)`).
PyObject* raise(PyObject* exc, const char* fmt, ...);
/// Same, returning -1.
int raise_int(PyObject* exc, const char* fmt, ...);
/// Raises ffi.error.
PyObject* raise_ffi_error(const std::string& msg);
/// Reports the current exception through sys.unraisablehook with `message` as its err_msg
/// and no object ("Exception ignored from cffi callback ...", as CFFI); clears it.
void write_unraisable(const std::string& message);
/// Creates ffi.error.
bool init_errors(Internals& in);
/// A type object from a spec with the runtime's module name in __module__.
PyTypeObject* make_type(PyType_Spec* spec);

}  // namespace cdefc::rt

/// The opaque module.h context: the module's tables and the ctypes made from them.
/// Made by cdefc_module_init and kept for the life of the process (generated wrappers hold
/// it in a static); its caches are filled lazily with the GIL held.
struct cdefc_context {
  const cdefc_module_def* def = nullptr;
  std::vector<cdefc::rt::CType*> types;        ///< per types[] entry, on demand
  std::vector<cdefc::rt::CType*> records;      ///< per records[] entry, on demand
  std::vector<cdefc::rt::CType*> enums;        ///< per enums[] entry, on demand
  std::unique_ptr<cdefc::cdef::Module> names;  ///< the declarations, names only
  PyObject* parsed = nullptr;                  ///< dict: type string -> CType
  /// In front of `parsed`: the last type string objects (strong references) and their
  /// ctypes, direct-mapped by address (ctx_parse).
  struct ParseSeen {
    PyObject* text;
    cdefc::rt::CType* ct;
    bool is_function;
  } parse_seen[32] = {};
  PyObject* module_name = nullptr;             ///< str
  PyObject* lib = nullptr;                     ///< strong
  PyObject* init_once = nullptr;               ///< dict: ffi.init_once() tag -> result
  /// Per globals index: what ffi.def_extern() attached to an extern "Python" function, as
  /// (its capsule, a strong reference; the CallbackInfo inside), or nulls.
  std::vector<std::pair<PyObject*, void*>> externs;
  /// The modules of def->includes (ffi.include()), imported before this one's ffi and lib:
  /// records, enums and typedefs marked INCLUDED, and lib attributes this module lacks, are
  /// theirs, looked up by name in this order (and through their own includes).
  std::vector<cdefc_context*> includes;
  /// Name objects of global variables read before (lib attributes read live each time, never
  /// in the lib's dict) -> index in def->globals; the keys are strong references.
  std::unordered_map<PyObject*, int> global_by_name;
};

inline cdefc::rt::CType* cdefc::rt::ctx_type(cdefc_context* ctx, uint32_t index) {
  if (index < ctx->types.size())
    if (CType* ct = ctx->types[index]) return ct;
  return ctx_type_slow(ctx, index);
}
