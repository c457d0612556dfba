// libFuzzer target: any text as ffi.new()'s type name (the runtime's grammar) parses or reports
// an error, never crashes.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "cdef/decl.h"
#include "cdef/parser.h"

using namespace cdefc::cdef;

namespace {

/// The declarations type names are looked up in (parsed once).
const Module& declarations() {
  static Module* m = [] {
    auto* module = new Module();
    auto source = std::make_shared<SourceBuffer>();
    source->name = "<declarations>";
    source->text =
        "#define N 4\nstruct point { int x, y; }; union u { int a; float b; };\n"
        "enum color { RED, GREEN = 5 }; typedef struct point point_t; typedef int... myint_t;\n"
        "typedef int (*binop_t)(int, int); typedef struct { char c; } anon_t;\n"
        "typedef ... opaque_t; typedef ... *handle_t; static const int K = 3;\n";
    Diagnostics d;
    if (!parse_cdef(*module, source, CdefOptions{}, d)) abort();
    return module;
  }();
  return *m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Module& m = declarations();
  Diagnostics d;
  TypeRef t = parse_type_name(m, std::string(reinterpret_cast<const char*>(data), size), d);
  if ((t == nullptr) != d.has_errors()) abort();
  if (t) c_type_string(m, t);
  d.render();
  return 0;
}
