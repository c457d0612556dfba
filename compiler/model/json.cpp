// Writes the resolved module as JSON with nlohmann::json (ordered keys, cdef order).
#include "model/json.h"

#include <nlohmann/json.hpp>

namespace cdefc::model {

using cdef::Module;
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
const char* reach_name(cdef::Reach r) {
  switch (r) {
    case cdef::Reach::Unknown:
      return nullptr;
    case cdef::Reach::Function:
      return "function";
    case cdef::Reach::FunctionPointer:
      return "function pointer variable";
    case cdef::Reach::Macro:
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

  json records = json::array();
  for (const cdef::Record& r : m.records) {
    json j;
    j["name"] = record_name(r);
    j["kind"] = r.is_union ? "union" : "struct";
    j["cdef"] = where(r.loc);
    if (r.opaque) {
      j["opaque"] = true;
    } else {
      j["partial"] = r.partial;
      if (r.packed) j["packed"] = true;
      if (r.pack) j["pack"] = r.pack;
    }
    if (r.complete || r.size) {
      j["size"] = r.size;
      j["align"] = r.align;
    }
    json fields = json::array();
    for (const cdef::Field& f : r.fields) {
      json fj;
      fj["name"] = f.name;
      fj["type"] = cdef::c_type_string(m, f.type);
      fj["offset"] = f.offset;
      fj["size"] = f.size;
      if (f.bit_width >= 0) {
        fj["bit_width"] = f.bit_width;
        fj["bit_offset"] = f.bit_offset;
      }
      fields.push_back(fj);
    }
    if (r.complete) j["fields"] = fields;
    if (!r.layout_error.empty()) j["error"] = r.layout_error;
    records.push_back(j);
  }
  out["records"] = records;

  json enums = json::array();
  for (const cdef::Enum& e : m.enums) {
    json j;
    j["name"] = e.tag.empty() ? (e.typedef_name.empty() ? "enum <anonymous>" : e.typedef_name)
                              : "enum " + e.tag;
    j["cdef"] = where(e.loc);
    j["partial"] = e.partial;
    if (e.resolved) {
      j["size"] = e.size;
      j["signed"] = e.is_signed;
    }
    json values = json::array();
    for (const cdef::Enumerator& v : e.values) values.push_back(json::array({v.name, v.value}));
    j["values"] = values;
    enums.push_back(j);
  }
  out["enums"] = enums;

  json typedefs = json::array();
  for (const cdef::Typedef& t : m.typedefs) {
    json j;
    j["name"] = t.name;
    j["type"] = cdef::c_type_string(m, t.type);
    if (const char* g = gap_name(t.gap)) j["gap"] = g;
    j["cdef"] = where(t.loc);
    typedefs.push_back(j);
  }
  out["typedefs"] = typedefs;

  json functions = json::array();
  for (const cdef::Function& f : m.functions) {
    json j;
    j["name"] = f.name;
    j["type"] = cdef::c_type_string(m, f.type, f.name);
    j["result"] = cdef::c_type_string(m, f.type->target);
    json params = json::array();
    for (const cdef::Param& p : f.type->params) params.push_back(cdef::c_type_string(m, p.type));
    j["params"] = params;
    j["variadic"] = f.type->variadic;
    if (f.linkage == cdef::Linkage::Python) j["extern"] = "Python";
    if (f.linkage == cdef::Linkage::PythonPlusC) j["extern"] = "Python+C";
    if (const char* c = reach_name(f.reach)) j["c"] = c;
    j["cdef"] = where(f.loc);
    functions.push_back(j);
  }
  out["functions"] = functions;

  json variables = json::array();
  for (const cdef::Variable& v : m.variables) {
    json j;
    j["name"] = v.name;
    j["type"] = cdef::c_type_string(m, v.type);
    j["cdef"] = where(v.loc);
    variables.push_back(j);
  }
  out["variables"] = variables;

  json constants = json::array();
  for (const cdef::Constant& c : m.constants) {
    json j;
    j["name"] = c.name;
    j["kind"] = constant_kind(c.kind);
    if (c.type) j["type"] = cdef::c_type_string(m, c.type);
    j["value"] = value(c.value);
    if (!c.value_error.empty()) j["error"] = c.value_error;
    j["cdef"] = where(c.loc);
    constants.push_back(j);
  }
  out["constants"] = constants;
  return out.dump(2) + "\n";
}

}  // namespace cdefc::model
