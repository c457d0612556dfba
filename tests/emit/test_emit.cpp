// Emitted C: expected files for a few inputs (CDEFC_BLESS=1 re-blesses), warning-free
// compiles of every input as C and as C++ with gcc and clang, and the --emit-c output.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "driver/driver.h"
#include "expect_file.h"

namespace {

using namespace cdefc;
using namespace cdefc::testing;

/// An input: "golden/functions" is tests/golden/functions.cdef (+ functions.c).
/// "errors/NAME" is tests/emit/errors/NAME.cdef, "inputs/NAME" tests/emit/inputs/NAME.cdef.
std::string input_dir(const std::string& input) {
  if (input.rfind("golden/", 0) == 0) return CDEFC_GOLDEN_DIR;
  return std::string(CDEFC_EMIT_DIR) + "/" + input.substr(0, input.find('/'));
}
std::string input_stem(const std::string& input) { return input.substr(input.find('/') + 1); }

/// Runs the passes as `cdefc --cdef STEM.cdef [--source STEM.c] --module STEM [flags]
/// --emit-c STEM.cdefc.c` would, in-process from the input's directory.
bool emit(const std::string& input, const std::vector<std::string>& extra, std::string& c,
          std::string& diagnostics) {
  const std::string dir = input_dir(input), stem = input_stem(input);
  std::vector<std::string> args = {"cdefc", "--cdef",   stem + ".cdef",   "--module",
                                   stem,    "--emit-c", stem + ".cdefc.c"};
  if (!read_file(dir + "/" + stem + ".c").empty()) {
    args.push_back("--source");
    args.push_back(stem + ".c");
  }
  for (const std::string& f : inline_flags(read_file(dir + "/" + stem + ".cdef")))
    args.push_back(f);
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());

  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  driver::Options options;
  std::string message;
  bool ok =
      driver::parse_command_line(static_cast<int>(argv.size()), argv.data(), options, message) == 0;
  model::Module module;
  cdef::Diagnostics diags;
  if (ok) ok = driver::build_model(options, module, diags);
  if (ok) ok = driver::emit_module(options, module, diags, c);
  std::filesystem::current_path(cwd);
  diagnostics = message + diags.render();
  return ok;
}

std::vector<std::string> inputs_in(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& f : list_files(dir, ".cdef"))
    out.push_back(prefix + f.substr(0, f.size() - 5));
  return out;
}

std::vector<std::string> all_inputs() {
  std::vector<std::string> out = inputs_in(CDEFC_GOLDEN_DIR, "golden/");
  for (const std::string& s : inputs_in(std::string(CDEFC_EMIT_DIR) + "/inputs", "inputs/"))
    out.push_back(s);
  return out;
}

std::string test_name(std::string s) {
  for (char& c : s)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

/// Runs `command` through the shell; its output (stdout and stderr) goes to `output`.
int run(const std::string& command, std::string& output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("cdefc-emit-" + std::to_string(getpid()) + "-" + name))
      .string();
}

// ---- Expected files: tests/emit/STEM.c.expected ----

class Expected : public ::testing::TestWithParam<std::string> {};

TEST_P(Expected, EmittedCMatches) {
  std::string c, diags;
  ASSERT_TRUE(emit(GetParam(), {}, c, diags)) << diags;
  EXPECT_EQ(diags, "") << "unexpected warnings";
  std::string diff = compare_or_bless(
      std::string(CDEFC_EMIT_DIR) + "/" + input_stem(GetParam()) + ".c.expected", c);
  EXPECT_EQ(diff, "");
}

INSTANTIATE_TEST_SUITE_P(Files, Expected,
                         ::testing::Values("golden/functions", "golden/struct_nested",
                                           "golden/struct_bitfields", "golden/globals",
                                           "golden/define_consts", "golden/static_consts",
                                           "golden/enum_gap", "golden/typedef_opaque",
                                           "golden/extern_python", "inputs/conversions",
                                           "inputs/records", "inputs/extern_python_types"),
                         [](const auto& info) { return test_name(info.param); });

// ---- Warnings: every input compiles with -Wall -Wextra -Wconversion -Werror ----

/// One compiler and language the generated C must be clean under.
struct Compiler {
  const char* name;
  const char* path;
  const char* language;  ///< -x and -std
};

const Compiler kCompilers[] = {
    {"gcc_c", CDEFC_TEST_GCC, "-x c -std=c11"},
    {"clang_c", CDEFC_TEST_CLANG, "-x c -std=c11"},
    {"gcc_cxx", CDEFC_TEST_GXX, "-x c++ -std=c++17"},
    {"clang_cxx", CDEFC_TEST_CLANGXX, "-x c++ -std=c++17"},
};

