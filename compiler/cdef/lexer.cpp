// The cdef lexer: turns cdef text into tokens with re-mapped locations (see lexer.h).
#include "cdef/lexer.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace cdefc::cdef {

namespace {

/// Stop reporting lexical errors after this many in one text (the parser has its own limit).
constexpr size_t kMaxLexErrors = 20;

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// The lexer's state over one buffer.
class Lexer {
 public:
  Lexer(std::shared_ptr<const SourceBuffer> src, Diagnostics& diags)
      : src_(std::move(src)), text_(src_->text), diags_(diags) {
    file_ = src_->name;
    delta_ = static_cast<long>(src_->first_line) - 1;
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i)
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }

  /// The tokens of the whole text; `kDirectives`: '#' starts a directive (a cdef), else it
  /// is an error (a type name; the directive code is then not linked in).
  template <bool kDirectives>
  std::vector<Token> run() {
    while (true) {
      bool space = skip_space_and_comments();
      if (pos_ >= text_.size()) break;
      char c = text_[pos_];
      if (c == '\n') {
        ++pos_;
        if constexpr (kDirectives)
          if (in_directive_) end_directive(pos_ - 1);
        continue;
      }
      if (c == '#' && !in_directive_) {
        if constexpr (kDirectives) {
          directive();
        } else {
          error(loc(pos_), text_.compare(pos_, 7, "#define") == 0
                               ? "'#define' is not allowed in a type name"
                               : "'#' is not allowed in a type name");
          pos_ = text_.size();
        }
        continue;
      }
      Token tok;
      tok.space_before = space;
      tok.loc = loc(pos_);
      size_t start = pos_;
      if (is_ident_start(c)) {
        while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
        tok.kind = TokenKind::Identifier;
      } else if (is_digit(c) ||
                 (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
        number(tok);
      } else if (c == '\'') {
        if (!quoted(tok, '\'')) continue;
      } else if (c == '"') {
        if (!quoted(tok, '"')) continue;
      } else if (text_.compare(pos_, 3, "...") == 0) {
        pos_ += 3;
        tok.kind = TokenKind::Ellipsis;
      } else if (!punct(tok)) {
        error(loc(pos_), std::string("invalid character '") + printable(c) + "' in cdef");
        ++pos_;
        continue;
      }
      if (tok.text.empty()) tok.text = text_.substr(start, pos_ - start);
      tokens_.push_back(std::move(tok));
    }
    if constexpr (kDirectives)
      if (in_directive_) end_directive(text_.size());
    Token eof;
    eof.kind = TokenKind::Eof;
    eof.loc = loc(text_.size());
    tokens_.push_back(std::move(eof));
    return std::move(tokens_);
  }

 private:
  static std::string printable(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string(1, c);
    static const char* hex = "0123456789abcdef";
    return std::string("\\x") + hex[u >> 4] + hex[u & 15];
  }

  Location loc(size_t offset) const {
    size_t line_index = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
                        line_starts_.begin() - 1;
    Location l;
    l.file = file_;
    long line = static_cast<long>(line_index) + 1 + delta_;
    l.line = line < 1 ? 1u : static_cast<unsigned>(line);
    l.column = static_cast<unsigned>(offset - line_starts_[line_index] + 1);
    l.buffer = src_;
    l.offset = offset;
    return l;
  }

  void error(const Location& l, std::string msg) {
    if (++errors_ <= kMaxLexErrors) diags_.error(l, std::move(msg));
  }

  /// Skips blanks, comments and backslash-newlines (not plain newlines). True if it skipped any.
  bool skip_space_and_comments() {
    bool skipped = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '\\' && pos_ + 1 < text_.size() &&
                 (text_[pos_ + 1] == '\n' || (text_[pos_ + 1] == '\r' && pos_ + 2 < text_.size() &&
                                              text_[pos_ + 2] == '\n'))) {
        pos_ += text_[pos_ + 1] == '\n' ? 2 : 3;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          if (text_[pos_] == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
          ++pos_;
        }
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string::npos) {
          error(loc(pos_), "unterminated /* comment");
          pos_ = text_.size();
        } else {
          pos_ = end + 2;
        }
      } else {
        break;
      }
      skipped = true;
    }
    return skipped;
  }

  /// Skips to the end of the current line (the newline itself is left in place).
  void skip_line() {
    while (true) {
      skip_space_and_comments();
      if (pos_ >= text_.size() || text_[pos_] == '\n') return;
      ++pos_;
    }
  }

  std::string identifier_here() {
    size_t start = pos_;
    while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  /// A '#' outside a directive: '#define', a line marker, '#pragma', or an error.
  void directive() {
    size_t hash = pos_;
    ++pos_;
    skip_space_and_comments();
    if (pos_ >= text_.size() || text_[pos_] == '\n') return;  // the null directive
    if (is_digit(text_[pos_])) {
      line_marker(hash);
      return;
    }
    size_t name_pos = pos_;
    std::string name = identifier_here();
    if (name == "define") {
      Token tok;
      tok.kind = TokenKind::DefineStart;
      tok.text = "#define";
      tok.loc = loc(hash);
      tokens_.push_back(std::move(tok));
      in_directive_ = true;
      return;
    }
    if (name == "line") {
      skip_space_and_comments();
      if (pos_ < text_.size() && is_digit(text_[pos_])) {
        line_marker(hash);
        return;
      }
      error(loc(pos_), "'#line' directive requires a positive integer argument");
      skip_line();
      return;
    }
    if (name == "pragma") {
      diags_.warning(loc(hash), "'#pragma' is ignored in cdef()");
      skip_line();
      return;
    }
    if (name.empty()) {
      error(loc(name_pos), "invalid preprocessing directive");
    } else {
      error(loc(hash), "'#" + name + "' is not supported in cdef()");
    }
    skip_line();
  }

  /// '# 42 "foo.h" flags...' or '#line 42 "foo.h"': the next line is line 42 of foo.h.
  void line_marker(size_t hash) {
    size_t num_pos = pos_;
    uint64_t n = 0;
    bool bad = false;
    while (pos_ < text_.size() && is_ident_char(text_[pos_])) {
      char c = text_[pos_++];
      if (!is_digit(c))
        bad = true;
      else if (n < 100000000)
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    // Line 0 is valid: GCC writes '# 0 "<built-in>"' before the first line of its output.
    if (bad || n >= 100000000) {
      error(loc(num_pos), "invalid line number in line marker");
      skip_line();
      return;
    }
    skip_space_and_comments();
    std::string file = file_;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      Token tok;
      tok.loc = loc(pos_);
      if (!quoted(tok, '"')) {
        skip_line();
        return;
      }
      file = tok.str_value;
    }
    (void)hash;
    skip_line();
    // The line after this one (the physical line holding the newline we stopped at) is `n`.
    size_t phys_next =
        std::upper_bound(line_starts_.begin(), line_starts_.end(), pos_) - line_starts_.begin() + 1;
    delta_ = static_cast<long>(n) - static_cast<long>(phys_next);
    file_ = file;
  }

  void end_directive(size_t offset) {
    Token tok;
    tok.kind = TokenKind::DirectiveEnd;
    tok.loc = loc(offset);
    tokens_.push_back(std::move(tok));
    in_directive_ = false;
  }

  /// A number: integer literal (value, suffix) or floating literal.
  void number(Token& tok) {
    size_t start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (is_ident_char(c) || c == '.') {
        ++pos_;
      } else if ((c == '+' || c == '-') && pos_ > start &&
                 (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E' || text_[pos_ - 1] == 'p' ||
                  text_[pos_ - 1] == 'P')) {
        bool hex = pos_ - start > 1 && text_[start] == '0' && (text_[start + 1] | 0x20) == 'x';
        if (hex && (text_[pos_ - 1] | 0x20) == 'e') break;
        ++pos_;
      } else {
        break;
      }
    }
    std::string s = text_.substr(start, pos_ - start);
    tok.text = s;
    bool hex = s.size() > 1 && s[0] == '0' && (s[1] | 0x20) == 'x';
    bool bin = s.size() > 1 && s[0] == '0' && (s[1] | 0x20) == 'b';
    bool is_float = s.find('.') != std::string::npos;
    if (hex) {
      if (s.find_first_of("pP") != std::string::npos) is_float = true;
    } else if (!bin && s.find_first_of("eE") != std::string::npos) {
      is_float = true;
    }
    if (is_float) {
      tok.kind = TokenKind::FloatLiteral;
      return;
    }
    tok.kind = TokenKind::IntLiteral;
    unsigned base = hex ? 16 : bin ? 2 : (s[0] == '0' ? 8 : 10);
    size_t i = (hex || bin) ? 2 : 0;
    size_t digits_start = i;
    uint64_t value = 0;
    for (; i < s.size(); ++i) {
      char ch = s[i];
      int d = hex_value(ch);
      if (base != 16) {
        if (!is_digit(ch)) break;
        if (d >= static_cast<int>(base)) {
          error(loc(start + i), std::string("invalid digit '") + ch + "' in " +
                                    (base == 8 ? "octal" : "binary") + " constant");
          return;
        }
      } else if (d < 0) {
        break;
      }
      if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / base) tok.int_overflow = true;
      value = value * base + static_cast<uint64_t>(d);
    }
    if (i == digits_start && (hex || bin)) {
      error(loc(start), std::string("invalid suffix '") + s.substr(1) + "' on integer constant");
      return;
    }
    tok.int_value = value;
    std::string suffix = s.substr(i);
    std::string lower;
    for (char c : suffix) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = true;
    size_t j = 0;
    auto take_l = [&]() {
      if (j < suffix.size() && (suffix[j] == 'l' || suffix[j] == 'L')) {
        if (j + 1 < suffix.size() && suffix[j + 1] == suffix[j]) {
          tok.int_longs = 2;
          j += 2;
        } else {
          tok.int_longs = 1;
          j += 1;
        }
      }
    };
    auto take_u = [&]() {
      if (j < lower.size() && lower[j] == 'u') {
        tok.int_unsigned = true;
        ++j;
      }
    };
    take_u();
    take_l();
    if (!tok.int_unsigned) take_u();
    if (j != suffix.size()) ok = false;
    if (!ok) {
      error(loc(start + i), "invalid suffix '" + suffix + "' on integer constant");
      tok.int_unsigned = false;
      tok.int_longs = 0;
    }
  }

  /// Reads one escape sequence after a backslash (pos_ is on the character after it).
  uint64_t escape(size_t quote_pos) {
    char c = text_[pos_++];
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\a';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'e':
        return 27;
      case '\\':
      case '\'':
      case '"':
      case '?':
        return static_cast<unsigned char>(c);
      case 'x': {
        uint64_t v = 0;
        size_t n = 0;
        while (pos_ < text_.size() && hex_value(text_[pos_]) >= 0) {
          v = (v << 4) | static_cast<uint64_t>(hex_value(text_[pos_++]));
          ++n;
        }
        if (n == 0) error(loc(pos_ - 2), "\\x used with no following hex digits");
        if (v > 0xff) error(loc(quote_pos), "hex escape sequence out of range");
        return v & 0xff;
      }
      default:
        if (c >= '0' && c <= '7') {
          uint64_t v = static_cast<uint64_t>(c - '0');
          for (int k = 0; k < 2 && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '7';
               ++k)
            v = v * 8 + static_cast<uint64_t>(text_[pos_++] - '0');
          if (v > 0xff) error(loc(quote_pos), "octal escape sequence out of range");
          return v & 0xff;
        }
        diags_.warning(loc(pos_ - 2),
                       std::string("unknown escape sequence '\\") + printable(c) + "'");
        return static_cast<unsigned char>(c);
    }
  }

  /// A character or string literal. Returns false (after an error) if it is unterminated.
  bool quoted(Token& tok, char quote) {
    size_t start = pos_;
    ++pos_;
    std::string value;
    std::vector<uint64_t> chars;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        error(loc(start), std::string("missing terminating ") + quote + " character");
        return false;
      }
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
        ++pos_;
        uint64_t v = escape(start);
        chars.push_back(v);
        value += static_cast<char>(v);
      } else {
        chars.push_back(static_cast<unsigned char>(c));
        value += c;
        ++pos_;
      }
    }
    tok.text = text_.substr(start, pos_ - start);
    if (quote == '"') {
      tok.kind = TokenKind::StringLiteral;
      tok.str_value = std::move(value);
      return true;
    }
    tok.kind = TokenKind::CharLiteral;
    if (chars.empty()) {
      error(loc(start), "empty character constant");
      return true;
    }
    if (chars.size() > 1) {
      error(loc(start), "multi-character character constants are not supported in cdef()");
      return true;
    }
    // C's 'char' is signed here: '\xff' == -1, as on the platforms CFFI targets.
    tok.int_value = static_cast<uint64_t>(static_cast<int64_t>(static_cast<signed char>(chars[0])));
    return true;
  }

  bool punct(Token& tok) {
    static const char* const two[] = {
        "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "->", "++", "--", "##"};
    for (const char* p : two) {
      if (text_.compare(pos_, 2, p) == 0) {
        tok.kind = TokenKind::Punct;
        pos_ += 2;
        return true;
      }
    }
    static const std::string one = "()[]{};,*=:+-/%&|^~!<>?.#";
    if (one.find(text_[pos_]) == std::string::npos) return false;
    tok.kind = TokenKind::Punct;
    ++pos_;
    return true;
  }

  std::shared_ptr<const SourceBuffer> src_;
  const std::string& text_;
  Diagnostics& diags_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string file_;
  long delta_ = 0;  ///< shown line = physical line + delta_
  bool in_directive_ = false;
  size_t errors_ = 0;
};

}  // namespace

