// The resolved module: the cdef's declarations with every gap answered, and what Clang found
// for each one (layouts, values, how C reaches each function, lazy errors). The resolver
// returns it; the emitter and --dump-model read nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cdef/decl.h"

namespace cdefc::model {

/// Where a field is in C (offsets from the outermost record's start).
struct FieldLayout {
  uint64_t offset = 0;      ///< byte offset (of its storage unit, for bitfields)
  uint64_t size = 0;        ///< sizeof the field's type (0 for a flexible array member)
  uint64_t bit_offset = 0;  ///< offset in bits
};

/// A struct or union as C lays it out.
struct RecordLayout {
  bool known = false;  ///< laid out by Clang (not opaque, not only declared)
  uint64_t size = 0;
  uint64_t align = 0;
  std::vector<FieldLayout> fields;  ///< parallel to the record's fields
  cdef::Location real_loc;          ///< where the C source defines it
  /// The cdef's exact layout is not C's: CFFI's ffi.error message for the type's first use.
  std::string error;
};

/// The integer type C gives an enum.
struct EnumLayout {
  bool known = false;  ///< Clang found the enum's definition
  uint64_t size = 4;
  bool is_signed = true;
};

/// How the C source makes a cdef function callable.
enum class Reach {
  Unknown,          ///< not resolved (extern "Python")
  Function,         ///< a function declaration (or an inline function)
  FunctionPointer,  ///< a variable of function pointer type
  Macro,            ///< a macro
};

/// What Clang found for a function.
struct FunctionInfo {
  Reach reach = Reach::Unknown;
  /// Argument i is a pointer of another type in C, which C converts with a warning; the
  /// module passes it as `void *` (C converts that silently).
  std::vector<bool> void_pointer_args;
  /// Clang saw the body (the set_source() text or a header defines it).
  bool body_seen = false;
  /// The body makes no call, has no loop, goto, inline assembly or volatile access: it takes
  /// nanoseconds and cannot touch errno (the performance issue's GIL decision reads this).
  bool leaf = false;
  /// Why a seen body is not a leaf ("it calls a function"), for --dump-model and -v.
  std::string not_leaf_because;
  /// A leaf whose only calls are to the cdef's extern "Python" functions (which take the GIL
  /// and keep errno themselves): the GIL is kept, errno saved as for any call.
  bool calls_python = false;
  /// The wrapper releases the GIL around the call (CFFI's way). Decided after resolution
  /// (driver: set_source(release_gil=...)): by default a leaf keeps it, everything else
  /// releases it.
  bool release_gil = true;
  /// The wrapper restores errno before the call and saves it after (ffi.errno); not for a
  /// leaf that keeps the GIL: it cannot touch errno.
  bool save_errno = true;
  /// Why the GIL is kept or released ("leaf", "release_gil=False", ...), for --dump-model.
  std::string gil_because;
};

/// What Clang found for a #define or static const.
struct ConstantInfo {
  cdef::ConstantValue value;  ///< C's value (kind None: read by the module at import)
  /// The cdef's value is not C's: CFFI's ffi.error message for reading it (lib.NAME).
  std::string error;
};

/// The resolved module. `decls` is the cdef's declarations with the gaps filled in: integer
/// and float typedef gaps hold the primitive type C has, '[...]' lengths are C's, enumerators
/// hold C's values. The other vectors are parallel to decls' vectors of the same name.
struct Module {
  cdef::Module decls;
  std::vector<RecordLayout> records;
  std::vector<EnumLayout> enums;
  std::vector<FunctionInfo> functions;
  std::vector<ConstantInfo> constants;

  /// A module with no answers yet for the declarations of `parsed`.
  static Module unresolved(const cdef::Module& parsed);
};

inline Module Module::unresolved(const cdef::Module& parsed) {
  Module m;
  m.decls = parsed;
  m.records.resize(parsed.records.size());
  for (size_t i = 0; i < parsed.records.size(); ++i)
    m.records[i].fields.resize(parsed.records[i].fields.size());
  m.enums.resize(parsed.enums.size());
  m.functions.resize(parsed.functions.size());
  m.constants.resize(parsed.constants.size());
  for (size_t i = 0; i < parsed.constants.size(); ++i)
    m.constants[i].value = parsed.constants[i].value;
  return m;
}

}  // namespace cdefc::model
