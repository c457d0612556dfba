// Golden tests: every tests/golden/NAME.cdef (+ NAME.c source) resolves to NAME.json.
#include <gtest/gtest.h>

#include "expect_file.h"

namespace {

using namespace cdefc::testing;

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, ResolvedModelMatches) {
  const std::string dir = CDEFC_GOLDEN_DIR;
  const std::string name = GetParam();
  const std::string stem = name.substr(0, name.size() - 5);
  std::vector<std::string> args = {"--cdef", name, "--module", stem, "--dump-model"};
  if (!read_file(dir + "/" + stem + ".c").empty()) {
    args.push_back("--source");
    args.push_back(stem + ".c");
  }
  for (const std::string& f : inline_flags(read_file(dir + "/" + name))) args.push_back(f);
  std::string json;
  bool ok = false;
  std::string diags = run_cdefc(dir, args, &json, &ok);
  ASSERT_TRUE(ok) << diags;
  EXPECT_EQ(diags, "") << "unexpected warnings";
  std::string diff = compare_or_bless(dir + "/" + stem + ".json", json);
  EXPECT_EQ(diff, "");
}

INSTANTIATE_TEST_SUITE_P(Files, Golden, ::testing::ValuesIn(list_files(CDEFC_GOLDEN_DIR, ".cdef")),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
