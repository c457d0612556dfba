// The passes of one cdefc run in plain order, with spdlog timings and atomic outputs.
#include "driver/driver.h"

#include <cstdlib>
#include <cstring>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>

#include "cdef/parser.h"
#include "clang/headers.h"
#include "clang/resolver.h"
#include "emit/abi_source.h"
#include "emit/emit.h"
#include "model/json.h"

namespace cdefc::driver {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> log = [] {
    auto l = spdlog::stderr_color_st("cdefc");
    l->set_pattern("cdefc: %v");
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return log;
}

clang_bridge::SourceOptions source_options(const Options& options) {
  clang_bridge::SourceOptions so;
  so.source = options.source;
  so.include_dirs = options.include_dirs;
  so.define_macros = options.define_macros;
  so.undef_macros = options.undef_macros;
  so.extra_compile_args = options.extra_compile_args;
  so.cplusplus = options.cplusplus;
  so.py_limited_api = options.py_limited_api;
  so.abi_mode = options.abi_mode;
  // The probe stands where the generated C will be, so quoted includes resolve alike.
  if (!options.emit_c.empty() && options.emit_c != "-") {
    size_t slash = options.emit_c.rfind('/');
    if (slash != std::string::npos) so.main_file_dir = options.emit_c.substr(0, slash);
  }
  return so;
}

/// What the options say about diagnostics: warnings as errors, the error limit.
void configure(const Options& options, cdef::Diagnostics& diags) {
  // strict=True, or -Werror for the C compiler (CFFI's users catch mismatches that way).
  bool werror = false;
  for (const std::string& a : options.extra_compile_args) werror = werror || a == "-Werror";
  if (options.strict || werror) diags.warnings_as_errors(options.strict ? "strict" : "-Werror");
  // At most --error-limit errors; Clang's -ferror-limit=N and gcc's -fmax-errors=N among the
  // compile flags say the same.
  size_t limit = static_cast<size_t>(options.error_limit);
  for (const std::string& a : options.extra_compile_args)
    for (const char* flag : {"-ferror-limit=", "-fmax-errors="})
      if (a.rfind(flag, 0) == 0) limit = std::strtoul(a.c_str() + strlen(flag), nullptr, 10);
  diags.set_error_limit(limit);
}

}  // namespace

bool read_headers(Options& options, cdef::Diagnostics& diags) {
  auto log = logger();
  configure(options, diags);
  bool ok = true;
  std::set<std::string> exports;
  bool know_exports = false;
  for (CdefInput& in : options.cdefs) {
    if (!in.from_headers) continue;
    if (!know_exports && !options.library_files.empty()) {
      std::string error;
      know_exports = clang_bridge::exported_symbols(options.library_files, exports, error);
      if (!know_exports) log->info("every function and global of the headers is bound: {}", error);
      options.library_files.clear();  // read once
    }
    auto t0 = std::chrono::steady_clock::now();
    clang_bridge::HeaderRequest request;
    request.headers = in.from_headers->headers;
    request.include = in.from_headers->include_names;
    request.exclude = in.from_headers->exclude_names;
    request.where.file = in.source->name;
    request.where.line = in.source->first_line;
    request.where.column = in.from_headers->column;
    if (know_exports) request.exports = &exports;
    request.abi_mode = options.abi_mode;
    if (options.source) request.source = options.source->text;
    clang_bridge::HeaderCdef cdef;
    if (!clang_bridge::cdef_from_headers(request, source_options(options), diags, cdef) ||
        diags.has_errors()) {  // warnings are errors with strict
      ok = false;
      continue;
    }
    // The text is its own cdef: errors in it point into it (--print-cdef shows it).
    std::string names;
    for (const std::string& h : request.headers) names += (names.empty() ? "" : ", ") + h;
    auto text = std::make_shared<cdef::SourceBuffer>();
    text->name = "<cdef from " + names + ">";
    text->text = std::move(cdef.text);
    in.source = text;
    for (const std::string& note : cdef.notes) log->info("{}: {}", names, note);
    log->info("read {}: {} declarations in {:.3f}s", names, cdef.declarations, seconds_since(t0));
  }
  return ok;
}


