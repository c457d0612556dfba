// The standard prelude: what every Clang probe and every generated module includes before
// the user's source, so that the standard type names a cdef may use (seed 002) exist.
#pragma once

namespace cdefc::model {

/// The stable ABI the generated modules target (Py_LIMITED_API), before Python.h.
inline constexpr const char* kLimitedApiDefine =
    "#ifndef Py_LIMITED_API\n#define Py_LIMITED_API 0x030b0000\n#endif\n";

/// C text (valid as C and as C++) placed right before the set_source() text. C++ has no
/// `_Bool`: it is spelled `bool` there (the emitter and the probes write `_Bool`).
inline constexpr const char* kStandardPrelude =
    "#include <stddef.h>\n"
    "#include <stdint.h>\n"
    "#include <stdio.h>\n"
    "#include <wchar.h>\n"
    "#include <sys/types.h>\n"
    "#if defined(__cplusplus) && !defined(_Bool)\n"
    "#define _Bool bool\n"
    "#endif\n";

}  // namespace cdefc::model
