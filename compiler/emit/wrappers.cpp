// Per-declaration C: METH_FASTCALL wrappers with inlined conversions, direct C wrappers,
// variable address helpers and constant getters.
#include <algorithm>
#include <set>
#include <string>

#include "emit/names.h"
#include "emit/writers.h"

namespace cdefc::emit::detail {

using cdef::TypeKind;
namespace n = names;

namespace {

std::string arg_name(size_t i) { return n::kArg + std::to_string(i); }

/// "(T)" when a value must be cast to type `t` (everything but structs and unions).
std::string cast_to(const Module& m, const TypeRef& t) {
  TypeRef r = resolve_typedefs(m, t);
  if (r && r->kind == TypeKind::Record) return "";
  return "(" + spell(m, t) + ")";
}

/// "12 /* struct pt * */": a type index with what it is.
std::string type_ref(const Tables& tables, uint32_t index) {
  return std::to_string(index) + " /* " + tables.display(index) + " */";
}

/// One parameter (or the result) of a wrapped function.
struct Value {
  TypeRef type;  ///< the C local's type (decayed, unqualified)
  Conv conv = Conv::Void;
  uint32_t index = 0;        ///< in the types table
  bool may_be_enum = false;  ///< an enum, or a 'typedef int...' the C source may make one
};

/// True if `t` is an enum in C, or may be one (a 'typedef int... t' gap).
bool may_be_enum(const Module& m, TypeRef t) {
  while (t && t->kind == TypeKind::Typedef) {
    int i = m.decls.find_typedef(t->name);
    if (i < 0) return false;
    const cdef::Typedef& td = m.decls.typedefs[static_cast<size_t>(i)];
    if (td.gap == cdef::TypedefGap::Integer) return true;
    t = td.type;
  }
  return t && t->kind == TypeKind::Enum;
}

/// The C function call `f(_x0, _x1)`; a pointer argument whose type C has another way is
/// passed as `(void *)_xI`.
std::string call(const Module& m, const cdef::Function& f, size_t nparams) {
  // What Clang found for f (m.functions is parallel to m.decls.functions).
  const std::vector<bool>& as_void_args =
      m.functions[static_cast<size_t>(&f - m.decls.functions.data())].void_pointer_args;
  std::string s = f.name + "(";
  for (size_t i = 0; i < nparams; ++i) {
    bool as_void = i < as_void_args.size() && as_void_args[i];
    s += (i ? ", " : "") + std::string(as_void ? "(void *)" : "") + arg_name(i);
  }
  return s + ")";
}

/// static T _cdefc_d_f(T0 _x0, ...) { return (T)f(_x0, ...); }
std::string direct_wrapper(const Module& m, const cdef::Function& f,
                           const std::vector<Value>& params, const Value& result) {
  std::string decl = std::string(n::kDirect) + f.name + "(";
  for (size_t i = 0; i < params.size(); ++i)
    decl += (i ? ", " : "") + spell(m, params[i].type, arg_name(i));
  decl += params.empty() ? "void)" : ")";
  std::string s = "static " + spell(m, result.type, decl) + "\n{\n  ";
  if (result.conv == Conv::Void)
    s += call(m, f, params.size()) + ";\n";
  else
    s += "return " + cast_to(m, result.type) + call(m, f, params.size()) + ";\n";
  return s + "}\n";
}

/// The Python object of the C result `_r`.
std::string result_object(const Tables& tables, const Value& r) {
  const std::string v = n::kResult;
  switch (r.conv) {
    case Conv::Signed:
      return "PyLong_FromLongLong((long long)" + v + ")";
    case Conv::Unsigned:
      return "PyLong_FromUnsignedLongLong((unsigned long long)" + v + ")";
    case Conv::Bool:
      return "PyBool_FromLong((long)" + v + ")";
    case Conv::Char:
      return "cdefc_result_char(" + v + ")";
    case Conv::Float:
      return "PyFloat_FromDouble((double)" + v + ")";
    case Conv::LongDouble:
      return std::string("cdefc_result_longdouble(") + n::kContext + ", " + v + ")";
    case Conv::Pointer:
      return std::string("cdefc_result_pointer(") + n::kContext + ", " + type_ref(tables, r.index) +
             ", (void *)" + v + ")";
    case Conv::Value:
      return std::string("cdefc_result_record(") + n::kContext + ", " + type_ref(tables, r.index) +
             ", &" + v + ")";
    case Conv::Void:
    case Conv::Unsupported:
      break;
  }
  return "";
}

/// Converts Python argument `i` into the C local `_xI`; `fail` is the error statement.
/// Whether a pointer parameter of type `t` takes bytes as they are: a pointer to void or to
/// a one-byte character or integer (the runtime's kSmallItem).
bool takes_bytes(const Module& m, const TypeRef& t) {
  TypeRef r = resolve_typedefs(m, t);
  if (!r || r->kind != TypeKind::Pointer) return false;
  TypeRef item = resolve_typedefs(m, r->target);
  if (!item) return false;
  if (item->kind == TypeKind::Void) return true;
  static const char* const kOneByte[] = {"char", "signed char", "unsigned char", "int8_t",
                                         "uint8_t", "int_least8_t", "uint_least8_t",
                                         "int_fast8_t", "uint_fast8_t"};
  if (item->kind != TypeKind::Primitive) return false;
  for (const char* name : kOneByte)
    if (item->name == name) return true;
  return false;
}

/// `ct` is the C type of the local `_xI` (the cdef's type, or its erased type apart).
std::string argument(const Module& m, const Tables& tables, const Value& p, size_t i,
                     const std::string& ct, const std::string& fail) {
  const std::string x = arg_name(i);
  const std::string in = std::string(n::kArgsParam) + "[" + std::to_string(i) + "]";
  const std::string t = spell(m, p.type);  // as messages name it
  std::string s;
  switch (p.conv) {
    case Conv::Signed:
    case Conv::Unsigned: {
      const bool is_signed = p.conv == Conv::Signed;
      const std::string conv = std::string("cdefc_arg_") + (is_signed ? "signed" : "unsigned");
      if (p.may_be_enum) {
        // Through an integer: C++ enums have no value (T)-1 to compare with.
        const std::string tmp = is_signed ? n::kSignedTemp : n::kUnsignedTemp;
        // (The range is that of T: sizeof(T) goes to the conversion.)
        const std::string wide = is_signed ? "long long" : "unsigned long long";
        s = "  " + tmp + " = " + conv + "(" + in + ", sizeof(" + ct + "), " + c_string(t) + ");\n";
        s += "  if (" + tmp + " == (" + wide + ")-1 && PyErr_Occurred()) " + fail + ";\n";
        s += "  " + x + " = (" + ct + ")" + tmp + ";\n";
      } else {
        s = std::string("  CDEFC_ARG_") + (is_signed ? "SIGNED(" : "UNSIGNED(") + x + ", " + ct +
            ", " + in + ", " + c_string(t) + ", " + fail + ");\n";
      }
      break;
    }
    case Conv::Float:
      s = "  CDEFC_ARG_DOUBLE(" + x + ", " + ct + ", " + in + ", " + fail + ");\n";
      break;
    case Conv::Bool:
      s = std::string("  ") + n::kBool + " = cdefc_arg_bool(" + in + ");\n";
      s += std::string("  if (") + n::kBool + " < 0) " + fail + ";\n";
      s += "  " + x + " = (" + ct + ")" + n::kBool + ";\n";
      break;
    case Conv::Char:
      s = "  if (cdefc_arg_char(" + in + ", &" + x + ") < 0) " + fail + ";\n";
      break;
    case Conv::LongDouble:
      s = "  if (cdefc_arg_longdouble(" + in + ", &" + x + ") < 0) " + fail + ";\n";
      break;
    case Conv::Pointer:
      s = std::string("  CDEFC_ARG_POINTER") + (takes_bytes(m, p.type) ? "_OR_BYTES(" : "(") + x +
          ", " + ct + ", " + n::kContext + ", " + type_ref(tables, p.index) + ", " + in + ", " +
          n::kFrame + ", " + fail + ");\n";
      break;
    case Conv::Value:
      s = std::string("  if (cdefc_arg_record(") + n::kContext + ", " + type_ref(tables, p.index) +
          ", " + in + ", &" + x + ") < 0) " + fail + ";\n";
      break;
    case Conv::Void:
    case Conv::Unsupported:
      break;
  }
  return s;
}

/// The type a value of type `t` has in a file compiled apart, spelled with what the runtime's
/// headers declare: the primitive type, an enum's integer type, `void *` for any pointer;
/// empty if there is none (records, long double, complex).
std::string erased(const Module& m, const TypeRef& t) {
  TypeRef r = resolve_typedefs(m, t);
  if (!r) return "";
  switch (conversion(m, t)) {
    case Conv::Signed:
    case Conv::Unsigned:
    case Conv::Bool:
    case Conv::Char:
    case Conv::Float:
      break;
    case Conv::Pointer:
      return "void *";
    default:
      return "";
  }
  if (r->kind == TypeKind::Primitive) return r->name;
  if (r->kind != TypeKind::Enum) return "";
  const model::EnumLayout& e = m.enums[static_cast<size_t>(r->index)];
  static const char* const kSigned[] = {"signed char", "short", "int", "long long"};
  static const char* const kUnsigned[] = {"unsigned char", "unsigned short", "unsigned int",
                                          "unsigned long long"};
  for (size_t i = 0; i < 4; ++i)
    if (e.size == (1u << i)) return e.is_signed ? kSigned[i] : kUnsigned[i];
  return "";
}

/// `T name`, or `T *name` for a pointer type T.
std::string declare(const std::string& type, const std::string& name) {
  return type + (type.back() == '*' ? "" : " ") + name;
}

/// True if every parameter and the result of `f` have an erased type: its wrapper can be
/// compiled apart.
bool erasable(const Module& m, const cdef::Function& f) {
  if (f.included || f.linkage != cdef::Linkage::C || f.type->variadic) return false;
  for (const cdef::Param& p : f.type->params)
    if (erased(m, value_type(m, p.type)).empty()) return false;
  TypeRef r = f.type->target ? value_type(m, f.type->target) : nullptr;
  return conversion(m, r) == Conv::Void || !erased(m, r).empty();
}

/// CDEFC_PIECE R _cdefc_e_f(E0 _x0, ...) { return (R)f((T0)_x0, ...); }: `f` with erased
/// types, for a wrapper compiled apart (`declaration`: the prototype a piece declares).
std::string erased_function(const Module& m, const cdef::Function& f,
                            const std::vector<Value>& params, const Value& result,
                            bool declaration) {
  const std::vector<bool>& as_void_args =
      m.functions[static_cast<size_t>(&f - m.decls.functions.data())].void_pointer_args;
  std::string head = std::string(n::kErased) + f.name + "(", call = f.name + "(";
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string sep = i ? ", " : "";
    head += sep + (declaration ? erased(m, params[i].type)
                               : declare(erased(m, params[i].type), arg_name(i)));
    bool as_void = i < as_void_args.size() && as_void_args[i];
    call += sep + (as_void ? std::string("") : "(" + spell(m, params[i].type) + ")") + arg_name(i);
  }
  head += params.empty() ? "void)" : ")";
  call += ")";
  const std::string r = result.conv == Conv::Void ? "void" : erased(m, result.type);
  std::string s = (declaration ? "CDEFC_PIECE_EXTERN " : "CDEFC_PIECE ") + r + " " + head;
  if (declaration) return s + ";\n";
  s += "\n{\n  ";
  s += result.conv == Conv::Void ? call + ";\n" : "return (" + r + ")" + call + ";\n";
  return s + "}\n";
}

/// The wrapper's head: static, or (`apart`) with CDEFC_PIECE linkage; a prototype with
/// `declaration`.
std::string fast_wrapper_head(const std::string& name, bool apart, bool declaration) {
  std::string s = std::string(declaration ? "CDEFC_PIECE_EXTERN" : apart ? "CDEFC_PIECE" : "static") +
                  " PyObject *" + n::kFastWrapper + name + "(PyObject *";
  if (declaration) return s + ", PyObject *const *, Py_ssize_t, PyObject *);\n";
  return s + n::kSelf + ", PyObject *const *" + n::kArgsParam + ", Py_ssize_t " + n::kNargs +
         ", PyObject *" + n::kKwnames + ")\n{\n";
}

/// static PyObject *_cdefc_fn_f(PyObject *_self, PyObject *const *_args, Py_ssize_t _nargs);
/// `apart`: for a file compiled apart, with erased types, calling _cdefc_e_f.
std::string fast_wrapper(const Module& m, const Tables& tables, const cdef::Function& f,
                         const std::vector<Value>& params, const Value& result, bool apart) {
  bool frame = false, has_bool = false, has_signed = false, has_unsigned = false;
  for (const Value& p : params) {
    frame = frame || p.conv == Conv::Pointer;
    has_bool = has_bool || p.conv == Conv::Bool;
    has_signed = has_signed || (p.may_be_enum && p.conv == Conv::Signed);
    has_unsigned = has_unsigned || (p.may_be_enum && p.conv == Conv::Unsigned);
  }
  const std::string fail = frame ? std::string("goto ") + n::kFail : "return NULL";
  std::string s = fast_wrapper_head(f.name, apart, false);
  auto ctype = [&](const TypeRef& t) { return apart ? erased(m, t) : spell(m, t); };
  // Locals on one line, without initializers (C++ forbids jumping over them).
  std::string locals;
  auto local = [&](const std::string& decl) {
    locals += (locals.empty() ? "  " : " ") + decl + ";";
  };
  for (size_t i = 0; i < params.size(); ++i)
    local(apart ? declare(erased(m, params[i].type), arg_name(i))
                : spell(m, params[i].type, arg_name(i)));
  if (result.conv != Conv::Void)
    local(apart ? declare(erased(m, result.type), n::kResult) : spell(m, result.type, n::kResult));
  if (frame) {
    local(std::string("cdefc_frame ") + n::kFrame);
    if (result.conv != Conv::Void) local(std::string("PyObject *") + n::kPyResult);
  }
  if (has_signed) local(std::string("long long ") + n::kSignedTemp);
  if (has_unsigned) local(std::string("unsigned long long ") + n::kUnsignedTemp);
  if (has_bool) local(std::string("int ") + n::kBool);
  if (!locals.empty()) s += locals + "\n";
  if (params.empty()) s += std::string("  (void)") + n::kArgsParam + ";\n";
  // The runtime is asked only when the call is not plain (keywords, another count).
  s += std::string("  if ((") + n::kNargs + " != " + std::to_string(params.size()) + " || " +
       n::kKwnames + ") && cdefc_check_args(" + n::kSelf + ", " + c_string(f.name) + ", " +
       n::kNargs + ", " + n::kKwnames + ", " + std::to_string(params.size()) +
       ") < 0)\n    return NULL;\n";
  if (frame) s += std::string("  CDEFC_FRAME_INIT(") + n::kFrame + ");\n";
  for (size_t i = 0; i < params.size(); ++i)
    s += argument(m, tables, params[i], i, ctype(params[i].type), fail);
  // The call: GIL released, errno restored before and saved after, as CFFI does; or (decided
  // at build time, model FunctionInfo) with the GIL kept, and for a leaf without errno.
  const model::FunctionInfo& info = m.functions[static_cast<size_t>(&f - m.decls.functions.data())];
  std::string statement;
  if (result.conv != Conv::Void)
    statement = std::string(n::kResult) + " = " + (apart ? "" : cast_to(m, result.type));
  if (apart) {
    statement += std::string(n::kErased) + f.name + "(";
    for (size_t i = 0; i < params.size(); ++i) statement += (i ? ", " : "") + arg_name(i);
    statement += ")";
  } else {
    statement += call(m, f, params.size());
  }
  if (info.release_gil)
    s += "  CDEFC_CALL(" + statement + ");\n";
  else if (info.save_errno)
    s += "  CDEFC_CALL_KEEP_GIL(" + statement + ");\n";
  else
    s += "  " + statement + ";  /* a leaf: the GIL is kept, errno untouched */\n";
  const std::string release = std::string("  cdefc_frame_release(&") + n::kFrame + ");\n";
  if (result.conv == Conv::Void) {
    if (frame) s += release;
    s += "  Py_RETURN_NONE;\n";
  } else if (frame) {
    s += std::string("  ") + n::kPyResult + " = " + result_object(tables, result) + ";\n";
    s += release;
    s += std::string("  return ") + n::kPyResult + ";\n";
  } else {
    s += "  return " + result_object(tables, result) + ";\n";
  }
  if (frame) s += std::string(n::kFail) + ":\n" + release + "  return NULL;\n";
  return s + "}\n";
}

/// static void _cdefc_const_X(void *_out) { BODY }
std::string getter(const std::string& name, const std::string& body) {
  return std::string("static void ") + n::kConstant + name + "(void *" + n::kOut + ")\n{\n  " +
         body + "\n}\n";
}

/// `*(T *)_out = (T)(EXPR);`
std::string store(const Module& m, const TypeRef& t, const std::string& expr) {
  return "*(" + spell(m, pointer_to(t)) + ")" + n::kOut + " = " + cast_to(m, t) + "(" + expr + ");";
}

GlobalRow constant_row(const std::string& name, uint32_t type) {
  GlobalRow g;
  g.name = name;
  g.kind = "CDEFC_GLOBAL_CONSTANT";
  g.type = type;
  g.getter = n::kConstant + name;
  return g;
}

TypeRef primitive_type(const std::string& name) {
  auto t = std::make_shared<cdef::Type>();
  t->kind = TypeKind::Primitive;
  t->name = name;
  return t;
}

}  // namespace

