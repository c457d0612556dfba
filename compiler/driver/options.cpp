// Reads a module description from the command line (cxxopts) or from JSON (nlohmann).
#include "driver/options.h"

// A repeatable option takes its whole value (cxxopts would split "int f(int a, int b);"
// and "-DX=a,b" at the commas).
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <algorithm>
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace cdefc::driver {

namespace {

/// Reads a whole file, or stdin for "-".
bool read_text(const std::string& path, std::string& out, std::string& message) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    message = "cannot open '" + path + "'";
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

std::shared_ptr<cdef::SourceBuffer> buffer(std::string name, std::string text, unsigned line) {
  auto b = std::make_shared<cdef::SourceBuffer>();
  b->name = std::move(name);
  b->text = std::move(text);
  b->first_line = line == 0 ? 1 : line;
  return b;
}

/// "pkg/_foo.c" -> "_foo"
std::string stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.find('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

int parse_command_line(int argc, char** argv, Options& out, std::string& message) {
  cxxopts::Options spec("cdefc",
                        "cdefc: compile CFFI-style cdef declarations against real C source.\n"
                        "Reads cdefs and the set_source() C text, answers every '...' gap and\n"
                        "checks every declaration with Clang.");
  spec.custom_help("[options]");
  // clang-format off
  spec.add_options()
    ("cdef", "cdef declarations from FILE ('-' for stdin); repeatable", cxxopts::value<std::vector<std::string>>(), "FILE")
    ("cdef-text", "cdef declarations given as TEXT; repeatable", cxxopts::value<std::vector<std::string>>(), "TEXT")
    ("cdef-from-headers", "declarations read from HEADER with Clang (before the other cdefs); repeatable", cxxopts::value<std::vector<std::string>>(), "HEADER")
    ("include-names", "with --cdef-from-headers: bind the names matching PATTERN (fnmatch; default: what the headers themselves declare); repeatable", cxxopts::value<std::vector<std::string>>(), "PATTERN")
    ("exclude-names", "with --cdef-from-headers: do not bind the names matching PATTERN; repeatable", cxxopts::value<std::vector<std::string>>(), "PATTERN")
    ("print-cdef", "print the module's cdefs, those read from headers included, and stop")
    ("library-file", "with --cdef-from-headers: a shared library the module links; given, functions and globals none of them exports are not bound; repeatable", cxxopts::value<std::vector<std::string>>(), "PATH")
    ("override", "cdefs may redefine earlier declarations (cdef(override=True))")
    ("packed", "every struct of the cdefs is packed (cdef(packed=True))")
    ("pack", "maximum field alignment N (cdef(pack=N))", cxxopts::value<int>(), "N")
    ("source", "the set_source() C text, from FILE", cxxopts::value<std::string>(), "FILE")
    ("source-text", "the set_source() C text, given as TEXT", cxxopts::value<std::string>(), "TEXT")
    ("description", "read the whole module description from a JSON FILE", cxxopts::value<std::string>(), "FILE")
    ("m,module", "module name (default: the source file's stem)", cxxopts::value<std::string>(), "NAME")
    ("I", "add DIR to the include path", cxxopts::value<std::vector<std::string>>(), "DIR")
    ("D", "define macro NAME[=VALUE]", cxxopts::value<std::vector<std::string>>(), "NAME")
    ("U", "undefine macro NAME", cxxopts::value<std::vector<std::string>>(), "NAME")
    ("extra-compile-arg", "pass ARG to Clang and the C compiler; repeatable", cxxopts::value<std::vector<std::string>>(), "ARG")
    ("l", "link with library LIB", cxxopts::value<std::vector<std::string>>(), "LIB")
    ("L", "add DIR to the library path", cxxopts::value<std::vector<std::string>>(), "DIR")
    ("cplusplus", "the source is C++ (source_extension='.cpp')")
    ("abi-mode", "no C source (set_source(name, None)): the module holds only ffi, whose ffi.dlopen() reaches the cdef's functions and globals")
    ("emit-c", "write the module's C source to FILE ('-' for stdout)", cxxopts::value<std::string>(), "FILE")
    ("pieces", "put a big module's wrappers into at most N more C files beside the --emit-c FILE (FILE.part1.c, ...), to compile in parallel; their paths are printed", cxxopts::value<int>(), "N")
    ("parse-only", "only parse the cdefs (what cdef() checks at once); no Clang, no output")
    ("no-limited-api", "do not define Py_LIMITED_API in the C (py_limited_api=False)")
    ("strict", "make every warning an error (set_source(strict=True); also -Werror)")
    ("error-limit", "stop after N errors (default 20, 0: no limit; also -ferror-limit=N or -fmax-errors=N among the compile flags)", cxxopts::value<int>(), "N")
    ("dump-model", "print the resolved module as JSON to stdout, or to FILE (--dump-model=FILE)", cxxopts::value<std::string>()->implicit_value("-"), "FILE")
    ("v,verbose", "log phases and timings (twice: also print the probe translation unit)")
    ("h,help", "print this help")
    ("version", "print the version");
  // clang-format on
  try {
    auto r = spec.parse(argc, argv);
    if (r.count("help")) {
      message = spec.help();
      return 2;
    }
    if (r.count("version")) {
      message = "cdefc 0.1.0\n";
      return 2;
    }
    if (!r.unmatched().empty()) {
      message = "unexpected argument '" + r.unmatched().front() + "'";
      return 1;
    }
    if (r.count("description")) {
      std::string text;
      if (!read_text(r["description"].as<std::string>(), text, message)) return 1;
      if (!read_description(text, out, message)) return 1;
    }
    cdef::CdefOptions copts;
    copts.override = r.count("override") > 0;
    copts.packed = r.count("packed") > 0;
    if (r.count("pack")) copts.pack = r["pack"].as<int>();
    if (r.count("cdef-from-headers")) {
      auto selection = std::make_shared<HeaderSelection>();
      selection->headers = r["cdef-from-headers"].as<std::vector<std::string>>();
      if (r.count("include-names"))
        selection->include_names = r["include-names"].as<std::vector<std::string>>();
      if (r.count("exclude-names"))
        selection->exclude_names = r["exclude-names"].as<std::vector<std::string>>();
      out.cdefs.push_back({buffer("<command line>", "", 1), copts, selection});
    } else if (r.count("include-names") || r.count("exclude-names")) {
      message = "--include-names and --exclude-names go with --cdef-from-headers";
      return 1;
    }
    if (r.count("cdef"))
      for (const std::string& path : r["cdef"].as<std::vector<std::string>>()) {
        std::string text;
        if (!read_text(path, text, message)) return 1;
        out.cdefs.push_back({buffer(path == "-" ? "<stdin>" : path, text, 1), copts, nullptr});
      }
    if (r.count("cdef-text"))
      for (const std::string& text : r["cdef-text"].as<std::vector<std::string>>())
        out.cdefs.push_back({buffer("<cdef source string>", text, 1), copts, nullptr});
    if (r.count("source")) {
      std::string path = r["source"].as<std::string>(), text;
      if (!read_text(path, text, message)) return 1;
      out.source = buffer(path, text, 1);
      if (out.module_name.empty()) out.module_name = stem(path);
    }
    if (r.count("source-text")) out.source = buffer("<set_source>", r["source-text"].as<std::string>(), 1);
    auto append = [&](const char* key, std::vector<std::string>& to) {
      if (r.count(key))
        for (const std::string& s : r[key].as<std::vector<std::string>>()) to.push_back(s);
    };
    append("I", out.include_dirs);
    append("D", out.define_macros);
    append("U", out.undef_macros);
    append("extra-compile-arg", out.extra_compile_args);
    append("l", out.libraries);
    append("L", out.library_dirs);
    append("library-file", out.library_files);
    if (r.count("module")) out.module_name = r["module"].as<std::string>();
    if (r.count("cplusplus")) out.cplusplus = true;
    if (r.count("abi-mode")) out.abi_mode = true;
    if (r.count("no-limited-api")) out.py_limited_api = false;
    if (r.count("strict")) out.strict = true;
    if (r.count("error-limit")) {
      out.error_limit = r["error-limit"].as<int>();
      if (out.error_limit < 0) {
        message = "--error-limit takes a number from 0 (no limit)";
        return 1;
      }
    }
    if (r.count("parse-only")) out.parse_only = true;
    if (r.count("print-cdef")) out.print_cdef = true;
    if (r.count("emit-c")) out.emit_c = r["emit-c"].as<std::string>();
    if (r.count("pieces")) {
      out.pieces = r["pieces"].as<int>();
      if (out.pieces < 0 || out.pieces > 256) {
        message = "--pieces takes a number from 0 to 256";
        return 1;
      }
      if (out.pieces > 0 && (out.emit_c.empty() || out.emit_c == "-")) {
        message = "--pieces needs --emit-c FILE";
        return 1;
      }
    }
    if (r.count("dump-model")) out.dump_model = r["dump-model"].as<std::string>();
    out.verbose = static_cast<int>(r.count("verbose"));
  } catch (const cxxopts::exceptions::exception& e) {
    message = e.what();
    return 1;
  }
  if (out.cdefs.empty()) {
    message = "no cdef given (use --cdef FILE, --cdef-text TEXT, --cdef-from-headers HEADER or "
              "--description FILE)";
    return 1;
  }
  if (out.module_name.empty()) out.module_name = "_cdefc_module";
  return 0;
}

std::string piece_path(const std::string& emit_c, size_t k) {
  size_t slash = emit_c.rfind('/');
  size_t dot = emit_c.rfind('.');
  std::string stem =
      dot != std::string::npos && (slash == std::string::npos || dot > slash) ? emit_c.substr(0, dot)
                                                                             : emit_c;
  return stem + ".part" + std::to_string(k) + ".c";
}

namespace {

/// The cdef() entries of a description as parser inputs.
void read_cdefs(const nlohmann::json& owner, bool included, std::vector<CdefInput>& out) {
  for (const nlohmann::json& c : owner.value("cdefs", nlohmann::json::array())) {
    CdefInput in;
    if (c.contains("headers")) {
      in.from_headers = std::make_shared<HeaderSelection>();
      auto strings = [&](const char* key, std::vector<std::string>& to) {
        for (const nlohmann::json& v : c.value(key, nlohmann::json::array()))
          to.push_back(v.get<std::string>());
      };
      strings("headers", in.from_headers->headers);
      strings("include", in.from_headers->include_names);
      strings("exclude", in.from_headers->exclude_names);
      in.from_headers->column = c.value("column", 1u);
    }
    in.source = buffer(c.value("file", std::string("<cdef source string>")),
                       in.from_headers ? std::string() : c.at("text").get<std::string>(),
                       c.value("line", 1u));
    in.options.override = c.value("override", false);
    in.options.packed = c.value("packed", false);
    in.options.pack = c.value("pack", 0);
    in.options.included = included;
    out.push_back(std::move(in));
  }
}

/// The cdefs of the modules `owner` includes, depth first, each named module once.
void read_includes(const nlohmann::json& owner, std::vector<std::string>& seen,
                   std::vector<CdefInput>& out, int depth = 0) {
  if (depth > 100) throw std::runtime_error("ffi.include() nested too deeply");
  for (const nlohmann::json& inc : owner.value("includes", nlohmann::json::array())) {
    std::string name =
        inc.contains("module_name") && inc["module_name"].is_string() ? inc["module_name"].get<std::string>() : "";
    if (!name.empty()) {
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
    }
    read_includes(inc, seen, out, depth + 1);
    read_cdefs(inc, true, out);
  }
}

}  // namespace

bool read_description(const std::string& json_text, Options& out, std::string& message) {
  using nlohmann::json;
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    message = "the module description is not a JSON object";
    return false;
  }
  try {
    out.module_name = j.value("module_name", out.module_name);
    std::vector<std::string> seen = {out.module_name};
    read_includes(j, seen, out.cdefs);
    for (const json& inc : j.value("includes", json::array()))
      out.includes.push_back(inc.contains("module_name") && inc["module_name"].is_string()
                                 ? inc["module_name"].get<std::string>()
                                 : std::string());
    read_cdefs(j, false, out.cdefs);
    if (j.contains("source") && j["source"].is_object()) {
      const json& s = j["source"];
      out.source = buffer(s.value("file", std::string("<set_source>")),
                          s.at("text").get<std::string>(), s.value("line", 1u));
    }
    auto list = [&](const char* key, std::vector<std::string>& to) {
      for (const json& v : j.value(key, json::array())) to.push_back(v.get<std::string>());
    };
    list("include_dirs", out.include_dirs);
    list("define_macros", out.define_macros);
    list("undef_macros", out.undef_macros);
    list("extra_compile_args", out.extra_compile_args);
    list("libraries", out.libraries);
    list("library_dirs", out.library_dirs);
    list("library_files", out.library_files);
    out.cplusplus = j.value("cplusplus", false);
    out.py_limited_api = j.value("py_limited_api", true);
    out.strict = j.value("strict", false);
    out.abi_mode = j.value("abi_mode", false);
    out.release_gil = j.value("release_gil", std::string("auto"));
    if (out.release_gil != "auto" && out.release_gil != "always" && out.release_gil != "never")
      throw std::runtime_error("release_gil must be \"auto\", \"always\" or \"never\"");
    if (j.contains("release_gil_functions")) {
      const json& per_function = j.at("release_gil_functions");
      for (auto it = per_function.begin(); it != per_function.end(); ++it)
        out.release_gil_functions.push_back({it.key(), it.value().get<bool>()});
    }
  } catch (const json::exception& e) {
    message = std::string("malformed module description: ") + e.what();
    return false;
  } catch (const std::runtime_error& e) {
    message = std::string("malformed module description: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace cdefc::driver
