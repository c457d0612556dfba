// Collects Clang's errors with their presumed locations and source lines.
#include "clang/collector.h"

#include "llvm/ADT/SmallString.h"

namespace cdefc::clang_bridge {

void Collector::HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                                 const clang::Diagnostic& info) {
  DiagnosticConsumer::HandleDiagnostic(level, info);
  if (level < clang::DiagnosticsEngine::Error) return;
  ClangMessage e;
  llvm::SmallString<256> msg;
  info.FormatDiagnostic(msg);
  e.message = std::string(msg.str());
  if (info.hasSourceManager() && info.getLocation().isValid()) {
    const clang::SourceManager& sm = info.getSourceManager();
    clang::SourceLocation loc = sm.getFileLoc(info.getLocation());
    clang::PresumedLoc pl = sm.getPresumedLoc(loc);
    if (pl.isValid()) {
      e.file = pl.getFilename();
      e.line = pl.getLine();
      e.column = pl.getColumn();
      e.line_text = line_text(sm, loc);
    }
  }
  errors.push_back(std::move(e));
}

std::string Collector::line_text(const clang::SourceManager& sm, clang::SourceLocation loc) {
  bool invalid = false;
  const char* p = sm.getCharacterData(loc, &invalid);
  if (invalid || !p) return "";
  unsigned col = sm.getSpellingColumnNumber(loc, &invalid);
  if (invalid || col == 0) return "";
  const char* begin = p - (col - 1);
  const char* end = p;
  while (*end && *end != '\n' && *end != '\r') ++end;
  return std::string(begin, end);
}

}  // namespace cdefc::clang_bridge
