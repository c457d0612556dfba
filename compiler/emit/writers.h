// Inside the emitter: what the per-declaration writers (wrappers.cpp) hand to the file
// writer (emit.cpp): C text, lib attributes and PyMethodDefs.
#pragma once

#include <string>
#include <vector>

#include "cdef/diagnostics.h"
#include "emit/emit.h"
#include "emit/tables.h"

namespace cdefc::emit::detail {

/// One row of the globals table (a lib attribute), with its initializer pieces.
struct GlobalRow {
  std::string name;
  const char* kind = "";  ///< CDEFC_GLOBAL_...
  uint32_t type = 0;
  std::string method = "NULL";  ///< &_cdefc_methods[i]
  std::string address = "NULL";
  std::string getter = "NULL";
  std::string error = "NULL";  ///< the ffi.error message reading it raises, as a C string
};

/// What the writers produce, in cdef order.
struct Code {
  std::string text;                  ///< helper functions and wrappers
  std::vector<std::string> methods;  ///< PyMethodDef initializers
  std::vector<GlobalRow> globals;    ///< unsorted until emit_c sorts them by name
  bool needs_string_h = false;       ///< memcpy is used
  /// The wrappers compiled apart (EmitOptions::pieces), one text per file; their functions
  /// and the _cdefc_e_ functions they call have CDEFC_PIECE linkage.
  std::vector<std::string> pieces;
  /// extern "Python" functions, whose C definitions write_extern_python writes.
  std::vector<const cdef::Function*> extern_python;
};

/// The direct and fast wrappers of every C function (variadic ones become constants of
/// function pointer type, as in CFFI's API mode); extern "Python" ones get a lib attribute
/// and are listed in code.extern_python. Errors are reported into `diags`.
void write_functions(const Module& m, const EmitOptions& options, Tables& tables,
                     cdef::Diagnostics& diags, Code& code);
/// The C definitions of the extern "Python" functions (into `out`), each calling
/// cdefc_call_python with its index in code.globals, which must be sorted by name already.
void write_extern_python(const Module& m, const Code& code, std::string& out);
/// The address helpers of the global variables.
void write_variables(const Module& m, Tables& tables, Code& code);
/// The getters of #define and static const constants (not with `abi_mode`) and of
/// enumerators.
void write_constants(const Module& m, Tables& tables, Code& code, bool abi_mode = false);
/// ABI mode: the lib rows of functions, variables and static consts (read-only variables),
/// with no wrapper and no address: ffi.dlopen() looks each one up by name.
void write_dlopen_rows(const Module& m, Tables& tables, Code& code);

}  // namespace cdefc::emit::detail
