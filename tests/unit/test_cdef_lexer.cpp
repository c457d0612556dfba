// Unit tests of the cdef lexer: tokens, literals, locations, line markers, directives.
#include <gtest/gtest.h>

#include "cdef/lexer.h"

namespace {

using namespace cdefc::cdef;

std::shared_ptr<const SourceBuffer> buffer(const std::string& text, const std::string& name = "t.h",
                                           unsigned first_line = 1) {
  auto b = std::make_shared<SourceBuffer>();
  b->name = name;
  b->text = text;
  b->first_line = first_line;
  return b;
}

/// Lexes `text`; the Eof token is dropped. Diagnostics go to `diags` when given.
std::vector<Token> lex_text(const std::string& text, Diagnostics* diags = nullptr,
                            const std::string& name = "t.h", unsigned first_line = 1) {
  Diagnostics local;
  std::vector<Token> toks = lex(buffer(text, name, first_line), diags ? *diags : local);
  EXPECT_FALSE(toks.empty());
  EXPECT_EQ(toks.back().kind, TokenKind::Eof);
  toks.pop_back();
  if (!diags) {
    EXPECT_EQ(local.render(), "");
  }
  return toks;
}

std::vector<std::string> texts(const std::vector<Token>& toks) {
  std::vector<std::string> out;
  for (const Token& t : toks) out.push_back(t.text);
  return out;
}

TEST(CdefLexer, IdentifiersAndPunctuators) {
  auto toks = lex_text("int (*f)(char *, ...);");
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "(", "*", "f", ")", "(", "char", "*", ",",
                                                   "...", ")", ";"}));
  EXPECT_EQ(toks[0].kind, TokenKind::Identifier);
  EXPECT_EQ(toks[1].kind, TokenKind::Punct);
  EXPECT_EQ(toks[9].kind, TokenKind::Ellipsis);
  EXPECT_TRUE(toks[1].is("("));
  EXPECT_TRUE(toks[0].is("int"));
  EXPECT_FALSE(toks[0].is("("));
}

TEST(CdefLexer, EllipsisIsARealTokenEvenWithoutSpaces) {
  auto toks = lex_text("typedef int...t; x[...]; a....");
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"typedef", "int", "...", "t", ";", "x", "[",
                                                   "...", "]", ";", "a", "...", "."}));
  EXPECT_EQ(toks[2].kind, TokenKind::Ellipsis);
  EXPECT_EQ(toks[7].kind, TokenKind::Ellipsis);
}

TEST(CdefLexer, TwoCharacterPunctuators) {
  auto toks = lex_text("<< >> <= >= == != && || a<<b");
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
                                                   "a", "<<", "b"}));
}

TEST(CdefLexer, LocationsHaveLineColumnAndOffset) {
  auto toks = lex_text("int x;\n  long\ty;\n");
  ASSERT_EQ(toks.size(), 6u);
  EXPECT_EQ(toks[0].loc.file, "t.h");
  EXPECT_EQ(toks[0].loc.line, 1u);
  EXPECT_EQ(toks[0].loc.column, 1u);
  EXPECT_EQ(toks[1].loc.column, 5u);
  EXPECT_EQ(toks[3].loc.line, 2u);
  EXPECT_EQ(toks[3].loc.column, 3u);
  EXPECT_EQ(toks[3].loc.offset, 9u);
  EXPECT_EQ(toks[4].loc.column, 8u);  // after a tab: columns count bytes, like clang
  ASSERT_NE(toks[4].loc.buffer, nullptr);
  EXPECT_EQ(toks[4].loc.buffer->text.substr(toks[4].loc.offset, 1), "y");
  EXPECT_EQ(toks[4].loc.str(), "t.h:2:8");
}

TEST(CdefLexer, FirstLineShiftsLineNumbers) {
  auto toks = lex_text("\nint x;", nullptr, "build.py", 12);
  EXPECT_EQ(toks[0].loc.file, "build.py");
  EXPECT_EQ(toks[0].loc.line, 13u);
  EXPECT_EQ(toks[0].loc.offset, 1u);
}

