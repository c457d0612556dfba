// Clang-style rendering of diagnostics: location, severity, message, source line, caret.
#include "cdef/diagnostics.h"

#include <algorithm>

namespace cdefc::cdef {

std::string Location::str() const {
  if (!valid()) return file.empty() ? std::string("<unknown>") : file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Diagnostic& Diagnostics::error(const Location& loc, std::string message) {
  ++errors_;
  if (limit_ && errors_ > limit_) {
    if (!stopped_) {
      stopped_ = true;
      list_.push_back(
          {Severity::Error, loc, "too many errors emitted, stopping now [--error-limit]", {}});
    }
    dropped_ = {};
    return dropped_;
  }
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
    // A long line is cut to a window around the caret, marked with "..." where cut.
    size_t column = d.loc.column > 0 ? d.loc.column - 1 : 0;  // of the caret, from 0
    size_t begin = 0, end = line.size();
    if (line.size() > kMaxShownLine) {
      begin = column > kMaxShownLine / 2 ? column - kMaxShownLine / 2 : 0;
      end = std::min(line.size(), begin + kMaxShownLine);
      begin = end - kMaxShownLine;
    }
    const std::string head = begin > 0 ? "..." : "", tail = end < line.size() ? "..." : "";
    out += head + line.substr(begin, end - begin) + tail + "\n";
    std::string caret(head.size(), ' ');
    for (size_t i = begin; i < column && i < end; ++i) caret += line[i] == '\t' ? '\t' : ' ';
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