bool parse_cdefs(const Options& options, cdef::Module& module, cdef::Diagnostics& diags) {
  auto log = logger();
  configure(options, diags);
  // Pass 1: parse every cdef() text, in call order.
  auto t0 = std::chrono::steady_clock::now();
  for (const CdefInput& in : options.cdefs) cdef::parse_cdef(module, in.source, in.options, diags);
  log->info(
      "parsed {} cdef(s): {} records, {} enums, {} typedefs, {} functions, {} globals, "
      "{} constants in {:.3f}s",
      options.cdefs.size(), module.records.size(), module.enums.size(), module.typedefs.size(),
      module.functions.size(), module.variables.size(), module.constants.size(), seconds_since(t0));
  return !diags.has_errors();
}

bool prepare_abi_mode(Options& options, const cdef::Module& module, cdef::Diagnostics& diags) {
  if (!options.abi_mode) return true;
  if (!emit::check_abi_mode(module, diags)) return false;
  // The cdef is the C source: resolved and compiled as any module's.
  auto source = std::make_shared<cdef::SourceBuffer>();
  source->name = "<cdef types>";
  source->text = emit::abi_source(module);
  options.source = source;
  return true;
}

void decide_gil(const Options& options, model::Module& model, cdef::Diagnostics& diags) {
  auto log = logger();
  const auto& functions = model.decls.functions;
  for (const auto& [name, release] : options.release_gil_functions) {
    bool known = false;
    for (const cdef::Function& f : functions) known = known || (f.name == name && !f.included);
    if (!known)
      diags.warning(cdef::Location{}, "release_gil names '" + name +
                                          "', which is no function of the cdef");
  }
  for (size_t i = 0; i < functions.size(); ++i) {
    const cdef::Function& f = functions[i];
    model::FunctionInfo& info = model.functions[i];
    if (f.included || f.linkage != cdef::Linkage::C || f.type->variadic) continue;
    const std::pair<std::string, bool>* chosen = nullptr;
    for (const auto& entry : options.release_gil_functions)
      if (entry.first == f.name) chosen = &entry;
    if (chosen) {
      info.release_gil = chosen->second;
      info.gil_because = std::string("release_gil={'") + f.name + "': " +
                         (chosen->second ? "True" : "False") + "}";
    } else if (options.release_gil == "always") {
      info.release_gil = true;
      info.gil_because = "release_gil=True";
    } else if (options.release_gil == "never") {
      info.release_gil = false;
      info.gil_because = "release_gil=False";
    } else if (info.leaf) {
      info.release_gil = false;  // nanoseconds, no errno: releasing would cost more
      info.gil_because = info.calls_python ? "leaf but for extern \"Python\" calls" : "leaf";
    } else {
      info.release_gil = true;
      info.gil_because = info.body_seen ? "not a leaf: " + info.not_leaf_because
                                        : std::string("body not seen");
    }
    info.save_errno = info.release_gil || !info.leaf || info.calls_python;
    log->info("{}(): GIL {} ({})", f.name, info.release_gil ? "released" : "kept",
              info.gil_because);
  }
}

bool resolve_model(const Options& options, const cdef::Module& module, cdef::Diagnostics& diags,
                   model::Module& model) {
  auto log = logger();
  // Pass 2: one probe translation unit answers every gap and checks every declaration.
  clang_bridge::SourceOptions so = source_options(options);
  if (options.verbose >= 2)
    log->info("probe translation unit:\n{}", clang_bridge::probe_text(module, so));
  clang_bridge::ResolveStats stats;
  bool ok = clang_bridge::resolve(module, so, diags, model, &stats);
  log->info("resolved with Clang: {} probe lines, parse {:.3f}s, answers {:.3f}s",
            stats.probe_lines, stats.parse_seconds, stats.answer_seconds);
  if (ok) decide_gil(options, model, diags);
  return ok;
}

bool build_model(Options& options, model::Module& model, cdef::Diagnostics& diags) {
  cdef::Module parsed;
  return read_headers(options, diags) && parse_cdefs(options, parsed, diags) && prepare_abi_mode(options, parsed, diags) &&
         resolve_model(options, parsed, diags, model);
}

