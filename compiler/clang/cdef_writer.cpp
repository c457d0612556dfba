// Spells Clang's types and declarations as cdef text, C's declarator syntax inside out.
#include "clang/cdef_writer.h"

#include <cctype>

#include "cdef/decl.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Type.h"

namespace cdefc::clang_bridge {

namespace {

/// A declarator that starts with a pointer needs parentheses before an array or a function
/// suffix: `(*f)(int)`, `(*a)[4]`.
std::string wrap(const std::string& declarator) {
  return !declarator.empty() && declarator[0] == '*' ? "(" + declarator + ")" : declarator;
}

std::string qualifiers(clang::Qualifiers q) {
  // restrict, address spaces and Objective-C qualifiers say nothing a cdef needs.
  std::string s;
  if (q.hasConst()) s = "const";
  if (q.hasVolatile()) s += s.empty() ? "volatile" : " volatile";
  return s;
}

__extension__ typedef __int128 Wide;  ///< any enumerator value, signed or not

Wide wide(const llvm::APSInt& v) {
  return v.isSigned() ? static_cast<Wide>(v.getExtValue()) : static_cast<Wide>(v.getZExtValue());
}

std::string wide_string(Wide v) {
  if (v < 0) return "-" + std::to_string(static_cast<unsigned long long>(-(v + 1)) + 1ULL);
  return std::to_string(static_cast<unsigned long long>(v));
}

}  // namespace

bool CdefWriter::macro(const std::string& name) const {
  clang::IdentifierInfo* id = pp_.getIdentifierInfo(name);
  const clang::MacroInfo* mi = id ? pp_.getMacroInfo(id) : nullptr;
  // A function-like macro leaves the name alone where no '(' follows; `#define RT_ADD
  // RT_ADD` (glibc does it) names the declaration itself.
  if (!mi || !mi->isObjectLike()) return false;
  return !(mi->getNumTokens() == 1 && mi->getReplacementToken(0).is(
               clang::tok::identifier) && mi->getReplacementToken(0).getIdentifierInfo() == id);
}

bool CdefWriter::plain_name(const std::string& name) {
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

bool CdefWriter::file_scope(const clang::TagDecl* tag) const {
  // In C a tag met first in a parameter list has that prototype's scope: Clang puts it in
  // the function (one nested in a struct is held there, and is file scope in C).
  for (const clang::TagDecl* r : tag->redecls()) {
    const clang::DeclContext* dc = r->getLexicalDeclContext();
    if (!dc->isFunctionOrMethod() && dc->containsDecl(const_cast<clang::TagDecl*>(r)))
      return true;
  }
  return false;
}

bool CdefWriter::standard_name(const clang::TypedefNameDecl* td) {
  return cdef::is_standard_type_name(td->getName().str());
}

bool CdefWriter::compiler_dependent(const std::string& name) {
  // glibc's _Float32, _Float64x, ...: gcc's own types, typedefs for Clang.
  if (name.rfind("_Float", 0) != 0 || name.size() < 8) return false;
  size_t i = 6;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  return i > 6 && (i == name.size() || (i + 1 == name.size() && name[i] == 'x'));
}

bool CdefWriter::written_through(const clang::TypedefNameDecl* td) {
  llvm::StringRef n = td->getName();
  return n.startswith("__") || (n.size() > 1 && n[0] == '_' && n[1] >= 'A' && n[1] <= 'Z');
}

std::string CdefWriter::builtin_name(const clang::BuiltinType* b) {
  using K = clang::BuiltinType::Kind;
  switch (b->getKind()) {
    case K::Void: return "void";
    case K::Bool: return "_Bool";
    case K::Char_S:
    case K::Char_U: return "char";
    case K::SChar: return "signed char";
    case K::UChar: return "unsigned char";
    case K::Short: return "short";
    case K::UShort: return "unsigned short";
    case K::Int: return "int";
    case K::UInt: return "unsigned int";
    case K::Long: return "long";
    case K::ULong: return "unsigned long";
    case K::LongLong: return "long long";
    case K::ULongLong: return "unsigned long long";
    case K::Float: return "float";
    case K::Double: return "double";
    case K::LongDouble: return "long double";
    case K::WChar_S:
    case K::WChar_U: return "wchar_t";
    case K::Char16: return "char16_t";
    case K::Char32: return "char32_t";
    default: return "";
  }
}

Spelled CdefWriter::type(clang::QualType t, const std::string& declarator) {
  Spelled out;
  spell(t, declarator, out);
  return out;
}

void CdefWriter::spell(clang::QualType t, std::string declarator, Spelled& out) {
  if (!out.unsupported.empty()) return;
  clang::Qualifiers q = t.getLocalQualifiers();
  const clang::Type* ty = t.getTypePtr();
  auto leaf = [&](const std::string& base) {
    std::string qs = qualifiers(q);
    out.text = (qs.empty() ? "" : qs + " ") + base + (declarator.empty() ? "" : " " + declarator);
  };

  if (const auto* tt = llvm::dyn_cast<clang::TypedefType>(ty)) {
    const clang::TypedefNameDecl* td = tt->getDecl();
    std::string name = td->getName().str();
    if (td->isImplicit()) {
      out.unsupported = "'" + name + "' is a compiler builtin a cdef cannot name";
      return;
    }
    if (!plain_name(name)) {
      out.unsupported = "'" + name + "' is not a name a cdef can hold";
      return;
    }
    if (standard_name(td)) return leaf(name);
    if (compiler_dependent(name)) {
      out.unsupported = "'" + name + "' is a float type only some compilers have";
      return;
    }
    if (written_through(td)) {
      clang::QualType under = td->getUnderlyingType();
      under.addFastQualifiers(q.getFastQualifiers());
      return spell(under, declarator, out);
    }
    auto known = typedef_unsupported_.find(td);
    if (known == typedef_unsupported_.end()) {
      typedef_unsupported_[td] = "";  // a typedef cannot name itself; this ends any loop
      const clang::TypedefNameDecl* outer = defining_;
      defining_ = td;
      Spelled probe;
      spell(td->getUnderlyingType(), name, probe);
      defining_ = outer;
      std::string why = probe.unsupported.empty() ? "" : "'" + name + "' has no cdef spelling";
      known = typedef_unsupported_.insert_or_assign(td, why).first;
    }
    if (!known->second.empty()) {
      out.unsupported = known->second;
      return;
    }
    out.uses.push_back(td->getCanonicalDecl());
    return leaf(name);
  }
  // A parameter's array or function type, adjusted to a pointer: the pointer is written, if
  // the type as declared can be (a va_list parameter is a pointer to a compiler builtin).
  if (const auto* adjusted = llvm::dyn_cast<clang::AdjustedType>(ty)) {
    Spelled original;
    spell(adjusted->getOriginalType(), "", original);
    if (!original.unsupported.empty()) {
      out.unsupported = original.unsupported;
      return;
    }
  }
  // Parentheses, `struct` keywords, attributes, __typeof__, ...: what they stand for.
  clang::QualType desugared = t.getSingleStepDesugaredType(ctx_);
  if (desugared.getTypePtr() != ty) return spell(desugared, declarator, out);

  switch (ty->getTypeClass()) {
    case clang::Type::Builtin: {
      std::string name = builtin_name(llvm::cast<clang::BuiltinType>(ty));
      if (name.empty()) break;
      return leaf(name);
    }
    case clang::Type::Complex: {
      clang::QualType e = llvm::cast<clang::ComplexType>(ty)->getElementType();
      if (e->isSpecificBuiltinType(clang::BuiltinType::Float)) return leaf("float _Complex");
      if (e->isSpecificBuiltinType(clang::BuiltinType::Double)) return leaf("double _Complex");
      break;
    }
    case clang::Type::Pointer: {
      std::string qs = qualifiers(q);
      std::string d = "*" + qs + (qs.empty() || declarator.empty() ? "" : " ") + declarator;
      return spell(llvm::cast<clang::PointerType>(ty)->getPointeeType(), d, out);
    }
    case clang::Type::ConstantArray: {
      const auto* a = llvm::cast<clang::ConstantArrayType>(ty);
      std::string d = wrap(declarator) + "[" + std::to_string(a->getSize().getZExtValue()) + "]";
      return spell(a->getElementType(), d, out);
    }
    case clang::Type::IncompleteArray:
      return spell(llvm::cast<clang::IncompleteArrayType>(ty)->getElementType(),
                   wrap(declarator) + "[]", out);
    case clang::Type::FunctionProto: {
      const auto* fn = llvm::cast<clang::FunctionProtoType>(ty);
      std::string params = parameters(fn, nullptr, out);
      if (!out.unsupported.empty()) return;
      return spell(fn->getReturnType(), wrap(declarator) + params, out);
    }
    case clang::Type::FunctionNoProto:
      out.unsupported = "a function type without a prototype";
      return;
    case clang::Type::Record:
    case clang::Type::Enum: {
      const clang::TagDecl* tag = llvm::cast<clang::TagType>(ty)->getDecl();
      if (tag->isImplicit()) {
        out.unsupported = "'" + tag->getName().str() + "' is a compiler builtin a cdef cannot name";
        return;
      }
      if (!tag->getName().empty()) {
        if (ctx_.getLangOpts().CPlusPlus && tag->getDeclContext()->isRecord()) {
          out.unsupported = "'" + tag->getQualifiedNameAsString() +
                            "' is scoped in its struct in C++, which a cdef cannot say";
          return;
        }
        if (!plain_name(tag->getName().str())) {
          out.unsupported = "'" + tag->getName().str() + "' is not a name a cdef can hold";
          return;
        }
        if (!file_scope(tag)) {
          out.unsupported = "'" + std::string(tag->getKindName()) + " " + tag->getName().str() +
                            "' is declared in a parameter list only (visible nowhere else)";
          return;
        }
        if (tag->isEnum() && !tag->getDefinition()) {
          out.unsupported = "'enum " + tag->getName().str() + "' is never defined";
          return;
        }
        out.uses.push_back(tag->getCanonicalDecl());
        return leaf(std::string(tag->getKindName()) + " " + tag->getName().str());
      }
      const clang::TypedefNameDecl* named = tag->getTypedefNameForAnonDecl();
      if (named && named != defining_) {
        out.uses.push_back(named->getCanonicalDecl());
        return leaf(named->getName().str());
      }
      Spelled body;
      if (const auto* rd = llvm::dyn_cast<clang::RecordDecl>(tag))
        record_body(rd, body);
      else
        enum_body(llvm::cast<clang::EnumDecl>(tag), body);
      out.uses.insert(out.uses.end(), body.uses.begin(), body.uses.end());
      out.dropped.insert(out.dropped.end(), body.dropped.begin(), body.dropped.end());
      out.partial = out.partial || body.partial;
      if (!body.unsupported.empty()) {
        out.unsupported = body.unsupported;
        return;
      }
      return leaf(body.text);
    }
    default:
      break;
  }
  out.unsupported = "the type '" + t.getAsString() + "' has no cdef spelling";
}

std::string CdefWriter::parameters(const clang::FunctionProtoType* fn,
                                   const clang::FunctionDecl* fd, Spelled& out) {
  std::string s = "(";
  unsigned n = fn->getNumParams();
  for (unsigned i = 0; i < n; ++i) {
    if (i) s += ", ";
    std::string name;
    if (fd && i < fd->getNumParams()) {
      name = fd->getParamDecl(i)->getName().str();
      // A parameter named like a type would read as that type in the cdef: leave it out.
      if (!name.empty()) {
        clang::IdentifierInfo& id = ctx_.Idents.get(name);
        for (const clang::NamedDecl* other : ctx_.getTranslationUnitDecl()->lookup(&id))
          if (llvm::isa<clang::TypeDecl>(other)) name.clear();
        // glibc's reserved parameter names (__s, __n) are noise in a cdef.
        if (cdef::is_standard_type_name(name) || macro(name) || name.rfind("__", 0) == 0 ||
            !plain_name(name))
          name.clear();
      }
    }
    Spelled p;
    spell(fn->getParamType(i), name, p);
    out.uses.insert(out.uses.end(), p.uses.begin(), p.uses.end());
    if (!p.unsupported.empty()) {
      out.unsupported = "parameter " + std::to_string(i + 1) + ": " + p.unsupported;
      return "";
    }
    s += p.text;
  }
  if (fn->isVariadic()) s += n ? ", ..." : "...";
  else if (n == 0) s += "void";
  return s + ")";
}

bool CdefWriter::aligned_typedef(clang::QualType t) {
  for (int depth = 0; depth < 64; ++depth) {
    const auto* tt = t->getAs<clang::TypedefType>();
    if (!tt) return false;
    if (tt->getDecl()->hasAttr<clang::AlignedAttr>()) return true;
    t = tt->getDecl()->getUnderlyingType();
  }
  return false;
}

void CdefWriter::record_body(const clang::RecordDecl* rd, Spelled& out) {
  std::string s = rd->isUnion() ? "union" : "struct";
  if (!rd->getName().empty()) s += " " + rd->getName().str();
  const clang::RecordDecl* def = rd->getDefinition();
  if (!def) {
    out.text = s;
    return;
  }
  // Layout attributes (packed, aligned, #pragma pack) are C's to apply: the cdef leaves the
  // layout to C with `...;`.
  bool partial = def->hasAttr<clang::PackedAttr>() || def->hasAttr<clang::AlignedAttr>() ||
                 def->hasAttr<clang::MaxFieldAlignmentAttr>();
  if (partial) out.dropped.push_back("its layout is C's (packed, aligned or #pragma pack)");
  const clang::TypedefNameDecl* outer = defining_;
  defining_ = nullptr;
  ++indent_;
  std::string indent(static_cast<size_t>(4 * indent_), ' ');
  s += " {\n";
  for (const clang::FieldDecl* f : def->fields()) {
    std::string name = f->getName().str();
    if (f->isUnnamedBitfield()) {
      partial = true;
      out.dropped.push_back("left out an unnamed bit-field");
      continue;
    }
    if (!name.empty() && (macro(name) || !plain_name(name))) {  // the module's C would expand it
      partial = true;
      out.dropped.push_back("left out member '" + name + "': " +
                            (plain_name(name) ? "its name is a macro" : "not a name a cdef can hold"));
      continue;
    }
    std::string declarator = name;
    if (f->isBitField()) {
      clang::QualType ft = f->getType().getCanonicalType();
      if (!ft->isIntegerType() || ft->isBooleanType() || ft->isEnumeralType()) {
        partial = true;
        out.dropped.push_back("left out bit-field '" + name + "' of type '" +
                              f->getType().getAsString() + "'");
        continue;
      }
      declarator += " : " + std::to_string(f->getBitWidthValue(ctx_));
    }
    if (f->hasAttr<clang::AlignedAttr>() || f->hasAttr<clang::PackedAttr>() ||
        aligned_typedef(f->getType())) {
      if (!partial) out.dropped.push_back("its layout is C's (an aligned member)");
      partial = true;
    }
    Spelled field;
    spell(f->getType(), declarator, field);
    out.dropped.insert(out.dropped.end(), field.dropped.begin(), field.dropped.end());
    if (!field.unsupported.empty()) {
      partial = true;
      out.dropped.push_back("left out member '" + (name.empty() ? "(anonymous)" : name) +
                            "': " + field.unsupported);
      continue;
    }
    out.uses.insert(out.uses.end(), field.uses.begin(), field.uses.end());
    partial = partial || field.partial;  // a member's own body is partial
    s += indent + field.text + ";\n";
  }
  if (partial) s += indent + "...;\n";
  out.partial = partial;
  --indent_;
  defining_ = outer;
  out.text = s + std::string(static_cast<size_t>(4 * indent_), ' ') + "}";
}

void CdefWriter::enum_body(const clang::EnumDecl* ed, Spelled& out) {
  std::string s = "enum";
  if (!ed->getName().empty()) s += " " + ed->getName().str();
  const clang::EnumDecl* def = ed->getDefinition();
  if (!def) {
    out.text = s;
    return;
  }
  std::string indent(static_cast<size_t>(4 * (indent_ + 1)), ' ');
  s += " {";
  Wide next = 0;
  bool first = true, partial = false;
  for (const clang::EnumConstantDecl* e : def->enumerators()) {
    Wide v = wide(e->getInitVal());
    std::string name = e->getName().str();
    if (macro(name) || !plain_name(name)) {  // C's uses of the name would expand the macro
      out.dropped.push_back("left out enumerator '" + name + "': " +
                            (plain_name(name) ? "its name is a macro" : "not a name a cdef can hold"));
      partial = true;
      continue;
    }
    s += std::string(first ? "" : ",") + "\n" + indent + e->getName().str();
    if (v != next) s += " = " + wide_string(v);
    next = v + 1;
    first = false;
  }
  if (partial) s += std::string(first ? "" : ",") + "\n" + indent + "...";
  out.text = s + "\n" + std::string(static_cast<size_t>(4 * indent_), ' ') + "}";
}

Spelled CdefWriter::declaration(const clang::Decl* d) {
  Spelled out;
  std::string name;
  if (const auto* nd = llvm::dyn_cast<clang::NamedDecl>(d)) name = nd->getName().str();
  if (const auto* fd = llvm::dyn_cast<clang::FunctionDecl>(d)) {
    // The type as written: merged with a library builtin's (strlen), getType() has Clang's.
    clang::QualType written = fd->getTypeSourceInfo() ? fd->getTypeSourceInfo()->getType()
                                                      : fd->getType();
    const auto* fn = written->getAs<clang::FunctionProtoType>();
    if (!fn) {
      out.unsupported = "it has no prototype";
      return out;
    }
    // C can declare a function that takes or returns an incomplete struct by value, but
    // no C can call it: the module could not.
    auto incomplete = [](clang::QualType q) { return !q->isVoidType() && q->isIncompleteType(); };
    if (incomplete(fn->getReturnType())) {
      out.unsupported = "it returns an incomplete type by value";
      return out;
    }
    for (unsigned i = 0; i < fn->getNumParams(); ++i)
      if (incomplete(fn->getParamType(i))) {
        out.unsupported = "parameter " + std::to_string(i + 1) + " is an incomplete type by value";
        return out;
      }
    std::string params = parameters(fn, fd, out);
    if (out.unsupported.empty()) spell(fn->getReturnType(), name + params, out);
  } else if (const auto* vd = llvm::dyn_cast<clang::VarDecl>(d)) {
    spell(vd->getType(), name, out);
    out.text = "extern " + out.text;  // as C says it (CFFI asks for the storage class too)
  } else if (const auto* td = llvm::dyn_cast<clang::TypedefNameDecl>(d)) {
    defining_ = td;
    spell(td->getUnderlyingType(), name, out);
    defining_ = nullptr;
    out.text = "typedef " + out.text;
  } else if (const auto* rd = llvm::dyn_cast<clang::RecordDecl>(d)) {
    record_body(rd, out);
  } else if (const auto* ed = llvm::dyn_cast<clang::EnumDecl>(d)) {
    enum_body(ed, out);
  } else {
    out.unsupported = "a cdef has no such declaration";
  }
  out.text += ";\n";
  return out;
}

}  // namespace cdefc::clang_bridge
