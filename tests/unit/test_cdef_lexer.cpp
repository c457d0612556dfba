// Unit tests of the cdef lexer: tokens, literals, locations, line markers, directives.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "cdef/lexer.h"
#include "cdef/parser.h"

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

TEST(CdefLexer, GccLineMarkersWithLineZeroAndFlags) {
  // What GCC 12's 'cc -E' writes first: line 0 markers, then flags after the file name.
  auto toks = lex_text(
      "# 0 \"foo.h\"\n# 0 \"<built-in>\"\n# 0 \"<command-line>\"\n"
      "# 1 \"/usr/include/stdc-predef.h\" 1 3 4\n# 0 \"<command-line>\" 2\n# 1 \"foo.h\"\n"
      "int a;\n# 1 \"/usr/include/bar.h\" 1 3 4\n\nint b;\n# 3 \"foo.h\" 2\nint c;\n");
  ASSERT_EQ(toks.size(), 9u);
  EXPECT_EQ(toks[0].loc.str(), "foo.h:1:1");
  EXPECT_EQ(toks[3].loc.str(), "/usr/include/bar.h:2:1");
  EXPECT_EQ(toks[6].loc.str(), "foo.h:3:1");
  EXPECT_EQ(toks[6].loc.buffer->text.substr(toks[6].loc.offset, 5), "int c");
}

TEST(CdefLexer, LineZeroIsShownAsLineOne) {
  // A token on line 0 (nothing GCC writes) keeps a valid location: 0 means "no location".
  auto toks = lex_text("# 0 \"a.h\"\nx\ny\n#line 0\nz");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[0].loc.str(), "a.h:1:1");
  EXPECT_EQ(toks[1].loc.str(), "a.h:1:1");
  EXPECT_EQ(toks[2].loc.str(), "a.h:1:1");
}

TEST(CdefLexer, BadLineMarkers) {
  Diagnostics d;
  auto toks = lex_text("# 12x \"a.h\"\nint a;\n# 100000000\nint b;\n#line\n", &d);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"int", "a", ";", "int", "b", ";"}));
  ASSERT_EQ(d.all().size(), 3u);
  EXPECT_EQ(d.all()[0].message, "invalid line number in line marker");
  EXPECT_EQ(d.all()[0].loc.str(), "t.h:1:3");
  EXPECT_EQ(d.all()[1].message, "invalid line number in line marker");
  EXPECT_EQ(d.all()[2].message, "'#line' directive requires a positive integer argument");
  EXPECT_EQ(toks[3].loc.str(), "t.h:4:1");
}

// ---- 'cc -E' output as a cdef (the lexer's line markers, through the parser) ----------------

/// A header in a fresh temporary directory, removed at the end of the test.
class TempHeader {
 public:
  TempHeader(const std::string& name, const std::string& text) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cdefc_lexer_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return;
    dir_ = tmpl;
    path_ = dir_ / name;
    std::ofstream(path_) << text;
  }
  ~TempHeader() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_, path_;
};

/// The output of `cc <flags> -E <header>` run in the header's directory ("" if it fails).
std::string preprocess(const TempHeader& h, const std::string& flags) {
  std::string cmd = "cd '" + h.dir().string() + "' && cc " + flags + " -E '" +
                    h.path().filename().string() + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return pclose(p) == 0 ? out : "";
}

/// Parses `text` as one cdef named "out.i"; returns the rendered diagnostics.
std::string parse_as_cdef(Module& m, const std::string& text) {
  Diagnostics d;
  EXPECT_TRUE(parse_cdef(m, buffer(text, "out.i"), {}, d)) << d.render();
  return d.render();
}

const Function* find_function(const Module& m, const std::string& name) {
  for (const Function& f : m.functions)
    if (f.name == name) return &f;
  return nullptr;
}