class Warnings : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(Warnings, CompilesWithoutWarnings) {
  const auto& [input, which] = GetParam();
  const Compiler& cc = kCompilers[which];
  if (std::string(cc.path).empty() || std::string(cc.path).find("NOTFOUND") != std::string::npos)
    GTEST_SKIP() << cc.name << " is not installed";
  // A cdef that C accepts only as C (an implicit pointer conversion) says "// emit: C only".
  const std::string cdef_text = read_file(input_dir(input) + "/" + input_stem(input) + ".cdef");
  if (std::string(cc.language).find("c++") != std::string::npos &&
      cdef_text.find("// emit: C only") != std::string::npos)
    GTEST_SKIP() << "C only: C++ refuses the implicit conversion this cdef relies on";
  std::string c, diags;
  ASSERT_TRUE(emit(input, {}, c, diags)) << diags;
  const std::string file = temp_path(test_name(input) + "-" + cc.name + ".c");
  std::ofstream(file, std::ios::binary) << c;
  const std::string command = std::string(cc.path) + " " + cc.language +
                              " -Wall -Wextra -Wconversion -Werror -O2 -c -o " + file + ".o" +
                              " -I" + CDEFC_INCLUDE_DIR + " -I" + CDEFC_PYTHON_INCLUDE_DIR +
                              " -DPy_LIMITED_API=0x030b0000 " + file;
  std::string output;
  int status = run(command, output);
  EXPECT_EQ(status, 0) << command << "\n" << output;
  EXPECT_EQ(output, "") << command;
  std::remove(file.c_str());
  std::remove((file + ".o").c_str());
}

INSTANTIATE_TEST_SUITE_P(Files, Warnings,
                         ::testing::Combine(::testing::ValuesIn(all_inputs()),
                                            ::testing::Values(0, 1, 2, 3)),
                         [](const auto& info) {
                           return test_name(std::get<0>(info.param)) + "_" +
                                  kCompilers[std::get<1>(info.param)].name;
                         });

// ---- What is not supported is an error, and nothing is written ----

TEST(EmitExternPython, DefinesTheCFunctions) {
  std::string c, diags;
  ASSERT_TRUE(emit("golden/extern_python", {}, c, diags)) << diags;
  // extern "Python" is static, "Python+C" is not; both call the runtime with their index in
  // the sorted globals table, and are lib attributes whose address is the C function.
  EXPECT_NE(c.find("\nstatic int on_event(int _cdefc_x0, void *_cdefc_x1)\n{"), std::string::npos) << c;
  EXPECT_NE(c.find("\nvoid on_done(void)\n{"), std::string::npos) << c;
  EXPECT_NE(c.find("cdefc_call_python(_cdefc_ctx, 1 /* \"on_event\" */, _cdefc_a, &_cdefc_r);"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("cdefc_call_python(_cdefc_ctx, 0 /* \"on_done\" */, NULL, NULL);"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("{\"on_event\", CDEFC_GLOBAL_EXTERN_PYTHON, "), std::string::npos) << c;
  // After the user's source, which may declare it (as CFFI requires) and call it.
  EXPECT_GT(c.find("static int on_event(int _cdefc_x0"), c.find("int register_callback(int (*cb)"));
}

/// tests/emit/errors/NAME.cdef (+ NAME.c) resolves, then fails to emit with NAME.err.
class Errors : public ::testing::TestWithParam<std::string> {};

TEST_P(Errors, DiagnosticsMatch) {
  std::string c, diags;
  EXPECT_FALSE(emit("errors/" + GetParam(), {}, c, diags));
  std::string diff =
      compare_or_bless(std::string(CDEFC_EMIT_DIR) + "/errors/" + GetParam() + ".err", diags);
  EXPECT_EQ(diff, "");
}

std::vector<std::string> error_inputs() {
  std::vector<std::string> out;
  for (const std::string& f : list_files(std::string(CDEFC_EMIT_DIR) + "/errors", ".cdef"))
    out.push_back(f.substr(0, f.size() - 5));
  return out;
}

INSTANTIATE_TEST_SUITE_P(Files, Errors, ::testing::ValuesIn(error_inputs()),
                         [](const auto& info) { return test_name(info.param); });

// ---- Options ----

TEST(EmitOptions, LimitedApiByDefault) {
  std::string c, diags;
  ASSERT_TRUE(emit("golden/functions", {}, c, diags)) << diags;
  EXPECT_NE(c.find("#define Py_LIMITED_API 0x030b0000\n"), std::string::npos);
  EXPECT_NE(c.find("PyMODINIT_FUNC PyInit_functions(void)"), std::string::npos);
}

TEST(EmitOptions, NoLimitedApi) {
  std::string c, diags;
  ASSERT_TRUE(emit("golden/functions", {"--no-limited-api"}, c, diags)) << diags;
  EXPECT_EQ(c.find("Py_LIMITED_API"), std::string::npos);
}

TEST(EmitOptions, DescriptionSaysNoLimitedApi) {
  driver::Options options;
  std::string message;
  ASSERT_TRUE(driver::read_description(
      R"({"module_name": "pkg.sub._foo", "cdefs": [{"text": "int f(int);"}],
          "py_limited_api": false})",
      options, message))
      << message;
  EXPECT_FALSE(options.py_limited_api);
  ASSERT_TRUE(driver::read_description(R"({"cdefs": []})", options, message));
  EXPECT_TRUE(options.py_limited_api) << "the default is the limited API";
}

