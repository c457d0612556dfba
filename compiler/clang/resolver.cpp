// The probe translation unit: writes probes for every cdef declaration, parses once with
// Clang, then answers gaps and checks exact declarations against the real ones.
#include "clang/resolver.h"

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecordLayout.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Tooling/Tooling.h"
#include "model/prelude.h"

namespace cdefc::clang_bridge {

using namespace cdefc::cdef;
using clang::QualType;

const char* standard_prelude() { return model::kStandardPrelude; }

namespace {

constexpr const char* kProbeFile = "<cdefc probe>";

/// Strips every array layer of a cdef type (the probes name the element type only).
TypeRef strip_arrays(TypeRef t) {
  while (t && t->kind == TypeKind::Array) t = t->target;
  return t;
}

/// True if `t` mentions a record that has no name C could spell.
bool mentions_unnamed_record(const Module& m, const TypeRef& t) {
  if (!t) return false;
  if (t->kind == TypeKind::Record) {
    const Record& r = m.records[static_cast<size_t>(t->index)];
    return r.tag.empty() && (r.typedef_name.empty() || r.opaque);
  }
  if (t->kind == TypeKind::Enum) {
    const Enum& e = m.enums[static_cast<size_t>(t->index)];
    return e.tag.empty() && e.typedef_name.empty();
  }
  if (mentions_unnamed_record(m, t->target)) return true;
  for (const Param& p : t->params)
    if (mentions_unnamed_record(m, p.type)) return true;
  return false;
}

/// The generated probe text and which cdef declaration owns each probe line.
struct ProbeText {
  std::string text;
  unsigned line = 1;                   ///< presumed line (in kProbeFile) of the next line
  std::map<unsigned, Location> owner;  ///< probe line -> cdef location
  unsigned counter = 0;

  std::string fresh(const char* prefix) { return prefix + std::to_string(counter++); }