bool emit_module(const Options& options, const model::Module& module, cdef::Diagnostics& diags,
                 std::string& c_text, std::vector<std::string>& pieces) {
  auto t0 = std::chrono::steady_clock::now();
  emit::EmitOptions eo;
  eo.module_name = options.module_name;
  eo.includes = options.includes;
  eo.source = options.source;
  eo.py_limited_api = options.py_limited_api;
  eo.abi_mode = options.abi_mode;
  eo.cplusplus = options.cplusplus;
  if (!options.emit_c.empty() && options.emit_c != "-") eo.output_name = options.emit_c;
  eo.pieces = options.pieces;
  bool ok = emit::emit_c(module, eo, diags, c_text, &pieces);
  logger()->info("emitted C: {} bytes in {:.3f}s", c_text.size(), seconds_since(t0));
  return ok;
}

bool write_file_if_changed(const std::string& path, const std::string& content,
                           std::string& error) {
  {
    std::ifstream old(path, std::ios::binary);
    if (old) {
      std::string existing((std::istreambuf_iterator<char>(old)), std::istreambuf_iterator<char>());
      if (existing == content) return true;
    }
  }
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      error = "cannot write '" + path + "'";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

int run_command(int argc, char** argv) {
  Options options;
  std::string message;
  int status = parse_command_line(argc, argv, options, message);
  if (status == 2) {
    std::cout << message;
    return 0;
  }
  if (status != 0) {
    std::cerr << "cdefc: error: " << message << "\n";
    return kExitUsage;
  }
  auto log = logger();
  if (options.verbose) log->set_level(spdlog::level::info);
  if (!options.parse_only &&
      std::find(options.includes.begin(), options.includes.end(), "") != options.includes.end()) {
    std::cerr << "cdefc: error: an included module has no name (call set_source() on the ffi "
                 "given to ffi.include())\n";
    return kExitUsage;
  }
  auto t0 = std::chrono::steady_clock::now();

  cdef::Module module;
  model::Module resolved;
  cdef::Diagnostics diags;
  // The passes in plain order; the exit status says which one failed.
  if (!read_headers(options, diags)) {
    std::cerr << diags.render() << diags.error_count()
              << (diags.error_count() == 1 ? " error" : " errors") << " generated.\n";
    return kExitVerification;
  }
  if (options.print_cdef) {
    std::cerr << diags.render();  // warnings
    for (const CdefInput& in : options.cdefs)
      if (!in.options.included) std::cout << in.source->text << (in.source->text.empty() || in.source->text.back() == '\n' ? "" : "\n");
    return kExitOk;
  }
  int failed = kExitCdef;
  bool ok = parse_cdefs(options, module, diags);
  if (ok && options.parse_only) {
    std::cerr << diags.render();  // warnings
    return kExitOk;
  }
  if (ok) {
    failed = kExitVerification;
    ok = prepare_abi_mode(options, module, diags) &&
         resolve_model(options, module, diags, resolved);
  }
  // Pass 3: the C source, in memory (written below only when every pass succeeded).
  std::string c_text;
  std::vector<std::string> pieces;
  if (ok && !options.emit_c.empty()) ok = emit_module(options, resolved, diags, c_text, pieces);
  std::cerr << diags.render();
  if (!ok) {
    std::cerr << diags.error_count() << (diags.error_count() == 1 ? " error" : " errors")
              << " generated.\n";
    return failed;
  }
  if (!options.dump_model.empty()) {
    std::string json = model::to_json(resolved, options.module_name);
    if (options.dump_model == "-") {
      std::cout << json;
    } else if (!write_file_if_changed(options.dump_model, json, message)) {
      std::cerr << "cdefc: error: " << message << "\n";
      return kExitUsage;
    }
  }
  if (!options.emit_c.empty()) {
    if (options.emit_c == "-") {
      std::cout << c_text;
    } else {
      // The pieces first: the main file refers to them.
      for (size_t k = 1; k <= pieces.size(); ++k) {
        std::string path = piece_path(options.emit_c, k);
        if (!write_file_if_changed(path, pieces[k - 1], message)) {
          std::cerr << "cdefc: error: " << message << "\n";
          return kExitUsage;
        }
        std::cout << path << "\n";
      }
      if (!write_file_if_changed(options.emit_c, c_text, message)) {
        std::cerr << "cdefc: error: " << message << "\n";
        return kExitUsage;
      }
    }
  }
  log->info("done in {:.3f}s", seconds_since(t0));
  return 0;
}

}  // namespace cdefc::driver
