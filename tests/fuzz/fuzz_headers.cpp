// libFuzzer target: cdef_from_headers over a header written from the input. A header Clang
// rejects is errors, never a crash; the cdef written for one it accepts must resolve against
// it without an error (the writer says only what C says).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "clang/headers.h"
#include "driver/driver.h"

using namespace cdefc;

/// True if `text` has a `#define` of a C keyword (`#define void ...`): then the module's C
/// is not the C the cdef says, whatever cdefc writes (real headers redefine `inline` or
/// `const` as what they already mean, which is fine, but the fuzzer finds worse).
static bool redefines_keyword(const std::string& text) {
  static const char* const kKeywords[] = {
      "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
      "_Bool", "struct", "union", "enum", "typedef", "const", "volatile", "extern", "static",
      "inline", "restrict", "_Complex", "sizeof", "return", "register", "auto"};
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string hash, define, name;
    words >> hash;
    if (hash == "#") words >> define; else if (hash.rfind("#", 0) == 0) define = hash.substr(1);
    if (define != "define") continue;
    words >> name;
    name = name.substr(0, name.find('('));
    for (const char* k : kKeywords)
      if (name == k) return true;
  }
  return false;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    std::string d = std::filesystem::temp_directory_path().string() + "/cdefc_fuzz_headers_" +
                    std::to_string(getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  {
    std::ofstream out(dir + "/fuzz.h", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  clang_bridge::HeaderRequest request;
  request.headers = {"fuzz.h"};
  clang_bridge::SourceOptions source;
  source.include_dirs = {dir};
  cdef::Diagnostics diags;
  clang_bridge::HeaderCdef out;
  bool ok = clang_bridge::cdef_from_headers(request, source, diags, out);
  if (ok == diags.has_errors()) abort();  // errors and failure go together
  if (!ok || redefines_keyword(std::string(reinterpret_cast<const char*>(data), size))) return 0;

  driver::Options options;
  options.module_name = "_fuzz";
  auto text = std::make_shared<cdef::SourceBuffer>();
  text->name = "<cdef from fuzz.h>";
  text->text = out.text;
  options.cdefs.push_back({text, cdef::CdefOptions{}, nullptr});
  options.source = std::make_shared<cdef::SourceBuffer>();
  options.source->name = "<set_source>";
  options.source->text = "#include \"fuzz.h\"\n";
  options.include_dirs = {dir};
  model::Module module;
  cdef::Diagnostics check;
  if (!driver::build_model(options, module, check)) {
    std::fprintf(stderr, "cdef written:\n%s\n%s", out.text.c_str(), check.render().c_str());
    abort();
  }
  return 0;
}