  void add(const Location& loc, const std::string& code) {
    owner[line] = loc;
    text += code;
    text += '\n';
    ++line;
  }
};

/// Probe names written for each declaration (empty when not probed).
struct Probes {
  std::vector<std::string> record_type;              ///< typedef naming the real record
  std::vector<std::string> record_mirror;            ///< struct tag of the cdef's own layout
  std::vector<std::vector<std::string>> field_type;  ///< element type of each field
  std::vector<std::string> typedef_type;
  std::vector<std::string> function_type;  ///< pointer-to-function typedef
  std::vector<std::string> variable_type;
  std::vector<std::string> constant_fn;  ///< function holding the expression
};

/// The C spelling of a struct body as the cdef declares it, nested anonymous records inline.
std::string mirror_fields(const Module& m, const Record& r) {
  std::string out;
  for (const Field& f : r.fields) {
    if (f.type->kind == TypeKind::Record && f.name.empty()) {
      const Record& inner = m.records[static_cast<size_t>(f.type->index)];
      if (inner.tag.empty()) {
        out += std::string(inner.is_union ? "union" : "struct") + " { " + mirror_fields(m, inner) +
               "}; ";
        continue;
      }
    }
    out += c_type_string(m, f.type, f.name);
    if (f.bit_width >= 0) out += " : " + std::to_string(f.bit_width);
    out += "; ";
  }
  return out;
}

bool has_gap_array(const TypeRef& t) {
  for (TypeRef p = t; p && p->kind == TypeKind::Array; p = p->target)
    if (p->length_kind == ArrayLength::Gap) return true;
  return false;
}

bool record_has_gap(const Module& m, const Record& r) {
  for (const Field& f : r.fields) {
    if (has_gap_array(f.type)) return true;
    if (f.type->kind == TypeKind::Record && f.name.empty() &&
        record_has_gap(m, m.records[static_cast<size_t>(f.type->index)]))
      return true;
  }
  return false;
}

/// Can this record be named in C (and is it one we check at top level)?
bool top_level_record(const Record& r) {
  return r.complete && !r.opaque && (!r.tag.empty() || !r.typedef_name.empty());
}

/// The record's name in messages: "struct tag" or the typedef naming it.
std::string record_c_name(const Record& r) {
  if (!r.tag.empty()) return std::string(r.is_union ? "union " : "struct ") + r.tag;
  return r.typedef_name;
}

/// The record as C can spell it; an anonymous record named only by a pointer typedef
/// (`typedef struct { ... } *foo_p;`) is `__typeof__(*(foo_p)0)`.
std::string record_c_spelling(const Module& m, const Record& r) {
  if (r.tag.empty()) {
    int t = m.find_typedef(r.typedef_name);
    if (t >= 0 && m.typedefs[static_cast<size_t>(t)].type &&
        m.typedefs[static_cast<size_t>(t)].type->kind == TypeKind::Pointer)
      return "__typeof__(*(" + r.typedef_name + ")0)";
  }
  return record_c_name(r);
}

/// `typedef struct { ... } t;`: the record's own probe already names `t`.
bool names_own_record(const Module& m, const Typedef& t) {
  if (!t.type || t.type->kind != TypeKind::Record || t.type->quals) return false;
  const Record& r = m.records[static_cast<size_t>(t.type->index)];
  return r.tag.empty() && r.typedef_name == t.name;
}

/// Writes every probe of the module.
ProbeText write_probes(const Module& m, bool cplusplus, Probes& p) {
  ProbeText out;
  p.record_type.assign(m.records.size(), "");
  p.record_mirror.assign(m.records.size(), "");
  p.field_type.assign(m.records.size(), {});
  for (size_t i = 0; i < m.records.size(); ++i) {
    const Record& r = m.records[i];
    p.field_type[i].assign(r.fields.size(), "");
    if (!r.complete) continue;
    if (top_level_record(r)) {
      p.record_type[i] = out.fresh("__cdefc_r");
      out.add(r.loc, "typedef " + record_c_spelling(m, r) + " " + p.record_type[i] + ";");
      if (!r.partial && !record_has_gap(m, r)) {
        p.record_mirror[i] = out.fresh("__cdefc_m");
        std::string body = std::string(r.is_union ? "union " : "struct ") + p.record_mirror[i] +
                           " { " + mirror_fields(m, r) + "}";
        if (r.pack > 0) {
          out.add(r.loc, "#pragma pack(push, " + std::to_string(r.pack) + ")");
          out.add(r.loc, body + ";");
          out.add(r.loc, "#pragma pack(pop)");
        } else {
          out.add(r.loc, body + (r.packed ? " __attribute__((packed));" : ";"));
        }
      }
    }
    for (size_t j = 0; j < r.fields.size(); ++j) {
      const Field& f = r.fields[j];
      TypeRef leaf = strip_arrays(f.type);
      if (mentions_unnamed_record(m, leaf)) continue;
      p.field_type[i][j] = out.fresh("__cdefc_t");
      out.add(f.loc, "typedef " + c_type_string(m, leaf, p.field_type[i][j]) + ";");
    }
  }
  p.typedef_type.assign(m.typedefs.size(), "");
  for (size_t i = 0; i < m.typedefs.size(); ++i) {
    const Typedef& t = m.typedefs[i];
    if (t.gap != TypedefGap::None || names_own_record(m, t)) continue;
    TypeRef leaf = strip_arrays(t.type);
    if (mentions_unnamed_record(m, leaf)) continue;
    p.typedef_type[i] = out.fresh("__cdefc_t");
    out.add(t.loc, "typedef " + c_type_string(m, leaf, p.typedef_type[i]) + ";");
  }
  p.function_type.assign(m.functions.size(), "");
  for (size_t i = 0; i < m.functions.size(); ++i) {
    const Function& f = m.functions[i];
    if (f.linkage != Linkage::C || mentions_unnamed_record(m, f.type)) continue;
    auto ptr = std::make_shared<Type>();
    ptr->kind = TypeKind::Pointer;
    ptr->target = f.type;
    p.function_type[i] = out.fresh("__cdefc_t");
    out.add(f.loc, "typedef " + c_type_string(m, ptr, p.function_type[i]) + ";");
  }
  p.variable_type.assign(m.variables.size(), "");
  for (size_t i = 0; i < m.variables.size(); ++i) {
    const Variable& v = m.variables[i];
    TypeRef leaf = strip_arrays(v.type);
    if (mentions_unnamed_record(m, leaf)) continue;
    p.variable_type[i] = out.fresh("__cdefc_t");
    out.add(v.loc, "typedef " + c_type_string(m, leaf, p.variable_type[i]) + ";");
  }
  p.constant_fn.assign(m.constants.size(), "");
  for (size_t i = 0; i < m.constants.size(); ++i) {
    const Constant& c = m.constants[i];
    p.constant_fn[i] = out.fresh("__cdefc_c");
    if (c.kind == ConstantKind::Static && c.type) {
      out.add(c.loc, "static void " + p.constant_fn[i] + "(void) { " +
                         c_type_string(m, c.type, "__cdefc_v") + " = (" + c.name +
                         "); (void)__cdefc_v; }");
    } else {
      out.add(c.loc, "static void " + p.constant_fn[i] + "(void) { (void)(" + c.name + "); }");
    }
  }
  (void)cplusplus;
  return out;
}

/// A Clang error, with where it happened.
struct ClangError {
  std::string message;
  std::string file;
  unsigned line = 0, column = 0;
  std::string line_text;
};

/// Collects Clang's errors instead of printing them.
class Collector : public clang::DiagnosticConsumer {
 public:
  std::vector<ClangError> errors;

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error) return;
    ClangError e;
    llvm::SmallString<256> msg;
    info.FormatDiagnostic(msg);
    e.message = std::string(msg.str());
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      const clang::SourceManager& sm = info.getSourceManager();
      clang::SourceLocation loc = sm.getFileLoc(info.getLocation());
      clang::PresumedLoc pl = sm.getPresumedLoc(loc);
      if (pl.isValid()) {
        e.file = pl.getFilename();
        e.line = pl.getLine();
        e.column = pl.getColumn();
        e.line_text = line_text(sm, loc);
      }
    }
    errors.push_back(std::move(e));
  }

  static std::string line_text(const clang::SourceManager& sm, clang::SourceLocation loc) {
    bool invalid = false;
    const char* p = sm.getCharacterData(loc, &invalid);
    if (invalid || !p) return "";
    unsigned col = sm.getSpellingColumnNumber(loc, &invalid);
    if (invalid || col == 0) return "";
    const char* begin = p - (col - 1);
    const char* end = p;
    while (*end && *end != '\n' && *end != '\r') ++end;
    return std::string(begin, end);
  }
};

/// Reads answers from the parsed probe TU and checks declarations.
class Reader {
 public:
  Reader(Module& m, clang::ASTUnit& unit, const Probes& probes, Diagnostics& diags,
         std::shared_ptr<const SourceBuffer> source)
      : m_(m),
        unit_(unit),
        ctx_(unit.getASTContext()),
        sm_(unit.getSourceManager()),
        probes_(probes),
        diags_(diags),
        source_(std::move(source)) {
    policy_ = std::make_unique<clang::PrintingPolicy>(ctx_.getLangOpts());
    policy_->SuppressTagKeyword = false;
    policy_->Bool = false;
  }

  std::set<std::string> failed;  ///< probe names whose lines had Clang errors (skip them)

  void run() {
    for (size_t i = 0; i < m_.records.size(); ++i)
      if (!probes_.record_type[i].empty()) record(i);
    for (size_t i = 0; i < m_.enums.size(); ++i) enumeration(m_.enums[i]);
    for (size_t i = 0; i < m_.typedefs.size(); ++i) typedef_decl(i);
    for (size_t i = 0; i < m_.functions.size(); ++i) function(i);
    for (size_t i = 0; i < m_.variables.size(); ++i) variable(i);
    for (size_t i = 0; i < m_.constants.size(); ++i) constant(i);
  }

 private:
  Module& m_;
  clang::ASTUnit& unit_;
  clang::ASTContext& ctx_;
  const clang::SourceManager& sm_;
  const Probes& probes_;
  Diagnostics& diags_;
  std::shared_ptr<const SourceBuffer> source_;
  std::unique_ptr<clang::PrintingPolicy> policy_;

  // ---- look-ups ----