TEST(CdefPreprocessed, RealCcOutputOfASmallHeader) {
  TempHeader h("small.h",
               "/* a small header */\n"
               "#define API\n"
               "#define N 4\n"
               "typedef unsigned int my_u;\n"
               "struct pt { int x, y; };\n"
               "\n"
               "API int add(int a, int b);\n"
               "API my_u table[N];\n");
  std::string out = preprocess(h, "");
  if (out.empty()) GTEST_SKIP() << "no working 'cc -E'";
  ASSERT_NE(out.find("# 1 \"small.h\""), std::string::npos) << out;
  Module m;
  EXPECT_EQ(parse_as_cdef(m, out), "");
  const Function* add = find_function(m, "add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->loc.file, "small.h");
  EXPECT_EQ(add->loc.line, 7u);
  ASSERT_EQ(m.variables.size(), 1u);
  EXPECT_EQ(m.variables[0].loc.line, 8u);
  EXPECT_EQ(c_type_string(m, m.variables[0].type, "table"), "my_u table[4]");
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].loc.str(), "small.h:5:8");
}

TEST(CdefPreprocessed, ErrorsPointIntoTheHeader) {
  TempHeader h("bad.h", "int ok(void);\n\nint bad(unknown_t x);\n");
  std::string out = preprocess(h, "");
  if (out.empty()) GTEST_SKIP() << "no working 'cc -E'";
  Module m;
  Diagnostics d;
  EXPECT_FALSE(parse_cdef(m, buffer(out, "out.i"), {}, d));
  EXPECT_EQ(d.render(),
            "bad.h:3:9: error: unknown type name 'unknown_t'\n"
            "int bad(unknown_t x);\n        ^\n");
}

/// The shapes of zstd.h's public API, written as a header.
const char* const kZstdLike =
    "#ifndef ZSTD_LIKE_H\n"
    "#define ZSTD_LIKE_H\n"
    "#include <stddef.h>\n"
    "#ifndef ZSTDLIB_VISIBLE\n"
    "#  define ZSTDLIB_VISIBLE\n"
    "#endif\n"
    "#define ZSTDLIB_API ZSTDLIB_VISIBLE\n"
    "ZSTDLIB_API unsigned ZSTD_versionNumber(void);\n"
    "ZSTDLIB_API size_t ZSTD_compress( void* dst, size_t dstCapacity,\n"
    "                            const void* src, size_t srcSize,\n"
    "                                  int compressionLevel);\n"
    "ZSTDLIB_API unsigned long long ZSTD_getFrameContentSize(const void *src, size_t n);\n"
    "ZSTDLIB_API const char* ZSTD_getErrorName(size_t code);\n"
    "typedef struct ZSTD_CCtx_s ZSTD_CCtx;\n"
    "ZSTDLIB_API ZSTD_CCtx* ZSTD_createCCtx(void);\n"
    "typedef enum { ZSTD_fast=1, ZSTD_dfast=2, ZSTD_btultra2=9 } ZSTD_strategy;\n"
    "typedef enum {\n"
    "    ZSTD_c_compressionLevel=100,\n"
    "    ZSTD_c_windowLog=101,\n"
    "} ZSTD_cParameter;\n"
    "typedef struct ZSTD_inBuffer_s { const void* src; size_t size; size_t pos; } "
    "ZSTD_inBuffer;\n"
    "typedef void* (*ZSTD_allocFunction) (void* opaque, size_t size);\n"
    "typedef struct { ZSTD_allocFunction customAlloc; void* opaque; } ZSTD_customMem;\n"
    "ZSTDLIB_API size_t ZSTD_CCtx_setParameter(ZSTD_CCtx* cctx, ZSTD_cParameter param,\n"
    "                                          int value);\n"
    "#endif\n";

/// Checks the declarations of kZstdLike, as parsed from its preprocessed output.
void check_zstd_like(const Module& m) {
  const Function* f = find_function(m, "ZSTD_compress");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->loc.file, "zstd_like.h");
  EXPECT_EQ(f->loc.line, 9u);
  EXPECT_EQ(c_type_string(m, f->type, "ZSTD_compress"),
            "size_t ZSTD_compress(void *, size_t, const void *, size_t, int)");
  f = find_function(m, "ZSTD_CCtx_setParameter");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->loc.line, 24u);
  EXPECT_EQ(c_type_string(m, f->type), "size_t (ZSTD_CCtx *, ZSTD_cParameter, int)");
  EXPECT_EQ(m.functions.size(), 6u);
  // stddef.h's 'typedef long unsigned int size_t;' comes from GCC's own header.
  int size_t_index = m.find_typedef("size_t");
  ASSERT_GE(size_t_index, 0);
  EXPECT_EQ(c_type_string(m, m.typedefs[size_t_index].type), "unsigned long");
  EXPECT_NE(m.typedefs[size_t_index].loc.file.find("stddef.h"), std::string::npos);
  ASSERT_EQ(m.enums.size(), 2u);
  EXPECT_EQ(m.enums[1].values[1].name, "ZSTD_c_windowLog");
  EXPECT_EQ(m.enums[1].values[1].value, 101);
  EXPECT_EQ(m.enums[1].values[1].loc.str(), "zstd_like.h:19:5");
}

