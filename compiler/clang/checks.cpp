// Enums, typedefs, functions, globals and constants: each is answered by the probe that the
// module's own C mirrors (a call, an address, an expression), so macros, function pointer
// variables and inline functions count; a probe that fails to compile is an error, what
// differs from the declaration C has is a warning.
#include <cctype>

#include "clang/AST/Expr.h"
#include "clang/reader.h"

namespace cdefc::clang_bridge {

using namespace cdefc::cdef;
using clang::QualType;

namespace {

std::string int_name(uint64_t size, bool is_signed) {
  return std::string(is_signed ? "int" : "uint") + std::to_string(size * 8) + "_t";
}

TypeRef primitive(std::string name) {
  auto p = std::make_shared<Type>();
  p->kind = TypeKind::Primitive;
  p->name = std::move(name);
  return p;
}

/// `t` with its innermost element (below every array layer) const-qualified.
TypeRef with_const_leaf(const TypeRef& t) {
  auto copy = std::make_shared<Type>(*t);
  if (t->kind == TypeKind::Array)
    copy->target = with_const_leaf(t->target);
  else
    copy->quals |= kConst;
  return copy;
}

/// CFFI's text: "the C compiler says 'X' is equal to 42 (0x2a), but the cdef disagrees"
/// (no hexadecimal for a negative value).
std::string cffi_value_error(const std::string& name, const llvm::APSInt& v) {
  std::string hex;
  if (!v.isNegative()) {
    hex = llvm::toString(v, 16, /*Signed=*/false);
    for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    hex = " (0x" + hex + ")";
  }
  return "the C compiler says '" + name + "' is equal to " + llvm::toString(v, 10) + hex +
         ", but the cdef disagrees";
}

}  // namespace

// ---- enums ----

void Reader::enumeration(size_t i) {
  Enum& e = m_.enums[i];
  const clang::EnumDecl* real_enum = nullptr;
  for (size_t j = 0; j < e.values.size() && !e.included; ++j) {
    Enumerator& v = e.values[j];
    const std::string& probe = probes_.enumerator[i][j];
    if (probe_failed(probe)) {
      if (!lookup(v.name) && !macro(v.name)) {
        diags_.error(v.loc, "enumerator '" + v.name + "' is not declared in the C source");
        explain(probe);
      } else {
        report_probe_errors(probe, v.loc);
      }
      continue;
    }
    const clang::Expr* expr = probe_expression(probe);
    clang::Expr::EvalResult result;
    clang::SourceLocation rl = declared_at(v.name);
    if (!expr || !expr->getType()->isIntegralOrEnumerationType() ||
        !expr->EvaluateAsInt(result, ctx_)) {
      mismatch(v.loc, "enumerator '" + v.name + "' is not an integer constant in " + where(rl), rl);
      continue;
    }
    const llvm::APSInt& val = result.Val.getInt();
    int64_t real = val.isSigned() ? val.getSExtValue() : static_cast<int64_t>(val.getZExtValue());
    // The probe's expression names the enumerator itself: also one declared inside a
    // struct (file scope in C) or behind a macro that expands to its own name.
    const auto* ec = lookup_as<clang::EnumConstantDecl>(v.name);
    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(expr->IgnoreParenImpCasts()))
      if (const auto* named = llvm::dyn_cast<clang::EnumConstantDecl>(ref->getDecl()))
        if (named->getName() == v.name) ec = named;
    if (!ec)
      differs(v.loc, "enumerator '" + v.name + "' is a macro in " + where(rl) + ", not an enumerator",
              rl, "defined here");
    else
      real_enum = llvm::dyn_cast<clang::EnumDecl>(ec->getDeclContext());
    if (!v.gap && !e.partial && real != v.value)
      differs(v.loc,
              "enumerator '" + v.name + "' is " + llvm::toString(val, 10) + " in " + where(rl) +
                  ", cdef says " + std::to_string(v.value) + "; C's value is used",
              rl);
    v.value = real;
    v.gap = false;
  }
  if (!e.tag.empty()) {  // the module names `enum tag` (sizeof): C must have it
    const clang::EnumDecl* tagged = nullptr;
    for (clang::NamedDecl* d : ctx_.getTranslationUnitDecl()->lookup(&ctx_.Idents.get(e.tag)))
      if (auto* ed = llvm::dyn_cast<clang::EnumDecl>(d)) tagged = ed;
    real_enum = tagged;
  } else if (e.included && !e.typedef_name.empty()) {
    if (auto* td = lookup_as<clang::TypedefNameDecl>(e.typedef_name))
      if (const auto* et = td->getUnderlyingType()->getAs<clang::EnumType>())
        real_enum = et->getDecl();
  }
  // An included enum is its module's: only its integer type is wanted here, for wrappers
  // that convert values of it (they name it, so C has it when they exist).
  if (!e.included && !e.tag.empty()) {
    if (!real_enum || !real_enum->getDefinition()) {
      diags_.error(e.loc, "'enum " + e.tag + "' is not declared in the C source");
      return;
    }
  }
  if (real_enum && real_enum->getDefinition()) {
    QualType it = real_enum->getDefinition()->getIntegerType();
    if (!it.isNull()) {
      model::EnumLayout& layout = model_.enums[i];
      layout.size = ctx_.getTypeSize(it) / 8;
      layout.is_signed = it->isSignedIntegerType();
      layout.known = true;
    }
  }
}