  clang::NamedDecl* lookup(const std::string& name) {
    auto result = ctx_.getTranslationUnitDecl()->lookup(&ctx_.Idents.get(name));
    for (clang::NamedDecl* d : result)
      if (!llvm::isa<clang::TagDecl>(d)) return d;
    return nullptr;
  }

  template <class T>
  T* lookup_as(const std::string& name) {
    return llvm::dyn_cast_or_null<T>(lookup(name));
  }

  /// The type a probe typedef names, or a null type when the probe failed.
  QualType probe_type(const std::string& name) {
    if (name.empty() || failed.count(name)) return QualType();
    auto* td = lookup_as<clang::TypedefNameDecl>(name);
    return td ? td->getUnderlyingType() : QualType();
  }

  /// "did you mean 'x'?" for a declared name of kind T close to `name`, else "".
  template <class T>
  std::string suggestion(const std::string& name, clang::SourceLocation* where_out) {
    unsigned best = name.size() < 4 ? 1 : 2;
    std::string found;
    for (const clang::Decl* d : ctx_.getTranslationUnitDecl()->decls()) {
      const auto* nd = llvm::dyn_cast<T>(d);
      if (!nd || !nd->getIdentifier()) continue;
      unsigned dist = llvm::StringRef(name).edit_distance(nd->getName(), true, best);
      if (dist <= best && dist > 0 && nd->getName() != name) {
        best = dist;
        found = nd->getName().str();
        *where_out = nd->getLocation();
      }
    }
    return found;
  }

  /// A declaration the C source lacks: an error at the cdef, with a note at the closest
  /// real name if there is one, else at the set_source() text.
  template <class T>
  void missing(const Location& cdef_loc, const std::string& what, const std::string& name) {
    clang::SourceLocation near;
    std::string close = suggestion<T>(name, &near);
    Diagnostic& d =
        diags_.error(cdef_loc, what + " '" + name + "' is not declared in the C source" +
                                   (close.empty() ? "" : "; did you mean '" + close + "'?"));
    if (!close.empty()) {
      Location rl = real_location(near);
      if (rl.valid()) d.notes.push_back({Severity::Note, rl, "'" + close + "' declared here", {}});
    } else if (source_) {
      Location sl;
      sl.file = source_->name;
      sl.line = source_->first_line;
      sl.column = 1;
      sl.buffer = source_;
      d.notes.push_back({Severity::Note,
                         sl,
                         "not found in the set_source() C text or the headers it includes",
                         {}});
    }
  }

  const clang::MacroInfo* macro(const std::string& name) {
    clang::Preprocessor& pp = unit_.getPreprocessor();
    clang::IdentifierInfo* ii = pp.getIdentifierInfo(name);
    return ii ? pp.getMacroInfo(ii) : nullptr;
  }

  // ---- locations and spelling ----

  /// The cdef-facing location of a real declaration.
  Location real_location(clang::SourceLocation sl) {
    Location loc;
    if (sl.isInvalid()) return loc;
    sl = sm_.getFileLoc(sl);
    clang::PresumedLoc pl = sm_.getPresumedLoc(sl);
    if (pl.isInvalid()) return loc;
    loc.file = pl.getFilename();
    loc.line = pl.getLine();
    loc.column = pl.getColumn();
    loc.line_text = Collector::line_text(sm_, sl);
    return loc;
  }

  std::string where(clang::SourceLocation sl) {
    Location l = real_location(sl);
    return l.valid() ? l.file + ":" + std::to_string(l.line) : std::string("the C source");
  }

  std::string spell(QualType t) { return t.getAsString(*policy_); }

  /// Reports an error at the cdef location with a note at the real declaration.
  void mismatch(const Location& cdef_loc, const std::string& message, clang::SourceLocation real,
                const std::string& note = "declared here") {
    Diagnostic& d = diags_.error(cdef_loc, message);
    Location rl = real_location(real);
    if (rl.valid()) d.notes.push_back({Severity::Note, rl, note, {}});
  }

  // ---- type comparison ----

  /// Same type, ignoring cv-qualifiers at every level (CFFI's cdefs often omit const).
  bool same_type(QualType a, QualType b) {
    a = a.getCanonicalType().getUnqualifiedType();
    b = b.getCanonicalType().getUnqualifiedType();
    if (ctx_.hasSameType(a, b)) return true;
    if (a->isPointerType() && b->isPointerType())
      return same_type(a->getPointeeType(), b->getPointeeType());
    if (const auto* aa = ctx_.getAsArrayType(a))
      if (const auto* ba = ctx_.getAsArrayType(b)) {
        auto* ca = llvm::dyn_cast<clang::ConstantArrayType>(aa);
        auto* cb = llvm::dyn_cast<clang::ConstantArrayType>(ba);
        if ((ca == nullptr) != (cb == nullptr)) return false;
        if (ca && ca->getSize() != cb->getSize()) return false;
        return same_type(aa->getElementType(), ba->getElementType());
      }
    const auto* fa = a->getAs<clang::FunctionProtoType>();
    const auto* fb = b->getAs<clang::FunctionProtoType>();
    if (fa && fb) {
      if (fa->getNumParams() != fb->getNumParams() || fa->isVariadic() != fb->isVariadic())
        return false;
      if (!same_type(fa->getReturnType(), fb->getReturnType())) return false;
      for (unsigned i = 0; i < fa->getNumParams(); ++i)
        if (!same_type(fa->getParamType(i), fb->getParamType(i))) return false;
      return true;
    }
    return false;
  }

  /// Integers of the same size and signedness are interchangeable in fields and typedefs.
  bool same_integer(QualType a, QualType b) {
    a = a.getCanonicalType();
    b = b.getCanonicalType();
    if (!a->isIntegralOrEnumerationType() || !b->isIntegralOrEnumerationType()) return false;
    return ctx_.getTypeSize(a) == ctx_.getTypeSize(b) &&
           a->isSignedIntegerOrEnumerationType() == b->isSignedIntegerOrEnumerationType();
  }

