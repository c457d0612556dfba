// Answers every '...' gap and checks every exact declaration of a cdef::Module with Clang.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cdef/decl.h"
#include "cdef/diagnostics.h"
#include "model/model.h"

namespace cdefc::clang_bridge {

/// How to parse the set_source() C text: the module's compile flags.
struct SourceOptions {
  std::shared_ptr<const cdef::SourceBuffer> source;  ///< the set_source() text
  std::vector<std::string> include_dirs;             ///< -I
  std::vector<std::string> define_macros;            ///< -D NAME or NAME=VALUE
  std::vector<std::string> undef_macros;             ///< -U NAME
  std::vector<std::string> extra_compile_args;       ///< passed to Clang as they are
  bool cplusplus = false;                            ///< source_extension='.cpp'
  bool py_limited_api = true;                        ///< Py_LIMITED_API before Python.h
  /// ABI mode: `source` is the cdef's own types as C (emit/abi_source.h); functions, global
  /// variables and static consts are left to ffi.dlopen() and not asked about.
  bool abi_mode = false;
  /// Where the generated C file will be: `#include "x.h"` is searched from there first, as
  /// the C compiler will do ("" = the current directory).
  std::string main_file_dir;
};

/// Timings and counts of one resolution, for -v logging.
struct ResolveStats {
  double parse_seconds = 0;   ///< building the probe translation unit
  double answer_seconds = 0;  ///< reading answers and checking declarations
  size_t probe_lines = 0;
};

/// Build ONE probe translation unit (the source plus generated probes), parse it in-process,
/// answer every gap of `parsed` and check every declaration against C: the resolved module
/// goes to `out`. Errors (where the module would not compile) and warnings (what C accepts,
/// what CFFI finds only at first use) go to `diags`; returns false if any error.
bool resolve(const cdef::Module& parsed, const SourceOptions& options, cdef::Diagnostics& diags,
             model::Module& out, ResolveStats* stats = nullptr);

/// The Clang command line for `options` (the module's compile flags, warnings off): what
/// every in-process parse of the module's C is given.
std::vector<std::string> clang_arguments(const SourceOptions& options);

/// The text of the probe translation unit resolve() would parse (for debugging, -v -v).
std::string probe_text(const cdef::Module& module, const SourceOptions& options);

/// The standard headers every probe (and every generated module) includes before the
/// user's source, so that the standard type names of a cdef exist.
const char* standard_prelude();

}  // namespace cdefc::clang_bridge
