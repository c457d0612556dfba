// The reader's common parts: look-ups in the parsed probe, probe results, locations, messages
// and the type comparisons every check shares.
#include "clang/reader.h"

#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/Preprocessor.h"
#include "emit/names.h"

namespace cdefc::clang_bridge {

using namespace cdefc::cdef;
using clang::QualType;

Reader::Reader(model::Module& model, clang::ASTUnit& unit, const Probes& probes,
               Diagnostics& diags, std::shared_ptr<const SourceBuffer> source)
    : model_(model),
      m_(model.decls),
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

void Reader::run() {
  for (size_t i = 0; i < m_.records.size(); ++i)
    if (!probes_.record_type[i].empty()) record(i);
  for (size_t i = 0; i < m_.enums.size(); ++i) enumeration(i);
  for (size_t i = 0; i < m_.typedefs.size(); ++i)
    if (!m_.typedefs[i].included || !probes_.typedef_real[i].empty()) typedef_decl(i);
  // What an included module declares is checked when that module is built.
  // In the ABI mode functions, variables and static consts are ffi.dlopen()'s alone.
  for (size_t i = 0; i < m_.functions.size(); ++i)
    if (!m_.functions[i].included && !probes_.abi_mode) function(i);
  for (size_t i = 0; i < m_.variables.size(); ++i)
    if (!m_.variables[i].included && !probes_.abi_mode) variable(i);
  for (size_t i = 0; i < m_.constants.size(); ++i)
    if (!m_.constants[i].included &&
        !(probes_.abi_mode && m_.constants[i].kind == ConstantKind::Static))
      constant(i);
  // Whatever else failed to compile fails the module too: say so at its declaration.
  for (auto& [name, probe] : failed) report_probe_errors(name, probe.loc);
}

// ---- look-ups ----

clang::NamedDecl* Reader::lookup(const std::string& name) {
  auto result = ctx_.getTranslationUnitDecl()->lookup(&ctx_.Idents.get(name));
  for (clang::NamedDecl* d : result)
    if (!llvm::isa<clang::TagDecl>(d)) return d;
  return nullptr;
}

const clang::MacroInfo* Reader::macro(const std::string& name) {
  clang::Preprocessor& pp = unit_.getPreprocessor();
  clang::IdentifierInfo* ii = pp.getIdentifierInfo(name);
  return ii ? pp.getMacroInfo(ii) : nullptr;
}

clang::SourceLocation Reader::declared_at(const std::string& name) {
  if (const clang::MacroInfo* mi = macro(name)) return mi->getDefinitionLoc();
  if (clang::NamedDecl* d = lookup(name)) return d->getLocation();
  return clang::SourceLocation();
}

// ---- probe results ----

bool Reader::probe_failed(const std::string& name) const {
  return !name.empty() && failed.count(name) != 0;
}

bool Reader::report_probe_errors(const std::string& name, const Location& loc) {
  auto it = failed.find(name);
  if (it == failed.end()) return false;
  if (!it->second.reported) {
    for (const ClangMessage& e : it->second.errors) diags_.error(loc, e.message);
    it->second.reported = true;
  }
  return true;
}

void Reader::explain(const std::string& name) {
  auto it = failed.find(name);
  if (it != failed.end()) it->second.reported = true;
}

QualType Reader::probe_type(const std::string& name) {
  if (name.empty() || probe_failed(name)) return QualType();
  auto* td = lookup_as<clang::TypedefNameDecl>(name);
  return td ? td->getUnderlyingType() : QualType();
}

const clang::Expr* Reader::probe_expression(const std::string& name) {
  if (name.empty() || probe_failed(name)) return nullptr;
  auto* fd = lookup_as<clang::FunctionDecl>(name);
  auto* body = fd ? llvm::dyn_cast_or_null<clang::CompoundStmt>(fd->getBody()) : nullptr;
  if (!body || body->body_empty()) return nullptr;
  if (auto* ds = llvm::dyn_cast<clang::DeclStmt>(body->body_front())) {
    if (auto* vd = llvm::dyn_cast<clang::VarDecl>(ds->getSingleDecl())) return vd->getInit();
  } else if (auto* ce = llvm::dyn_cast<clang::CStyleCastExpr>(body->body_front())) {
    return ce->getSubExpr();
  }
  return nullptr;
}

// ---- messages ----

template <class T>
std::string Reader::suggestion(const std::string& name, clang::SourceLocation* where_out) {
  if (!real_names_made_) {  // once: the probe declares a function per cdef item
    real_names_made_ = true;
    for (const clang::Decl* d : ctx_.getTranslationUnitDecl()->decls())
      if (const auto* nd = llvm::dyn_cast<clang::NamedDecl>(d))
        if (nd->getIdentifier() && !nd->getName().startswith(emit::names::kProbe))
          real_names_.push_back(nd);
  }
  unsigned best = name.size() < 4 ? 1 : 2;
  std::string found;
  for (const clang::NamedDecl* d : real_names_) {
    const auto* nd = llvm::dyn_cast<T>(d);
    if (!nd) continue;
    unsigned dist = llvm::StringRef(name).edit_distance(nd->getName(), true, best);
    if (dist <= best && dist > 0 && nd->getName() != name) {
      best = dist;
      found = nd->getName().str();
      *where_out = nd->getLocation();
    }
  }
  return found;
}

template <class T>
void Reader::missing(const Location& cdef_loc, const std::string& what, const std::string& name) {
  if (diags_.stopped()) {  // past the error limit: counted, not shown, so not worked out
    diags_.error(cdef_loc, what + " '" + name + "' is not declared in the C source");
    return;
  }
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

template void Reader::missing<clang::FunctionDecl>(const Location&, const std::string&,
                                                   const std::string&);
template void Reader::missing<clang::VarDecl>(const Location&, const std::string&,
                                              const std::string&);
template void Reader::missing<clang::TypedefNameDecl>(const Location&, const std::string&,
                                                      const std::string&);
template void Reader::missing<clang::ValueDecl>(const Location&, const std::string&,
                                                const std::string&);

Location Reader::real_location(clang::SourceLocation sl) {
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

std::string Reader::where(clang::SourceLocation sl) {
  Location l = real_location(sl);
  return l.valid() ? l.file + ":" + std::to_string(l.line) : std::string("the C source");
}

std::string Reader::spell(QualType t) { return t.getAsString(*policy_); }

void Reader::mismatch(const Location& cdef_loc, const std::string& message,
                      clang::SourceLocation real, const std::string& note) {
  Diagnostic& d = diags_.error(cdef_loc, message);
  Location rl = real_location(real);
  if (rl.valid()) d.notes.push_back({Severity::Note, rl, note, {}});
}

void Reader::differs(const Location& cdef_loc, const std::string& message,
                     clang::SourceLocation real, const std::string& note) {
  Diagnostic& d = diags_.warning(cdef_loc, message);
  Location rl = real_location(real);
  if (rl.valid()) d.notes.push_back({Severity::Note, rl, note, {}});
}

// ---- type comparison ----

bool Reader::same_type(QualType a, QualType b, bool ignore_inner_quals) {
  a = a.getCanonicalType().getUnqualifiedType();
  b = b.getCanonicalType().getUnqualifiedType();
  if (ctx_.hasSameType(a, b)) return true;
  if (!ignore_inner_quals) return false;
  if (a->isPointerType() && b->isPointerType())
    return same_type(a->getPointeeType(), b->getPointeeType(), true);
  if (const auto* aa = ctx_.getAsArrayType(a))
    if (const auto* ba = ctx_.getAsArrayType(b)) {
      auto* ca = llvm::dyn_cast<clang::ConstantArrayType>(aa);
      auto* cb = llvm::dyn_cast<clang::ConstantArrayType>(ba);
      if ((ca == nullptr) != (cb == nullptr)) return false;
      if (ca && ca->getSize() != cb->getSize()) return false;
      return same_type(aa->getElementType(), ba->getElementType(), true);
    }
  const auto* fa = a->getAs<clang::FunctionProtoType>();
  const auto* fb = b->getAs<clang::FunctionProtoType>();
  if (fa && fb) {
    if (fa->getNumParams() != fb->getNumParams() || fa->isVariadic() != fb->isVariadic())
      return false;
    if (!same_type(fa->getReturnType(), fb->getReturnType(), true)) return false;
    for (unsigned i = 0; i < fa->getNumParams(); ++i)
      if (!same_type(fa->getParamType(i), fb->getParamType(i), true)) return false;
    return true;
  }
  return false;
}

bool Reader::same_integer(QualType a, QualType b) {
  a = a.getCanonicalType();
  b = b.getCanonicalType();
  if (!a->isIntegralOrEnumerationType() || !b->isIntegralOrEnumerationType()) return false;
  if (ctx_.getTypeSize(a) != ctx_.getTypeSize(b)) return false;
  // An enum is as good as any integer of its size (C's enums with no negative value are
  // unsigned, cdefs usually say int).
  if (a->isEnumeralType() || b->isEnumeralType()) return true;
  return a->isSignedIntegerOrEnumerationType() == b->isSignedIntegerOrEnumerationType();
}

bool Reader::equivalent(QualType cdef_type, QualType real) {
  // An _Atomic object holds values of its type: the cdef may leave _Atomic out (as CFFI's).
  if (const auto* at = real.getCanonicalType()->getAs<clang::AtomicType>())
    real = at->getValueType();
  return same_type(cdef_type, real, /*ignore_inner_quals=*/true) || same_integer(cdef_type, real);
}

bool Reader::converts_silently(QualType from, QualType to) {
  from = from.getCanonicalType();
  to = to.getCanonicalType();
  if (!from->isPointerType() || !to->isPointerType()) return equivalent(from, to);
  QualType a = from->getPointeeType(), b = to->getPointeeType();
  // The pointee may gain qualifiers, never lose them.
  if (!b.getQualifiers().compatiblyIncludes(a.getQualifiers())) return false;
  a = a.getUnqualifiedType();
  b = b.getUnqualifiedType();
  if (ctx_.hasSameType(a, b)) return true;
  return (a->isVoidType() && !b->isFunctionType()) || (b->isVoidType() && !a->isFunctionType());
}

TypeRef Reader::fill_arrays(const TypeRef& t, QualType real, const Location& loc,
                            const std::string& what, clang::SourceLocation real_loc,
                            QualType* real_leaf, bool* length_differs) {
  if (!t || t->kind != TypeKind::Array) {
    *real_leaf = real;
    return t;
  }
  const clang::ArrayType* at = ctx_.getAsArrayType(real);
  if (!at) {
    *real_leaf = real;
    *length_differs = true;
    return t;
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
    if (!cat) {
      *length_differs = true;
      filled->length_kind = ArrayLength::Unspecified;
      filled->length = 0;
    } else if (cat->getSize().getZExtValue() != t->length) {
      *length_differs = true;
      filled->length = cat->getSize().getZExtValue();
    }
  }
  filled->target =
      fill_arrays(t->target, at->getElementType(), loc, what, real_loc, real_leaf, length_differs);
  if (!filled->target) return nullptr;
  return filled;
}

}  // namespace cdefc::clang_bridge