  /// Walks the array layers of cdef type `t` against real type `real`: fills '[...]' lengths,
  /// checks known ones. Returns the filled type, or null after reporting a mismatch.
  TypeRef fill_arrays(const TypeRef& t, QualType real, const Location& loc, const std::string& what,
                      clang::SourceLocation real_loc, QualType* real_leaf) {
    if (!t || t->kind != TypeKind::Array) {
      *real_leaf = real;
      return t;
    }
    const clang::ArrayType* at = ctx_.getAsArrayType(real);
    if (!at) {
      mismatch(loc,
               what + " is not an array in " + where(real_loc) + " (it is '" + spell(real) + "')",
               real_loc);
      return nullptr;
    }
    auto filled = std::make_shared<Type>(*t);
    const auto* cat = llvm::dyn_cast<clang::ConstantArrayType>(at);
    if (t->length_kind == ArrayLength::Gap) {
      if (!cat) {
        mismatch(loc,
                 what + " has no known length in " + where(real_loc) +
                     "; declare it with '[]' instead of '[...]'",
                 real_loc);
        return nullptr;
      }
      filled->length_kind = ArrayLength::Known;
      filled->length = cat->getSize().getZExtValue();
    } else if (t->length_kind == ArrayLength::Known) {
      if (!cat || cat->getSize().getZExtValue() != t->length) {
        mismatch(loc,
                 what + " is '" + spell(real) + "' in " + where(real_loc) + ", cdef says length " +
                     std::to_string(t->length),
                 real_loc);
        return nullptr;
      }
    }
    filled->target = fill_arrays(t->target, at->getElementType(), loc, what, real_loc, real_leaf);
    if (!filled->target) return nullptr;
    return filled;
  }

  // ---- records ----

  /// Every named field of `rd` (flattening anonymous members), with bit offsets.
  void flatten(const clang::RecordDecl* rd, uint64_t base,
               std::vector<std::pair<const clang::FieldDecl*, uint64_t>>& out) {
    const clang::ASTRecordLayout& layout = ctx_.getASTRecordLayout(rd);
    for (const clang::FieldDecl* f : rd->fields()) {
      uint64_t off = base + layout.getFieldOffset(f->getFieldIndex());
      if (f->isAnonymousStructOrUnion()) {
        flatten(f->getType()->getAsRecordDecl()->getDefinition(), off, out);
      } else if (!f->getName().empty()) {
        out.push_back({f, off});
      }
    }
  }

  void record(size_t i) {
    Record& r = m_.records[i];
    QualType qt = probe_type(probes_.record_type[i]);
    if (qt.isNull()) return;
    const clang::RecordType* rt = qt.getCanonicalType()->getAs<clang::RecordType>();
    const std::string name = record_c_name(r);
    if (!rt) {
      diags_.error(r.loc, "'" + name + "' is not a " + (r.is_union ? "union" : "struct") +
                              " in the C source (it is '" + spell(qt) + "')");
      return;
    }
    if (rt->getDecl()->isUnion() != r.is_union) {
      mismatch(r.loc,
               "'" + name + "' is a " + (r.is_union ? "struct" : "union") + " in " +
                   where(rt->getDecl()->getLocation()) + ", cdef says " +
                   (r.is_union ? "union" : "struct"),
               rt->getDecl()->getLocation());
      return;
    }
    const clang::RecordDecl* def = rt->getDecl()->getDefinition();
    if (!def) {
      diags_.error(r.loc, "'" + name + "' is not defined in the C source (only declared)");
      return;
    }
    const clang::ASTRecordLayout& layout = ctx_.getASTRecordLayout(def);
    r.size = static_cast<uint64_t>(layout.getSize().getQuantity());
    r.align = static_cast<uint64_t>(layout.getAlignment().getQuantity());
    r.real_loc = real_location(def->getLocation());
    r.resolved = true;

    const clang::RecordDecl* mirror = nullptr;
    if (!probes_.record_mirror[i].empty() && !failed.count(probes_.record_mirror[i])) {
      for (clang::NamedDecl* d :
           ctx_.getTranslationUnitDecl()->lookup(&ctx_.Idents.get(probes_.record_mirror[i])))
        if (auto* rd = llvm::dyn_cast<clang::RecordDecl>(d)) mirror = rd->getDefinition();
    }
    fields(r, i, def, 0, mirror, name);

    if (mirror) {
      std::vector<std::pair<const clang::FieldDecl*, uint64_t>> real_fields, cdef_fields;
      flatten(def, 0, real_fields);
      flatten(mirror, 0, cdef_fields);
      std::set<std::string> declared;
      for (auto& f : cdef_fields) declared.insert(f.first->getName().str());
      for (auto& f : real_fields)
        if (!declared.count(f.first->getName().str())) {
          mismatch(r.loc,
                   "'" + name + "' has a field '" + f.first->getName().str() + "' in " +
                       where(f.first->getLocation()) +
                       " that the cdef does not declare; add '...;' to declare a "
                       "partial " +
                       (r.is_union ? "union" : "struct"),
                   f.first->getLocation());
          return;
        }
      const clang::ASTRecordLayout& ml = ctx_.getASTRecordLayout(mirror);
      uint64_t msize = static_cast<uint64_t>(ml.getSize().getQuantity());
      uint64_t malign = static_cast<uint64_t>(ml.getAlignment().getQuantity());
      if (msize != r.size)
        mismatch(r.loc,
                 "'" + name + "' has size " + std::to_string(r.size) + " in " +
                     where(def->getLocation()) + ", cdef says " + std::to_string(msize),
                 def->getLocation());
      else if (malign != r.align)
        mismatch(r.loc,
                 "'" + name + "' has alignment " + std::to_string(r.align) + " in " +
                     where(def->getLocation()) + ", cdef says " + std::to_string(malign),
                 def->getLocation());
    }
  }

  /// Finds a named field of `rd`, directly or through anonymous members; sets its bit offset.
  const clang::FieldDecl* find_field(const clang::RecordDecl* rd, const std::string& name,
                                     uint64_t& bit_offset) {
    for (clang::NamedDecl* d : rd->lookup(&ctx_.Idents.get(name))) {
      if (auto* f = llvm::dyn_cast<clang::FieldDecl>(d)) {
        bit_offset = ctx_.getFieldOffset(f);
        return f;
      }
      if (auto* f = llvm::dyn_cast<clang::IndirectFieldDecl>(d)) {
        bit_offset = ctx_.getFieldOffset(f);
        return f->getAnonField();
      }
    }
    return nullptr;
  }

