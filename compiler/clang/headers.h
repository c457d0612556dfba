// cdef_from_headers: reads a C library's own headers with Clang and writes the cdef of the
// declarations a user selects by name, with everything they depend on.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "cdef/diagnostics.h"
#include "clang/resolver.h"

namespace cdefc::clang_bridge {

/// One cdef_from_headers() call.
struct HeaderRequest {
  /// Headers as `#include` names them ("zlib.h", "sys/types.h", "<stdio.h>", a path).
  std::vector<std::string> headers;
  /// fnmatch patterns of the names to bind: functions, global variables, typedefs, struct,
  /// union and enum tags, enumerators (which bring their enum) and object-like macros.
  /// Empty: every declaration of the named headers themselves (not of what they include).
  std::vector<std::string> include;
  /// Patterns of names not to bind, even if `include` matches them (what a bound
  /// declaration needs still comes along).
  std::vector<std::string> exclude;
  cdef::Location where;  ///< the call, for errors in the #include lines themselves
  /// What the module's shared libraries export, when known: a function or global they do
  /// not export is left out (a header may declare what its library was built without),
  /// unless `source` (the set_source() text, which may define it) names it.
  const std::set<std::string>* exports = nullptr;
  std::string source;
  /// The module has no C source (set_source(name, None)): integer macros are written with
  /// their values (`#define Z_OK 0`), and the other constants, which only the C source
  /// could give, are left out.
  bool abi_mode = false;
};

/// The symbols the shared libraries `files` export (their ELF dynamic symbol tables, read by
/// LLVM). Returns false with `error` set when a file is not a shared library it can read.
bool exported_symbols(const std::vector<std::string>& files, std::set<std::string>& out,
                      std::string& error);

/// What cdef_from_headers() wrote.
struct HeaderCdef {
  std::string text;                ///< the cdef declarations
  std::vector<std::string> notes;  ///< what was left out or made partial, and why (for -v)
  size_t declarations = 0;         ///< how many declarations `text` has
};

/// Parses `request.headers` with the module's flags (`options`; its source is not used)
/// and writes the cdef of the selected declarations into `out`, dependencies first:
/// - typedef chains, member types and function-pointer signatures come along; a struct or
///   union is defined where the headers define it (even behind a pointer: ffi.new() makes
///   it), and one they only declare stays opaque (`struct s;`);
/// - members a cdef cannot express (unusual bit-fields, vendor types) make their struct
///   partial (`...;`), and layout attributes leave the layout to C the same way;
/// - integer macros become `#define X ...`, float, string and pointer constants
///   `static const T X;`; function-like macros, inline and static functions, and
///   declarations of types no cdef can say are left out, each with a note.
/// Clang's errors in the headers go to `diags` with their locations; returns false then.
bool cdef_from_headers(const HeaderRequest& request, const SourceOptions& options,
                       cdef::Diagnostics& diags, HeaderCdef& out);

}  // namespace cdefc::clang_bridge
