// Clang-style rendering of diagnostics: location, severity, message, source line, caret.
#include "cdef/diagnostics.h"

namespace cdefc::cdef {

std::string Location::str() const {
  if (!valid()) return file.empty() ? std::string("<unknown>") : file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Diagnostic& Diagnostics::error(const Location& loc, std::string message) {
  ++errors_;
  list_.push_back({Severity::Error, loc, std::move(message), {}});
  return list_.back();
}

Diagnostic& Diagnostics::warning(const Location& loc, std::string message) {
  if (!werror_reason_.empty()) return error(loc, message + " [" + werror_reason_ + "]");
  list_.push_back({Severity::Warning, loc, std::move(message), {}});
  return list_.back();
}

namespace {

/// The physical line containing `loc`, if known.
std::string source_line(const Location& loc) {
  if (!loc.buffer) return loc.line_text;
  const std::string& text = loc.buffer->text;
  size_t off = loc.offset <= text.size() ? loc.offset : text.size();
  size_t begin = off == 0 ? std::string::npos : text.rfind('\n', off - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = text.find('\n', off);
  if (end == std::string::npos) end = text.size();
  return text.substr(begin, end - begin);
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

}  // namespace

std::string render(const Diagnostic& d) {
  std::string out = d.loc.str() + ": " + severity_name(d.severity) + ": " + d.message + "\n";
  std::string line = source_line(d.loc);
  if (d.loc.valid() && !line.empty()) {
    out += line + "\n";
    std::string caret;
    for (unsigned i = 1; i < d.loc.column && i - 1 < line.size(); ++i)
      caret += line[i - 1] == '\t' ? '\t' : ' ';
    out += caret + "^\n";
  }
  for (const Diagnostic& n : d.notes) out += render(n);
  return out;
}

std::string Diagnostics::render() const {
  std::string out;
  for (const Diagnostic& d : list_) out += cdef::render(d);
  return out;
}

}  // namespace cdefc::cdef