// ---- typedefs ----

void Reader::typedef_decl(size_t i) {
  Typedef& t = m_.typedefs[i];
  if (names_own_record(m_, t) && t.gap == TypedefGap::None) return;  // checked as a record
  const std::string& probe = probes_.typedef_real[i];
  QualType real = probe_type(probe);
  // An included gap C lacks: nothing of this module converts values of it (a wrapper that
  // did would name it and fail to compile, and say so).
  if (real.isNull() && t.included) {
    if (auto it = failed.find(probe); it != failed.end()) it->second.reported = true;
    return;
  }
  if (real.isNull()) {
    if (!lookup(t.name) && !macro(t.name)) {
      missing<clang::TypedefNameDecl>(t.loc, "typedef", t.name);
      explain(probe);
      explain(probes_.typedef_cdef[i]);
    } else {
      report_probe_errors(probe, t.loc);
    }
    return;
  }
  clang::SourceLocation rl = declared_at(t.name);
  // Shown as what the name stands for ('long double', not 'wide_t').
  if (const auto* tt = real->getAs<clang::TypedefType>())
    if (tt->getDecl()->getName() == t.name) real = tt->getDecl()->getUnderlyingType();
  QualType rt = real.getCanonicalType();
  switch (t.gap) {
    case TypedefGap::Integer: {
      if (!rt->isIntegralOrEnumerationType()) {
        mismatch(t.loc,
                 "'" + t.name + "' is '" + spell(real) + "' in " + where(rl) +
                     ", not an integer type",
                 rl);
        return;
      }
      uint64_t size = ctx_.getTypeSize(rt) / 8;
      if (size != 1 && size != 2 && size != 4 && size != 8) {
        mismatch(t.loc,
                 "'" + t.name + "' is an integer of " + std::to_string(size) + " bytes in " +
                     where(rl) + "; only 1, 2, 4 and 8 are supported",
                 rl);
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
                 "'" + t.name + "' is '" + spell(real) + "' in " + where(rl) +
                     ", not float or double (declare 'long double' exactly)",
                 rl);
      }
      return;
    }
    case TypedefGap::Opaque: {
      if (t.type && t.type->kind == TypeKind::Pointer && !rt->isPointerType())
        mismatch(t.loc,
                 "'" + t.name + "' is '" + spell(real) + "' in " + where(rl) +
                     ", not a pointer type",
                 rl);
      if (t.type && t.type->kind == TypeKind::Record) {
        // Opaque: no size is known to the cdef, as in CFFI; only where it lives.
        model_.records[static_cast<size_t>(t.type->index)].real_loc = real_location(rl);
      }
      return;
    }
    case TypedefGap::None:
      break;
  }
  QualType leaf;
  bool length_differs = false;
  TypeRef filled = fill_arrays(t.type, real, t.loc, "typedef '" + t.name + "'", rl, &leaf,
                               &length_differs);
  if (!filled) return;
  TypeRef cdef_type = t.type;
  t.type = filled;
  QualType cdef_leaf = probe_type(probes_.typedef_cdef[i]);
  if (length_differs || (!cdef_leaf.isNull() && !equivalent(cdef_leaf, leaf)))
    differs(t.loc,
            "typedef '" + t.name + "' is '" + spell(real) + "' in " + where(rl) + ", cdef says '" +
                c_type_string(m_, cdef_type) + "'",
            rl);
}

// ---- functions ----

