// Golden-file helpers: bless with CDEFC_BLESS=1, otherwise diff against the expected file.
#include "expect_file.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "driver/driver.h"
#include "model/json.h"

namespace cdefc::testing {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> list_files(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string compare_or_bless(const std::string& expected_path, const std::string& actual) {
  const char* bless = std::getenv("CDEFC_BLESS");
  if (bless && std::string(bless) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return "";
  }
  std::string expected = read_file(expected_path);
  if (expected == actual) return "";
  std::string tmp = (std::filesystem::temp_directory_path() /
                     ("cdefc-actual-" + std::to_string(getpid()))).string();
  std::ofstream(tmp, std::ios::binary) << actual;
  std::string diff;
  std::string cmd = "diff -u '" + expected_path + "' '" + tmp + "'";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) diff.append(buf, n);
    pclose(p);
  }
  std::remove(tmp.c_str());
  return "mismatch with " + expected_path + " (re-bless with CDEFC_BLESS=1):\n" +
         (diff.empty() ? "<expected file missing or unreadable>\n" : diff);
}

std::vector<std::string> inline_flags(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t pos = line.find("// flags:");
    if (pos == std::string::npos) continue;
    std::istringstream words(line.substr(pos + 9));
    std::string w;
    while (words >> w) out.push_back(w);
  }
  return out;
}

std::vector<std::string> input_args(const std::string& dir, const std::string& stem,
                                    const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--cdef", stem + ".cdef", "--module", stem};
  if (!read_file(dir + "/" + stem + ".c").empty()) {
    args.push_back("--source");
    args.push_back(stem + ".c");
  }
  args.insert(args.end(), extra.begin(), extra.end());
  for (const std::string& f : inline_flags(read_file(dir + "/" + stem + ".cdef"))) args.push_back(f);
  return args;
}

std::string run_cdefc(const std::string& dir, const std::vector<std::string>& args,
                      std::string* json, bool* ok) {
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  std::vector<std::string> storage = {"cdefc"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  driver::Options options;
  std::string message;
  std::string out;
  *ok = false;
  if (driver::parse_command_line(static_cast<int>(argv.size()), argv.data(), options, message) != 0) {
    out = "usage error: " + message + "\n";
  } else {
    model::Module module;
    cdef::Diagnostics diags;
    *ok = driver::build_model(options, module, diags);
    out = diags.render();
    if (*ok && json) *json = model::to_json(module, options.module_name);
  }
  std::filesystem::current_path(cwd);
  return out;
}

}  // namespace cdefc::testing