TEST(CdefLexer, IntegerLiterals) {
  auto toks = lex_text("42 0x2A 0X2a 052 0 42u 42UL 42ll 42LLU 0xffffffffffffffff 0b101");
  ASSERT_EQ(toks.size(), 11u);
  for (const Token& t : toks) EXPECT_EQ(t.kind, TokenKind::IntLiteral) << t.text;
  EXPECT_EQ(toks[0].int_value, 42u);
  EXPECT_EQ(toks[1].int_value, 42u);
  EXPECT_EQ(toks[2].int_value, 42u);
  EXPECT_EQ(toks[3].int_value, 42u);
  EXPECT_EQ(toks[4].int_value, 0u);
  EXPECT_TRUE(toks[5].int_unsigned);
  EXPECT_EQ(toks[5].int_longs, 0);
  EXPECT_TRUE(toks[6].int_unsigned);
  EXPECT_EQ(toks[6].int_longs, 1);
  EXPECT_FALSE(toks[7].int_unsigned);
  EXPECT_EQ(toks[7].int_longs, 2);
  EXPECT_TRUE(toks[8].int_unsigned);
  EXPECT_EQ(toks[8].int_longs, 2);
  EXPECT_EQ(toks[9].int_value, UINT64_MAX);
  EXPECT_FALSE(toks[9].int_overflow);
  EXPECT_EQ(toks[10].int_value, 5u);
}

TEST(CdefLexer, IntegerOverflowIsFlagged) {
  auto toks = lex_text("18446744073709551615 18446744073709551616 0x10000000000000000");
  EXPECT_FALSE(toks[0].int_overflow);
  EXPECT_TRUE(toks[1].int_overflow);
  EXPECT_TRUE(toks[2].int_overflow);
}

TEST(CdefLexer, BadIntegerLiterals) {
  Diagnostics d;
  lex_text("08 12abc 1lul", &d);
  EXPECT_EQ(d.error_count(), 3u);
  std::string r = d.render();
  EXPECT_NE(r.find("t.h:1:2: error: invalid digit '8' in octal constant"), std::string::npos) << r;
  EXPECT_NE(r.find("t.h:1:6: error: invalid suffix 'abc' on integer constant"), std::string::npos)
      << r;
  EXPECT_NE(r.find("invalid suffix 'lul' on integer constant"), std::string::npos) << r;
}

TEST(CdefLexer, FloatLiteralsAreLexedAsSuch) {
  auto toks = lex_text("1.5 1e3 .5 0x1p3 1.0f");
  for (const Token& t : toks) EXPECT_EQ(t.kind, TokenKind::FloatLiteral) << t.text;
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"1.5", "1e3", ".5", "0x1p3", "1.0f"}));
}

TEST(CdefLexer, CharacterLiterals) {
  auto toks = lex_text(R"('a' '\n' '\0' '\x41' '\101' '\\' '\'' '\xff')");
  ASSERT_EQ(toks.size(), 8u);
  for (const Token& t : toks) EXPECT_EQ(t.kind, TokenKind::CharLiteral);
  EXPECT_EQ(toks[0].int_value, 97u);
  EXPECT_EQ(toks[1].int_value, 10u);
  EXPECT_EQ(toks[2].int_value, 0u);
  EXPECT_EQ(toks[3].int_value, 65u);
  EXPECT_EQ(toks[4].int_value, 65u);
  EXPECT_EQ(toks[5].int_value, 92u);
  EXPECT_EQ(toks[6].int_value, 39u);
  EXPECT_EQ(static_cast<int64_t>(toks[7].int_value), -1);  // char is signed
}

TEST(CdefLexer, StringLiterals) {
  auto toks = lex_text(R"(extern "Python+C" "a\"b")");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[1].kind, TokenKind::StringLiteral);
  EXPECT_EQ(toks[1].str_value, "Python+C");
  EXPECT_EQ(toks[1].text, "\"Python+C\"");
  EXPECT_EQ(toks[2].str_value, "a\"b");
}

