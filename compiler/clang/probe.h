// The probe text writer: the C that asks Clang about every cdef declaration, written as the
// expressions the generated module compiles. Plain text; testable without Clang.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cdef/decl.h"

namespace cdefc::clang_bridge {

/// The presumed file name of the probe lines (after the user's source).
inline constexpr const char* kProbeFile = "<cdefc probe>";

/// The declaration a probe line asks about.
struct ProbeOwner {
  cdef::DeclRef::Kind kind = cdef::DeclRef::Record;
  int index = -1;       ///< in the module's vector of that kind
  int sub = -1;         ///< field of a record, enumerator of an enum; -1 for the declaration
  cdef::Location loc;   ///< where the cdef declares it
};

/// Probe names written for each declaration (empty when that probe was not written).
struct Probes {
  std::vector<std::string> record_type;              ///< typedef naming the real record
  std::vector<std::string> record_mirror;            ///< struct tag of the cdef's own layout
  std::vector<std::vector<std::string>> field_type;  ///< the cdef's element type of a field
  std::vector<std::string> typedef_real;             ///< typedef of NAME as C spells it
  std::vector<std::string> typedef_cdef;             ///< typedef of the cdef's type
  std::vector<std::string> function_type;            ///< pointer to the cdef's function type
  std::vector<std::string> function_call;            ///< the call, as the module makes it
  std::vector<std::string> variable_real;            ///< __typeof__(NAME)
  std::vector<std::string> variable_cdef;            ///< the cdef's element type
  std::vector<std::string> variable_address;         ///< &NAME, as the module takes it
  std::vector<std::vector<std::string>> enumerator;  ///< (void)(NAME) of each enumerator
  std::vector<std::string> constant;                 ///< function holding the expression
  /// Set by the caller: ABI mode, where functions, variables and static consts are only
  /// ffi.dlopen()'s (nothing is written or read for them).
  bool abi_mode = false;
};

/// The generated probe lines and which declaration owns each one.
struct ProbeText {
  std::string text;
  unsigned line = 1;                     ///< presumed line (in kProbeFile) of the next line
  std::map<unsigned, ProbeOwner> owner;  ///< probe line -> declaration
  unsigned counter = 0;

  /// A new probe name: `prefix` + a number.
  std::string fresh(const char* prefix) { return prefix + std::to_string(counter++); }
  /// Appends one line of probe code owned by `who`.
  void add(const ProbeOwner& who, const std::string& code);
};

/// How the module will be compiled, as far as the probe's text depends on it.
struct ProbeOptions {
  bool cplusplus = false;       ///< compiled as C++
  bool py_limited_api = true;   ///< Py_LIMITED_API is defined before Python.h
};

/// Writes every probe of the module; `probes` gets the names, by declaration.
ProbeText write_probes(const cdef::Module& m, Probes& probes);

/// The whole probe translation unit: what the generated module puts before the user's source
/// (Python.h when the include path has it, the standard prelude, errno.h), the source at its
/// own line numbers, then the probe lines under `#line 1 "<cdefc probe>"`.
std::string probe_source(const ProbeOptions& options,
                         const std::shared_ptr<const cdef::SourceBuffer>& source,
                         const ProbeText& probes);

/// The record as the cdef names it in messages: "struct tag" or its typedef name.
std::string record_c_name(const cdef::Record& r);

/// True if `t` mentions a record or enum that has no name C could spell.
bool mentions_unnamed_record(const cdef::Module& m, const cdef::TypeRef& t);

/// Strips every array layer of a cdef type.
cdef::TypeRef strip_arrays(cdef::TypeRef t);

/// `typedef struct { ... } t;`: the record's own probe already names `t`.
bool names_own_record(const cdef::Module& m, const cdef::Typedef& t);

}  // namespace cdefc::clang_bridge
