// Inside the emitter: the type table being built (types and function arguments, interned),
// the record and enum tables' names and C spellings, and the C-writing helpers they share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cdef/decl.h"
#include "model/model.h"

namespace cdefc::emit::detail {

using Module = model::Module;  ///< the resolved module the emitter reads
using cdef::TypeRef;

// ---- C text helpers ----

/// `s` as a C string literal, quotes included.
std::string c_string(const std::string& s);
/// An integer literal of that value, valid in C and C++ (`(-9223372036854775807LL - 1)`,
/// `18446744073709551615ULL`, `-42`).
std::string int_literal(int64_t value, bool is_unsigned);

// ---- Types, as the cdef wrote them ----

/// How a value of a type crosses between Python and C in a wrapper.
enum class Conv {
  Void,        ///< no value
  Signed,      ///< cdefc_arg_signed / PyLong_FromLongLong
  Unsigned,    ///< cdefc_arg_unsigned / PyLong_FromUnsignedLongLong
  Bool,        ///< cdefc_arg_bool / PyBool_FromLong
  Char,        ///< cdefc_arg_char / cdefc_result_char
  Float,       ///< float, double: cdefc_arg_double / PyFloat_FromDouble
  LongDouble,  ///< cdefc_arg_longdouble / cdefc_result_longdouble
  Pointer,     ///< cdefc_arg_pointer / cdefc_result_pointer
  Value,       ///< struct, union and the other by-value types (wchar_t, char16_t, char32_t,
               ///< complex): cdefc_arg_record / cdefc_result_record over types[index]
  Unsupported  ///< no value of this type can be passed (FILE by value)
};

/// The type behind every typedef name of `t` (qualifiers of the outermost node kept).
TypeRef resolve_typedefs(const Module& m, const TypeRef& t);
/// `t` without qualifiers on its outermost node.
TypeRef unqualified(const TypeRef& t);
/// Pointer to `t`.
TypeRef pointer_to(const TypeRef& t);
/// The type a C local or parameter of declared type `t` has: arrays and functions decayed
/// to pointers, outermost qualifiers dropped, typedef names kept where that is possible.
TypeRef value_type(const Module& m, const TypeRef& t);
/// How a value of `t` crosses to Python (typedefs looked through).
Conv conversion(const Module& m, const TypeRef& t);
/// The C spelling of `t` with `declarator` placed where C wants it.
std::string spell(const Module& m, const TypeRef& t, const std::string& declarator = "");

// ---- The tables of include/cdefc/module.h ----

/// One row of the records table.
struct RecordRow {
  int record = -1;       ///< index into Module::records
  std::string name;      ///< cdefc_record.name
  std::string spelling;  ///< how C names the type (sizeof, offsetof); empty if it cannot
};

/// One row of the enums table.
struct EnumRow {
  int enumeration = -1;   ///< index into Module::enums
  std::string name;       ///< cdefc_enum.name
  std::string spelling;   ///< how C names the type; empty if it cannot
  std::string primitive;  ///< CDEFC_PRIM_... of the integer type that holds it
};

/// One row of the types table.
struct TypeRow {
  std::string kind;             ///< CDEFC_TYPE_...
  unsigned flags = 0;           ///< CDEFC_TYPE_CONST | CDEFC_TYPE_VARIADIC
  std::string primitive = "0";  ///< CDEFC_PRIM_... for primitives
  uint32_t target = 0;
  uint32_t first_arg = 0;
  uint32_t num_args = 0;
  uint64_t length = 0;
  std::string display;  ///< the type as CFFI would show it, for a comment
};

/// The types table (every type a declaration mentions, deduplicated, typedefs resolved,
/// qualifiers dropped), the function argument table, and the record and enum rows.
class Tables {
 public:
  explicit Tables(const Module& m);

  /// Index of `t` in the types table, adding it (and what it mentions) when new.
  /// `flags` adds CDEFC_TYPE_CONST (read-only globals).
  uint32_t type(const TypeRef& t, unsigned flags = 0);
  /// Index of a primitive type by its cdef name ("long long").
  uint32_t primitive(const std::string& name);

  /// Row of Module::records[i] in the records table, or -1 when it is not listed (anonymous
  /// struct/union members, whose fields are flattened into the enclosing record).
  int record_row(int record) const { return record_row_[static_cast<size_t>(record)]; }
  int enum_row(int enumeration) const { return enum_row_[static_cast<size_t>(enumeration)]; }

  const std::vector<TypeRow>& types() const { return types_; }
  const std::vector<uint32_t>& args() const { return args_; }
  const std::vector<RecordRow>& records() const { return records_; }
  const std::vector<EnumRow>& enums() const { return enums_; }

  /// Row `i` as CFFI shows types ("int", "struct point *", "int(*)(int, long)"), with
  /// `declarator` where C puts it ("int add(int, int)").
  std::string display(uint32_t i, const std::string& declarator = "") const {
    return declarator.empty() ? types_[i].display : display_of(i, declarator);
  }

 private:
  const Module& m_;
  std::vector<TypeRow> types_;
  std::vector<uint32_t> args_;
  std::map<std::string, uint32_t> by_key_;
  std::vector<RecordRow> records_;
  std::vector<EnumRow> enums_;
  std::vector<int> record_row_, enum_row_;

  uint32_t add(const std::string& key, TypeRow row);
  std::string display_of(uint32_t target, const std::string& inner) const;
};

}  // namespace cdefc::emit::detail
