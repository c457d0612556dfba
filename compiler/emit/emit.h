// The C emitter: one C file (valid C and C++) per resolved module, with the tables of
// include/cdefc/module.h, METH_FASTCALL wrappers, and static asserts of what Clang found.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cdef/decl.h"
#include "cdef/diagnostics.h"
#include "model/model.h"

namespace cdefc::emit {

/// What the emitted file is made of besides the module's declarations.
struct EmitOptions {
  std::string module_name;                           ///< full dotted name, e.g. "pkg._foo"
  /// Dotted names of the modules ffi.include() gave, imported before this one's ffi and lib.
  std::vector<std::string> includes;
  std::shared_ptr<const cdef::SourceBuffer> source;  ///< set_source() text (may be null)
  bool py_limited_api = true;                        ///< define Py_LIMITED_API 0x030b0000 (abi3)
  bool cplusplus = false;  ///< the file is compiled as C++ (source_extension='.cpp')
  /// ABI mode: `source` is the cdef's types as C; no wrappers, no lib: functions and
  /// variables are listed for ffi.dlopen() only (static consts as read-only variables).
  bool abi_mode = false;
  /// At most this many files of wrappers apart from the main one, compiled in parallel (a
  /// big module); 0: one file. Only wrappers whose types all reduce to primitive types and
  /// pointers go apart, and only when there are enough of them.
  int pieces = 0;
  /// The name `#line` gives the generated part after the user's source (the output path),
  /// so the C compiler's messages about generated code point into the generated file.
  std::string output_name = "<cdefc>";
};

/// Emits the C of `module` (resolved: no gaps left) into `out`. Unsupported declarations are
/// reported into `diags` (e.g. FILE by value); returns false if there was any error, in
/// which case `out` must not be written anywhere.
/// With options.pieces, the files of wrappers compiled apart go to `pieces` (none for a small
/// module).
bool emit_c(const model::Module& module, const EmitOptions& options, cdef::Diagnostics& diags,
            std::string& out, std::vector<std::string>* pieces = nullptr);

}  // namespace cdefc::emit
