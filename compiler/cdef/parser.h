// The cdef parser: C declarations with CFFI's '...' gaps, into a cdef::Module.
#pragma once

#include <memory>
#include <string_view>

#include "cdef/decl.h"
#include "cdef/diagnostics.h"

namespace cdefc::cdef {

/// Options of one cdef() call, as in CFFI.
struct CdefOptions {
  bool override = false;  ///< later declarations may replace earlier ones
  bool packed = false;    ///< every struct of this cdef is packed
  int pack = 0;           ///< maximum field alignment (power of two), 0 for none
  bool included = false;  ///< the cdef of a module of ffi.include(): its declarations are
                          ///< marked `included` (that module owns them)
};

/// Parse one cdef() text into `module` (which may already hold earlier cdefs).
/// Reports every problem it can find into `diags`; never throws on bad input.
/// Returns false if any error was reported.
bool parse_cdef(Module& module, std::shared_ptr<const SourceBuffer> source,
                const CdefOptions& options, Diagnostics& diags);

/// Parse a type name such as "struct foo *" or "int(*)(int)" against `module`'s
/// declarations (the grammar ffi.new / ffi.cast use). Returns null after reporting an error.
TypeRef parse_type_name(const Module& module, std::string_view text, Diagnostics& diags);

}  // namespace cdefc::cdef
