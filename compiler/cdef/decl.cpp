// Declaration model helpers: lookups, the standard type names, and C spellings of types.
#include "cdef/decl.h"

#include <set>

#include "cdefc/module.h"

namespace cdefc::cdef {

int Module::find_record(const std::string& tag, bool is_union) const {
  for (size_t i = 0; i < records.size(); ++i)
    if (records[i].is_union == is_union && !records[i].tag.empty() && records[i].tag == tag)
      return static_cast<int>(i);
  return -1;
}

int Module::find_enum(const std::string& tag) const {
  for (size_t i = 0; i < enums.size(); ++i)
    if (!enums[i].tag.empty() && enums[i].tag == tag) return static_cast<int>(i);
  return -1;
}

int Module::find_typedef(const std::string& name) const {
  for (size_t i = 0; i < typedefs.size(); ++i)
    if (typedefs[i].name == name) return static_cast<int>(i);
  return -1;
}

bool is_standard_type_name(const std::string& name) {
  // The primitive names of the contract that are typedef names in C: *_t, and FILE.
  if (name != "FILE" && (name.size() <= 2 || name.compare(name.size() - 2, 2, "_t") != 0))
    return false;
  static const char* const kNames[] = {
#define CDEFC_PRIMITIVE_NAME(ID, name, KIND, storage) name,
      CDEFC_PRIMITIVES(CDEFC_PRIMITIVE_NAME)
#undef CDEFC_PRIMITIVE_NAME
  };
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

namespace {

/// "const volatile restrict" for the bits in `q` (empty for none).
std::string quals_string(unsigned q) {
  std::string s;
  auto add = [&](const char* w) {
    if (!s.empty()) s += ' ';
    s += w;
  };
  if (q & kConst) add("const");
  if (q & kVolatile) add("volatile");
  if (q & kRestrict) add("restrict");
  return s;
}

/// The typedef that names an anonymous record through a pointer (`typedef ... *foo_p;`), or -1.
int pointer_typedef_of(const Module& m, int record) {
  if (record < 0 || static_cast<size_t>(record) >= m.records.size()) return -1;
  const Record& r = m.records[record];
  if (!r.tag.empty() || r.typedef_name.empty()) return -1;
  int t = m.find_typedef(r.typedef_name);
  if (t < 0) return -1;
  const TypeRef& ty = m.typedefs[t].type;
  if (ty && ty->kind == TypeKind::Pointer && ty->quals == 0 && ty->target &&
      ty->target->kind == TypeKind::Record && ty->target->index == record && ty->target->quals == 0)
    return t;
  return -1;
}

std::string spell(const Module& m, const TypeRef& t, const std::string& inner);

/// The name of a base (non-derived) type node, without qualifiers.
std::string base_name(const Module& m, const Type& t) {
  switch (t.kind) {
    case TypeKind::Void:
      return "void";
    case TypeKind::Primitive:
    case TypeKind::Typedef:
      return t.name;
    case TypeKind::Record: {
      if (t.index < 0 || static_cast<size_t>(t.index) >= m.records.size()) return "struct ?";
      const Record& r = m.records[t.index];
      const char* kw = r.is_union ? "union" : "struct";
      if (!r.tag.empty()) return std::string(kw) + " " + r.tag;
      if (!r.typedef_name.empty()) {
        int pt = pointer_typedef_of(m, t.index);
        if (pt >= 0) return "__typeof__(*(" + r.typedef_name + ")0)";
        return r.typedef_name;
      }
      // An anonymous record nobody named: spell its body (valid C, but a distinct type).
      std::string s = std::string(kw) + " {";
      for (const Field& f : r.fields) {
        s += " " + spell(m, f.type, f.name);
        if (f.bit_width >= 0) s += " : " + std::to_string(f.bit_width);
        s += ";";
      }
      return s + " }";
    }
    case TypeKind::Enum: {
      if (t.index < 0 || static_cast<size_t>(t.index) >= m.enums.size()) return "enum ?";
      const Enum& e = m.enums[t.index];
      if (!e.tag.empty()) return "enum " + e.tag;
      if (!e.typedef_name.empty()) return e.typedef_name;
      return "int /* anonymous enum */";
    }
    default:
      return "?";
  }
}

std::string spell(const Module& m, const TypeRef& tr, const std::string& inner) {
  if (!tr) return inner.empty() ? "void" : "void " + inner;
  const Type& t = *tr;
  switch (t.kind) {
    case TypeKind::Pointer: {
      // A pointer to an anonymous record named only by a pointer typedef is that typedef.
      if (t.target && t.target->kind == TypeKind::Record && t.target->quals == 0 &&
          pointer_typedef_of(m, t.target->index) >= 0) {
        std::string q = quals_string(t.quals);
        std::string s = (q.empty() ? "" : q + " ") + m.records[t.target->index].typedef_name;
        return inner.empty() ? s : s + " " + inner;
      }
      std::string q = quals_string(t.quals);
      std::string s = "*" + q;
      if (!q.empty() && !inner.empty()) s += " ";
      s += inner;
      if (t.target && (t.target->kind == TypeKind::Array || t.target->kind == TypeKind::Function))
        s = "(" + s + ")";
      return spell(m, t.target, s);
    }
    case TypeKind::Array: {
      std::string s = inner + "[";
      if (t.length_kind == ArrayLength::Known)
        s += std::to_string(t.length);
      else if (t.length_kind == ArrayLength::Gap)
        s += "...";
      return spell(m, t.target, s + "]");
    }
    case TypeKind::Function: {
      std::string s = inner + "(";
      for (size_t i = 0; i < t.params.size(); ++i) {
        if (i) s += ", ";
        s += spell(m, t.params[i].type, "");
      }
      if (t.variadic)
        s += t.params.empty() ? "..." : ", ...";
      else if (t.params.empty())
        s += "void";
      return spell(m, t.target, s + ")");
    }
    default: {
      std::string q = quals_string(t.quals);
      std::string s = (q.empty() ? "" : q + " ") + base_name(m, t);
      if (!inner.empty()) {
        if (inner[0] != '[') s += " ";
        s += inner;
      }
      return s;
    }
  }
}

}  // namespace

std::string c_type_string(const Module& m, const TypeRef& t, const std::string& declarator) {
  return spell(m, t, declarator);
}

std::string c_record_body(const Module& m, const Record& r) {
  std::string out;
  for (const Field& f : r.fields) {
    if (f.type && f.type->kind == TypeKind::Record && f.type->index >= 0 &&
        static_cast<size_t>(f.type->index) < m.records.size()) {
      const Record& inner = m.records[static_cast<size_t>(f.type->index)];
      if (inner.tag.empty() && inner.typedef_name.empty()) {  // written inline
        out += std::string(inner.is_union ? "union" : "struct") + " { " + c_record_body(m, inner) +
               "}" + (f.name.empty() ? "" : " " + f.name) + "; ";
        continue;
      }
    }
    if (!f.alignas_text.empty()) out += "_Alignas(" + f.alignas_text + ") ";
    out += c_type_string(m, f.type, f.name);
    if (f.bit_width >= 0) out += " : " + std::to_string(f.bit_width);
    out += "; ";
  }
  return out;
}

}  // namespace cdefc::cdef
