// Error tests: every tests/errors/NAME.cdef (+ NAME.c source) fails with NAME.err's diagnostics.
#include <gtest/gtest.h>

#include "expect_file.h"

namespace {

using namespace cdefc::testing;

class Errors : public ::testing::TestWithParam<std::string> {};

TEST_P(Errors, DiagnosticsMatch) {
  const std::string dir = CDEFC_ERRORS_DIR;
  const std::string name = GetParam();
  const std::string stem = name.substr(0, name.size() - 5);
  std::vector<std::string> args = input_args(dir, stem);
  bool ok = true;
  std::string diags = run_cdefc(dir, args, nullptr, &ok);
  EXPECT_FALSE(ok) << "expected the build to fail";
  EXPECT_NE(diags.find("error: "), std::string::npos) << diags;
  std::string diff = compare_or_bless(dir + "/" + stem + ".err", diags);
  EXPECT_EQ(diff, "");
}

INSTANTIATE_TEST_SUITE_P(Files, Errors, ::testing::ValuesIn(list_files(CDEFC_ERRORS_DIR, ".cdef")),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
