// The declarations a cdef describes: types, records, enums, functions, globals, constants,
// with explicit gap markers for every '...' and a source location on every node.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdef/location.h"

namespace cdefc::cdef {

/// Type qualifiers, as a bit set.
enum Qualifier : unsigned { kNone = 0, kConst = 1, kVolatile = 2, kRestrict = 4 };

/// What a Type node is.
enum class TypeKind {
  Void,       ///< void
  Primitive,  ///< a C arithmetic type or a standard typedef name (int, size_t, FILE, ...)
  Typedef,    ///< a name declared by a cdef typedef
  Record,     ///< struct or union, by index into Module::records
  Enum,       ///< enum, by index into Module::enums
  Pointer,    ///< pointer to `target`
  Array,      ///< array of `target`
  Function,   ///< function type: `target` is the result
};

/// How an array's length is given.
enum class ArrayLength {
  Known,        ///< [N]: `length` holds N
  Unspecified,  ///< []: not known to the C compiler either
  Gap,          ///< [...]: answered by Clang
};

struct Type;
/// Types are immutable and shared.
using TypeRef = std::shared_ptr<const Type>;

/// A parameter of a function type.
struct Param {
  std::string name;  ///< may be empty
  TypeRef type;
  Location loc;
};

/// One node of a C type.
struct Type {
  TypeKind kind = TypeKind::Void;
  unsigned quals = kNone;         ///< qualifiers on this node
  std::string name;               ///< Primitive: canonical name; Typedef: the name
  int index = -1;                 ///< Record / Enum: index into the module's vector
  TypeRef target;                 ///< Pointer: pointee; Array: element; Function: result
  ArrayLength length_kind = ArrayLength::Known;  ///< Array only
  uint64_t length = 0;            ///< Array with Known length (or resolved Gap)
  std::vector<Param> params;      ///< Function only
  bool variadic = false;          ///< Function only
};

/// A struct or union field (or an anonymous nested member, which has an empty name).
struct Field {
  std::string name;
  TypeRef type;
  int bit_width = -1;  ///< -1 when not a bitfield
  Location loc;
  std::string alignas_text;  ///< the argument of _Alignas(...) as written, "" when none
};

/// A struct or union, named (`struct tag`) or anonymous.
struct Record {
  bool is_union = false;
  std::string tag;           ///< empty for an anonymous record
  std::string typedef_name;  ///< first typedef naming an anonymous or opaque record
  Location loc;
  bool complete = false;     ///< a body was given
  bool partial = false;      ///< body ends with '...;'
  bool opaque = false;       ///< declared by 'typedef ... t' / 'typedef ... *t_p'
  bool packed = false;       ///< cdef(packed=True)
  int pack = 0;              ///< cdef(pack=N), 0 when not given
  bool included = false;     ///< declared by a module of ffi.include(), which owns it
  std::vector<Field> fields;
};

/// One enumerator; `gap` is true for `NAME=...`.
struct Enumerator {
  std::string name;
  bool gap = false;
  int64_t value = 0;  ///< the cdef's value (C's in a resolved model::Module)
  Location loc;
};

/// An enum, named or anonymous.
struct Enum {
  std::string tag;  ///< empty for anonymous
  std::string typedef_name;
  Location loc;
  bool complete = false;
  bool partial = false;   ///< trailing '...'
  bool included = false;  ///< declared by a module of ffi.include(), which owns it
  std::vector<Enumerator> values;
};

/// The gap a typedef declares, if any.
enum class TypedefGap {
  None,     ///< exact: `typedef T name;`
  Integer,  ///< typedef int... name;
  Float,    ///< typedef float... name;
  Opaque,   ///< typedef ... name;  or  typedef ... *name;
};

/// typedef T name;
struct Typedef {
  std::string name;
  TypeRef type;  ///< Integer/Float gaps: C's primitive type in a resolved model::Module
  TypedefGap gap = TypedefGap::None;
  Location loc;
  bool included = false;  ///< declared by a module of ffi.include(), which owns it
};

/// How a function is defined.
enum class Linkage {
  C,             ///< an ordinary C function
  Python,        ///< extern "Python": implemented in Python, callable from C
  PythonPlusC,   ///< extern "Python+C": as above, and also visible to other C files
};

/// A function declared in the cdef.
struct Function {
  std::string name;
  TypeRef type;  ///< kind Function
  Linkage linkage = Linkage::C;
  Location loc;
  bool included = false;  ///< declared by a module of ffi.include(), which owns it
};

/// A global variable (possibly const, possibly an array).
struct Variable {
  std::string name;
  TypeRef type;
  Location loc;
  bool included = false;  ///< declared by a module of ffi.include(), which owns it
};

/// What a constant is and how it was declared.
enum class ConstantKind {
  Define,     ///< #define NAME <integer literal>
  DefineGap,  ///< #define NAME ...
  Static,     ///< static const T NAME;
};

/// The value of a constant, once known.
struct ConstantValue {
  enum Kind { None, Int, Float, String } kind = None;
  int64_t int_value = 0;
  bool is_unsigned = false;  ///< int_value holds a uint64_t
  double float_value = 0;
  std::string string_value;
  bool is_constant_expression = true;  ///< Int: C accepts it in a static assert
};

/// A named constant: #define or static const.
struct Constant {
  std::string name;
  ConstantKind kind = ConstantKind::Define;
  TypeRef type;  ///< Static only
  ConstantValue value;
  Location loc;
  bool included = false;  ///< declared by a module of ffi.include(), which owns it
};

/// Every declaration, in cdef order, by kind and index.
struct DeclRef {
  enum Kind { Record, Enum, Typedef, Function, Variable, Constant } kind;
  int index;
};

/// The declarations of one module (all cdef() calls together).
struct Module {
  std::vector<Record> records;
  std::vector<Enum> enums;
  std::vector<Typedef> typedefs;
  std::vector<Function> functions;
  std::vector<Variable> variables;
  std::vector<Constant> constants;
  std::vector<DeclRef> order;  ///< declaration order across all kinds

  /// Index of the record with this tag (and kind), or -1.
  int find_record(const std::string& tag, bool is_union) const;
  /// Index of the enum with this tag, or -1.
  int find_enum(const std::string& tag) const;
  /// Index of the typedef with this name, or -1.
  int find_typedef(const std::string& name) const;
};

/// Names of the standard types a cdef may use without declaring them (seed 002).
bool is_standard_type_name(const std::string& name);

/// The C spelling of `t`, with `declarator` (a name, or empty) placed where C wants it:
/// c_type_string(int*[4], "a") == "int *a[4]".
std::string c_type_string(const Module& m, const TypeRef& t, const std::string& declarator = "");

/// The C body of a struct or union as the cdef declares it, without braces: each field
/// `type name[ : width];`, anonymous nested records written inline ("int x; union { ... }; ").
std::string c_record_body(const Module& m, const Record& r);

}  // namespace cdefc::cdef