void write_functions(const Module& m, const EmitOptions& options, Tables& tables,
                     cdef::Diagnostics& diags, Code& code) {
  // A big module's erasable wrappers go to pieces of at least kMinPerPiece each.
  constexpr size_t kMinPerPiece = 64;
  size_t apart_total = 0, apart_done = 0;
  if (options.pieces > 0 && !options.abi_mode)
    for (const cdef::Function& f : m.decls.functions) apart_total += erasable(m, f) ? 1 : 0;
  const size_t num_pieces =
      std::min(static_cast<size_t>(options.pieces > 0 ? options.pieces : 0),
               apart_total / kMinPerPiece);
  code.pieces.assign(num_pieces > 1 ? num_pieces : 0, std::string());
  for (const cdef::Function& f : m.decls.functions) {
    if (f.included) continue;  // the included module's lib has it
    const bool extern_python = f.linkage != cdef::Linkage::C;
    const cdef::Type& ft = *f.type;
    if (extern_python && ft.variadic) {
      diags.error(f.loc, "extern \"Python\" function '" + f.name + "' cannot be variadic");
      continue;
    }
    if (ft.variadic) {
      // CFFI's API mode does not call variadic functions directly: lib.f is a constant of
      // function pointer type, called through libffi with cdata for the '...' arguments.
      TypeRef fp = pointer_to(f.type);
      uint32_t index = tables.type(fp);
      code.text += getter(f.name, "*(" + spell(m, pointer_to(fp)) + ")" + n::kOut + " = (" +
                                      spell(m, fp) + ")(void (*)(void))" + f.name + ";") +
                   "\n";
      code.globals.push_back(constant_row(f.name, index));
      continue;
    }
    std::vector<Value> params;
    bool ok = true;
    for (size_t i = 0; i < ft.params.size(); ++i) {
      Value v;
      v.type = value_type(m, ft.params[i].type);
      v.conv = conversion(m, v.type);
      v.may_be_enum = may_be_enum(m, v.type);
      if (v.conv == Conv::Unsupported || v.conv == Conv::Void) {
        diags.error(ft.params[i].loc.valid() ? ft.params[i].loc : f.loc,
                    "argument " + std::to_string(i + 1) + " of '" + f.name + "' has type '" +
                        spell(m, v.type) + "', which cannot be passed by value");
        ok = false;
        continue;
      }
      v.index = tables.type(v.type);
      params.push_back(v);
    }
    Value result;
    result.type = ft.target ? value_type(m, ft.target) : nullptr;
    result.conv = conversion(m, result.type);
    if (result.conv == Conv::Unsupported) {
      diags.error(f.loc, "'" + f.name + "' returns '" + spell(m, result.type) +
                             "', which cannot be returned by value");
      ok = false;
    }
    if (!ok) continue;
    if (result.conv != Conv::Void) result.index = tables.type(result.type);
    uint32_t fn_index = tables.type(f.type);
    if (extern_python) {
      // Its C definition needs its index in the sorted globals table: write_extern_python.
      GlobalRow g;
      g.name = f.name;
      g.kind = "CDEFC_GLOBAL_EXTERN_PYTHON";
      g.type = fn_index;
      g.address = "(void *(*)(void))(void (*)(void))" + f.name;
      code.globals.push_back(g);
      code.extern_python.push_back(&f);
      code.needs_string_h = true;
      continue;
    }

    const bool apart = !code.pieces.empty() && erasable(m, f);
    if (apart) {
      // The _cdefc_e_ function is also what ffi.addressof(lib, f) gives: its erased types
      // (void * for pointers, an enum's integer type) are passed as the cdef's types are, and
      // one function fewer per wrapper saves the C compiler a third of the main file's time.
      code.text += erased_function(m, f, params, result, false) + "\n";
      code.text += fast_wrapper_head(f.name, true, true) + "\n";
      std::string& piece = code.pieces[apart_done++ * code.pieces.size() / apart_total];
      piece += erased_function(m, f, params, result, true);
      piece += fast_wrapper(m, tables, f, params, result, true) + "\n";
    } else {
      code.text += direct_wrapper(m, f, params, result) + "\n";
      code.text += fast_wrapper(m, tables, f, params, result, false) + "\n";
    }
    std::string doc = tables.display(fn_index, f.name) + ";\n\nCFFI C function from " +
                      options.module_name + ".lib";
    GlobalRow g;
    g.name = f.name;
    g.kind = "CDEFC_GLOBAL_FUNCTION";
    g.type = fn_index;
    g.method = "&" + std::string(n::kMethods) + "[" + std::to_string(code.methods.size()) + "]";
    g.address = std::string("(void *(*)(void))(void (*)(void))") + (apart ? n::kErased : n::kDirect) +
                f.name;
    code.globals.push_back(g);
    code.methods.push_back("{" + c_string(f.name) + ", (PyCFunction)(void (*)(void))" +
                           n::kFastWrapper + f.name + ", METH_FASTCALL | METH_KEYWORDS, " +
                           c_string(doc) + "}");
  }
}

