// Collects Clang's error messages (with file, line, column and the source line) instead of
// printing them, so the resolver can say which cdef declaration each one belongs to.
#pragma once

#include <string>
#include <vector>

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceManager.h"

namespace cdefc::clang_bridge {

/// One Clang error, with where it happened (presumed location, after #line).
struct ClangMessage {
  std::string message;
  std::string file;
  unsigned line = 0, column = 0;
  std::string line_text;  ///< the physical source line, for the caret
};

/// A DiagnosticConsumer that keeps errors and drops warnings (Clang's warnings about the
/// user's C are never cdefc's business).
class Collector : public clang::DiagnosticConsumer {
 public:
  std::vector<ClangMessage> errors;

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic& info) override;

  /// The physical source line that holds `loc`, or "".
  static std::string line_text(const clang::SourceManager& sm, clang::SourceLocation loc);
};

}  // namespace cdefc::clang_bridge
