// ABI mode (set_source(name, None)): no C source, so the cdef itself is the C the module is
// compiled from; what ABI mode cannot express is an error, as in CFFI.
#pragma once

#include <string>

#include "cdef/decl.h"
#include "cdef/diagnostics.h"

namespace cdefc::emit {

/// Reports (as CFFI does) what an ABI-mode cdef cannot have: '...' in #define, typedefs,
/// array lengths and enums, and extern "Python"; warns that a partial struct ('...;') is laid
/// out with the fields the cdef gives. Returns false if there was an error.
bool check_abi_mode(const cdef::Module& m, cdef::Diagnostics& diags);

/// The cdef's types and constants as C declarations, in an order C accepts (tags declared
/// first, a type defined before a value of it is needed): the text an ABI-mode module is
/// resolved and compiled against. Functions and variables are not declared: an ABI-mode
/// module reaches them only through ffi.dlopen().
std::string abi_source(const cdef::Module& m);

}  // namespace cdefc::emit