TEST(EmitOptions, DescriptionIncludesOtherModulesOnceEach) {
  // a includes b and c; b includes c: c's cdefs come once, before b's, before a's own.
  driver::Options options;
  std::string message;
  ASSERT_TRUE(driver::read_description(
      R"({"module_name": "pkg.a", "cdefs": [{"text": "int a;"}],
          "includes": [
            {"module_name": "pkg.b", "cdefs": [{"text": "int b;"}],
             "includes": [{"module_name": "pkg.c", "cdefs": [{"text": "int c;"}]}]},
            {"module_name": "pkg.c", "cdefs": [{"text": "int c;"}]}]})",
      options, message))
      << message;
  EXPECT_EQ(options.includes, (std::vector<std::string>{"pkg.b", "pkg.c"}));
  std::vector<std::string> texts;
  std::vector<bool> included;
  for (const driver::CdefInput& in : options.cdefs) {
    texts.push_back(in.source->text);
    included.push_back(in.options.included);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"int c;", "int b;", "int a;"}));
  EXPECT_EQ(included, (std::vector<bool>{true, true, false}));
}

TEST(EmitOptions, IncludedDeclarationsAreTheirModules) {
  // What an included module declares gets no wrapper, constant or layout here: only names.
  driver::Options options;
  std::string message;
  ASSERT_TRUE(driver::read_description(
      R"({"module_name": "pkg.a",
          "includes": [{"module_name": "pkg.b", "cdefs": [{"text":
            "struct point { int x, y; }; typedef struct point point_t; enum color { RED };\nint b_add(int, int); extern int b_count;\n#define B_K 1\n"}]}],
          "cdefs": [{"text": "int sum(point_t *);"}]})",
      options, message))
      << message;
  cdef::Module parsed;
  cdef::Diagnostics diags;
  ASSERT_TRUE(driver::parse_cdefs(options, parsed, diags)) << diags.render();
  EXPECT_TRUE(parsed.records[0].included && parsed.typedefs[0].included &&
              parsed.enums[0].included && parsed.functions[0].included &&
              parsed.variables[0].included && parsed.constants[0].included);
  EXPECT_FALSE(parsed.functions[1].included);
  model::Module m = model::Module::unresolved(parsed);
  std::string c;
  ASSERT_TRUE(driver::emit_module(options, m, diags, c)) << diags.render();
  EXPECT_NE(c.find("{\"struct point\", 0, 0, CDEFC_RECORD_OPAQUE | CDEFC_RECORD_INCLUDED, 0, 0, NULL}"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("{\"enum color\", CDEFC_PRIM_INT32, CDEFC_ENUM_INCLUDED, 0, 0}"), std::string::npos);
  EXPECT_NE(c.find("{\"point_t\", "), std::string::npos);
  EXPECT_NE(c.find(", CDEFC_TYPEDEF_INCLUDED}, /* included */"), std::string::npos);
  EXPECT_NE(c.find("static const char *const _cdefc_includes[] = {\n  \"pkg.b\",\n};"),
            std::string::npos);
  for (const char* absent : {"b_add", "b_count", "B_K", "RED", "sizeof(struct point)"})
    EXPECT_EQ(c.find(absent), std::string::npos) << absent;
  EXPECT_NE(c.find("\"sum\""), std::string::npos);
}

