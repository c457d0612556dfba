// The probe text writer: one typedef or small function per question, as the generated module
// will spell it, each line owned by the cdef declaration it asks about.
#include "clang/probe.h"

#include "emit/names.h"
#include "model/prelude.h"

namespace cdefc::clang_bridge {

using namespace cdefc::cdef;
namespace n = cdefc::emit::names;

void ProbeText::add(const ProbeOwner& who, const std::string& code) {
  owner[line] = who;
  text += code;
  text += '\n';
  ++line;
}

TypeRef strip_arrays(TypeRef t) {
  while (t && t->kind == TypeKind::Array) t = t->target;
  return t;
}

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

std::string record_c_name(const Record& r) {
  if (!r.tag.empty()) return std::string(r.is_union ? "union " : "struct ") + r.tag;
  return r.typedef_name;
}

bool names_own_record(const Module& m, const Typedef& t) {
  if (!t.type || t.type->kind != TypeKind::Record || t.type->quals) return false;
  const Record& r = m.records[static_cast<size_t>(t.type->index)];
  return r.tag.empty() && r.typedef_name == t.name;
}

namespace {

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

/// `t` with its typedef names replaced by what the cdef says they are (top level only).
TypeRef resolve_top(const Module& m, TypeRef t) {
  for (int depth = 0; t && t->kind == TypeKind::Typedef && depth < 64; ++depth) {
    int i = m.find_typedef(t->name);
    if (i < 0) break;
    t = m.typedefs[static_cast<size_t>(i)].type;
  }
  return t;
}

ProbeOwner owner(DeclRef::Kind kind, size_t index, const Location& loc, int sub = -1) {
  ProbeOwner o;
  o.kind = kind;
  o.index = static_cast<int>(index);
  o.sub = sub;
  o.loc = loc;
  return o;
}

void record_probes(const Module& m, ProbeText& out, Probes& p) {
  p.record_type.assign(m.records.size(), "");
  p.record_mirror.assign(m.records.size(), "");
  p.field_type.assign(m.records.size(), {});
  for (size_t i = 0; i < m.records.size(); ++i) {
    const Record& r = m.records[i];
    p.field_type[i].assign(r.fields.size(), "");
    if (!r.complete || r.included) continue;  // an included record is its module's
    ProbeOwner who = owner(DeclRef::Record, i, r.loc);
    if (top_level_record(r)) {
      p.record_type[i] = out.fresh(n::kProbeRecord);
      out.add(who, "typedef " + record_c_spelling(m, r) + " " + p.record_type[i] + ";");
      if (!r.partial && !record_has_gap(m, r)) {
        p.record_mirror[i] = out.fresh(n::kProbeMirror);
        std::string body = std::string(r.is_union ? "union " : "struct ") + p.record_mirror[i] +
                           " { " + c_record_body(m, r) + "}";
        if (r.pack > 0) {
          out.add(who, "#pragma pack(push, " + std::to_string(r.pack) + ")");
          out.add(who, body + ";");
          out.add(who, "#pragma pack(pop)");
        } else {
          out.add(who, body + (r.packed ? " __attribute__((packed));" : ";"));
        }
      }
    }
    for (size_t j = 0; j < r.fields.size(); ++j) {
      const Field& f = r.fields[j];
      TypeRef leaf = strip_arrays(f.type);
      if (mentions_unnamed_record(m, leaf)) continue;
      p.field_type[i][j] = out.fresh(n::kProbeCdefType);
      out.add(owner(DeclRef::Record, i, f.loc, static_cast<int>(j)),
              "typedef " + c_type_string(m, leaf, p.field_type[i][j]) + ";");
    }
  }
}

void typedef_probes(const Module& m, ProbeText& out, Probes& p) {
  p.typedef_real.assign(m.typedefs.size(), "");
  p.typedef_cdef.assign(m.typedefs.size(), "");
  for (size_t i = 0; i < m.typedefs.size(); ++i) {
    const Typedef& t = m.typedefs[i];
    if (t.gap == TypedefGap::None && names_own_record(m, t)) continue;  // a record's probe
    // An included typedef is its module's; only an integer or float gap needs C's answer
    // (this module's wrappers may convert values of it).
    if (t.included && t.gap != TypedefGap::Integer && t.gap != TypedefGap::Float) continue;
    ProbeOwner who = owner(DeclRef::Typedef, i, t.loc);
    // The name as the C source spells it: a typedef, or a macro that names a type.
    p.typedef_real[i] = out.fresh(n::kProbeRealType);
    out.add(who, "typedef " + t.name + " " + p.typedef_real[i] + ";");
    if (t.gap != TypedefGap::None) continue;
    TypeRef leaf = strip_arrays(t.type);
    if (mentions_unnamed_record(m, leaf)) continue;
    p.typedef_cdef[i] = out.fresh(n::kProbeCdefType);
    out.add(who, "typedef " + c_type_string(m, leaf, p.typedef_cdef[i]) + ";");
  }
}

/// The call the module's direct wrapper makes: `static R f(T0 a0, ...) { return (R)NAME(a0,
/// ...); }`, so a function, a function pointer variable, a function-like macro or an inline
/// function is accepted exactly when the module compiles.
std::string call_probe(const Module& m, const Function& f, const std::string& probe_name) {
  const Type& ft = *f.type;
  std::string params, args;
  for (size_t a = 0; a < ft.params.size(); ++a) {
    std::string name = n::kProbeParam + std::to_string(a);
    params += (a ? ", " : "") + c_type_string(m, ft.params[a].type, name);
    args += (a ? ", " : "") + name;
  }
  std::string decl = probe_name + "(" + (params.empty() ? std::string("void") : params) + ")";
  TypeRef result = resolve_top(m, ft.target);
  std::string call = f.name + "(" + args + ")";
  std::string body;
  if (!result || result->kind == TypeKind::Void) {
    body = call + ";";
  } else if (result->kind == TypeKind::Record) {
    body = "return " + call + ";";
  } else {
    body = "return (" + c_type_string(m, ft.target) + ")" + call + ";";
  }
  return "static " + c_type_string(m, ft.target, decl) + " { " + body + " }";
}

void function_probes(const Module& m, ProbeText& out, Probes& p) {
  p.function_type.assign(m.functions.size(), "");
  p.function_call.assign(m.functions.size(), "");
  for (size_t i = 0; i < m.functions.size(); ++i) {
    const Function& f = m.functions[i];
    if (f.included || p.abi_mode || f.linkage != Linkage::C || mentions_unnamed_record(m, f.type))
      continue;
    ProbeOwner who = owner(DeclRef::Function, i, f.loc);
    auto ptr = std::make_shared<Type>();
    ptr->kind = TypeKind::Pointer;
    ptr->target = f.type;
    p.function_type[i] = out.fresh(n::kProbeCdefType);
    out.add(who, "typedef " + c_type_string(m, ptr, p.function_type[i]) + ";");
    p.function_call[i] = out.fresh(n::kProbeCall);
    if (f.type->variadic)  // lib.f is the function's address (a constant), as in CFFI
      out.add(who, "static void " + p.function_call[i] + "(void) { (void)(void (*)(void))" +
                       f.name + "; }");
    else
      out.add(who, call_probe(m, f, p.function_call[i]));
  }
}

void variable_probes(const Module& m, ProbeText& out, Probes& p) {
  p.variable_real.assign(m.variables.size(), "");
  p.variable_cdef.assign(m.variables.size(), "");
  p.variable_address.assign(m.variables.size(), "");
  for (size_t i = 0; i < m.variables.size(); ++i) {
    const Variable& v = m.variables[i];
    if (v.included || p.abi_mode) continue;
    ProbeOwner who = owner(DeclRef::Variable, i, v.loc);
    // Its address, as the module takes it (an array of unknown length is its first item's).
    TypeRef top = resolve_top(m, v.type);
    bool open = top && top->kind == TypeKind::Array && top->length_kind != ArrayLength::Known;
    p.variable_address[i] = out.fresh(n::kProbeAddress);
    out.add(who, "static void *" + p.variable_address[i] + "(void) { return (void *)" +
                     (open ? "(" : "&(") + v.name + "); }");
    p.variable_real[i] = out.fresh(n::kProbeRealType);
    out.add(who, "typedef __typeof__(" + v.name + ") " + p.variable_real[i] + ";");
    TypeRef leaf = strip_arrays(v.type);
    if (mentions_unnamed_record(m, leaf)) continue;
    p.variable_cdef[i] = out.fresh(n::kProbeCdefType);
    out.add(who, "typedef " + c_type_string(m, leaf, p.variable_cdef[i]) + ";");
  }
}

void enum_probes(const Module& m, ProbeText& out, Probes& p) {
  p.enumerator.assign(m.enums.size(), {});
  for (size_t i = 0; i < m.enums.size(); ++i) {
    const Enum& e = m.enums[i];
    for (size_t j = 0; j < e.values.size() && !e.included; ++j) {
      std::string name = out.fresh(n::kProbeEnumerator);
      p.enumerator[i].push_back(name);
      out.add(owner(DeclRef::Enum, i, e.values[j].loc, static_cast<int>(j)),
              "static void " + name + "(void) { (void)(" + e.values[j].name + "); }");
    }
  }
}

void constant_probes(const Module& m, ProbeText& out, Probes& p) {
  p.constant.assign(m.constants.size(), "");
  for (size_t i = 0; i < m.constants.size(); ++i) {
    const Constant& c = m.constants[i];
    if (c.included || (p.abi_mode && c.kind == ConstantKind::Static)) continue;
    ProbeOwner who = owner(DeclRef::Constant, i, c.loc);
    p.constant[i] = out.fresh(n::kProbeConstant);
    if (c.kind == ConstantKind::Static && c.type) {
      out.add(who, "static void " + p.constant[i] + "(void) { " +
                       c_type_string(m, c.type, n::kProbeValue) + " = (" + c.name + "); (void)" +
                       n::kProbeValue + "; }");
    } else {
      out.add(who, "static void " + p.constant[i] + "(void) { (void)(" + c.name + "); }");
    }
  }
}

}  // namespace

ProbeText write_probes(const Module& m, Probes& p) {
  ProbeText out;
  record_probes(m, out, p);
  typedef_probes(m, out, p);
  function_probes(m, out, p);
  variable_probes(m, out, p);
  enum_probes(m, out, p);
  constant_probes(m, out, p);
  return out;
}

std::string probe_source(const ProbeOptions& options, const std::shared_ptr<const SourceBuffer>& source,
                         const ProbeText& probes) {
  // What the module puts before the user's source. Python.h comes first there; here only
  // when the include path has it (the cdefc command may run without Python's flags).
  std::string text = "#if defined(__has_include)\n#if __has_include(<Python.h>)\n";
  if (options.py_limited_api) text += model::kLimitedApiDefine;
  text += "#include <Python.h>\n#endif\n#endif\n";
  text += model::kStandardPrelude;
  text += "#include <errno.h>\n";
  const std::string name = source ? source->name : std::string("<set_source>");
  unsigned first = source ? source->first_line : 1;
  text += "#line " + std::to_string(first) + " \"" + name + "\"\n";
  if (source) text += source->text;
  text += "\n#line 1 \"";
  text += kProbeFile;
  text += "\"\n";
  text += probes.text;
  return text;
}

}  // namespace cdefc::clang_bridge