std::vector<std::pair<std::string, clang::SourceLocation>> Reader::signature_differences(
    size_t fi, const clang::FunctionProtoType* cdef_fn,
    const clang::FunctionProtoType* real_fn, const clang::FunctionDecl* fd,
    clang::SourceLocation rl) {
  const Function& f = m_.functions[fi];
  std::vector<std::pair<std::string, clang::SourceLocation>> out;
  if (cdef_fn->getNumParams() != real_fn->getNumParams()) {
    out.push_back({"function '" + f.name + "' takes " + std::to_string(real_fn->getNumParams()) +
                       " argument(s) in " + where(rl) + ", cdef says " +
                       std::to_string(cdef_fn->getNumParams()),
                   rl});
    return out;
  }
  if (cdef_fn->isVariadic() != real_fn->isVariadic())
    out.push_back({"function '" + f.name + "' is " + (real_fn->isVariadic() ? "" : "not ") +
                       "variadic in " + where(rl) + ", cdef says it is " +
                       (cdef_fn->isVariadic() ? "" : "not"),
                   rl});
  if (!converts_silently(real_fn->getReturnType(), cdef_fn->getReturnType()))
    out.push_back({"function '" + f.name + "' returns '" + spell(real_fn->getReturnType()) +
                       "' in " + where(rl) + ", cdef says '" + spell(cdef_fn->getReturnType()) +
                       "'",
                   rl});
  for (unsigned a = 0; a < cdef_fn->getNumParams(); ++a) {
    if (converts_silently(cdef_fn->getParamType(a), real_fn->getParamType(a))) continue;
    QualType ca = cdef_fn->getParamType(a).getCanonicalType();
    QualType ra = real_fn->getParamType(a).getCanonicalType();
    if (ca->isPointerType() && ra->isPointerType() && !ca->isFunctionPointerType() &&
        !ra->isFunctionPointerType() && !ctx_.getLangOpts().CPlusPlus) {
      std::vector<bool>& as_void = model_.functions[fi].void_pointer_args;
      as_void.resize(cdef_fn->getNumParams());
      as_void[a] = true;
    }
    clang::SourceLocation pl =
        fd && a < fd->getNumParams() ? fd->getParamDecl(a)->getLocation() : rl;
    out.push_back({"argument " + std::to_string(a + 1) + " of '" + f.name + "' is '" +
                       spell(real_fn->getParamType(a)) + "' in " + where(pl) + ", cdef says '" +
                       spell(cdef_fn->getParamType(a)) + "'",
                   pl});
  }
  return out;
}

void Reader::function(size_t i) {
  const Function& f = m_.functions[i];
  if (f.linkage != Linkage::C) return;
  model::Reach& reach = model_.functions[i].reach;
  const std::string& call = probes_.function_call[i];
  // How C reaches it: a function, a function pointer variable, or a macro (nothing to
  // compare then: the call probe says whether the module compiles).
  const clang::FunctionProtoType* real_fn = nullptr;
  const clang::FunctionDecl* fd = lookup_as<clang::FunctionDecl>(f.name);
  clang::SourceLocation rl;
  bool reachable = false;
  if (const clang::MacroInfo* mi = macro(f.name); mi && mi->isFunctionLike()) {
    rl = mi->getDefinitionLoc();
    reachable = true;
    reach = model::Reach::Macro;
  } else if (fd) {
    real_fn = fd->getType()->getAs<clang::FunctionProtoType>();
    rl = fd->getLocation();
    reachable = true;
    reach = model::Reach::Function;
    body(i, fd);
  } else if (auto* vd = lookup_as<clang::VarDecl>(f.name)) {
    QualType pt = vd->getType().getCanonicalType();
    if (pt->isPointerType() && pt->getPointeeType()->isFunctionType()) {
      real_fn = pt->getPointeeType()->getAs<clang::FunctionProtoType>();
      reachable = true;
      reach = model::Reach::FunctionPointer;
    }
    rl = vd->getLocation();
  } else if (const clang::MacroInfo* object_macro = macro(f.name)) {
    rl = object_macro->getDefinitionLoc();  // `#define f other_f`: the call probe decides
    reachable = true;
    reach = model::Reach::Macro;
  }
  if (!reachable && !lookup(f.name)) {  // (C may take the call as an implicit declaration)
    missing<clang::FunctionDecl>(f.loc, "function", f.name);
    explain(call);
    return;
  }
  if (!reachable) {
    mismatch(f.loc, "'" + f.name + "' is not a function in the C source", rl);
    explain(call);
    return;
  }
  QualType probe = probe_type(probes_.function_type[i]);
  const auto* cdef_fn =
      probe.isNull() ? nullptr : probe->getPointeeType()->getAs<clang::FunctionProtoType>();
  std::vector<std::pair<std::string, clang::SourceLocation>> diffs;
  if (cdef_fn && real_fn) diffs = signature_differences(i, cdef_fn, real_fn, fd, rl);
  if (probe_failed(call) && diffs.empty()) {
    report_probe_errors(call, f.loc);
    return;
  }
  const bool fatal = probe_failed(call);
  if (fatal) explain(call);
  for (auto& [message, at] : diffs) {
    Location loc = f.loc;
    // An argument's message points at that argument in the cdef.
    if (message.rfind("argument ", 0) == 0) {
      size_t a = std::stoul(message.substr(9)) - 1;
      const auto& params = f.type->params;
      if (a < params.size() && params[a].loc.valid()) loc = params[a].loc;
    }
    if (fatal)
      mismatch(loc, message, at);
    else
      differs(loc, message, at);
  }
}

