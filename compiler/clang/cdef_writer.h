// Spells Clang's declarations and types as cdef text: what a cdef can say, without the
// attributes, qualifiers and vendor keywords it cannot (for cdef_from_headers, headers.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/Lex/Preprocessor.h"

namespace cdefc::clang_bridge {

/// A type or declaration as cdef text, with what it names; `unsupported` says why no cdef
/// can say it (the text is then meaningless).
struct Spelled {
  std::string text;
  /// The canonical declarations (records, enums, typedefs) the text names: the cdef must
  /// have them too.
  std::vector<const clang::Decl*> uses;
  std::string unsupported;
  /// Members left out of a struct or union body, each with why (the body ends with `...;`).
  std::vector<std::string> dropped;
  /// A struct or union body written here is partial (`...;`): so is any struct holding it.
  bool partial = false;
};

/// Writes cdef text for the declarations of one parsed translation unit.
class CdefWriter {
 public:
  /// `pp` (after the parse) tells which names are macros.
  CdefWriter(clang::ASTContext& ctx, clang::Preprocessor& pp) : ctx_(ctx), pp_(pp) {}

  /// `t` declaring `declarator` ("" for a type name), C's way: type(int *[4], "a") is
  /// "int *a[4]".
  Spelled type(clang::QualType t, const std::string& declarator);

  /// The declaration `d` (function, variable, typedef, struct, union or enum) as one cdef
  /// declaration ending in ";\n"; a struct or union C only declares is `struct s;`.
  Spelled declaration(const clang::Decl* d);

  /// A typedef the cdef writes out rather than naming: a reserved name (`__uint32_t`,
  /// `_G_fpos_t`), which is the C library's business, not the user's.
  static bool written_through(const clang::TypedefNameDecl* td);

  /// True if `name` has only ASCII letters, digits and '_': C allows more ('$', UTF-8),
  /// a cdef does not.
  static bool plain_name(const std::string& name);

  /// True for glibc's _FloatN / _FloatNx typedefs, which gcc has as types of their own.
  static bool compiler_dependent(const std::string& name);

  /// True for a typedef name the cdef language knows already (size_t, uint32_t, FILE, ...).
  static bool standard_name(const clang::TypedefNameDecl* td);

 private:
  clang::ASTContext& ctx_;
  clang::Preprocessor& pp_;
  /// False for a struct, union or enum C declares in a parameter list only.
  bool file_scope(const clang::TagDecl* tag) const;
  /// True if `name` is a macro for something else: C's uses of the name would expand it
  /// (glibc's `si_pid`).
  bool macro(const std::string& name) const;

 public:
  /// The same, for HeaderReader (false for a macro that expands to its own name).
  bool renamed_by_macro(const std::string& name) const { return macro(name); }

 private:
  /// Why each typedef met so far cannot be spelled ("" if it can).
  std::map<const clang::TypedefNameDecl*, std::string> typedef_unsupported_;
  /// The typedef being declared: its anonymous struct, union or enum is written in place.
  const clang::TypedefNameDecl* defining_ = nullptr;
  int indent_ = 0;  ///< nesting depth of record bodies being written

  void spell(clang::QualType t, std::string declarator, Spelled& out);
  /// The builtin type's cdef name, or "" when a cdef has none (__int128, _Float16, ...).
  static std::string builtin_name(const clang::BuiltinType* b);
  /// True if `t` is (through typedefs) a typedef with its own alignment attribute, which a
  /// cdef loses: the struct holding it is left to C's layout.
  static bool aligned_typedef(clang::QualType t);
  /// "struct tag { ... }" (or the body of an anonymous one), into `out`.
  void record_body(const clang::RecordDecl* rd, Spelled& out);
  void enum_body(const clang::EnumDecl* ed, Spelled& out);
  /// The parameter list "(int a, char *b)" of `fn` (names from `fd` when given).
  std::string parameters(const clang::FunctionProtoType* fn, const clang::FunctionDecl* fd,
                         Spelled& out);
};

}  // namespace cdefc::clang_bridge
