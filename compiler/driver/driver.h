// The pass list of one cdefc run, in plain order: parse cdefs, resolve with Clang, emit C, write.
#pragma once

#include <string>
#include <vector>

#include "cdef/decl.h"
#include "cdef/diagnostics.h"
#include "driver/options.h"
#include "model/model.h"

namespace cdefc::driver {

/// Exit statuses of the cdefc command.
constexpr int kExitOk = 0;            ///< success
constexpr int kExitUsage = 1;         ///< bad options, unreadable or unwritable files
constexpr int kExitCdef = 2;          ///< a cdef does not parse (the build API's CDefError)
constexpr int kExitVerification = 3;  ///< Clang: mismatches, C source errors, emitter errors

/// Pass 0: write the cdef text of every cdef_from_headers() entry of `options` (reading its
/// headers with Clang under the module's flags); what was left out goes to the -v log.
/// Returns false after errors (a header missing or not C).
bool read_headers(Options& options, cdef::Diagnostics& diags);

/// Pass 1: parse every cdef of `options` into `module`. Returns false after errors.
bool parse_cdefs(const Options& options, cdef::Module& module, cdef::Diagnostics& diags);

/// ABI mode only (options.abi_mode): check what it cannot have, and make the cdef's types the
/// C source (options.source). Returns false after errors; does nothing in the API mode.
bool prepare_abi_mode(Options& options, const cdef::Module& parsed, cdef::Diagnostics& diags);

/// Pass 2: answer the gaps of `parsed` and check it with Clang, into the resolved `model`.
/// Returns false after errors.
bool resolve_model(const Options& options, const cdef::Module& parsed, cdef::Diagnostics& diags,
                   model::Module& model);

/// After pass 2: whether each function's wrapper releases the GIL and saves errno
/// (options.release_gil and its per-function overrides; by default a leaf keeps the GIL), into
/// `model`'s FunctionInfo. A name the overrides give that the cdef lacks is a warning.
void decide_gil(const Options& options, model::Module& model, cdef::Diagnostics& diags);

/// Passes 0, 1 and 2 (and the ABI mode's source, into `options`). Every problem goes to `diags`;
/// returns false if there was any error.
bool build_model(Options& options, model::Module& model, cdef::Diagnostics& diags);

/// The C source of the module (after build_model succeeded): tables, wrappers, PyInit.
/// Unsupported declarations are reported into `diags`; returns false if there was any error.
/// With options.pieces, the files of wrappers apart go to `pieces` (may stay empty).
bool emit_module(const Options& options, const model::Module& model, cdef::Diagnostics& diags,
                 std::string& c_text, std::vector<std::string>& pieces);
/// The same, in one file.
inline bool emit_module(const Options& options, const model::Module& model,
                        cdef::Diagnostics& diags, std::string& c_text) {
  std::vector<std::string> none;
  Options one = options;
  one.pieces = 0;
  return emit_module(one, model, diags, c_text, none);
}

/// Write `content` to `path` through a temporary file and a rename, so a failed run never
/// leaves half a file; an existing file with the same content is left alone (mtime kept).
/// Returns false with `error` set on I/O failure.
bool write_file_if_changed(const std::string& path, const std::string& content,
                           std::string& error);

/// The whole command: options, passes, outputs, diagnostics on stderr. Returns an exit
/// status kExit*.
int run_command(int argc, char** argv);

}  // namespace cdefc::driver