  /// The first named field of a cdef record, looking into anonymous members.
  std::string first_field_name(const Record& r) {
    for (const Field& f : r.fields) {
      if (!f.name.empty()) return f.name;
      if (f.type->kind == TypeKind::Record) {
        std::string n = first_field_name(m_.records[static_cast<size_t>(f.type->index)]);
        if (!n.empty()) return n;
      }
    }
    return "";
  }

  /// Resolves and checks the fields of cdef record `ri` against real record `def`, whose
  /// start is at `base_bits` in the outermost record. `mirror` (exact records) gives the
  /// cdef's own layout to compare with.
  void fields(Record& r, size_t ri, const clang::RecordDecl* def, uint64_t base_bits,
              const clang::RecordDecl* mirror, const std::string& name) {
    for (size_t j = 0; j < r.fields.size(); ++j) {
      Field& f = r.fields[j];
      if (f.name.empty()) {
        if (f.type->kind != TypeKind::Record) continue;  // unnamed bitfield padding
        Record& inner = m_.records[static_cast<size_t>(f.type->index)];
        std::string first = first_field_name(inner);
        uint64_t off = 0;
        const clang::FieldDecl* rf = first.empty() ? nullptr : find_field(def, first, off);
        // The anonymous member of `def` that holds `first`.
        const clang::RecordDecl* inner_def = nullptr;
        uint64_t inner_off = 0;
        for (const clang::FieldDecl* cand : def->fields()) {
          if (!cand->isAnonymousStructOrUnion()) continue;
          const clang::RecordDecl* crd = cand->getType()->getAsRecordDecl()->getDefinition();
          uint64_t o = 0;
          if (rf && find_field(crd, first, o)) {
            inner_def = crd;
            inner_off = ctx_.getFieldOffset(cand);
            break;
          }
        }
        if (!inner_def) {
          diags_.error(f.loc, "no anonymous member of '" + name + "' holds field '" + first +
                                  "' in the C source");
          continue;
        }
        f.offset = (base_bits + inner_off) / 8;
        f.bit_offset = base_bits + inner_off;
        const clang::ASTRecordLayout& il = ctx_.getASTRecordLayout(inner_def);
        f.size = static_cast<uint64_t>(il.getSize().getQuantity());
        inner.size = f.size;
        inner.align = static_cast<uint64_t>(il.getAlignment().getQuantity());
        inner.resolved = true;
        inner.real_loc = real_location(inner_def->getLocation());
        fields(inner, static_cast<size_t>(f.type->index), inner_def, base_bits + inner_off, nullptr,
               name);
        continue;
      }
      uint64_t bits = 0;
      const clang::FieldDecl* rf = find_field(def, f.name, bits);
      if (!rf) {
        mismatch(
            f.loc,
            "'" + name + "' has no field named '" + f.name + "' in " + where(def->getLocation()),
            def->getLocation());
        continue;
      }
      // Offsets relative to the outermost record.
      f.bit_offset = base_bits + bits;
      f.offset = f.bit_offset / 8;
      QualType real_t = rf->getType();
      QualType real_leaf;
      std::string what = "field '" + f.name + "' of '" + name + "'";
      TypeRef filled = fill_arrays(f.type, real_t, f.loc, what, rf->getLocation(), &real_leaf);
      if (!filled) continue;
      f.type = filled;
      f.size = real_t->isIncompleteArrayType()
                   ? 0
                   : static_cast<uint64_t>(ctx_.getTypeSizeInChars(real_t).getQuantity());
      if (rf->isBitField() != (f.bit_width >= 0) ||
          (rf->isBitField() && rf->getBitWidthValue(ctx_) != static_cast<unsigned>(f.bit_width))) {
        mismatch(f.loc,
                 what + " is " +
                     (rf->isBitField()
                          ? "a bitfield of width " + std::to_string(rf->getBitWidthValue(ctx_))
                          : std::string("not a bitfield")) +
                     " in " + where(rf->getLocation()) + ", cdef says " +
                     (f.bit_width >= 0 ? "width " + std::to_string(f.bit_width)
                                       : std::string("not a bitfield")),
                 rf->getLocation());
        continue;
      }
      // A named field of an unnamed record type (`struct { int x; } pos;`): lay it out
      // from the real field's type, offsets relative to that record.
      TypeRef leaf_t = strip_arrays(f.type);
      if (leaf_t->kind == TypeKind::Record) {
        Record& inner = m_.records[static_cast<size_t>(leaf_t->index)];
        const clang::RecordType* irt = real_leaf->getAs<clang::RecordType>();
        if (inner.tag.empty() && inner.typedef_name.empty() && irt &&
            irt->getDecl()->getDefinition()) {
          const clang::RecordDecl* inner_def = irt->getDecl()->getDefinition();
          const clang::ASTRecordLayout& il = ctx_.getASTRecordLayout(inner_def);
          inner.size = static_cast<uint64_t>(il.getSize().getQuantity());
          inner.align = static_cast<uint64_t>(il.getAlignment().getQuantity());
          inner.resolved = true;
          inner.real_loc = real_location(inner_def->getLocation());
          fields(inner, static_cast<size_t>(leaf_t->index), inner_def, 0, nullptr,
                 name + "." + f.name);
        }
      }
      QualType cdef_leaf = probe_type(probes_.field_type[ri][j]);
      if (!cdef_leaf.isNull() && !same_type(cdef_leaf, real_leaf) &&
          !same_integer(cdef_leaf, real_leaf)) {
        mismatch(f.loc,
                 what + " has type '" + spell(real_t) + "' in " + where(rf->getLocation()) +
                     ", cdef says '" + c_type_string(m_, f.type) + "'",
                 rf->getLocation());
        continue;
      }
      if (mirror) {
        uint64_t mbits = 0;
        if (find_field(mirror, f.name, mbits) && mbits != bits) {
          std::string unit = rf->isBitField() ? "bit offset " : "offset ";
          uint64_t real_v = rf->isBitField() ? bits : bits / 8;
          uint64_t cdef_v = rf->isBitField() ? mbits : mbits / 8;
          mismatch(f.loc,
                   what + " is at " + unit + std::to_string(real_v) + " in " +
                       where(rf->getLocation()) + ", cdef says " + std::to_string(cdef_v),
                   rf->getLocation());
        }
      }
    }
  }