void write_extern_python(const Module& m, const Code& code, std::string& out) {
  for (const cdef::Function* f : code.extern_python) {
    size_t index = 0;
    while (index < code.globals.size() && code.globals[index].name != f->name) ++index;
    const cdef::Type& ft = *f->type;
    const size_t nparams = ft.params.size();
    std::string decl = f->name + "(";
    for (size_t i = 0; i < nparams; ++i)
      decl += (i ? ", " : "") + spell(m, ft.params[i].type, arg_name(i));  // as declared
    decl += nparams ? ")" : "void)";
    TypeRef result = ft.target ? value_type(m, ft.target) : nullptr;
    const bool is_void = conversion(m, result) == Conv::Void;
    // extern "Python" is static, as in CFFI; "Python+C" is visible to other C files.
    std::string s = f->linkage == cdef::Linkage::Python ? "static " : "";
    s += spell(m, ft.target, decl) + "\n{\n";
    if (!is_void) s += "  " + spell(m, result, n::kResult) + ";\n";
    if (nparams) {
      s += std::string("  void *") + n::kArgPointers + "[" + std::to_string(nparams) + "];\n";
      for (size_t i = 0; i < nparams; ++i)
        s += std::string("  ") + n::kArgPointers + "[" + std::to_string(i) + "] = (void *)&" +
             arg_name(i) + ";\n";
    }
    const std::string r = is_void ? "NULL" : std::string("&") + n::kResult;
    if (!is_void)
      s += std::string("  memset(&") + n::kResult + ", 0, sizeof " + n::kResult + ");\n";
    s += std::string("  (void)cdefc_call_python(") + n::kContext + ", " + std::to_string(index) +
         " /* " + c_string(f->name) + " */, " + (nparams ? n::kArgPointers : "NULL") + ", " + r +
         ");\n";
    if (!is_void) s += std::string("  return ") + n::kResult + ";\n";
    out += s + "}\n\n";
  }
}

