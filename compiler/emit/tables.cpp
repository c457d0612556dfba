// The emitter's type table (interned, typedefs resolved), record and enum rows, and the
// C-text helpers (type spellings, literals) the writers share.
#include "emit/tables.h"

#include "cdefc/module.h"

#include <set>

namespace cdefc::emit::detail {

using cdef::ArrayLength;
using cdef::Record;
using cdef::Type;
using cdef::TypeKind;

// ---- C text ----

std::string c_string(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '?':
        out += (i + 1 < s.size() && s[i + 1] == '?') ? "\\?" : "?";
        break;  // trigraphs
      default:
        if (c < 0x20 || c >= 0x7f) {
          // Three octal digits: never swallows a following digit, unlike \x.
          out += '\\';
          out += static_cast<char>('0' + ((c >> 6) & 7));
          out += static_cast<char>('0' + ((c >> 3) & 7));
          out += static_cast<char>('0' + (c & 7));
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string int_literal(int64_t value, bool is_unsigned) {
  if (is_unsigned) return std::to_string(static_cast<uint64_t>(value)) + "ULL";
  if (value == INT64_MIN) return "(-9223372036854775807LL - 1)";
  if (value < 0) return "(" + std::to_string(value) + ")";
  return std::to_string(value);
}

// ---- Types as the cdef wrote them ----

namespace {

/// What the runtime calls each primitive, and how its values cross to Python.
struct Primitive {
  const char* name;
  const char* id;
  Conv conv;
};

/// How each KIND of include/cdefc/module.h's CDEFC_PRIMITIVES crosses to Python.
constexpr Conv kind_VOID = Conv::Void, kind_BOOL = Conv::Bool, kind_CHAR = Conv::Char,
               kind_SIGNED = Conv::Signed, kind_UNSIGNED = Conv::Unsigned,
               // CFFI's character types: a 1-character str, not an integer.
               kind_WCHAR = Conv::Value, kind_FLOAT = Conv::Float,
               kind_LONGDOUBLE = Conv::LongDouble, kind_COMPLEX = Conv::Value,
               kind_OPAQUE = Conv::Unsupported;

#define CDEFC_PRIM_ROW(ID, name, KIND, storage) {name, "CDEFC_PRIM_" #ID, kind_##KIND},
const Primitive kPrimitives[] = {CDEFC_PRIMITIVES(CDEFC_PRIM_ROW)};
#undef CDEFC_PRIM_ROW

const Primitive* find_primitive(const std::string& name) {
  for (const Primitive& p : kPrimitives)
    if (name == p.name) return &p;
  return nullptr;
}

/// True if a typedef that `t` names (at its outermost level) adds qualifiers of its own,
/// so that dropping the outermost qualifiers of `t` itself is not enough.
bool typedef_adds_qualifiers(const Module& m, TypeRef t) {
  while (t && t->kind == TypeKind::Typedef) {
    int i = m.decls.find_typedef(t->name);
    if (i < 0) return false;
    t = m.decls.typedefs[static_cast<size_t>(i)].type;
    if (t && t->quals) return true;
  }
  return false;
}

}  // namespace

TypeRef resolve_typedefs(const Module& m, const TypeRef& t) {
  TypeRef r = t;
  for (int depth = 0; r && r->kind == TypeKind::Typedef && depth < 64; ++depth) {
    int i = m.decls.find_typedef(r->name);
    if (i < 0) break;
    TypeRef next = m.decls.typedefs[static_cast<size_t>(i)].type;
    if (!next) break;
    if (r->quals) {
      auto q = std::make_shared<Type>(*next);
      q->quals |= r->quals;
      next = q;
    }
    r = next;
  }
  return r;
}

TypeRef unqualified(const TypeRef& t) {
  if (!t || t->quals == 0) return t;
  auto u = std::make_shared<Type>(*t);
  u->quals = 0;
  return u;
}

TypeRef pointer_to(const TypeRef& t) {
  auto p = std::make_shared<Type>();
  p->kind = TypeKind::Pointer;
  p->target = t;
  return p;
}

TypeRef value_type(const Module& m, const TypeRef& t) {
  TypeRef r = resolve_typedefs(m, t);
  if (r && r->kind == TypeKind::Array) return pointer_to(r->target);
  if (r && r->kind == TypeKind::Function) return pointer_to(r);
  if (typedef_adds_qualifiers(m, t)) return unqualified(r);
  return unqualified(t);
}

Conv conversion(const Module& m, const TypeRef& t) {
  TypeRef r = resolve_typedefs(m, t);
  if (!r) return Conv::Void;
  switch (r->kind) {
    case TypeKind::Void:
      return Conv::Void;
    case TypeKind::Primitive: {
      const Primitive* p = find_primitive(r->name);
      return p ? p->conv : Conv::Unsupported;
    }
    case TypeKind::Enum: {
      return m.enums[static_cast<size_t>(r->index)].is_signed ? Conv::Signed : Conv::Unsigned;
    }
    case TypeKind::Pointer:
    case TypeKind::Array:
    case TypeKind::Function:
      return Conv::Pointer;
    case TypeKind::Record:
      return Conv::Value;
    case TypeKind::Typedef:
      break;
  }
  return Conv::Unsupported;
}

std::string spell(const Module& m, const TypeRef& t, const std::string& declarator) {
  return cdef::c_type_string(m.decls, t, declarator);
}

// ---- Tables ----

Tables::Tables(const Module& m) : m_(m) {
  // Anonymous struct/union members are not types of their own: their fields are flattened.
  std::set<int> members;
  for (const Record& r : m.decls.records)
    for (const cdef::Field& f : r.fields)
      if (f.name.empty() && f.type && f.type->kind == TypeKind::Record)
        members.insert(f.type->index);

  int anonymous = 0;
  record_row_.assign(m.decls.records.size(), -1);
  for (size_t i = 0; i < m.decls.records.size(); ++i) {
    const Record& r = m.decls.records[i];
    if (members.count(static_cast<int>(i))) continue;
    const std::string kw = r.is_union ? "union" : "struct";
    RecordRow row;
    row.record = static_cast<int>(i);
    if (!r.tag.empty()) {
      row.name = row.spelling = kw + " " + r.tag;
    } else if (!r.typedef_name.empty()) {
      int td = m.decls.find_typedef(r.typedef_name);
      const TypeRef tt = td >= 0 ? m.decls.typedefs[static_cast<size_t>(td)].type : nullptr;
      if (tt && tt->kind == TypeKind::Record && tt->index == static_cast<int>(i)) {
        row.name = row.spelling = r.typedef_name;  // typedef struct { ... } foo_t;
      } else {
        // typedef struct { ... } *foo_p; (or typedef ... *foo_p): named as CFFI names it.
        row.name = kw + " $$" + r.typedef_name;
        row.spelling = "__typeof__(*(" + r.typedef_name + ")0)";
      }
    } else {
      row.name = kw + " $" + std::to_string(++anonymous);
    }
    record_row_[i] = static_cast<int>(records_.size());
    records_.push_back(std::move(row));
  }

  // A record nobody named is reached through a named field of a record C can name:
  // __typeof__(((struct outer *)0)->inner). Repeat for records nested deeper.
  for (bool changed = true; changed;) {
    changed = false;
    for (const RecordRow& outer : records_) {
      if (outer.spelling.empty()) continue;
      std::vector<const Record*> stack = {&m.decls.records[static_cast<size_t>(outer.record)]};
      while (!stack.empty()) {
        const Record* r = stack.back();
        stack.pop_back();
        for (const cdef::Field& f : r->fields) {
          TypeRef leaf = f.type;
          std::string path = f.name;
          while (leaf && leaf->kind == TypeKind::Array) {
            leaf = leaf->target;
            path += "[0]";
          }
          if (!leaf || leaf->kind != TypeKind::Record) continue;
          if (f.name.empty()) {
            stack.push_back(&m.decls.records[static_cast<size_t>(leaf->index)]);
            continue;
          }
          int row = record_row_[static_cast<size_t>(leaf->index)];
          if (row < 0 || !records_[static_cast<size_t>(row)].spelling.empty()) continue;
          records_[static_cast<size_t>(row)].spelling =
              "__typeof__(((" + outer.spelling + " *)0)->" + path + ")";
          changed = true;
        }
      }
    }
  }

  enum_row_.assign(m.decls.enums.size(), -1);
  for (size_t i = 0; i < m.decls.enums.size(); ++i) {
    const cdef::Enum& e = m.decls.enums[i];
    EnumRow row;
    row.enumeration = static_cast<int>(i);
    if (!e.tag.empty())
      row.name = row.spelling = "enum " + e.tag;
    else if (!e.typedef_name.empty())
      row.name = row.spelling = e.typedef_name;
    else
      row.name = "enum $" + std::to_string(++anonymous);
    static const char* const kSigned[] = {"CDEFC_PRIM_INT8", "CDEFC_PRIM_INT16", "CDEFC_PRIM_INT32",
                                          "CDEFC_PRIM_INT64"};
    static const char* const kUnsigned[] = {"CDEFC_PRIM_UINT8", "CDEFC_PRIM_UINT16",
                                            "CDEFC_PRIM_UINT32", "CDEFC_PRIM_UINT64"};
    const model::EnumLayout& layout = m.enums[i];
    int log2 = layout.size == 1 ? 0 : layout.size == 2 ? 1 : layout.size == 8 ? 3 : 2;
    row.primitive = layout.is_signed ? kSigned[log2] : kUnsigned[log2];
    enum_row_[i] = static_cast<int>(enums_.size());
    enums_.push_back(std::move(row));
  }
}

uint32_t Tables::add(const std::string& key, TypeRow row) {
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  uint32_t index = static_cast<uint32_t>(types_.size());
  types_.push_back(std::move(row));
  types_.back().display = display_of(index, "") + (types_.back().flags & 1u ? " (const)" : "");
  by_key_[key] = index;
  return index;
}

uint32_t Tables::primitive(const std::string& name) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::Primitive;
  t->name = name;
  return type(t);
}

uint32_t Tables::type(const TypeRef& tr, unsigned flags) {
  TypeRef t = resolve_typedefs(m_, tr);
  std::string suffix = flags ? "/" + std::to_string(flags) : "";
  TypeRow row;
  row.flags = flags;
  if (!t || t->kind == TypeKind::Void) {
    row.kind = "CDEFC_TYPE_PRIMITIVE";
    row.primitive = "CDEFC_PRIM_VOID";
    return add("void" + suffix, row);
  }
  switch (t->kind) {
    case TypeKind::Primitive: {
      const Primitive* p = find_primitive(t->name);
      row.kind = "CDEFC_TYPE_PRIMITIVE";
      row.primitive = p ? p->id : "CDEFC_PRIM_VOID";
      return add("p:" + t->name + suffix, row);
    }
    case TypeKind::Record:
      row.kind = "CDEFC_TYPE_RECORD";
      row.target = static_cast<uint32_t>(record_row(t->index));
      return add("r:" + std::to_string(row.target) + suffix, row);
    case TypeKind::Enum:
      row.kind = "CDEFC_TYPE_ENUM";
      row.target = static_cast<uint32_t>(enum_row(t->index));
      return add("e:" + std::to_string(row.target) + suffix, row);
    case TypeKind::Pointer:
      row.kind = "CDEFC_TYPE_POINTER";
      row.target = type(t->target);
      return add("*:" + std::to_string(row.target) + suffix, row);
    case TypeKind::Array:
      row.target = type(t->target);
      if (t->length_kind == ArrayLength::Known) {
        row.kind = "CDEFC_TYPE_ARRAY";
        row.length = t->length;
        return add("[" + std::to_string(t->length) + "]:" + std::to_string(row.target) + suffix,
                   row);
      }
      row.kind = "CDEFC_TYPE_OPEN_ARRAY";
      return add("[]:" + std::to_string(row.target) + suffix, row);
    case TypeKind::Function: {
      row.kind = "CDEFC_TYPE_FUNCTION";
      row.target = type(t->target);
      if (t->variadic) row.flags |= 2u;  // CDEFC_TYPE_VARIADIC
      std::vector<uint32_t> params;
      std::string key = "f:" + std::to_string(row.target) + "(";
      for (const cdef::Param& p : t->params) {
        params.push_back(type(value_type(m_, p.type)));
        key += std::to_string(params.back()) + ",";
      }
      key += t->variadic ? "...)" : ")";
      auto it = by_key_.find(key + suffix);
      if (it != by_key_.end()) return it->second;
      row.first_arg = static_cast<uint32_t>(args_.size());
      row.num_args = static_cast<uint32_t>(params.size());
      args_.insert(args_.end(), params.begin(), params.end());
      return add(key + suffix, row);
    }
    case TypeKind::Void:
    case TypeKind::Typedef:
      break;
  }
  row.kind = "CDEFC_TYPE_PRIMITIVE";
  row.primitive = "CDEFC_PRIM_VOID";
  return add("void" + suffix, row);
}

std::string Tables::display_of(uint32_t i, const std::string& inner) const {
  const TypeRow& row = types_[i];
  auto base = [&](const std::string& name) {
    if (inner.empty()) return name;
    return name + (inner[0] == '[' || inner[0] == '(' ? "" : " ") + inner;
  };
  const std::string& kind = row.kind;
  if (kind == "CDEFC_TYPE_PRIMITIVE") {
    std::string name = "void";
    for (const Primitive& p : kPrimitives)
      if (row.primitive == p.id) name = p.name;
    return base(name);
  }
  if (kind == "CDEFC_TYPE_RECORD") return base(records_[row.target].name);
  if (kind == "CDEFC_TYPE_ENUM") return base(enums_[row.target].name);
  if (kind == "CDEFC_TYPE_POINTER") {
    const std::string& tk = types_[row.target].kind;
    bool wrap =
        tk == "CDEFC_TYPE_ARRAY" || tk == "CDEFC_TYPE_OPEN_ARRAY" || tk == "CDEFC_TYPE_FUNCTION";
    return display_of(row.target, wrap ? "(*" + inner + ")" : "*" + inner);
  }
  if (kind == "CDEFC_TYPE_ARRAY")
    return display_of(row.target, inner + "[" + std::to_string(row.length) + "]");
  if (kind == "CDEFC_TYPE_OPEN_ARRAY") return display_of(row.target, inner + "[]");
  // A function: result(params).
  std::string params;
  for (uint32_t a = 0; a < row.num_args; ++a) {
    if (a) params += ", ";
    params += display_of(args_[row.first_arg + a], "");
  }
  if (row.flags & 2u) params += row.num_args ? ", ..." : "...";
  if (row.num_args == 0 && !(row.flags & 2u)) params = "void";
  return display_of(row.target, inner + "(" + params + ")");
}

}  // namespace cdefc::emit::detail