TEST(CdefPreprocessed, RealCcOutputOfAZstdLikeHeader) {
  TempHeader h("zstd_like.h", kZstdLike);
  // C99: GCC's stddef.h then has no max_align_t (its __attribute__ is refused, as by CFFI).
  std::string out = preprocess(h, "-std=c99");
  if (out.empty()) GTEST_SKIP() << "no working 'cc -E'";
  Module m;
  EXPECT_EQ(parse_as_cdef(m, out), "");
  check_zstd_like(m);
}

TEST(CdefPreprocessed, Gcc12OutputOfAZstdLikeHeader) {
  // Captured from GCC 12.2: 'cc -std=c99 -E zstd_like.h' of kZstdLike.
  std::string out =
      "# 0 \"zstd_like.h\"\n"
      "# 0 \"<built-in>\"\n"
      "# 0 \"<command-line>\"\n"
      "# 1 \"/usr/include/stdc-predef.h\" 1 3 4\n"
      "# 0 \"<command-line>\" 2\n"
      "# 1 \"zstd_like.h\"\n" "\n" "\n"
      "# 1 \"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\" 1 3 4\n"
      "# 145 \"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\" 3 4\n" "\n"
      "# 145 \"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\" 3 4\n"
      "typedef long int ptrdiff_t;\n"
      "# 214 \"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\" 3 4\n"
      "typedef long unsigned int size_t;\n"
      "# 329 \"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\" 3 4\n"
      "typedef int wchar_t;\n"
      "# 4 \"zstd_like.h\" 2\n" "\n" "\n" "\n" "\n" " \n"
      "# 8 \"zstd_like.h\"\n"
      "           unsigned ZSTD_versionNumber(void);\n"
      " size_t ZSTD_compress( void* dst, size_t dstCapacity,\n"
      "                            const void* src, size_t srcSize,\n"
      "                                  int compressionLevel);\n"
      " unsigned long long ZSTD_getFrameContentSize(const void *src, size_t n);\n"
      " const char* ZSTD_getErrorName(size_t code);\n"
      "typedef struct ZSTD_CCtx_s ZSTD_CCtx;\n"
      " ZSTD_CCtx* ZSTD_createCCtx(void);\n"
      "typedef enum { ZSTD_fast=1, ZSTD_dfast=2, ZSTD_btultra2=9 } ZSTD_strategy;\n"
      "typedef enum {\n"
      "    ZSTD_c_compressionLevel=100,\n"
      "    ZSTD_c_windowLog=101,\n"
      "} ZSTD_cParameter;\n"
      "typedef struct ZSTD_inBuffer_s { const void* src; size_t size; size_t pos; } "
      "ZSTD_inBuffer;\n"
      "typedef void* (*ZSTD_allocFunction) (void* opaque, size_t size);\n"
      "typedef struct { ZSTD_allocFunction customAlloc; void* opaque; } ZSTD_customMem;\n"
      " size_t ZSTD_CCtx_setParameter(ZSTD_CCtx* cctx, ZSTD_cParameter param,\n"
      "                                          int value);\n";
  Module m;
  EXPECT_EQ(parse_as_cdef(m, out), "");
  check_zstd_like(m);
  // Columns are those of the output ('ZSTDLIB_API' expanded to nothing before the name).
  const Function* f = find_function(m, "ZSTD_compress");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->loc.str(), "zstd_like.h:9:9");
  EXPECT_EQ(f->loc.buffer->text.substr(f->loc.offset, 13), "ZSTD_compress");
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