// ---- global variables ----

void Reader::variable(size_t i) {
  Variable& v = m_.variables[i];
  const std::string& address = probes_.variable_address[i];
  if (probe_failed(address)) {
    if (!lookup(v.name) && !macro(v.name)) {
      missing<clang::VarDecl>(v.loc, "global variable", v.name);
      explain(address);
      explain(probes_.variable_real[i]);
    } else {
      report_probe_errors(address, v.loc);
    }
    return;
  }
  QualType real = probe_type(probes_.variable_real[i]);
  if (real.isNull()) return;
  if (const auto* te = llvm::dyn_cast<clang::TypeOfExprType>(real.getTypePtr()))
    real = te->getUnderlyingExpr()->getType();  // the declared type, for the messages
  clang::SourceLocation rl = declared_at(v.name);
  QualType leaf;
  bool length_differs = false;
  std::string what = "global '" + v.name + "'";
  TypeRef filled = fill_arrays(v.type, real, v.loc, what, rl, &leaf, &length_differs);
  if (!filled) return;
  TypeRef cdef_type = v.type;
  v.type = filled;
  QualType cdef_leaf = probe_type(probes_.variable_cdef[i]);
  if (length_differs || (!cdef_leaf.isNull() && !equivalent(cdef_leaf, leaf))) {
    differs(v.loc,
            what + " is '" + spell(real) + "' in " + where(rl) + ", cdef says '" +
                c_type_string(m_, cdef_type) + "'",
            rl);
  }
  if (leaf.isConstQualified() && !(strip_arrays(v.type)->quals & kConst)) {
    // Writing it would fault: lib makes it read-only, as if the cdef said const.
    differs(v.loc,
            what + " is const in " + where(rl) +
                "; declare it const in the cdef (it is read-only in lib)",
            rl);
    v.type = with_const_leaf(v.type);
  }
}

// ---- constants ----

void Reader::constant(size_t i) {
  const Constant& c = m_.constants[i];
  model::ConstantInfo& info = model_.constants[i];
  const std::string& probe = probes_.constant[i];
  if (probe_failed(probe)) {
    report_probe_errors(probe, c.loc);
    return;
  }
  const clang::Expr* expr = probe_expression(probe);
  if (!expr) return;
  clang::SourceLocation rl = declared_at(c.name);
  if (c.kind == ConstantKind::Static) {
    info.value = static_value(expr);
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
    // As CFFI: the module builds, and reading lib.NAME raises ffi.error.
    differs(c.loc,
            "'" + c.name + "' is " + llvm::toString(v, 10) + " in " + where(rl) + ", cdef says " +
                (c.value.is_unsigned ? std::to_string(static_cast<uint64_t>(c.value.int_value))
                                     : std::to_string(c.value.int_value)),
            rl);
    info.error = cffi_value_error(c.name, v);
  }
  info.value = real;
}

ConstantValue Reader::static_value(const clang::Expr* init) {
  clang::Expr::EvalResult result;
  QualType t = init->getType().getCanonicalType();
  ConstantValue value;
  if (t->isIntegralOrEnumerationType()) {
    if (init->EvaluateAsInt(result, ctx_)) {
      const llvm::APSInt& v = result.Val.getInt();
      value.kind = ConstantValue::Int;
      value.is_unsigned = v.isUnsigned() && v.getActiveBits() > 63;
      value.int_value = v.isSigned() ? v.getSExtValue() : static_cast<int64_t>(v.getZExtValue());
    }
  } else if (t->isRealFloatingType()) {
    llvm::APFloat f(0.0);
    if (init->EvaluateAsFloat(f, ctx_)) {
      bool lost = false;
      f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &lost);
      value.kind = ConstantValue::Float;
      value.float_value = f.convertToDouble();
    }
  } else if (t->isPointerType()) {
    const clang::Expr* e = init->IgnoreParenImpCasts();
    if (const auto* sl = llvm::dyn_cast<clang::StringLiteral>(e)) {
      if (sl->getCharByteWidth() == 1) {
        value.kind = ConstantValue::String;
        value.string_value = sl->getBytes().str();
      }
    }
  }
  // Anything else (non-constant expressions, structs) is read by the module at import.
  return value;
}

}  // namespace cdefc::clang_bridge