void write_variables(const Module& m, Tables& tables, Code& code) {
  for (const cdef::Variable& v : m.decls.variables) {
    if (v.included) continue;
    // Read-only when the object itself (the innermost element of an array) is const.
    TypeRef t = resolve_typedefs(m, v.type);
    while (t && t->kind == TypeKind::Array) t = resolve_typedefs(m, t->target);
    bool readonly = t && (t->quals & cdef::kConst);
    TypeRef top = resolve_typedefs(m, v.type);
    bool open = top && top->kind == TypeKind::Array && top->length_kind != cdef::ArrayLength::Known;
    code.text += std::string("static void *") + n::kVariable + v.name +
                 "(void)\n{\n  return (void *)" + (open ? "(" : "&(") + v.name + ");\n}\n\n";
    GlobalRow g;
    g.name = v.name;
    g.kind = "CDEFC_GLOBAL_VARIABLE";
    g.type = tables.type(v.type, readonly ? 1u /* CDEFC_TYPE_CONST */ : 0u);
    g.address = n::kVariable + v.name;
    code.globals.push_back(g);
  }
}

void write_dlopen_rows(const Module& m, Tables& tables, Code& code) {
  for (const cdef::Function& f : m.decls.functions) {
    if (f.included) continue;
    GlobalRow g;
    g.name = f.name;
    g.kind = "CDEFC_GLOBAL_FUNCTION";
    g.type = tables.type(f.type);
    code.globals.push_back(g);
  }
  auto variable = [&](const std::string& name, const TypeRef& type, bool constant) {
    TypeRef t = resolve_typedefs(m, type);
    while (t && t->kind == TypeKind::Array) t = resolve_typedefs(m, t->target);
    bool readonly = constant || (t && (t->quals & cdef::kConst));
    GlobalRow g;
    g.name = name;
    g.kind = "CDEFC_GLOBAL_VARIABLE";
    g.type = tables.type(type, readonly ? 1u /* CDEFC_TYPE_CONST */ : 0u);
    code.globals.push_back(g);
  };
  for (const cdef::Variable& v : m.decls.variables)
    if (!v.included) variable(v.name, v.type, false);
  for (const cdef::Constant& c : m.decls.constants)
    if (!c.included && c.kind == cdef::ConstantKind::Static && c.type) variable(c.name, c.type, true);
}

