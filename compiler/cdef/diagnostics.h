// Clang-style diagnostics: collected while the passes run, printed with source line and caret.
#pragma once

#include <string>
#include <vector>

#include "cdef/location.h"

namespace cdefc::cdef {

/// How bad a diagnostic is.
enum class Severity { Note, Warning, Error };

/// What an error is about, where a program acts on it (the runtime words ffi.new()'s errors
/// about unknown names as CFFI does); most errors are Other.
enum class DiagCode { Other, UnknownRecord, UnknownEnum, UnknownTypeName };

/// One message, with optional notes attached (e.g. "real declaration is here").
struct Diagnostic {
  Severity severity = Severity::Error;
  Location loc;
  std::string message;
  std::vector<Diagnostic> notes;
  DiagCode code = DiagCode::Other;
};

/// Collects diagnostics; the passes report into it and never throw for bad input.
class Diagnostics {
 public:
  /// Report an error; returns it so the caller may attach notes.
  Diagnostic& error(const Location& loc, std::string message);
  /// Report a warning (an error, tagged with the reason, after warnings_as_errors()).
  Diagnostic& warning(const Location& loc, std::string message);
  /// From now on warnings are errors; `reason` ("strict", "-Werror") is shown after each.
  void warnings_as_errors(std::string reason) { werror_reason_ = std::move(reason); }
  /// Keep at most `limit` errors (0: all), as Clang's -ferror-limit: the next one is replaced
  /// by "too many errors emitted, stopping now", later ones are only counted (and what the
  /// caller attaches to them is dropped).
  void set_error_limit(size_t limit) { limit_ = limit; }
  /// The error limit was passed: passes may stop early.
  bool stopped() const { return stopped_; }
  /// Number of errors so far.
  size_t error_count() const { return errors_; }
  bool has_errors() const { return errors_ != 0; }
  const std::vector<Diagnostic>& all() const { return list_; }
  /// Every diagnostic rendered like Clang: "file:line:col: error: msg\n  line\n    ^\n".
  std::string render() const;

 private:
  std::vector<Diagnostic> list_;
  size_t errors_ = 0;
  std::string werror_reason_;  ///< non-empty: warnings are errors
  size_t limit_ = 0;           ///< errors kept at most; 0: no limit
  bool stopped_ = false;       ///< past the limit
  Diagnostic dropped_;         ///< what error() returns past the limit
};

/// Source lines longer than this many columns are shown as a window around the caret.
inline constexpr size_t kMaxShownLine = 120;

/// Render one diagnostic (and its notes) like Clang does.
std::string render(const Diagnostic& d);

}  // namespace cdefc::cdef
