// Gaps over real system headers, checked against what gcc computes in a compiled program.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "cdef/decl.h"
#include "driver/driver.h"
#include "expect_file.h"

namespace {

using namespace cdefc;

/// "kind key" -> value, from running the gcc-compiled expected_values program.
std::map<std::string, std::string> gcc_values() {
  std::map<std::string, std::string> out;
  FILE* p = popen(CDEFC_EXPECTED_VALUES_EXE, "r");
  if (!p) return out;
  char line[512];
  while (fgets(line, sizeof line, p)) {
    std::istringstream in(line);
    std::string kind, key, value;
    in >> kind >> key >> value;
    out[kind + " " + key] = value;
  }
  pclose(p);
  return out;
}

class RealHeaders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    driver::Options options;
    std::string message;
    std::string dir = CDEFC_REALHEADERS_DIR;
    std::vector<std::string> args = {"cdefc", "--cdef", dir + "/system.cdef", "--source",
                                     dir + "/system.c"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ASSERT_EQ(driver::parse_command_line(static_cast<int>(argv.size()), argv.data(), options,
                                         message), 0) << message;
    cdef::Diagnostics diags;
    module_ = new model::Module;
    ok_ = driver::build_model(options, *module_, diags);
    rendered_ = diags.render();
    expected_ = new std::map<std::string, std::string>(gcc_values());
  }
  static void TearDownTestSuite() {
    delete module_;
    delete expected_;
  }
  static model::Module* module_;
  static std::map<std::string, std::string>* expected_;
  static bool ok_;
  static std::string rendered_;

  /// Index of the record the cdef names `name`.
  size_t record(const std::string& name) {
    const cdef::Module& d = module_->decls;
    for (size_t i = 0; i < d.records.size(); ++i)
      if (d.records[i].typedef_name == name || ("struct " + d.records[i].tag) == name) return i;
    int t = d.find_typedef(name);
    if (t >= 0 && d.typedefs[static_cast<size_t>(t)].type->kind == cdef::TypeKind::Record)
      return static_cast<size_t>(d.typedefs[static_cast<size_t>(t)].type->index);
    ADD_FAILURE() << "no record " << name;
    return 0;
  }
  /// `name` as the cdef spells it; `key` as the gcc program prints it (no spaces).
  void check_record(const std::string& name, std::string key_name = "") {
    ASSERT_TRUE(ok_) << rendered_;
    const size_t ri = record(name);
    const cdef::Record& r = module_->decls.records[ri];
    const model::RecordLayout& layout = module_->records[ri];
    if (key_name.empty()) key_name = name;
    EXPECT_TRUE(layout.known);
    ASSERT_TRUE(expected_->count("size " + key_name)) << "gcc program gave no size for " << name;
    EXPECT_EQ(std::to_string(layout.size), expected_->at("size " + key_name)) << name;
    ASSERT_FALSE(r.fields.empty());
    for (size_t j = 0; j < r.fields.size(); ++j) {
      std::string key = key_name + "." + r.fields[j].name;
      ASSERT_TRUE(expected_->count("offset " + key)) << key;
      EXPECT_EQ(std::to_string(layout.fields[j].offset), expected_->at("offset " + key)) << key;
      EXPECT_EQ(std::to_string(layout.fields[j].size), expected_->at("fieldsize " + key)) << key;
    }
  }
  /// What Clang found for the constant `name`.
  const model::ConstantInfo& constant(const std::string& name) {
    for (size_t i = 0; i < module_->decls.constants.size(); ++i)
      if (module_->decls.constants[i].name == name) return module_->constants[i];
    static model::ConstantInfo none;
    ADD_FAILURE() << "no constant " << name;
    return none;
  }
};

model::Module* RealHeaders::module_ = nullptr;
std::map<std::string, std::string>* RealHeaders::expected_ = nullptr;
bool RealHeaders::ok_ = false;
std::string RealHeaders::rendered_;

TEST_F(RealHeaders, ResolvesWithoutDiagnostics) {
  EXPECT_TRUE(ok_) << rendered_;
  EXPECT_EQ(rendered_, "");
  EXPECT_GT(expected_->size(), 40u) << "the gcc-compiled program printed too little";
}

TEST_F(RealHeaders, ZStreamPartialLayout) { check_record("z_stream"); }
TEST_F(RealHeaders, StructTmPartialLayout) { check_record("struct tm", "struct_tm"); }
TEST_F(RealHeaders, StructStatPartialLayout) { check_record("struct stat", "struct_stat"); }

TEST_F(RealHeaders, IntegerConstants) {
  ASSERT_TRUE(ok_) << rendered_;
  for (const char* name : {"Z_OK", "Z_STREAM_END", "Z_NO_FLUSH", "Z_FINISH", "Z_BUF_ERROR",
                           "Z_DEFAULT_COMPRESSION", "Z_DEFLATED", "MAX_WBITS", "INT_MAX",
                           "INT_MIN", "LLONG_MIN", "EOF", "BUFSIZ", "SEEK_END"}) {
    const model::ConstantInfo& c = constant(name);
    ASSERT_EQ(c.value.kind, cdef::ConstantValue::Int) << name;
    EXPECT_FALSE(c.value.is_unsigned) << name;
    EXPECT_EQ(std::to_string(c.value.int_value), expected_->at(std::string("int ") + name)) << name;
  }
  for (const char* name : {"UINT_MAX", "ULLONG_MAX"}) {
    const model::ConstantInfo& c = constant(name);
    ASSERT_EQ(c.value.kind, cdef::ConstantValue::Int) << name;
    EXPECT_EQ(std::to_string(static_cast<uint64_t>(c.value.int_value)),
              expected_->at(std::string("uint ") + name)) << name;
  }
  EXPECT_TRUE(constant("ULLONG_MAX").value.is_unsigned);
}

TEST_F(RealHeaders, FloatAndStringConstants) {
  ASSERT_TRUE(ok_) << rendered_;
  const model::ConstantInfo& eps = constant("DBL_EPSILON");
  ASSERT_EQ(eps.value.kind, cdef::ConstantValue::Float);
  EXPECT_DOUBLE_EQ(eps.value.float_value, std::stod(expected_->at("double DBL_EPSILON")));
  const model::ConstantInfo& ver = constant("ZLIB_VERSION");
  ASSERT_EQ(ver.value.kind, cdef::ConstantValue::String);
  EXPECT_EQ(ver.value.string_value, expected_->at("string ZLIB_VERSION"));
}

TEST_F(RealHeaders, IntegerTypedefGaps) {
  ASSERT_TRUE(ok_) << rendered_;
  size_t gaps = 0;
  for (const cdef::Typedef& t : module_->decls.typedefs) {
    if (t.gap != cdef::TypedefGap::Integer) continue;
    ++gaps;
    ASSERT_TRUE(t.type);
    EXPECT_EQ(t.type->name, expected_->at("inttype " + t.name)) << t.name;
  }
  EXPECT_EQ(gaps, 6u);
}

}  // namespace
