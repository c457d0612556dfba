// Source locations and the source buffers they point into.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace cdefc::cdef {

/// One piece of cdef or C text, as given by the user.
struct SourceBuffer {
  std::string name;      ///< file name shown in diagnostics (e.g. "foo_build.py")
  std::string text;      ///< the text itself
  unsigned first_line = 1;  ///< line number of the text's first line in `name`
};

/// A position in a source buffer. `file`/`line` are what diagnostics show (after any
/// `# 42 "foo.h"` re-mapping); `buffer`/`offset` find the physical source line for the caret.
struct Location {
  std::string file;
  unsigned line = 0;    ///< 1-based; 0 means "no location"
  unsigned column = 0;  ///< 1-based
  std::shared_ptr<const SourceBuffer> buffer;  ///< may be null (e.g. a Clang header location)
  size_t offset = 0;    ///< byte offset into buffer->text
  std::string line_text;  ///< the physical line, when `buffer` is null but the text is known

  bool valid() const { return line != 0; }
  /// "file:line:col"
  std::string str() const;
};

}  // namespace cdefc::cdef
