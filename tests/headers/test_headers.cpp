// Golden tests of cdef_from_headers: every tests/headers/NAME.h, read with the options on its
// "// flags:" lines, writes NAME.cdef (the cdef text, then the notes and warnings); that cdef then
// resolves against the header with no diagnostic at all.
#include <gtest/gtest.h>

#include <filesystem>

#include "clang/headers.h"
#include "driver/driver.h"
#include "expect_file.h"

namespace {

using namespace cdefc;
using namespace cdefc::testing;

class Headers : public ::testing::TestWithParam<std::string> {};

TEST_P(Headers, CdefMatchesAndResolves) {
  const std::string dir = CDEFC_HEADERS_DIR;
  const std::string header = GetParam();
  const std::string stem = header.substr(0, header.size() - 2);
  std::vector<std::string> words = {"cdefc", "--cdef-from-headers", header};
  for (const std::string& f : inline_flags(read_file(dir + "/" + header))) words.push_back(f);
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  driver::Options options;
  std::string message;
  ASSERT_EQ(driver::parse_command_line(static_cast<int>(argv.size()), argv.data(), options,
                                       message), 0)
      << message;
  const driver::HeaderSelection& selection = *options.cdefs.at(0).from_headers;
  clang_bridge::HeaderRequest request;
  request.headers = selection.headers;
  request.include = selection.include_names;
  request.exclude = selection.exclude_names;
  clang_bridge::SourceOptions source;
  source.include_dirs = {dir};
  source.define_macros = options.define_macros;
  cdef::Diagnostics diags;
  clang_bridge::HeaderCdef out;
  request.where.file = header;
  request.where.line = 1;
  request.where.column = 1;
  ASSERT_TRUE(clang_bridge::cdef_from_headers(request, source, diags, out)) << diags.render();
  std::string shown = out.text + "\n// notes:\n";
  for (const std::string& note : out.notes) shown += "// " + note + "\n";
  if (!diags.all().empty()) shown += "// warnings:\n" + diags.render();
  EXPECT_EQ(compare_or_bless(dir + "/" + stem + ".cdef", shown), "");

  // The cdef it wrote is one Clang accepts against the same header, without a warning.
  driver::Options module;
  module.module_name = "_" + stem;
  auto text = std::make_shared<cdef::SourceBuffer>();
  text->name = "<cdef from " + header + ">";
  text->text = out.text;
  module.cdefs.push_back({text, cdef::CdefOptions{}, nullptr});
  module.source = std::make_shared<cdef::SourceBuffer>();
  module.source->name = "<set_source>";
  module.source->text = "#include \"" + header + "\"\n";
  module.include_dirs = {dir};
  module.define_macros = options.define_macros;
  model::Module resolved;
  cdef::Diagnostics check;
  EXPECT_TRUE(driver::build_model(module, resolved, check));
  EXPECT_EQ(check.render(), "") << out.text;
  std::string c_text;
  EXPECT_TRUE(driver::emit_module(module, resolved, check, c_text)) << check.render();
}

INSTANTIATE_TEST_SUITE_P(Files, Headers, ::testing::ValuesIn(list_files(CDEFC_HEADERS_DIR, ".h")),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 2);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
