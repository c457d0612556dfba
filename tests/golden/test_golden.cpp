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
  std::vector<std::string> args = input_args(dir, stem, {"--dump-model"});
  std::string json;
  bool ok = false;
  std::string diags = run_cdefc(dir, args, &json, &ok);
  ASSERT_TRUE(ok) << diags;
  // Warnings are expected exactly when NAME.warn exists (what C accepts, or CFFI finds late).
  const std::string warn_path = dir + "/" + stem + ".warn";
  if (read_file(warn_path).empty())
    EXPECT_EQ(diags, "") << "unexpected warnings";
  else
    EXPECT_EQ(compare_or_bless(warn_path, diags), "");
  std::string diff = compare_or_bless(dir + "/" + stem + ".json", json);
  EXPECT_EQ(diff, "");
}

/// Every NAME.warn: with --strict (set_source(strict=True)) the same build fails.
class GoldenStrict : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenStrict, WarningsAreErrors) {
  const std::string dir = CDEFC_GOLDEN_DIR;
  const std::string stem = GetParam().substr(0, GetParam().size() - 5);
  const std::string warnings = read_file(dir + "/" + stem + ".warn");
  std::vector<std::string> args = input_args(dir, stem, {"--strict"});
  bool ok = true;
  std::string diags = run_cdefc(dir, args, nullptr, &ok);
  EXPECT_FALSE(ok) << "strict: expected the build to fail";
  // The same diagnostics, each warning now an error tagged [strict].
  std::string expected;
  size_t pos = 0;
  while (pos < warnings.size()) {
    size_t end = warnings.find('\n', pos);
    if (end == std::string::npos) end = warnings.size();
    std::string line = warnings.substr(pos, end - pos);
    size_t w = line.find(": warning: ");
    if (w != std::string::npos)
      line = line.substr(0, w) + ": error: " + line.substr(w + 11) + " [strict]";
    expected += line + (end < warnings.size() ? "\n" : "");
    pos = end + 1;
  }
  EXPECT_EQ(diags, expected);
}

INSTANTIATE_TEST_SUITE_P(Files, Golden, ::testing::ValuesIn(list_files(CDEFC_GOLDEN_DIR, ".cdef")),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

INSTANTIATE_TEST_SUITE_P(Files, GoldenStrict,
                         ::testing::ValuesIn(list_files(CDEFC_GOLDEN_DIR, ".warn")),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