std::vector<Token> lex(std::shared_ptr<const SourceBuffer> source, Diagnostics& diags) {
  if (!source) source = std::make_shared<SourceBuffer>();
  return Lexer(std::move(source), diags).run<true>();
}

std::vector<Token> lex_type_name(std::shared_ptr<const SourceBuffer> source,
                                 Diagnostics& diags) {
  return Lexer(std::move(source), diags).run<false>();
}

bool is_type_keyword(const std::string& w) {
  static const std::set<std::string> s = {"void",     "char",  "short",  "int",
                                          "long",     "float", "double", "signed",
                                          "unsigned", "_Bool", "bool",   "_Complex"};
  return s.count(w) != 0;
}

bool is_keyword(const std::string& w) {
  static const std::set<std::string> s = {
      "typedef",  "extern",  "static",    "inline",   "register",  "auto",    "const", "volatile",
      "restrict", "struct",  "union",     "enum",     "sizeof",    "return",  "if",    "else",
      "while",    "for",     "do",        "switch",   "case",      "default", "break", "continue",
      "goto",     "__inline", "__inline__", "_Noreturn", "_Thread_local"};
  return s.count(w) != 0 || is_type_keyword(w) || is_calling_convention(w);
}

bool is_calling_convention(const std::string& w) {
  return w == "__cdecl" || w == "__stdcall" || w == "WINAPI";
}

bool is_unsupported_keyword(const std::string& w) {
  static const std::set<std::string> s = {
      "__attribute__",  "__attribute",   "__declspec",    "__extension__",
      "__asm__",        "__asm",         "asm",           "_Atomic",
      "_Alignas",       "alignas",       "thread_local",  "__thread",
      "typeof",         "__typeof__",    "__typeof",      "_Static_assert",
      "static_assert",  "__int128",      "__int128_t",    "__uint128_t",
      "__signed",       "__signed__",
      "_Imaginary",     "_Generic",      "__restrict",    "__restrict__",
      "__const",        "__const__",     "__volatile",    "__volatile__"};
  return s.count(w) != 0;
}

std::string unsupported_keyword_hint(const std::string& w) {
  if (w == "__restrict" || w == "__restrict__") return "; use 'restrict'";
  if (w == "__const" || w == "__const__") return "; use 'const'";
  if (w == "__volatile" || w == "__volatile__") return "; use 'volatile'";
  return "";
}

Location end_of(const Token& tok) {
  Location l = tok.loc;
  l.column += static_cast<unsigned>(tok.text.size());
  l.offset += tok.text.size();
  return l;
}

}  // namespace cdefc::cdef
