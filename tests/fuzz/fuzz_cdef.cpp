// libFuzzer target: any text as a cdef() parses or reports errors, never crashes or hangs.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "cdef/decl.h"
#include "cdef/parser.h"

using namespace cdefc::cdef;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = std::make_shared<SourceBuffer>();
  source->name = "<fuzz>";
  source->text.assign(reinterpret_cast<const char*>(data), size);
  Module m;
  Diagnostics d;
  CdefOptions options;
  options.override = size % 2;
  bool ok = parse_cdef(m, source, options, d);
  // A failed parse always says why; a successful one reports no error.
  if (ok == d.has_errors()) abort();
  d.render();
  for (const Record& r : m.records)
    for (const Field& f : r.fields) c_type_string(m, f.type, f.name);
  for (const Typedef& t : m.typedefs) c_type_string(m, t.type, t.name);
  for (const Function& f : m.functions) c_type_string(m, f.type, f.name);
  for (const Variable& v : m.variables) c_type_string(m, v.type, v.name);
  // The same text as a type name, against what it declared.
  Diagnostics d2;
  TypeRef t = parse_type_name(m, source->text.substr(0, 200), d2);
  if ((t == nullptr) != d2.has_errors()) abort();
  if (t) c_type_string(m, t);
  return 0;
}
