// Inside the resolver: reads Clang's answers to the probes from the parsed translation unit,
// fills the gaps of the module and reports what differs from C (records.cpp, checks.cpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cdef/decl.h"
#include "cdef/diagnostics.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/collector.h"
#include "clang/probe.h"
#include "model/model.h"

namespace cdefc::clang_bridge {

/// Reads the answers of one parsed probe translation unit. Errors are reported where the
/// module would not compile; everything else that differs from C is a warning (and, where
/// CFFI raises at first use, a lazy error recorded in the module).
class Reader {
 public:
  /// Reads answers into `model` (made by model::Module::unresolved from the parsed cdef).
  Reader(model::Module& model, clang::ASTUnit& unit, const Probes& probes,
         cdef::Diagnostics& diags, std::shared_ptr<const cdef::SourceBuffer> source);

  /// Clang's errors on the probe lines that hold one probe name.
  struct FailedProbe {
    cdef::Location loc;                ///< the owning cdef declaration
    std::vector<ClangMessage> errors;
    bool reported = false;             ///< reported, or explained by another message
  };
  /// Probe name -> Clang's errors on its line (the resolver fills it before run()).
  std::map<std::string, FailedProbe> failed;

  /// Answers and checks every declaration, then reports the probe errors nobody explained.
  void run();

 private:
  model::Module& model_;
  cdef::Module& m_;  ///< model_.decls: the declarations whose gaps are being filled
  clang::ASTUnit& unit_;
  clang::ASTContext& ctx_;
  const clang::SourceManager& sm_;
  const Probes& probes_;
  cdef::Diagnostics& diags_;
  std::shared_ptr<const cdef::SourceBuffer> source_;
  std::unique_ptr<clang::PrintingPolicy> policy_;
  /// The C source's named declarations (not the probes'), for suggestion(); made on first use.
  std::vector<const clang::NamedDecl*> real_names_;
  bool real_names_made_ = false;

  // ---- reader.cpp: look-ups, locations, probe results, type comparison ----

  /// The ordinary (non-tag) declaration of `name` at file scope, or null.
  clang::NamedDecl* lookup(const std::string& name);
  template <class T>
  T* lookup_as(const std::string& name) {
    return llvm::dyn_cast_or_null<T>(lookup(name));
  }
  /// The macro `name` defines at the end of the translation unit, or null.
  const clang::MacroInfo* macro(const std::string& name);
  /// Where C declares `name`: its macro, else its declaration (invalid if neither).
  clang::SourceLocation declared_at(const std::string& name);

  /// True if probe `name` was written and Clang reported errors on it.
  bool probe_failed(const std::string& name) const;
  /// Reports Clang's errors on probe `name` at `loc` (once); returns true if there were any.
  bool report_probe_errors(const std::string& name, const cdef::Location& loc);
  /// Marks probe `name`'s errors as explained by another message.
  void explain(const std::string& name);
  /// The type a probe typedef names, or a null type when the probe failed.
  clang::QualType probe_type(const std::string& name);
  /// The body expression of a probe function `static void f(void) { (void)(E); }` (or of
  /// `{ T v = (E); ... }`), or null.
  const clang::Expr* probe_expression(const std::string& name);

  /// "did you mean 'x'?" for a declared name of kind T close to `name`, else "".
  template <class T>
  std::string suggestion(const std::string& name, clang::SourceLocation* where_out);
  /// A name the C source lacks: an error at the cdef, with a note at the closest real name
  /// if there is one, else at the set_source() text.
  template <class T>
  void missing(const cdef::Location& cdef_loc, const std::string& what, const std::string& name);

  /// The cdef-facing location of a real declaration.
  cdef::Location real_location(clang::SourceLocation sl);
  /// "foo.h:12", or "the C source".
  std::string where(clang::SourceLocation sl);
  std::string spell(clang::QualType t);

  /// An error at the cdef location with a note at the real declaration.
  void mismatch(const cdef::Location& cdef_loc, const std::string& message,
                clang::SourceLocation real, const std::string& note = "declared here");
  /// The same as a warning (what C accepts, or what CFFI only finds at first use).
  void differs(const cdef::Location& cdef_loc, const std::string& message,
               clang::SourceLocation real, const std::string& note = "declared here");

  /// Same type, ignoring cv-qualifiers at the top level only.
  bool same_type(clang::QualType a, clang::QualType b, bool ignore_inner_quals = false);
  /// Integers (or enums) of the same size and signedness.
  bool same_integer(clang::QualType a, clang::QualType b);
  /// What C takes without a word: the same type up to top-level qualifiers, or integers of
  /// the same size and signedness (an enum and its integer type).
  bool equivalent(clang::QualType cdef_type, clang::QualType real);
  /// A value of type `from` passed where C wants `to` without a word from the C compiler:
  /// equivalent types, or a pointer conversion C makes silently (to or from `void *`, or
  /// adding qualifiers to the pointee).
  bool converts_silently(clang::QualType from, clang::QualType to);

  /// Walks the array layers of cdef type `t` against real type `real`: fills '[...]'
  /// lengths and takes C's length where the cdef gives another one (`*length_differs`).
  /// Null (after an error) when a gap asks for a length C does not have; `*real_leaf` gets
  /// the real element type. A real type that is not an array leaves `t` as it is.
  cdef::TypeRef fill_arrays(const cdef::TypeRef& t, clang::QualType real, const cdef::Location& loc,
                            const std::string& what, clang::SourceLocation real_loc,
                            clang::QualType* real_leaf, bool* length_differs);

  // ---- records.cpp ----

  /// Lays out record `i` from C and checks its fields; an exact record whose layout is not
  /// C's gets CFFI's lazy error and a warning.
  void record(size_t i);
  /// Lays out record `ri`'s fields from `def`, whose start is at `base_bits` in the outermost
  /// record; `mirror` (exact records) is the cdef's own layout; fills `lazy` (first only).
  void fields(size_t ri, const clang::RecordDecl* def, uint64_t base_bits,
              const clang::RecordDecl* mirror, const std::string& name, std::string& lazy);
  /// Compares exact record `ri`'s own layout (`mirror`) with C's; fills `lazy`.
  void exact_layout(size_t ri, const clang::RecordDecl* def, const clang::RecordDecl* mirror,
                    const std::string& name, std::string& lazy);

  // ---- checks.cpp ----

  void enumeration(size_t i);
  void typedef_decl(size_t i);
  void function(size_t i);
  /// What Clang knows of function i's body, when it sees one (body.cpp).
  void body(size_t i, const clang::FunctionDecl* fd);
  void variable(size_t i);
  void constant(size_t i);
  /// The value of a static const's initializer, when Clang can fold it.
  cdef::ConstantValue static_value(const clang::Expr* init);
  /// The signature differences of a C function type from the cdef's, one message each;
  /// marks the pointer arguments the module must pass as `void *`.
  std::vector<std::pair<std::string, clang::SourceLocation>> signature_differences(
      size_t fi, const clang::FunctionProtoType* cdef_fn,
      const clang::FunctionProtoType* real_fn, const clang::FunctionDecl* fd,
      clang::SourceLocation rl);
};

}  // namespace cdefc::clang_bridge