  // ---- enums ----

  void enumeration(Enum& e) {
    const clang::EnumDecl* real_enum = nullptr;
    for (Enumerator& v : e.values) {
      auto* ec = lookup_as<clang::EnumConstantDecl>(v.name);
      if (!ec) {
        const char* kind = macro(v.name) ? "a macro, not an enumerator" : "not declared";
        diags_.error(v.loc, "enumerator '" + v.name + "' is " + kind + " in the C source");
        continue;
      }
      const llvm::APSInt& val = ec->getInitVal();
      int64_t real = val.isSigned() ? val.getSExtValue() : static_cast<int64_t>(val.getZExtValue());
      if (!v.gap && !e.partial && real != v.value) {
        mismatch(v.loc,
                 "enumerator '" + v.name + "' is " + llvm::toString(val, 10) + " in " +
                     where(ec->getLocation()) + ", cdef says " + std::to_string(v.value),
                 ec->getLocation());
        continue;
      }
      v.value = real;
      v.gap = false;
      real_enum = llvm::dyn_cast<clang::EnumDecl>(ec->getDeclContext());
    }
    if (!real_enum && !e.tag.empty()) {
      for (clang::NamedDecl* d : ctx_.getTranslationUnitDecl()->lookup(&ctx_.Idents.get(e.tag)))
        if (auto* ed = llvm::dyn_cast<clang::EnumDecl>(d)) real_enum = ed;
      if (!real_enum) {
        diags_.error(e.loc, "'enum " + e.tag + "' is not declared in the C source");
        return;
      }
    }
    if (real_enum && real_enum->getDefinition()) {
      QualType it = real_enum->getDefinition()->getIntegerType();
      if (!it.isNull()) {
        e.size = ctx_.getTypeSize(it) / 8;
        e.is_signed = it->isSignedIntegerType();
        e.resolved = true;
      }
    }
  }

  // ---- typedefs ----

  static std::string int_name(uint64_t size, bool is_signed) {
    return std::string(is_signed ? "int" : "uint") + std::to_string(size * 8) + "_t";
  }

  void typedef_decl(size_t i) {
    Typedef& t = m_.typedefs[i];
    if (names_own_record(m_, t) && t.gap == TypedefGap::None) return;  // checked as a record
    auto* real = lookup_as<clang::TypedefNameDecl>(t.name);
    if (!real) {
      diags_.error(t.loc, "typedef '" + t.name + "' is not declared in the C source");
      return;
    }
    QualType rt = real->getUnderlyingType().getCanonicalType();
    auto primitive = [](std::string name) {
      auto p = std::make_shared<Type>();
      p->kind = TypeKind::Primitive;
      p->name = std::move(name);
      return p;
    };
    switch (t.gap) {
      case TypedefGap::Integer: {
        if (!rt->isIntegralOrEnumerationType()) {
          mismatch(t.loc,
                   "'" + t.name + "' is '" + spell(real->getUnderlyingType()) + "' in " +
                       where(real->getLocation()) + ", not an integer type",
                   real->getLocation());
          return;
        }
        uint64_t size = ctx_.getTypeSize(rt) / 8;
        if (size != 1 && size != 2 && size != 4 && size != 8) {
          mismatch(t.loc,
                   "'" + t.name + "' is an integer of " + std::to_string(size) + " bytes in " +
                       where(real->getLocation()) + "; only 1, 2, 4 and 8 are supported",
                   real->getLocation());
          return;
        }
        t.type = primitive(int_name(size, rt->isSignedIntegerOrEnumerationType()));
        return;
      }
      case TypedefGap::Float: {
        const auto* bt = rt->getAs<clang::BuiltinType>();
        if (bt && bt->getKind() == clang::BuiltinType::Float) {
          t.type = primitive("float");
        } else if (bt && bt->getKind() == clang::BuiltinType::Double) {
          t.type = primitive("double");
        } else {
          mismatch(t.loc,
                   "'" + t.name + "' is '" + spell(real->getUnderlyingType()) + "' in " +
                       where(real->getLocation()) +
                       ", not float or double (declare 'long double' exactly)",
                   real->getLocation());
        }
        return;
      }
      case TypedefGap::Opaque: {
        if (t.type && t.type->kind == TypeKind::Pointer && !rt->isPointerType())
          mismatch(t.loc,
                   "'" + t.name + "' is '" + spell(real->getUnderlyingType()) + "' in " +
                       where(real->getLocation()) + ", not a pointer type",
                   real->getLocation());
        if (t.type && t.type->kind == TypeKind::Record) {
          Record& r = m_.records[static_cast<size_t>(t.type->index)];
          // Opaque: no size is known to the cdef, as in CFFI; only where it lives.
          r.real_loc = real_location(real->getLocation());
        }
        return;
      }
      case TypedefGap::None:
        break;
    }
    QualType leaf;
    TypeRef filled = fill_arrays(t.type, real->getUnderlyingType(), t.loc,
                                 "typedef '" + t.name + "'", real->getLocation(), &leaf);
    if (!filled) return;
    t.type = filled;
    QualType cdef_leaf = probe_type(probes_.typedef_type[i]);
    if (cdef_leaf.isNull()) return;
    if (!same_type(cdef_leaf, leaf) && !same_integer(cdef_leaf, leaf))
      mismatch(t.loc,
               "typedef '" + t.name + "' is '" + spell(real->getUnderlyingType()) + "' in " +
                   where(real->getLocation()) + ", cdef says '" + c_type_string(m_, t.type) + "'",
               real->getLocation());
  }

  // ---- functions ----

  bool arithmetic(QualType t) {
    t = t.getCanonicalType();
    return t->isArithmeticType() || t->isEnumeralType();
  }