TEST(CdefLexer, UnterminatedLiterals) {
  Diagnostics d;
  lex_text("\"abc\nint 'x\n''", &d);
  std::string r = d.render();
  EXPECT_NE(r.find("t.h:1:1: error: missing terminating \" character"), std::string::npos) << r;
  EXPECT_NE(r.find("t.h:2:5: error: missing terminating ' character"), std::string::npos) << r;
  EXPECT_NE(r.find("t.h:3:1: error: empty character constant"), std::string::npos) << r;
}

TEST(CdefLexer, BothCommentKinds) {
  auto toks = lex_text("int /* a\n comment */ x; // to the end\ny /**/;");
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "x", ";", "y", ";"}));
  EXPECT_EQ(toks[1].loc.line, 2u);
  EXPECT_EQ(toks[1].loc.column, 13u);
  EXPECT_EQ(toks[3].loc.line, 3u);
  EXPECT_TRUE(toks[1].space_before);
}

TEST(CdefLexer, UnterminatedBlockComment) {
  Diagnostics d;
  auto toks = lex_text("int x; /* never closed\nint y;", &d);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "x", ";"}));
  EXPECT_EQ(d.render(),
            "t.h:1:8: error: unterminated /* comment\nint x; /* never closed\n       ^\n");
}

TEST(CdefLexer, DefineLinesAreDelimited) {
  auto toks = lex_text("#define N 42\nint x;\n  #  define  M ...\n");
  ASSERT_EQ(toks.size(), 11u);
  EXPECT_EQ(toks[0].kind, TokenKind::DefineStart);
  EXPECT_EQ(toks[0].loc.column, 1u);
  EXPECT_EQ(toks[1].text, "N");
  EXPECT_EQ(toks[2].text, "42");
  EXPECT_EQ(toks[3].kind, TokenKind::DirectiveEnd);
  EXPECT_EQ(toks[4].text, "int");
  EXPECT_EQ(toks[7].kind, TokenKind::DefineStart);
  EXPECT_EQ(toks[7].loc.column, 3u);
  EXPECT_EQ(toks[9].kind, TokenKind::Ellipsis);
  EXPECT_EQ(toks[10].kind, TokenKind::DirectiveEnd);
}

TEST(CdefLexer, DefineWithContinuationAndComments) {
  auto toks = lex_text("#define N \\\n  42 /* c */ // d\nint");
  ASSERT_EQ(toks.size(), 5u);
  EXPECT_EQ(toks[2].text, "42");
  EXPECT_EQ(toks[2].loc.line, 2u);
  EXPECT_EQ(toks[3].kind, TokenKind::DirectiveEnd);
  EXPECT_EQ(toks[4].text, "int");
}

TEST(CdefLexer, DefineAtEndOfTextIsClosed) {
  auto toks = lex_text("#define N 1");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[3].kind, TokenKind::DirectiveEnd);
}

TEST(CdefLexer, FunctionLikeMacroHasNoSpaceBeforeParen) {
  auto toks = lex_text("#define F(x) x\n#define G (x)\n");
  EXPECT_EQ(toks[2].text, "(");
  EXPECT_FALSE(toks[2].space_before);
  EXPECT_EQ(toks[9].text, "(");
  EXPECT_TRUE(toks[9].space_before);
}

TEST(CdefLexer, LineMarkerRemapsFollowingLines) {
  auto toks = lex_text("int a;\n# 42 \"foo.h\"\nint b;\n\nint c;");
  ASSERT_EQ(toks.size(), 9u);
  EXPECT_EQ(toks[0].loc.file, "t.h");
  EXPECT_EQ(toks[3].loc.file, "foo.h");
  EXPECT_EQ(toks[3].loc.line, 42u);
  EXPECT_EQ(toks[3].loc.column, 1u);
  EXPECT_EQ(toks[6].loc.line, 44u);
  // The physical position is unchanged: the caret line comes from the real text.
  EXPECT_EQ(toks[3].loc.buffer->text.substr(toks[3].loc.offset, 5), "int b");
}

