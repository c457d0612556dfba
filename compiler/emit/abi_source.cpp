// ABI mode: the checks of what it cannot have, and the cdef's types and constants written as
// the C the module is compiled from (tags first, definitions in the order C needs them).
#include "emit/abi_source.h"

#include <functional>
#include <vector>

namespace cdefc::emit {

using namespace cdefc::cdef;

namespace {

bool has_gap_length(const TypeRef& t) {
  if (!t) return false;
  if (t->kind == TypeKind::Array && t->length_kind == ArrayLength::Gap) return true;
  if (has_gap_length(t->target)) return true;
  for (const Param& p : t->params)
    if (has_gap_length(p.type)) return true;
  return false;
}

const char* const kNoGap = "' in the ABI mode: without a C source nothing can answer it";

/// Writes the definitions in dependency order (a depth-first walk from each declaration).
class Writer {
 public:
  explicit Writer(const Module& m)
      : m_(m), record_state_(m.records.size(), 0), typedef_state_(m.typedefs.size(), 0) {}

  std::string run() {
    out_ = "/* ABI mode: the cdef's declarations, as C. */\n";
    for (const Record& r : m_.records)
      if (!r.tag.empty()) out_ += std::string(r.is_union ? "union " : "struct ") + r.tag + ";\n";
    for (const Enum& e : m_.enums)
      if (e.complete && e.typedef_name.empty()) out_ += enum_text(e) + ";\n";
    for (const Constant& c : m_.constants)
      if (c.kind == ConstantKind::Define && c.value.kind == ConstantValue::Int)
        out_ += "#define " + c.name + " " + literal(c.value) + "\n";
    for (const DeclRef& d : m_.order) {
      if (d.kind == DeclRef::Record) record(static_cast<size_t>(d.index));
      if (d.kind == DeclRef::Typedef) typedef_decl(static_cast<size_t>(d.index));
    }
    return out_;
  }

 private:
  const Module& m_;
  std::string out_;
  std::vector<int> record_state_, typedef_state_;  // 0 to do, 1 being written, 2 written

  static std::string literal(const ConstantValue& v) {
    if (v.is_unsigned) return std::to_string(static_cast<uint64_t>(v.int_value)) + "ULL";
    if (v.int_value == INT64_MIN) return "(-9223372036854775807LL - 1)";
    return "(" + std::to_string(v.int_value) + "LL)";
  }

  static std::string enum_text(const Enum& e) {
    std::string s = "enum" + (e.tag.empty() ? std::string() : " " + e.tag) + " { ";
    for (size_t i = 0; i < e.values.size(); ++i)
      s += (i ? ", " : "") + e.values[i].name + " = " + std::to_string(e.values[i].value);
    return s + " }";
  }

  /// Makes sure what `t` names is declared (and defined where `complete` is needed).
  void needs(const TypeRef& t, bool complete) {
    if (!t) return;
    switch (t->kind) {
      case TypeKind::Typedef: {
        int i = m_.find_typedef(t->name);
        if (i < 0) return;
        typedef_decl(static_cast<size_t>(i));
        if (complete) needs(m_.typedefs[static_cast<size_t>(i)].type, true);
        return;
      }
      case TypeKind::Record: {
        const Record& r = m_.records[static_cast<size_t>(t->index)];
        if (r.tag.empty() && !r.typedef_name.empty()) {  // defined by its typedef
          int i = m_.find_typedef(r.typedef_name);
          if (i >= 0) typedef_decl(static_cast<size_t>(i));
        } else if (r.tag.empty()) {  // written inline: what its fields need
          for (const Field& f : r.fields) needs(f.type, true);
        } else if (complete) {
          record(static_cast<size_t>(t->index));
        }
        return;
      }
      case TypeKind::Enum: {
        const Enum& e = m_.enums[static_cast<size_t>(t->index)];
        if (!e.typedef_name.empty()) {
          int i = m_.find_typedef(e.typedef_name);
          if (i >= 0) typedef_decl(static_cast<size_t>(i));
        }
        return;
      }
      case TypeKind::Array:
        needs(t->target, true);
        return;
      case TypeKind::Pointer:
        needs(t->target, false);
        return;
      case TypeKind::Function:
        needs(t->target, false);
        for (const Param& p : t->params) needs(p.type, false);
        return;
      case TypeKind::Void:
      case TypeKind::Primitive:
        return;
    }
  }

  static std::string tail(const Record& r) {
    return r.packed || r.pack ? " __attribute__((packed))" : "";
  }

  std::string body(const Record& r) {
    for (const Field& f : r.fields) needs(f.type, true);
    std::string text = std::string(r.is_union ? "union" : "struct");
    if (!r.tag.empty()) text += " " + r.tag;
    return text + " { " + c_record_body(m_, r) + "}";
  }