  void function(size_t i) {
    Function& f = m_.functions[i];
    if (f.linkage != Linkage::C) return;
    auto* fd = lookup_as<clang::FunctionDecl>(f.name);
    if (!fd) {
      if (macro(f.name)) return;  // a function-like macro: the C compiler checks the call
      if (lookup(f.name))
        diags_.error(f.loc, "'" + f.name + "' is not a function in the C source");
      else
        missing<clang::FunctionDecl>(f.loc, "function", f.name);
      return;
    }
    QualType probe = probe_type(probes_.function_type[i]);
    if (probe.isNull()) return;
    const auto* cdef_fn = probe->getPointeeType()->getAs<clang::FunctionProtoType>();
    const auto* real_fn = fd->getType()->getAs<clang::FunctionProtoType>();
    if (!cdef_fn || !real_fn) return;  // K&R declaration: nothing to compare
    clang::SourceLocation rl = fd->getLocation();
    if (cdef_fn->getNumParams() != real_fn->getNumParams()) {
      mismatch(f.loc,
               "function '" + f.name + "' takes " + std::to_string(real_fn->getNumParams()) +
                   " argument(s) in " + where(rl) + ", cdef says " +
                   std::to_string(cdef_fn->getNumParams()),
               rl);
      return;
    }
    if (cdef_fn->isVariadic() != real_fn->isVariadic()) {
      mismatch(f.loc,
               "function '" + f.name + "' is " + (real_fn->isVariadic() ? "" : "not ") +
                   "variadic in " + where(rl) + ", cdef says it is " +
                   (cdef_fn->isVariadic() ? "" : "not"),
               rl);
      return;
    }
    auto compatible = [&](QualType c, QualType r) {
      return (arithmetic(c) && arithmetic(r)) || same_type(c, r);
    };
    if (!compatible(cdef_fn->getReturnType(), real_fn->getReturnType()))
      mismatch(f.loc,
               "function '" + f.name + "' returns '" + spell(real_fn->getReturnType()) + "' in " +
                   where(rl) + ", cdef says '" + spell(cdef_fn->getReturnType()) + "'",
               rl);
    for (unsigned a = 0; a < cdef_fn->getNumParams(); ++a) {
      if (compatible(cdef_fn->getParamType(a), real_fn->getParamType(a))) continue;
      clang::SourceLocation pl = a < fd->getNumParams() ? fd->getParamDecl(a)->getLocation() : rl;
      Location at = f.loc;
      const auto& params = f.type->params;
      if (a < params.size() && params[a].loc.valid()) at = params[a].loc;
      mismatch(at,
               "argument " + std::to_string(a + 1) + " of '" + f.name + "' is '" +
                   spell(real_fn->getParamType(a)) + "' in " + where(pl) + ", cdef says '" +
                   spell(cdef_fn->getParamType(a)) + "'",
               pl);
    }
  }

  // ---- global variables ----

  void variable(size_t i) {
    Variable& v = m_.variables[i];
    auto* vd = lookup_as<clang::VarDecl>(v.name);
    if (!vd) {
      if (macro(v.name)) return;  // a "dynamic macro" variable, as CFFI allows
      missing<clang::VarDecl>(v.loc, "global variable", v.name);
      return;
    }
    QualType leaf;
    std::string what = "global '" + v.name + "'";
    TypeRef filled = fill_arrays(v.type, vd->getType(), v.loc, what, vd->getLocation(), &leaf);
    if (!filled) return;
    v.type = filled;
    QualType cdef_leaf = probe_type(probes_.variable_type[i]);
    if (cdef_leaf.isNull()) return;
    if (!same_type(cdef_leaf, leaf)) {
      mismatch(v.loc,
               what + " is '" + spell(vd->getType()) + "' in " + where(vd->getLocation()) +
                   ", cdef says '" + c_type_string(m_, v.type) + "'",
               vd->getLocation());
      return;
    }
    if (leaf.isConstQualified() && !(strip_arrays(v.type)->quals & kConst))
      mismatch(v.loc,
               what + " is const in " + where(vd->getLocation()) + "; declare it const in the cdef",
               vd->getLocation());
  }

  // ---- constants ----

  clang::SourceLocation constant_location(const std::string& name) {
    if (const clang::MacroInfo* mi = macro(name)) return mi->getDefinitionLoc();
    if (clang::NamedDecl* d = lookup(name)) return d->getLocation();
    return clang::SourceLocation();
  }

  void constant(size_t i) {
    Constant& c = m_.constants[i];
    const std::string& fn_name = probes_.constant_fn[i];
    if (failed.count(fn_name)) return;
    auto* fd = lookup_as<clang::FunctionDecl>(fn_name);
    auto* body = fd ? llvm::dyn_cast_or_null<clang::CompoundStmt>(fd->getBody()) : nullptr;
    if (!body || body->body_empty()) return;
    const clang::Expr* expr = nullptr;
    if (auto* ds = llvm::dyn_cast<clang::DeclStmt>(body->body_front())) {
      if (auto* vd = llvm::dyn_cast<clang::VarDecl>(ds->getSingleDecl())) expr = vd->getInit();
    } else if (auto* ce = llvm::dyn_cast<clang::CStyleCastExpr>(body->body_front())) {
      expr = ce->getSubExpr();
    }
    if (!expr) return;
    clang::SourceLocation rl = constant_location(c.name);
    if (c.kind == ConstantKind::Static) {
      static_value(c, expr, rl);
      return;
    }
    QualType t = expr->IgnoreParens()->getType();
    clang::Expr::EvalResult result;
    if (!t->isIntegralOrEnumerationType() || !expr->EvaluateAsInt(result, ctx_)) {
      mismatch(c.loc,
               "'" + c.name + "' is not an integer constant in " + where(rl) +
                   "; use 'static const T " + c.name + ";' for other types",
               rl);
      return;
    }
    const llvm::APSInt& v = result.Val.getInt();
    ConstantValue real;
    real.kind = ConstantValue::Int;
    real.is_unsigned = v.isUnsigned() && v.getActiveBits() > 63;
    real.int_value = v.isSigned() ? v.getSExtValue() : static_cast<int64_t>(v.getZExtValue());
    real.is_constant_expression = expr->isIntegerConstantExpr(ctx_);
    if (c.kind == ConstantKind::Define &&
        (c.value.int_value != real.int_value || c.value.is_unsigned != real.is_unsigned)) {
      mismatch(c.loc,
               "'" + c.name + "' is " + llvm::toString(v, 10) + " in " + where(rl) +
                   ", cdef says " +
                   (c.value.is_unsigned ? std::to_string(static_cast<uint64_t>(c.value.int_value))
                                        : std::to_string(c.value.int_value)),
               rl);
      return;
    }
    c.value = real;
  }