TEST(CdefLexer, LineMarkerVariants) {
  auto toks = lex_text("#line 10 \"a.h\"\nx\n# 20\ny\n# 30 \"b.h\" 1 3\nz\n#line 5\nw");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[0].loc.str(), "a.h:10:1");
  EXPECT_EQ(toks[1].loc.str(), "a.h:20:1");
  EXPECT_EQ(toks[2].loc.str(), "b.h:30:1");
  EXPECT_EQ(toks[3].loc.str(), "b.h:5:1");
}

TEST(CdefLexer, LineMarkerWithFirstLine) {
  auto toks = lex_text("x\n# 7 \"c.h\"\ny", nullptr, "build.py", 100);
  EXPECT_EQ(toks[0].loc.str(), "build.py:100:1");
  EXPECT_EQ(toks[1].loc.str(), "c.h:7:1");
}

TEST(CdefLexer, UnsupportedDirectivesAreErrors) {
  Diagnostics d;
  auto toks = lex_text("#include <stdio.h>\n#if X\nint a;\n#ifdef Y\n#endif\n#undef Z\n#foo\n", &d);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "a", ";"}));
  EXPECT_EQ(d.error_count(), 6u);
  const auto& all = d.all();
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].message, "'#include' is not supported in cdef()");
  EXPECT_EQ(all[0].loc.str(), "t.h:1:1");
  EXPECT_EQ(all[1].message, "'#if' is not supported in cdef()");
  EXPECT_EQ(all[2].message, "'#ifdef' is not supported in cdef()");
  EXPECT_EQ(all[2].loc.line, 4u);
  EXPECT_EQ(all[3].message, "'#endif' is not supported in cdef()");
  EXPECT_EQ(all[4].message, "'#undef' is not supported in cdef()");
  EXPECT_EQ(all[5].message, "'#foo' is not supported in cdef()");
}

TEST(CdefLexer, PragmaIsIgnoredWithAWarning) {
  Diagnostics d;
  auto toks = lex_text("#pragma pack(1)\nint a;", &d);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "a", ";"}));
  EXPECT_EQ(d.error_count(), 0u);
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].severity, Severity::Warning);
}

TEST(CdefLexer, NullDirectiveIsIgnored) {
  auto toks = lex_text("#\nint a;");
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "a", ";"}));
}

TEST(CdefLexer, InvalidCharacters) {
  Diagnostics d;
  auto toks = lex_text("int @x$;\x01", &d);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "x", ";"}));
  ASSERT_EQ(d.error_count(), 3u);
  EXPECT_EQ(d.all()[0].message, "invalid character '@' in cdef");
  EXPECT_EQ(d.all()[0].loc.column, 5u);
  EXPECT_EQ(d.all()[2].message, "invalid character '\\x01' in cdef");
}

TEST(CdefLexer, EndOfToken) {
  auto toks = lex_text("  foo_bar;");
  Location l = end_of(toks[0]);
  EXPECT_EQ(l.column, 10u);
  EXPECT_EQ(l.offset, 9u);
}

TEST(CdefLexer, EmptyAndNullInput) {
  Diagnostics d;
  EXPECT_TRUE(lex_text("").empty());
  EXPECT_TRUE(lex_text("  \n\t // only a comment\n").empty());
  auto toks = lex(nullptr, d);
  ASSERT_EQ(toks.size(), 1u);
  EXPECT_EQ(toks[0].kind, TokenKind::Eof);
}

TEST(CdefLexer, ErrorsAreCapped) {
  Diagnostics d;
  lex_text(std::string(500, '@'), &d);
  EXPECT_LE(d.error_count(), 20u);
  EXPECT_GE(d.error_count(), 1u);
}

}  // namespace
