// resolve(): writes the probe translation unit, parses it once with Clang under the module's
// own compile flags, and hands Clang's answers to the Reader.
#include "clang/resolver.h"

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <sstream>

#include "clang/Driver/Options.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "clang/collector.h"
#include "clang/probe.h"
#include "clang/reader.h"
#include "emit/names.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/OptTable.h"
#include "model/prelude.h"

namespace cdefc::clang_bridge {

using namespace cdefc::cdef;

const char* standard_prelude() { return model::kStandardPrelude; }

namespace {

ProbeOptions probe_options(const SourceOptions& options) {
  ProbeOptions po;
  po.cplusplus = options.cplusplus;
  po.py_limited_api = options.py_limited_api;
  return po;
}

/// True for the options that only say which warnings to give: Clang's warnings about the
/// user's C are never cdefc's errors, whatever -W flags the C compiler gets.
bool warning_option(const std::string& a) {
  if (a.rfind("-W", 0) == 0) return a.rfind("-Wp,", 0) != 0 && a.rfind("-Wl,", 0) != 0 &&
                                    a.rfind("-Wa,", 0) != 0;
  return a == "-w" || a == "-pedantic" || a == "-pedantic-errors" || a == "--pedantic";
}

/// The C compiler's extra arguments that Clang knows: gcc-only options (e.g.
/// -fno-var-tracking-assignments) would stop Clang, and they change nothing it answers.
std::vector<std::string> known_to_clang(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  unsigned missing_index = 0, missing_count = 0;
  const llvm::opt::OptTable& table = clang::driver::getDriverOptTable();
  llvm::opt::InputArgList list = table.ParseArgs(argv, missing_index, missing_count);
  std::vector<bool> unknown(args.size(), false);
  for (const llvm::opt::Arg* a : list.filtered(clang::driver::options::OPT_UNKNOWN))
    if (a->getIndex() < unknown.size()) unknown[a->getIndex()] = true;
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i)
    if (!unknown[i]) out.push_back(args[i]);
  return out;
}

}  // namespace

std::vector<std::string> clang_arguments(const SourceOptions& options) {
  std::vector<std::string> args;
  args.push_back(options.cplusplus ? "-xc++" : "-xc");
  args.push_back(options.cplusplus ? "-std=gnu++17" : "-std=gnu11");
  const char* rd = std::getenv("CDEFC_CLANG_RESOURCE_DIR");
  args.push_back(std::string("-resource-dir=") + (rd ? rd : CDEFC_CLANG_RESOURCE_DIR));
  args.push_back("-ferror-limit=0");
  for (const std::string& d : options.include_dirs) args.push_back("-I" + d);
  for (const std::string& d : options.define_macros) args.push_back("-D" + d);
  for (const std::string& d : options.undef_macros) args.push_back("-U" + d);
  for (const std::string& a : known_to_clang(options.extra_compile_args))
    if (!warning_option(a)) args.push_back(a);
  args.push_back("-Wno-everything");
  return args;
}

namespace {

/// The probe names written on one probe line (not the call probes' parameter names).
std::vector<std::string> probe_names(const std::string& line) {
  const std::string prefix = emit::names::kProbe;
  const std::string param = emit::names::kProbeParam;
  std::vector<std::string> names;
  size_t pos = 0;
  while ((pos = line.find(prefix, pos)) != std::string::npos) {
    size_t end = pos + prefix.size();
    while (end < line.size() &&
           (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
      ++end;
    std::string name = line.substr(pos, end - pos);
    // Probe names are one letter then a number.
    size_t k = prefix.size();
    if (name.size() > k + 1 && std::isdigit(static_cast<unsigned char>(name[k + 1])) &&
        name.rfind(param, 0) != 0)
      names.push_back(name);
    pos = end;
  }
  return names;
}

}  // namespace

std::string probe_text(const Module& module, const SourceOptions& options) {
  Probes p;
  p.abi_mode = options.abi_mode;
  ProbeText pt = write_probes(module, p);
  return probe_source(probe_options(options), options.source, pt);
}

bool resolve(const Module& parsed, const SourceOptions& options, Diagnostics& diags,
             model::Module& out, ResolveStats* stats) {
  auto t0 = std::chrono::steady_clock::now();
  out = model::Module::unresolved(parsed);
  Probes probes;
  probes.abi_mode = options.abi_mode;
  ProbeText pt = write_probes(parsed, probes);
  std::string code = probe_source(probe_options(options), options.source, pt);

  Collector collector;
  std::string file_name = options.cplusplus ? "cdefc_probe.cpp" : "cdefc_probe.c";
  if (!options.main_file_dir.empty()) file_name = options.main_file_dir + "/" + file_name;
  std::unique_ptr<clang::ASTUnit> unit = clang::tooling::buildASTFromCodeWithArgs(
      code, clang_arguments(options), file_name, "cdefc",
      std::make_shared<clang::PCHContainerOperations>(),
      clang::tooling::getClangStripDependencyFileAdjuster(), clang::tooling::FileContentMappings(),
      &collector);
  auto t1 = std::chrono::steady_clock::now();

  // Clang's errors outside the probe lines are in the user's source or its headers: the
  // module cannot compile. Those on probe lines go to the Reader, by probe name.
  std::vector<std::string> lines;
  {
    std::istringstream in(pt.text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::map<std::string, Reader::FailedProbe> failed;
  bool source_failed = false;
  for (const ClangMessage& e : collector.errors) {
    if (e.file == kProbeFile) {
      auto it = pt.owner.find(e.line);
      Location loc = it != pt.owner.end() ? it->second.loc : Location{};
      std::vector<std::string> names =
          e.line >= 1 && e.line <= lines.size() ? probe_names(lines[e.line - 1])
                                                : std::vector<std::string>{};
      if (names.empty()) diags.error(loc, e.message);
      for (const std::string& name : names) {
        failed[name].loc = loc;
        failed[name].errors.push_back(e);
      }
      continue;
    }
    source_failed = true;
    Location loc;
    loc.file = e.file.empty() ? "cdefc" : e.file;
    loc.line = e.line;
    loc.column = e.column;
    loc.line_text = e.line_text;
    diags.error(loc, e.message);
  }
  if (!unit) {
    if (!diags.has_errors()) diags.error(Location{}, "clang could not parse the C source");
    return false;
  }
  if (source_failed) return false;

  Reader reader(out, *unit, probes, diags, options.source);
  reader.failed = std::move(failed);
  reader.run();
  auto t2 = std::chrono::steady_clock::now();
  if (stats) {
    stats->parse_seconds = std::chrono::duration<double>(t1 - t0).count();
    stats->answer_seconds = std::chrono::duration<double>(t2 - t1).count();
    stats->probe_lines = pt.line - 1;
  }
  return !diags.has_errors();
}

}  // namespace cdefc::clang_bridge