  void static_value(Constant& c, const clang::Expr* init, clang::SourceLocation rl) {
    (void)rl;
    clang::Expr::EvalResult result;
    QualType t = init->getType().getCanonicalType();
    c.value = ConstantValue{};
    if (t->isIntegralOrEnumerationType()) {
      if (init->EvaluateAsInt(result, ctx_)) {
        const llvm::APSInt& v = result.Val.getInt();
        c.value.kind = ConstantValue::Int;
        c.value.is_unsigned = v.isUnsigned() && v.getActiveBits() > 63;
        c.value.int_value =
            v.isSigned() ? v.getSExtValue() : static_cast<int64_t>(v.getZExtValue());
      }
    } else if (t->isRealFloatingType()) {
      llvm::APFloat f(0.0);
      if (init->EvaluateAsFloat(f, ctx_)) {
        bool lost = false;
        f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &lost);
        c.value.kind = ConstantValue::Float;
        c.value.float_value = f.convertToDouble();
      }
    } else if (t->isPointerType()) {
      const clang::Expr* e = init->IgnoreParenImpCasts();
      if (const auto* sl = llvm::dyn_cast<clang::StringLiteral>(e)) {
        if (sl->getCharByteWidth() == 1) {
          c.value.kind = ConstantValue::String;
          c.value.string_value = sl->getBytes().str();
        }
      }
    }
    // Anything else (non-constant expressions, structs) is read by the module at import.
  }
};

std::string probe_source(const Module& m, const SourceOptions& options, ProbeText& probes) {
  std::string text = standard_prelude();
  const std::string name = options.source ? options.source->name : std::string("<set_source>");
  unsigned first = options.source ? options.source->first_line : 1;
  text += "#line " + std::to_string(first) + " \"" + name + "\"\n";
  if (options.source) text += options.source->text;
  text += "\n#line 1 \"";
  text += kProbeFile;
  text += "\"\n";
  text += probes.text;
  (void)m;
  return text;
}

}  // namespace

std::string probe_text(const Module& module, const SourceOptions& options) {
  Probes p;
  ProbeText pt = write_probes(module, options.cplusplus, p);
  return probe_source(module, options, pt);
}

bool resolve(Module& module, const SourceOptions& options, Diagnostics& diags,
             ResolveStats* stats) {
  auto t0 = std::chrono::steady_clock::now();
  Probes probes;
  ProbeText pt = write_probes(module, options.cplusplus, probes);
  std::string code = probe_source(module, options, pt);

  std::vector<std::string> args;
  args.push_back(options.cplusplus ? "-xc++" : "-xc");
  args.push_back(options.cplusplus ? "-std=gnu++17" : "-std=gnu11");
  const char* rd = std::getenv("CDEFC_CLANG_RESOURCE_DIR");
  args.push_back(std::string("-resource-dir=") + (rd ? rd : CDEFC_CLANG_RESOURCE_DIR));
  args.push_back("-Wno-everything");
  args.push_back("-ferror-limit=0");
  for (const std::string& d : options.include_dirs) args.push_back("-I" + d);
  for (const std::string& d : options.define_macros) args.push_back("-D" + d);
  for (const std::string& d : options.undef_macros) args.push_back("-U" + d);
  for (const std::string& a : options.extra_compile_args) args.push_back(a);

  Collector collector;
  std::string file_name = options.cplusplus ? "cdefc_probe.cpp" : "cdefc_probe.c";
  if (!options.main_file_dir.empty()) file_name = options.main_file_dir + "/" + file_name;
  std::unique_ptr<clang::ASTUnit> unit = clang::tooling::buildASTFromCodeWithArgs(
      code, args, file_name, "cdefc", std::make_shared<clang::PCHContainerOperations>(),
      clang::tooling::getClangStripDependencyFileAdjuster(), clang::tooling::FileContentMappings(),
      &collector);
  auto t1 = std::chrono::steady_clock::now();

  // Report Clang's errors: those in probe lines belong to the cdef declaration that wrote
  // them; the others are in the user's source or its headers.
  std::set<unsigned> failed_lines;
  bool source_failed = false;
  for (const ClangError& e : collector.errors) {
    if (e.file == kProbeFile) {
      auto it = pt.owner.find(e.line);
      Location loc = it != pt.owner.end() ? it->second : Location{};
      diags.error(loc, e.message);
      failed_lines.insert(e.line);
      continue;
    }
    source_failed = true;
    Location loc;
    loc.file = e.file.empty() ? "cdefc" : e.file;
    loc.line = e.line;
    loc.column = e.column;
    loc.line_text = e.line_text;
    if (options.source && e.file == options.source->name) {
      // Point into the source buffer so the caret line is shown from the user's text.
      loc.line_text = e.line_text;
    }
    diags.error(loc, e.message);
  }
  if (!unit) {
    if (!diags.has_errors()) diags.error(Location{}, "clang could not parse the C source");
    return false;
  }
  if (source_failed) return false;

  Reader reader(module, *unit, probes, diags, options.source);
  // Mark the probe names whose lines failed, so their declarations are not checked twice.
  {
    std::istringstream lines(pt.text);
    std::string line;
    unsigned n = 1;
    while (std::getline(lines, line)) {
      if (failed_lines.count(n)) {
        size_t pos = 0;
        while ((pos = line.find("__cdefc_", pos)) != std::string::npos) {
          size_t end = pos + 8;
          while (end < line.size() &&
                 (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
            ++end;
          reader.failed.insert(line.substr(pos, end - pos));
          pos = end;
        }
      }
      ++n;
    }
  }
  reader.run();
  auto t2 = std::chrono::steady_clock::now();
  if (stats) {
    stats->parse_seconds = std::chrono::duration<double>(t1 - t0).count();
    stats->answer_seconds = std::chrono::duration<double>(t2 - t1).count();
    stats->probe_lines = pt.line - 1;
  }
  return !diags.has_errors();
}

}  // namespace cdefc::clang_bridge
