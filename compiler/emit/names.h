// Every name the emitted C defines, in one place (Cython's Naming.py): prefixes of per-
// declaration helpers, the tables, and the locals of the fast wrappers.
#pragma once

namespace cdefc::emit::names {

// ---- Per-declaration helpers: prefix + the C name of the declaration. ----

/// METH_FASTCALL wrapper of a C function: `_cdefc_fn_add(self, args, nargs)`.
inline constexpr const char* kFastWrapper = "_cdefc_fn_";
/// Direct C wrapper of a C function, same signature (what ffi.addressof(lib, "f") returns;
/// works when the function is a macro).
inline constexpr const char* kDirect = "_cdefc_d_";
/// The C function behind a wrapper compiled apart (cdefc --pieces), with types only the
/// runtime's headers spell: `int _cdefc_e_f(int, void *)` calls `f(int, struct s *)`.
inline constexpr const char* kErased = "_cdefc_e_";
/// Address of a global variable: `void *_cdefc_var_x(void)`.
inline constexpr const char* kVariable = "_cdefc_var_";
/// Value of a constant: `void _cdefc_const_X(void *out)`.
inline constexpr const char* kConstant = "_cdefc_const_";

// ---- Module-level statics (include/cdefc/module.h describes each table). ----

inline constexpr const char* kTypes = "_cdefc_types";
inline constexpr const char* kArgs = "_cdefc_args";
inline constexpr const char* kRecords = "_cdefc_records";
inline constexpr const char* kFields = "_cdefc_fields";
inline constexpr const char* kEnums = "_cdefc_enums";
inline constexpr const char* kEnumerators = "_cdefc_enumerators";
inline constexpr const char* kTypedefs = "_cdefc_typedefs";
inline constexpr const char* kGlobals = "_cdefc_globals";
inline constexpr const char* kIncludes = "_cdefc_includes";
/// The PyMethodDef of every fast wrapper (cdefc_global.method points into it).
inline constexpr const char* kMethods = "_cdefc_methods";
/// The cdefc_module_def.
inline constexpr const char* kModule = "_cdefc_module";
/// The cdefc_context * that cdefc_module_init fills.
inline constexpr const char* kContext = "_cdefc_ctx";

// ---- Parameters and locals of the fast wrappers: the _cdefc_ prefix keeps them apart from
// ---- the user's C names (a function called `args`, `_r` or a typedef `_x0` still works).

inline constexpr const char* kSelf = "_cdefc_self";
inline constexpr const char* kArgsParam = "_cdefc_args";
inline constexpr const char* kNargs = "_cdefc_nargs";
/// The keyword names of the call (METH_FASTCALL | METH_KEYWORDS); a call with any is refused.
inline constexpr const char* kKwnames = "_cdefc_kwnames";
/// C arguments: _cdefc_x0, _cdefc_x1, ... (also the parameters of the direct wrappers).
inline constexpr const char* kArg = "_cdefc_x";
/// Pointers to the C arguments of an extern "Python" function (what cdefc_call_python gets).
inline constexpr const char* kArgPointers = "_cdefc_a";
/// The C result.
inline constexpr const char* kResult = "_cdefc_r";
/// The converted Python result (only when a frame must be released after converting).
inline constexpr const char* kPyResult = "_cdefc_res";
/// Integers converted before the cast to an enum (C++ has no enum value -1 to compare with).
inline constexpr const char* kSignedTemp = "_cdefc_i";
inline constexpr const char* kUnsignedTemp = "_cdefc_u";
/// What cdefc_arg_bool returns (0, 1 or -1).
inline constexpr const char* kBool = "_cdefc_b";
/// The cdefc_frame of temporaries (functions with pointer arguments only).
inline constexpr const char* kFrame = "_cdefc_frame";
/// The error label (functions with a frame only).
inline constexpr const char* kFail = "_cdefc_fail";
/// The parameter of the constant getters.
inline constexpr const char* kOut = "_cdefc_out";

// ---- The resolver's probe translation unit (compiler/clang/probe.cpp): each probe is a
// ---- prefix + a number; none of them reaches the emitted C.

/// Every probe name starts with this (how Clang's errors are traced back to a probe).
inline constexpr const char* kProbe = "__cdefc_";
/// typedef of the real record a cdef struct or union names.
inline constexpr const char* kProbeRecord = "__cdefc_r";
/// The cdef's own layout of an exact record, to compare with C's.
inline constexpr const char* kProbeMirror = "__cdefc_m";
/// typedef of a type as the cdef spells it.
inline constexpr const char* kProbeCdefType = "__cdefc_t";
/// typedef of a name as C spells it (a typedef or a macro naming a type; __typeof__(global)).
inline constexpr const char* kProbeRealType = "__cdefc_q";
/// The call of a cdef function, as the module's direct wrapper makes it.
inline constexpr const char* kProbeCall = "__cdefc_f";
/// The address of a cdef global, as the module takes it.
inline constexpr const char* kProbeAddress = "__cdefc_g";
/// An enumerator's value, as an expression.
inline constexpr const char* kProbeEnumerator = "__cdefc_e";
/// A constant's value, as an expression.
inline constexpr const char* kProbeConstant = "__cdefc_c";
/// Parameters of the call probes: __cdefc_p0, __cdefc_p1, ...
inline constexpr const char* kProbeParam = "__cdefc_p";
/// The local a static const's value is stored into.
inline constexpr const char* kProbeValue = "__cdefc_value";

}  // namespace cdefc::emit::names