void write_constants(const Module& m, Tables& tables, Code& code, bool abi_mode) {
  for (size_t i = 0; i < m.decls.constants.size(); ++i) {
    const cdef::Constant& c = m.decls.constants[i];
    const model::ConstantInfo& info = m.constants[i];
    if (c.included || (abi_mode && c.kind == cdef::ConstantKind::Static)) continue;
    if (c.kind != cdef::ConstantKind::Static || !c.type) {
      // #define NAME <integer>: long long, or unsigned long long for values above LLONG_MAX.
      TypeRef t = primitive_type(info.value.is_unsigned ? "unsigned long long" : "long long");
      code.text += getter(c.name, store(m, t, c.name)) + "\n";
      code.globals.push_back(constant_row(c.name, tables.type(t)));
      if (!info.error.empty()) code.globals.back().error = c_string(info.error);
      continue;
    }
    TypeRef resolved = resolve_typedefs(m, c.type);
    if (resolved && resolved->kind == TypeKind::Array) {
      code.needs_string_h = true;
      code.text += getter(c.name, std::string("memcpy(") + n::kOut + ", &(" + c.name +
                                      "), sizeof(" + c.name + "));") +
                   "\n";
      code.globals.push_back(constant_row(c.name, tables.type(c.type)));
      continue;
    }
    TypeRef t = value_type(m, c.type);
    code.text += getter(c.name, store(m, t, c.name)) + "\n";
    code.globals.push_back(constant_row(c.name, tables.type(t)));
  }
  std::set<std::string> enumerators;  // one lib attribute for an enumerator two enums share
  for (size_t i = 0; i < m.decls.enums.size(); ++i)
    for (const cdef::Enumerator& v : m.decls.enums[i].values) {
      if (m.decls.enums[i].included || !enumerators.insert(v.name).second) continue;
      const bool is_unsigned = !m.enums[i].is_signed && v.value < 0;
      TypeRef t = primitive_type(is_unsigned ? "unsigned long long" : "long long");
      code.text += getter(v.name, store(m, t, v.name)) + "\n";
      code.globals.push_back(constant_row(v.name, tables.type(t)));
    }
}

}  // namespace cdefc::emit::detail
