// Writes the resolved module as JSON with nlohmann::json (ordered keys, cdef order).
#include "model/json.h"

#include <nlohmann/json.hpp>

namespace cdefc::model {

using json = nlohmann::ordered_json;

namespace {

std::string where(const cdef::Location& loc) {
  if (!loc.valid()) return "";
  std::string file = loc.file;
  size_t slash = file.rfind('/');
  if (slash != std::string::npos) file = file.substr(slash + 1);
  return file + ":" + std::to_string(loc.line);
}

std::string record_name(const cdef::Record& r) {
  if (!r.tag.empty()) return std::string(r.is_union ? "union " : "struct ") + r.tag;
  if (!r.typedef_name.empty()) return r.typedef_name;
  return r.is_union ? "union <anonymous>" : "struct <anonymous>";
}

json value(const cdef::ConstantValue& v) {
  switch (v.kind) {
    case cdef::ConstantValue::Int:
      if (v.is_unsigned) return static_cast<uint64_t>(v.int_value);
      return v.int_value;
    case cdef::ConstantValue::Float:
      return v.float_value;
    case cdef::ConstantValue::String:
      return v.string_value;
    case cdef::ConstantValue::None:
      break;
  }
  return nullptr;
}

/// How C reaches a function, or null when not known (extern "Python").
const char* reach_name(Reach r) {
  switch (r) {
    case Reach::Unknown:
      return nullptr;
    case Reach::Function:
      return "function";
    case Reach::FunctionPointer:
      return "function pointer variable";
    case Reach::Macro:
      return "macro";
  }
  return nullptr;
}

const char* gap_name(cdef::TypedefGap g) {
  switch (g) {
    case cdef::TypedefGap::None:
      return nullptr;
    case cdef::TypedefGap::Integer:
      return "int...";
    case cdef::TypedefGap::Float:
      return "float...";
    case cdef::TypedefGap::Opaque:
      return "...";
  }
  return nullptr;
}

const char* constant_kind(cdef::ConstantKind k) {
  switch (k) {
    case cdef::ConstantKind::Define:
      return "#define";
    case cdef::ConstantKind::DefineGap:
      return "#define ...";
    case cdef::ConstantKind::Static:
      return "static const";
  }
  return "";
}

}  // namespace

std::string to_json(const Module& m, const std::string& module_name) {
  json out;
  out["module"] = module_name;

  const cdef::Module& d = m.decls;
  json records = json::array();
  for (size_t ri = 0; ri < d.records.size(); ++ri) {
    const cdef::Record& r = d.records[ri];
    const RecordLayout& layout = m.records[ri];
    json j;
    j["name"] = record_name(r);
    j["kind"] = r.is_union ? "union" : "struct";
    j["cdef"] = where(r.loc);
    if (r.included) j["included"] = true;  // an ffi.include()d module's
    if (r.opaque) {
      j["opaque"] = true;
    } else {
      j["partial"] = r.partial;
      if (r.packed) j["packed"] = true;
      if (r.pack) j["pack"] = r.pack;
    }
    if (r.complete || layout.size) {
      j["size"] = layout.size;
      j["align"] = layout.align;
    }
    json fields = json::array();
    for (size_t fi = 0; fi < r.fields.size(); ++fi) {
      const cdef::Field& f = r.fields[fi];
      const FieldLayout& fl = layout.fields[fi];
      json fj;
      fj["name"] = f.name;
      fj["type"] = cdef::c_type_string(d, f.type);
      fj["offset"] = fl.offset;
      fj["size"] = fl.size;
      if (f.bit_width >= 0) {
        fj["bit_width"] = f.bit_width;
        fj["bit_offset"] = fl.bit_offset;
      }
      fields.push_back(fj);
    }
    if (r.complete) j["fields"] = fields;
    if (!layout.error.empty()) j["error"] = layout.error;
    records.push_back(j);
  }
  out["records"] = records;

  json enums = json::array();
  for (size_t ei = 0; ei < d.enums.size(); ++ei) {
    const cdef::Enum& e = d.enums[ei];
    const EnumLayout& layout = m.enums[ei];
    json j;
    j["name"] = e.tag.empty() ? (e.typedef_name.empty() ? "enum <anonymous>" : e.typedef_name)
                              : "enum " + e.tag;
    j["cdef"] = where(e.loc);
    if (e.included) j["included"] = true;
    j["partial"] = e.partial;
    if (layout.known) {
      j["size"] = layout.size;
      j["signed"] = layout.is_signed;
    }
    json values = json::array();
    for (const cdef::Enumerator& v : e.values) values.push_back(json::array({v.name, v.value}));
    j["values"] = values;
    enums.push_back(j);
  }
  out["enums"] = enums;

  json typedefs = json::array();
  for (const cdef::Typedef& t : d.typedefs) {
    json j;
    j["name"] = t.name;
    j["type"] = cdef::c_type_string(d, t.type);
    if (const char* g = gap_name(t.gap)) j["gap"] = g;
    j["cdef"] = where(t.loc);
    if (t.included) j["included"] = true;
    typedefs.push_back(j);
  }
  out["typedefs"] = typedefs;

  json functions = json::array();
  for (size_t fi = 0; fi < d.functions.size(); ++fi) {
    const cdef::Function& f = d.functions[fi];
    json j;
    j["name"] = f.name;
    j["type"] = cdef::c_type_string(d, f.type, f.name);
    j["result"] = cdef::c_type_string(d, f.type->target);
    json params = json::array();
    for (const cdef::Param& p : f.type->params) params.push_back(cdef::c_type_string(d, p.type));
    j["params"] = params;
    json names = json::array();  // as the cdef names them ("" when it does not)
    for (const cdef::Param& p : f.type->params) names.push_back(p.name);
    j["param_names"] = names;
    j["variadic"] = f.type->variadic;
    if (f.linkage == cdef::Linkage::Python) j["extern"] = "Python";
    if (f.linkage == cdef::Linkage::PythonPlusC) j["extern"] = "Python+C";
    if (const char* c = reach_name(m.functions[fi].reach)) j["c"] = c;
    const FunctionInfo& info = m.functions[fi];
    if (info.body_seen)
      j["body"] = info.leaf ? std::string("leaf") : "not a leaf: " + info.not_leaf_because;
    if (f.linkage == cdef::Linkage::C && !f.included && !f.type->variadic && !info.gil_because.empty())
      j["gil"] = std::string(info.release_gil ? "released" : "kept") + " (" + info.gil_because +
                 (info.save_errno ? "" : "; errno untouched") + ")";
    j["cdef"] = where(f.loc);
    if (f.included) j["included"] = true;
    functions.push_back(j);
  }
  out["functions"] = functions;

  json variables = json::array();
  for (const cdef::Variable& v : d.variables) {
    json j;
    j["name"] = v.name;
    j["type"] = cdef::c_type_string(d, v.type);
    j["cdef"] = where(v.loc);
    if (v.included) j["included"] = true;
    variables.push_back(j);
  }
  out["variables"] = variables;

  json constants = json::array();
  for (size_t ci = 0; ci < d.constants.size(); ++ci) {
    const cdef::Constant& c = d.constants[ci];
    const ConstantInfo& info = m.constants[ci];
    json j;
    j["name"] = c.name;
    j["kind"] = constant_kind(c.kind);
    if (c.type) j["type"] = cdef::c_type_string(d, c.type);
    j["value"] = value(info.value);
    if (!info.error.empty()) j["error"] = info.error;
    j["cdef"] = where(c.loc);
    if (c.included) j["included"] = true;
    constants.push_back(j);
  }
  out["constants"] = constants;
  return out.dump(2) + "\n";
}

}  // namespace cdefc::model
