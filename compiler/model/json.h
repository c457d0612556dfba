// The resolved module as JSON (cdefc --dump-model, golden tests).
#pragma once

#include <string>

#include "model/model.h"

namespace cdefc::model {

/// The resolved module as indented JSON text: every record with its layout, enum values,
/// typedefs, functions, globals and constants, in a stable order (cdef order).
/// Locations are written as "file:line" with the file's base name only.
std::string to_json(const Module& module, const std::string& module_name);

}  // namespace cdefc::model