  /// `#pragma pack(push, N)` around a definition with cdef(pack=N).
  void add(const Record& r, const std::string& definition) {
    if (r.pack > 0) out_ += "#pragma pack(push, " + std::to_string(r.pack) + ")\n";
    out_ += definition + ";\n";
    if (r.pack > 0) out_ += "#pragma pack(pop)\n";
  }

  void record(size_t i) {
    const Record& r = m_.records[i];
    if (record_state_[i] || r.tag.empty() || !r.complete || r.opaque) return;
    record_state_[i] = 1;
    std::string definition = body(r);
    add(r, definition + (r.pack > 0 ? "" : tail(r)));
    record_state_[i] = 2;
  }

  void typedef_decl(size_t i) {
    if (typedef_state_[i]) return;
    typedef_state_[i] = 1;
    const Typedef& t = m_.typedefs[i];
    const TypeRef& ty = t.type;
    if (t.gap == TypedefGap::Opaque) {  // typedef ... t; / typedef ... *t;
      bool ptr = ty && ty->kind == TypeKind::Pointer;
      out_ += "typedef struct _cdefc_opaque_" + t.name + (ptr ? " *" : " ") + t.name + ";\n";
    } else if (ty && ty->kind == TypeKind::Record &&
               m_.records[static_cast<size_t>(ty->index)].tag.empty() &&
               m_.records[static_cast<size_t>(ty->index)].typedef_name == t.name) {
      const Record& r = m_.records[static_cast<size_t>(ty->index)];  // typedef struct {...} t;
      std::string definition = body(r);
      add(r, "typedef " + definition + (r.pack > 0 ? "" : tail(r)) + " " + t.name);
    } else if (ty && ty->kind == TypeKind::Enum &&
               m_.enums[static_cast<size_t>(ty->index)].tag.empty() &&
               m_.enums[static_cast<size_t>(ty->index)].typedef_name == t.name) {
      out_ += "typedef " + enum_text(m_.enums[static_cast<size_t>(ty->index)]) + " " + t.name +
              ";\n";
    } else {
      needs(ty, false);
      // An array typedef needs its items complete; a typedef of a struct does not.
      if (ty && ty->kind == TypeKind::Array) needs(ty, true);
      out_ += "typedef " + c_type_string(m_, ty, t.name) + ";\n";
    }
    typedef_state_[i] = 2;
  }
};

}  // namespace

bool check_abi_mode(const Module& m, Diagnostics& diags) {
  bool ok = true;
  auto error = [&](const Location& loc, const std::string& message) {
    diags.error(loc, message);
    ok = false;
  };
  for (const Constant& c : m.constants)
    if (!c.included && c.kind == ConstantKind::DefineGap)
      error(c.loc, "macro " + c.name + ": cannot use the syntax '...' in '#define " + c.name +
                       " ...' when using the ABI mode");
  for (const Typedef& t : m.typedefs) {
    if (t.included) continue;
    if (t.gap == TypedefGap::Integer || t.gap == TypedefGap::Float)
      error(t.loc, std::string("typedef '") + t.name + "': cannot use '" +
                       (t.gap == TypedefGap::Integer ? "int..." : "float...") + kNoGap);
    else if (has_gap_length(t.type))
      error(t.loc, "typedef '" + t.name + "': cannot use '[...]" + kNoGap);
  }
  for (const Variable& v : m.variables)
    if (!v.included && has_gap_length(v.type))
      error(v.loc, "'" + v.name + "': cannot use '[...]" + kNoGap);
  for (const Function& f : m.functions)
    if (!f.included && f.linkage != Linkage::C)
      error(f.loc, "extern_python " + f.name + ": cannot use 'extern \"Python\"' in the ABI mode");
  for (const Enum& e : m.enums) {
    if (e.included) continue;
    bool gap = e.partial;
    for (const Enumerator& v : e.values) gap = gap || v.gap;
    if (gap)
      error(e.loc, "enum " + (e.tag.empty() ? e.typedef_name : e.tag) + ": cannot use '..." +
                       kNoGap);
  }
  for (const Record& r : m.records) {
    if (r.included || !r.complete) continue;
    for (const Field& f : r.fields)
      if (has_gap_length(f.type))
        error(f.loc, "field '" + f.name + "': cannot use '[...]" + kNoGap);
    if (r.partial)
      diags.warning(r.loc, std::string(r.is_union ? "union" : "struct") + " '" +
                               (r.tag.empty() ? r.typedef_name : r.tag) +
                               "' ends with '...;': in the ABI mode it is laid out with the "
                               "fields the cdef gives, as CFFI does");
  }
  return ok;
}

std::string abi_source(const Module& m) { return Writer(m).run(); }

}  // namespace cdefc::emit
