// What one cdefc run is asked to do: the module description and the outputs wanted.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cdef/location.h"
#include "cdef/parser.h"

namespace cdefc::driver {

/// A cdef_from_headers() call: the headers to read and the names to bind from them.
struct HeaderSelection {
  std::vector<std::string> headers;        ///< as #include names them
  std::vector<std::string> include_names;  ///< fnmatch patterns; empty: the headers' own
  std::vector<std::string> exclude_names;  ///< fnmatch patterns
  unsigned column = 1;                     ///< of the call, on the entry's line
};

/// One cdef() call: its text (with the file and line it came from) and its options. A
/// cdef_from_headers() call has `from_headers` set and its text is written by pass 0.
struct CdefInput {
  std::shared_ptr<cdef::SourceBuffer> source;
  cdef::CdefOptions options;
  std::shared_ptr<HeaderSelection> from_headers;  ///< null for a hand-written cdef
};

/// Everything a module is made from, as the build API or the command line gives it.
struct Options {
  std::string module_name;                         ///< e.g. "pkg._foo"
  /// The cdefs of the included modules (options.included set; each module once, its own
  /// includes before it), then this module's in call order.
  std::vector<CdefInput> cdefs;
  /// The dotted names of the modules ffi.include() gave directly, in call order: the module
  /// imports them before building its ffi and lib, and takes their types by name.
  std::vector<std::string> includes;
  std::shared_ptr<cdef::SourceBuffer> source;      ///< set_source() C text (may be null)
  std::vector<std::string> include_dirs;
  std::vector<std::string> define_macros;          ///< NAME or NAME=VALUE
  std::vector<std::string> undef_macros;
  std::vector<std::string> extra_compile_args;
  std::vector<std::string> libraries;              ///< recorded for the module build
  std::vector<std::string> library_dirs;
  /// The shared library files of `libraries` (the build API finds them): functions and
  /// globals cdef_from_headers() finds in headers are bound only if one of them exports them.
  std::vector<std::string> library_files;
  bool cplusplus = false;                          ///< source_extension='.cpp'
  bool py_limited_api = true;                      ///< false: no Py_LIMITED_API in the C
  bool strict = false;                             ///< every warning is an error
  int error_limit = 20;                            ///< errors shown at most; 0: all
  /// set_source(name, None): no C source; the module holds only `ffi`, and ffi.dlopen()
  /// reaches the cdef's functions and globals (CFFI's out-of-line ABI mode).
  bool abi_mode = false;
  /// set_source(release_gil=...): "auto" (a leaf keeps the GIL, the rest release it),
  /// "always" (CFFI's way) or "never"; `release_gil_functions` overrides it per function.
  std::string release_gil = "auto";
  std::vector<std::pair<std::string, bool>> release_gil_functions;
  std::string emit_c;                              ///< "" none, "-" stdout, else a path
  /// --pieces N: a big module's wrappers go to at most N more C files beside emit_c (for a
  /// parallel build), named by piece_path() and listed on stdout; 0: one file.
  int pieces = 0;
  bool parse_only = false;                         ///< stop after parsing the cdefs
  bool print_cdef = false;                         ///< print the cdefs (headers read) and stop
  std::string dump_model;                          ///< "" none, "-" stdout, else a path
  int verbose = 0;                                 ///< -v: phases and timings; -vv: probe
};

/// The path of piece `k` (from 1) of the C file `emit_c`: "dir/_foo.c" -> "dir/_foo.part1.c"
/// (always C: a piece has no user source).
std::string piece_path(const std::string& emit_c, size_t k);

/// Fills `out` from the command line. Returns 0 to go on, 1 on a usage error (message in
/// `message`), 2 when --help/--version printed `message` and the run should stop with 0.
int parse_command_line(int argc, char** argv, Options& out, std::string& message);

/// Fills `out` from a JSON module description (what the Python build API writes):
/// {"module_name", "cdefs": [{"text", "file", "line", "override", "packed", "pack"}],
///  a cdef_from_headers() entry has "headers", "include", "exclude" instead of "text";
///  "includes": [{"module_name", "cdefs": [...], "includes": [...]}] (ffi.include()),
///  "source": {"text", "file", "line"}, "include_dirs", "define_macros", "undef_macros",
///  "extra_compile_args", "libraries", "library_dirs", "library_files", "cplusplus", "py_limited_api", "strict",
///  "abi_mode", "release_gil": "auto"|"always"|"never",
///  "release_gil_functions": {"name": true|false}}.
/// Outputs (--emit-c, --dump-model) are given on the command line only.
/// Returns false with `message` set when the description is malformed.
bool read_description(const std::string& json_text, Options& out, std::string& message);

}  // namespace cdefc::driver
