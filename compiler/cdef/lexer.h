// The cdef lexer: C tokens with locations, '...' as a real token, '#define' lines and
// '# 42 "foo.h" 1 3 4' line markers (as 'cc -E' writes them, line 0 included); '#pragma' is
// ignored with a warning, every other preprocessor directive is reported as an error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cdef/diagnostics.h"
#include "cdef/location.h"

namespace cdefc::cdef {

/// What a Token is.
enum class TokenKind {
  Eof,            ///< end of the text (always the last token)
  Identifier,     ///< a name or a keyword (the parser tells keywords by their text)
  IntLiteral,     ///< 42, 0x2A, 052, 42UL, 0b101
  FloatLiteral,   ///< 1.5, 1e3 (lexed only to be rejected with a clear message)
  CharLiteral,    ///< 'a', '\n'
  StringLiteral,  ///< "Python"
  Punct,          ///< ( ) [ ] { } ; , * = : + - / % << >> & | ^ ~ ! < > <= >= == != && || ? .
  Ellipsis,       ///< ...
  DefineStart,    ///< '#define': the tokens of the directive follow, then DirectiveEnd
  DirectiveEnd,   ///< the end of a '#define' line
};

/// One token; `text` is its spelling as written.
struct Token {
  TokenKind kind = TokenKind::Eof;
  std::string text;
  Location loc;
  bool space_before = false;  ///< whitespace or a comment precedes it (for '#define F(')
  // IntLiteral and CharLiteral:
  uint64_t int_value = 0;     ///< the value (CharLiteral: as an int, sign-extended)
  bool int_unsigned = false;  ///< a 'u' suffix
  int int_longs = 0;          ///< number of 'l' in the suffix (0, 1 or 2)
  bool int_overflow = false;  ///< the literal does not fit in 64 bits
  // StringLiteral:
  std::string str_value;  ///< the decoded contents

  /// True for the punctuator or identifier spelled `s`.
  bool is(const char* s) const {
    return (kind == TokenKind::Punct || kind == TokenKind::Identifier) && text == s;
  }
};

/// Split `source` into tokens. Errors (bad characters, unterminated comments, unsupported
/// directives) go to `diags`; the returned list always ends with an Eof token.
std::vector<Token> lex(std::shared_ptr<const SourceBuffer> source, Diagnostics& diags);
/// The same for a type name ("struct foo *"): no directives.
std::vector<Token> lex_type_name(std::shared_ptr<const SourceBuffer> source, Diagnostics& diags);

/// The location just after `tok` (where a missing ';' belongs).
Location end_of(const Token& tok);

/// A C keyword the cdef grammar knows (storage, qualifiers, type specifiers, tags, ...).
bool is_keyword(const std::string& word);
/// A Windows calling convention CFFI accepts and ignores off Windows: __cdecl, __stdcall,
/// WINAPI (a keyword: never a name).
bool is_calling_convention(const std::string& word);
/// A type specifier keyword: void char short int long float double signed unsigned
/// _Bool bool _Complex.
bool is_type_keyword(const std::string& word);
/// A compiler extension pycparser (and so CFFI) rejects: __attribute__, __restrict, ...
bool is_unsupported_keyword(const std::string& word);
/// What to add to "'X' is not supported in cdef()" for such a keyword: "; use 'restrict'"
/// for '__restrict', and so on; empty when there is no better spelling.
std::string unsupported_keyword_hint(const std::string& word);

}  // namespace cdefc::cdef