TEST(EmitAbiMode, TheCdefIsTheSourceInAnOrderCAccepts) {
  std::string c, diags;
  ASSERT_TRUE(emit("inputs/abi_mode", {}, c, diags)) << diags;
  auto at = [&](const std::string& text) {
    size_t pos = c.find(text);
    EXPECT_NE(pos, std::string::npos) << text << "\n" << c;
    return pos;
  };
  // tags first; struct inner complete before the array typedef and struct outer need it
  EXPECT_LT(at("struct inner;\n"), at("struct inner { int a; unsigned int flag : 1;"));
  EXPECT_LT(at("struct inner { int a;"), at("typedef struct inner inner_arr_t[2];"));
  EXPECT_LT(at("typedef struct inner inner_arr_t[2];"), at("struct outer { struct inner in;"));
  at("union { int u1; float u2; }; };");
  at("typedef struct { struct inner first; int n; } wrap_t;");
  at("typedef wrap_t *wrap_p;");
  at("typedef enum { MODE_A = 1, MODE_B = 4 } mode_t_;");
  at("enum level { LOW = -1, HIGH = 10 };");
  at("#define BIG 18446744073709551615ULL");
  at("typedef struct _cdefc_opaque_handle_p *handle_p;");
  // no wrapper, no C function or variable referenced: ffi.dlopen() finds them by name
  at("{\"visit\", CDEFC_GLOBAL_FUNCTION, ");
  at("{\"SEED\", CDEFC_GLOBAL_VARIABLE, ");
  EXPECT_EQ(c.find("visit("), std::string::npos);
  EXPECT_EQ(c.find("&(counter)"), std::string::npos);
  at("  CDEFC_MODULE_ABI_MODE,\n};");
}

TEST(EmitAbiMode, WhatItCannotAnswerIsAnError) {
  driver::Options options;
  std::string message;
  ASSERT_TRUE(driver::read_description(
      R"({"module_name": "m", "abi_mode": true, "cdefs": [{"text":
          "#define G ...\ntypedef int... t;\nextern int a[...];\nenum e { A, ... };\nstruct s { int x; ...; };\n"}]})",
      options, message))
      << message;
  cdef::Module parsed;
  cdef::Diagnostics diags;
  ASSERT_TRUE(driver::parse_cdefs(options, parsed, diags)) << diags.render();
  EXPECT_FALSE(driver::prepare_abi_mode(options, parsed, diags));
  EXPECT_EQ(diags.error_count(), 4u) << diags.render();
  const std::string text = diags.render();
  for (const char* m : {"macro G: cannot use the syntax '...'", "typedef 't': cannot use 'int...'",
                        "'a': cannot use '[...]'", "enum e: cannot use '...'",
                        "warning: struct 's' ends with '...;'"})
    EXPECT_NE(text.find(m), std::string::npos) << m << "\n" << text;
}

TEST(EmitOptions, InitFunctionUsesTheLastNameComponent) {
  std::string c, diags;
  ASSERT_TRUE(emit("golden/struct_exact", {"--module", "pkg.sub._pair"}, c, diags)) << diags;
  EXPECT_NE(c.find("PyMODINIT_FUNC PyInit__pair(void)"), std::string::npos);
  EXPECT_NE(c.find("\"pkg.sub._pair\""), std::string::npos);
}

// ---- The command: --emit-c FILE ----

/// Runs the cdefc command from the golden directory.
int command(std::vector<std::string> args) {
  args.insert(args.begin(), "cdefc");
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(CDEFC_GOLDEN_DIR);
  int status = driver::run_command(static_cast<int>(argv.size()), argv.data());
  std::filesystem::current_path(cwd);
  return status;
}

TEST(EmitCommand, WritesTheFileAndKeepsItsTimeWhenUnchanged) {
  const std::string out = temp_path("command.c");
  std::remove(out.c_str());
  const std::vector<std::string> args = {"--cdef",      "functions.cdef", "--source",
                                         "functions.c", "--emit-c",       out};
  ASSERT_EQ(command(args), 0);
  std::string c, diags;
  ASSERT_TRUE(emit("golden/functions", {}, c, diags)) << diags;
  // The same text, but for the #line of the generated part, which names the output file.
  std::string written = read_file(out);
  size_t at = written.find("\"" + out + "\"");
  ASSERT_NE(at, std::string::npos);
  written.replace(at, out.size() + 2, "\"functions.cdefc.c\"");
  EXPECT_EQ(written, c);

  struct utimbuf old_time = {1000000000, 1000000000};
  ASSERT_EQ(utime(out.c_str(), &old_time), 0);
  ASSERT_EQ(command(args), 0);
  struct stat st {};
  ASSERT_EQ(stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1000000000) << "an unchanged output keeps its modification time";
  std::remove(out.c_str());
}

TEST(EmitCommand, WritesNothingOnError) {
  const std::string out = temp_path("error.c");
  std::remove(out.c_str());
  const std::string errors = std::string(CDEFC_EMIT_DIR) + "/errors/";
  EXPECT_EQ(command({"--cdef", errors + "file_by_value.cdef", "--source",
                     errors + "file_by_value.c", "--emit-c", out}),
            3);  // emitter errors exit like Clang's
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
