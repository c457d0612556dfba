// The emitted file in order: prelude, the user's source, static asserts of what Clang found,
// wrappers, the tables of include/cdefc/module.h, and PyInit_<name>.
#include "emit/emit.h"

#include <algorithm>

#include "emit/names.h"
#include "emit/writers.h"
#include "model/prelude.h"

namespace cdefc::emit {

using namespace detail;
using cdef::TypeKind;
namespace n = names;

namespace {

/// CDEFC_STATIC_ASSERT(cond, msg): the compiler shows `cond` when it fails.
std::string check(const std::string& cond) {
  return "CDEFC_STATIC_ASSERT(" + cond + ", \"cdefc: not what Clang found\");\n";
}

/// A `#line` directive (file names escaped as C strings).
std::string line_directive(unsigned line, const std::string& file) {
  return "#line " + std::to_string(line) + " " + c_string(file) + "\n";
}

size_t count_lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

/// A field as the records table lists it: the declaration and where C puts it.
struct FlatField {
  const cdef::Field* decl;
  const model::FieldLayout* layout;
};

/// The named fields of record `ri` with everything flattened: fields of anonymous members
/// are listed in the enclosing record (their offsets are already from its start).
void flatten(const Module& m, size_t ri, std::vector<FlatField>& out) {
  const cdef::Record& r = m.decls.records[ri];
  for (size_t j = 0; j < r.fields.size(); ++j) {
    const cdef::Field& f = r.fields[j];
    if (!f.name.empty()) {
      out.push_back({&f, &m.records[ri].fields[j]});
    } else if (f.type && f.type->kind == TypeKind::Record) {
      flatten(m, static_cast<size_t>(f.type->index), out);
    }  // else: unnamed bitfield padding, not a field
  }
}

/// Length checks of every known array dimension of an object `expr` (a postfix expression):
/// `sizeof(E) / sizeof(E[0]) == N`.
std::string array_checks(const Module& m, TypeRef t, std::string expr) {
  std::string out;
  for (t = resolve_typedefs(m, t); t && t->kind == TypeKind::Array;
       t = resolve_typedefs(m, t->target)) {
    if (t->length_kind == cdef::ArrayLength::Known)
      out +=
          check("sizeof(" + expr + ") / sizeof(" + expr + "[0]) == " + std::to_string(t->length));
    expr += "[0]";
  }
  return out;
}

/// Static asserts of everything Clang answered, so the final C compiler has the last word.
std::string static_asserts(const Module& m, const Tables& tables) {
  std::string out;
  for (const RecordRow& row : tables.records()) {
    const size_t ri = static_cast<size_t>(row.record);
    const cdef::Record& r = m.decls.records[ri];
    const model::RecordLayout& layout = m.records[ri];
    if (row.spelling.empty() || !r.complete || r.opaque || r.included) continue;
    std::vector<FlatField> fields;
    flatten(m, ri, fields);
    if (layout.known) {
      out += check("sizeof(" + row.spelling + ") == " + std::to_string(layout.size));
      out += check("CDEFC_ALIGNOF(" + row.spelling + ") == " + std::to_string(layout.align));
      for (const FlatField& f : fields)
        if (f.decl->bit_width < 0)
          out += check("offsetof(" + row.spelling + ", " + f.decl->name +
                       ") == " + std::to_string(f.layout->offset));
    }
    for (const FlatField& f : fields)
      if (f.decl->bit_width < 0)
        out += array_checks(m, f.decl->type, "((" + row.spelling + " *)0)->" + f.decl->name);
  }
  for (const EnumRow& row : tables.enums()) {
    const cdef::Enum& e = m.decls.enums[static_cast<size_t>(row.enumeration)];
    const model::EnumLayout& layout = m.enums[static_cast<size_t>(row.enumeration)];
    if (e.included) continue;  // its module checked it
    if (layout.known && !row.spelling.empty())
      out += check("sizeof(" + row.spelling + ") == " + std::to_string(layout.size));
    for (const cdef::Enumerator& v : e.values)
      out += check("(" + v.name + ") == " + int_literal(v.value, !layout.is_signed && v.value < 0));
  }
  for (const cdef::Typedef& t : m.decls.typedefs) {
    if (t.included) continue;
    if (t.gap == cdef::TypedefGap::Integer || t.gap == cdef::TypedefGap::Float)
      out += check("sizeof(" + t.name + ") == sizeof(" + spell(m, t.type) + ")");
    else if (t.gap == cdef::TypedefGap::None)
      out += array_checks(m, t.type, "(*(" + t.name + " *)0)");
  }
  for (const cdef::Variable& v : m.decls.variables)
    if (!v.included) out += array_checks(m, v.type, "(" + v.name + ")");
  for (size_t i = 0; i < m.decls.constants.size(); ++i) {
    const cdef::Constant& c = m.decls.constants[i];
    const cdef::ConstantValue& v = m.constants[i].value;
    if (!c.included && c.kind != cdef::ConstantKind::Static && v.kind == cdef::ConstantValue::Int &&
        v.is_constant_expression)  // a macro over a const variable folds only in Clang
      out += check("(" + c.name + ") == " + int_literal(v.int_value, v.is_unsigned));
  }
  return out;
}

std::string flags_text(unsigned flags, const char* const names[], size_t count) {
  std::string s;
  for (size_t i = 0; i < count; ++i)
    if (flags & (1u << i)) s += (s.empty() ? "" : " | ") + std::string(names[i]);
  return s.empty() ? "0" : s;
}

/// `static const T name[] = {\n rows };` or nothing when there are no rows.
std::string array(const char* type, const char* name, const std::string& rows) {
  if (rows.empty()) return "";
  return std::string("static const ") + type + " " + name + "[] = {\n" + rows + "};\n\n";
}

/// The table's name, or NULL when it has no rows (C has no empty arrays).
std::string table_ref(const std::string& rows, const char* name) {
  return rows.empty() ? std::string("NULL") : std::string(name);
}

/// The tables of include/cdefc/module.h and the cdefc_module_def that points at them.
std::string tables_text(const Module& m, const EmitOptions& options, Tables& tables, Code& code) {
  // Records, with their flattened fields.
  static const char* const kRecordFlags[] = {"CDEFC_RECORD_UNION", "CDEFC_RECORD_OPAQUE",
                                             "CDEFC_RECORD_PACKED", "CDEFC_RECORD_INCLUDED"};
  std::string records, fields;
  uint32_t num_fields = 0;
  for (const RecordRow& row : tables.records()) {
    const size_t ri = static_cast<size_t>(row.record);
    const cdef::Record& r = m.decls.records[ri];
    const std::string& error = m.records[ri].error;
    // An included record is its module's: only its name is listed.
    bool opaque = r.opaque || !r.complete || row.spelling.empty() || r.included;
    unsigned flags = (r.is_union ? 1u : 0u) | (opaque ? 2u : 0u) | (r.packed || r.pack ? 4u : 0u) |
                     (r.included ? 8u : 0u);
    std::vector<FlatField> list;
    if (!opaque) flatten(m, ri, list);
    records += "  {" + c_string(row.name) + ", " +
               (opaque ? std::string("0, 0")
                       : "sizeof(" + row.spelling + "), CDEFC_ALIGNOF(" + row.spelling + ")") +
 ", " + flags_text(flags, kRecordFlags, 4) + ", " + std::to_string(num_fields) +
               ", " + std::to_string(list.size()) + ", " +
               (error.empty() ? std::string("NULL") : c_string(error)) + "},\n";
    for (const FlatField& f : list) {
      uint32_t type = tables.type(f.decl->type);
      fields += "  {" + c_string(f.decl->name) + ", " + std::to_string(type) + ", ";
      if (f.decl->bit_width >= 0)
        fields += std::to_string(f.decl->bit_width) + ", " +
                  std::to_string(f.layout->bit_offset / 8) + ", " +
                  std::to_string(f.layout->bit_offset) + "},";
      else
        fields += "-1, offsetof(" + row.spelling + ", " + f.decl->name + "), 0},";
      fields += " /* " + std::to_string(num_fields++) + ": " + tables.display(type) + " */\n";
    }
  }

  // Enums and their enumerators, in cdef order.
  std::string enums, enumerators;
  uint32_t num_enumerators = 0;
  for (const EnumRow& row : tables.enums()) {
    const cdef::Enum& e = m.decls.enums[static_cast<size_t>(row.enumeration)];
    size_t count = e.included ? 0 : e.values.size();  // an included enum is its module's
    enums += "  {" + c_string(row.name) + ", " + row.primitive + ", " +
             (e.included ? "CDEFC_ENUM_INCLUDED" : "0") + ", " + std::to_string(num_enumerators) +
             ", " + std::to_string(count) + "},\n";
    for (const cdef::Enumerator& v : e.values) {
      if (e.included) break;
      enumerators += "  {" + c_string(v.name) + ", (int64_t)(" + v.name + ")},\n";
      ++num_enumerators;
    }
  }

  // Typedefs and globals, sorted by name for the runtime's binary search.
  struct TypedefRow {
    std::string name;
    uint32_t type;
    bool included;
    bool operator<(const TypedefRow& o) const { return name < o.name; }
  };
  std::vector<TypedefRow> sorted_typedefs;
  for (const cdef::Typedef& t : m.decls.typedefs)
    sorted_typedefs.push_back({t.name, tables.type(t.type), t.included});
  std::sort(sorted_typedefs.begin(), sorted_typedefs.end());
  std::string typedefs;
  for (const TypedefRow& t : sorted_typedefs)
    typedefs += "  {" + c_string(t.name) + ", " + std::to_string(t.type) + ", " +
                (t.included ? "CDEFC_TYPEDEF_INCLUDED" : "0") + "}, /* " +
                (t.included ? std::string("included") : tables.display(t.type)) + " */\n";
  std::string globals;
  for (const GlobalRow& g : code.globals)
    globals += "  {" + c_string(g.name) + ", " + g.kind + ", " + std::to_string(g.type) + ", " +
               g.method + ", " + g.address + ", " + g.getter + ", " + g.error + "}, /* " + tables.display(g.type) +
               " */\n";

  // Every type is interned by now: the types and args tables.
  static const char* const kTypeFlags[] = {"CDEFC_TYPE_CONST", "CDEFC_TYPE_VARIADIC"};
  std::string types, args;
  for (size_t i = 0; i < tables.types().size(); ++i) {
    const TypeRow& t = tables.types()[i];
    types += "  /* " + std::to_string(i) + " */ {" + t.kind + ", " +
             flags_text(t.flags, kTypeFlags, 2) + ", " + t.primitive + ", " +
             std::to_string(t.target) + ", " + std::to_string(t.first_arg) + ", " +
             std::to_string(t.num_args) + ", " + std::to_string(t.length) + "}, /* " + t.display +
             " */\n";
  }
  for (size_t i = 0; i < tables.args().size(); ++i)
    args += (i % 16 ? " " : (i ? "\n  " : "  ")) + std::to_string(tables.args()[i]) + ",";
  if (!args.empty()) args += "\n";

  std::string out;
  if (!code.methods.empty()) {
    out += std::string("static PyMethodDef ") + n::kMethods + "[] = {\n";
    for (const std::string& md : code.methods) out += "  " + md + ",\n";
    out += "};\n\n";
  }
  out += array("cdefc_type", n::kTypes, types);
  out += array("uint32_t", n::kArgs, args);
  out += array("cdefc_record", n::kRecords, records);
  out += array("cdefc_field", n::kFields, fields);
  out += array("cdefc_enum", n::kEnums, enums);
  out += array("cdefc_enumerator", n::kEnumerators, enumerators);
  out += array("cdefc_typedef", n::kTypedefs, typedefs);
  out += array("cdefc_global", n::kGlobals, globals);
  std::string includes;
  for (const std::string& name : options.includes) includes += "  " + c_string(name) + ",\n";
  out += array("char *const", n::kIncludes, includes);
  out += std::string("static const cdefc_module_def ") + n::kModule + " = {\n";
  out += "  CDEFC_ABI_VERSION,\n";
  out += "  " + c_string(options.module_name) + ",\n";
  out += "  " + table_ref(types, n::kTypes) + ", " + std::to_string(tables.types().size()) + ",\n";
  out += "  " + table_ref(args, n::kArgs) + ",\n";
  out += "  " + table_ref(records, n::kRecords) + ", " + std::to_string(tables.records().size()) +
         ",\n";
  out += "  " + table_ref(fields, n::kFields) + ",\n";
  out += "  " + table_ref(enums, n::kEnums) + ", " + std::to_string(tables.enums().size()) + ",\n";
  out += "  " + table_ref(enumerators, n::kEnumerators) + ",\n";
  out += "  " + table_ref(typedefs, n::kTypedefs) + ", " + std::to_string(sorted_typedefs.size()) +
         ",\n";
  out +=
      "  " + table_ref(globals, n::kGlobals) + ", " + std::to_string(code.globals.size()) + ",\n";
  out += "  " + table_ref(includes, n::kIncludes) + ", " + std::to_string(options.includes.size()) +
         ",\n";
  out += std::string("  ") + (options.abi_mode ? "CDEFC_MODULE_ABI_MODE" : "0") + ",\n";
  out += "};\n";
  return out;
}

/// Types the declarations mention that no wrapper or table row interns on its own (every
/// record and enum), in cdef order, so the table lists every declared type.
void declared_types(const Module& m, Tables& tables) {
  for (const cdef::DeclRef& d : m.decls.order) {
    auto t = std::make_shared<cdef::Type>();
    if (d.kind == cdef::DeclRef::Record && tables.record_row(d.index) >= 0) {
      t->kind = TypeKind::Record;
    } else if (d.kind == cdef::DeclRef::Enum) {
      t->kind = TypeKind::Enum;
    } else {
      continue;
    }
    t->index = d.index;
    tables.type(t);
  }
}

/// Bitfields whose bit offsets Clang did not give: those of records the resolver does not lay
/// out (a struct without a tag or typedef name, reached through a named field).
void unsupported_bitfields(const Module& m, const Tables& tables, cdef::Diagnostics& diags) {
  for (const RecordRow& row : tables.records()) {
    const size_t ri = static_cast<size_t>(row.record);
    const cdef::Record& r = m.decls.records[ri];
    if (m.records[ri].known || r.opaque || !r.complete || r.included) continue;
    std::vector<FlatField> fields;
    flatten(m, ri, fields);
    for (const FlatField& f : fields)
      if (f.decl->bit_width >= 0)
        diags.error(f.decl->loc, "bitfield '" + f.decl->name + "' is not supported yet in a " +
                                (r.is_union ? "union" : "struct") +
                                " without a tag or typedef name");
  }
}

}  // namespace

bool emit_c(const Module& m, const EmitOptions& options, cdef::Diagnostics& diags,
            std::string& out, std::vector<std::string>* pieces) {
  out.clear();
  if (pieces) pieces->clear();
  Tables tables(m);
  declared_types(m, tables);
  unsupported_bitfields(m, tables, diags);
  Code code;
  if (options.abi_mode) {
    write_dlopen_rows(m, tables, code);
  } else {
    write_functions(m, options, tables, diags, code);
    write_variables(m, tables, code);
  }
  write_constants(m, tables, code, options.abi_mode);
  if (diags.has_errors()) return false;
  // Sorted by name for the runtime's binary search; extern "Python" bodies use the indices.
  std::sort(code.globals.begin(), code.globals.end(),
            [](const GlobalRow& a, const GlobalRow& b) { return a.name < b.name; });
  write_extern_python(m, code, code.text);
  std::string asserts = static_asserts(m, tables);
  std::string data = tables_text(m, options, tables, code);

  auto prelude = [&](const std::string& what) {
    std::string s = "/* Generated by cdefc from the cdef of module " + options.module_name + what +
                    ". Do not edit. */\n";
    if (options.py_limited_api) s += model::kLimitedApiDefine;
    s += "#include <Python.h>\n";
    s += model::kStandardPrelude;
    s += "#include <errno.h>\n";
    return s;
  };
  const bool apart = pieces && !code.pieces.empty();
  if (apart) {
    // Each piece: the runtime's headers, the context, its wrappers; no user source.
    for (size_t i = 0; i < code.pieces.size(); ++i)
      pieces->push_back(prelude(": wrappers, part " + std::to_string(i + 1) + " of " +
                                std::to_string(code.pieces.size()) + " (compiled as C)") +
                        "#define CDEFC_COMPACT_WRAPPERS 1\n#include \"cdefc/module.h\"\n\n"
                        "CDEFC_PIECE_EXTERN cdefc_context *" +
                        n::kContext + ";\n\n" + code.pieces[i]);
  } else {
    for (const std::string& piece : code.pieces) code.text += piece;  // nowhere else to go
  }
  out += prelude(options.cplusplus ? " (compiled as C++)" : "");
  if (code.needs_string_h) out += "#include <string.h>\n";
  out += "#include \"cdefc/module.h\"\n\n";
  // The user's source, verbatim, with its own line numbers.
  if (options.source) {
    out += line_directive(options.source->first_line, options.source->name);
    out += options.source->text;
    if (!options.source->text.empty() && options.source->text.back() != '\n') out += "\n";
  }
  out += line_directive(static_cast<unsigned>(count_lines(out) + 2), options.output_name);
  if (!asserts.empty()) out += "\n/* What Clang found: the C compiler must agree. */\n" + asserts;
  if (apart)  // shared with the pieces
    out += std::string("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\nCDEFC_HIDDEN cdefc_context *") +
           n::kContext + ";\n#ifdef __cplusplus\n}\n#endif\n\n";
  else
    out += std::string("\nstatic cdefc_context *") + n::kContext + ";\n\n";
  out += code.text;
  out += data;
  std::string short_name = options.module_name.substr(options.module_name.rfind('.') + 1);
  out += "\nPyMODINIT_FUNC PyInit_" + short_name + "(void)\n{\n";
  out += std::string("  return cdefc_module_init(&") + n::kModule + ", &" + n::kContext + ");\n}\n";
  return true;
}

}  // namespace cdefc::emit
