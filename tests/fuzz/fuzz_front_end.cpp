// libFuzzer target: the whole front end (cdef parser, Clang resolver, emitter) over a cdef and a
// small C source, split at the first line "---": success, or errors; never a crash.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "driver/driver.h"

using namespace cdefc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t split = text.find("\n---\n");
  driver::Options options;
  options.module_name = "_fuzz";
  auto cdef = std::make_shared<cdef::SourceBuffer>();
  cdef->name = "<cdef>";
  cdef->text = text.substr(0, split);
  options.cdefs.push_back({cdef, cdef::CdefOptions{}});
  if (split != std::string::npos) {
    options.source = std::make_shared<cdef::SourceBuffer>();
    options.source->name = "<set_source>";
    options.source->text = text.substr(split + 5);
  }
  model::Module module;
  cdef::Diagnostics diags;
  bool ok = driver::build_model(options, module, diags);
  std::string c;
  if (ok) ok = driver::emit_module(options, module, diags, c);
  if (ok == diags.has_errors()) abort();  // errors and failure go together
  if (ok && c.empty()) abort();
  diags.render();
  return 0;
}
