// Unit tests of the cdef parser: every construct CFFI's cdef accepts, errors, type names.
#include <gtest/gtest.h>

#include <random>

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

/// Parses `text` into `m`; returns the rendered diagnostics ("" when there were none).
std::string parse_into(Module& m, const std::string& text, const CdefOptions& o = {},
                       const std::string& name = "t.h", unsigned first_line = 1) {
  Diagnostics d;
  bool ok = parse_cdef(m, buffer(text, name, first_line), o, d);
  EXPECT_EQ(ok, !d.has_errors());
  return d.render();
}

/// Parses `text`, which must be accepted without any diagnostic.
Module parse_ok(const std::string& text, const CdefOptions& o = {}) {
  Module m;
  std::string diags = parse_into(m, text, o);
  EXPECT_EQ(diags, "") << "for: " << text;
  return m;
}

/// Parses `text`, which must be rejected; returns the rendered diagnostics.
std::string parse_err(const std::string& text, const CdefOptions& o = {}) {
  Module m;
  Diagnostics d;
  EXPECT_FALSE(parse_cdef(m, buffer(text), o, d)) << "accepted: " << text;
  return d.render();
}

/// The first error message only.
std::string first_error(const std::string& text) {
  Module m;
  Diagnostics d;
  parse_cdef(m, buffer(text), {}, d);
  for (const Diagnostic& x : d.all())
    if (x.severity == Severity::Error) return x.message;
  return "";
}

const Typedef& td(const Module& m, const std::string& name) {
  int i = m.find_typedef(name);
  EXPECT_GE(i, 0) << name;
  static Typedef none;
  return i < 0 ? none : m.typedefs[i];
}
const Function& fn(const Module& m, const std::string& name) {
  for (const Function& f : m.functions)
    if (f.name == name) return f;
  ADD_FAILURE() << "no function " << name;
  static Function none;
  return none;
}
const Variable& var(const Module& m, const std::string& name) {
  for (const Variable& v : m.variables)
    if (v.name == name) return v;
  ADD_FAILURE() << "no variable " << name;
  static Variable none;
  return none;
}
const Constant& cst(const Module& m, const std::string& name) {
  for (const Constant& c : m.constants)
    if (c.name == name) return c;
  ADD_FAILURE() << "no constant " << name;
  static Constant none;
  return none;
}
const Record& rec(const Module& m, const std::string& tag, bool is_union = false) {
  int i = m.find_record(tag, is_union);
  EXPECT_GE(i, 0) << tag;
  static Record none;
  return i < 0 ? none : m.records[i];
}
std::string spell(const Module& m, const TypeRef& t, const std::string& d = "") {
  return c_type_string(m, t, d);
}

// ---- primitive and standard types -----------------------------------------------------------

TEST(CdefParser, PrimitiveSpellingsAreCanonical) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"char", "char"},
      {"signed char", "signed char"},
      {"char signed", "signed char"},
      {"unsigned char", "unsigned char"},
      {"short", "short"},
      {"short int", "short"},
      {"signed short", "short"},
      {"short unsigned int", "unsigned short"},
      {"int", "int"},
      {"signed", "int"},
      {"signed int", "int"},
      {"unsigned", "unsigned int"},
      {"unsigned int", "unsigned int"},
      {"long", "long"},
      {"long int", "long"},
      {"signed long", "long"},
      {"long unsigned int", "unsigned long"},
      {"long long", "long long"},
      {"long long int", "long long"},
      {"int long long", "long long"},
      {"unsigned long long", "unsigned long long"},
      {"long long unsigned int", "unsigned long long"},
      {"float", "float"},
      {"double", "double"},
      {"long double", "long double"},
      {"_Bool", "_Bool"},
      {"bool", "_Bool"},
      {"float _Complex", "float _Complex"},
      {"double _Complex", "double _Complex"},
  };
  for (const auto& [written, canonical] : cases) {
    Module m = parse_ok("extern " + written + " x;");
    ASSERT_EQ(m.variables.size(), 1u) << written;
    const TypeRef& t = m.variables[0].type;
    EXPECT_EQ(t->kind, TypeKind::Primitive) << written;
    EXPECT_EQ(t->name, canonical) << written;
  }
  Module m = parse_ok("void f(void);");
  EXPECT_EQ(m.functions[0].type->target->kind, TypeKind::Void);
}

TEST(CdefParser, InvalidSpecifierCombinations) {
  EXPECT_EQ(first_error("extern int int x;"),
            "cannot combine with previous 'int' declaration specifier");
  EXPECT_EQ(first_error("extern short long x;"),
            "cannot combine with previous 'short' declaration specifier");
  EXPECT_EQ(first_error("extern signed unsigned x;"),
            "cannot combine with previous 'signed' declaration specifier");
  EXPECT_EQ(first_error("extern long long long x;"), "'long long long' is invalid");
  EXPECT_EQ(first_error("extern unsigned float x;"),
            "cannot combine with previous 'unsigned' declaration specifier");
  EXPECT_EQ(first_error("extern int struct s x;"),
            "cannot combine with previous 'int' declaration specifier");
  EXPECT_EQ(first_error("typedef int T; extern T int x;"),
            "cannot combine with previous 'T' declaration specifier");
  EXPECT_EQ(first_error("extern const *p;"),
            "type specifier missing (implicit 'int' is not supported)");
}

TEST(CdefParser, StandardTypeNamesArePrimitive) {
  const char* names[] = {"int8_t",       "uint16_t",       "int32_t",      "uint64_t",
                         "int_least8_t", "uint_least64_t", "int_fast16_t", "uint_fast32_t",
                         "intmax_t",     "uintmax_t",      "intptr_t",     "uintptr_t",
                         "ptrdiff_t",    "size_t",         "ssize_t",      "wchar_t",
                         "char16_t",     "char32_t",       "FILE"};
  for (const char* n : names) {
    EXPECT_TRUE(is_standard_type_name(n)) << n;
    Module m = parse_ok(std::string("extern ") + n + " *x;");
    const TypeRef& t = m.variables[0].type->target;
    EXPECT_EQ(t->kind, TypeKind::Primitive) << n;
    EXPECT_EQ(t->name, n);
  }
  EXPECT_FALSE(is_standard_type_name("foo_t"));
  EXPECT_FALSE(is_standard_type_name("int128_t"));
}

TEST(CdefParser, TypedefRedefiningAStandardNameWins) {
  Module m = parse_ok("extern size_t a; typedef unsigned long size_t; extern size_t b;");
  EXPECT_EQ(var(m, "a").type->kind, TypeKind::Primitive);
  EXPECT_EQ(var(m, "b").type->kind, TypeKind::Typedef);
  EXPECT_EQ(var(m, "b").type->name, "size_t");
  EXPECT_EQ(td(m, "size_t").type->name, "unsigned long");
  // A typedef from an earlier cdef also wins.
  parse_into(m, "extern size_t c;");
  EXPECT_EQ(var(m, "c").type->kind, TypeKind::Typedef);
}

TEST(CdefParser, UnknownTypeName) {
  EXPECT_EQ(parse_err("int f(foo_t x);"),
            "t.h:1:7: error: unknown type name 'foo_t'\nint f(foo_t x);\n      ^\n");
}

// ---- typedefs, pointers, qualifiers -----------------------------------------------------------

TEST(CdefParser, TypedefWithSeveralDeclarators) {
  Module m = parse_ok("typedef int a, *b, c[3], (*d)(void);");
  ASSERT_EQ(m.typedefs.size(), 4u);
  EXPECT_EQ(td(m, "a").type->kind, TypeKind::Primitive);
  EXPECT_EQ(td(m, "b").type->kind, TypeKind::Pointer);
  EXPECT_EQ(td(m, "c").type->kind, TypeKind::Array);
  EXPECT_EQ(td(m, "c").type->length, 3u);
  EXPECT_EQ(spell(m, td(m, "d").type, "d"), "int (*d)(void)");
  EXPECT_EQ(td(m, "b").loc.str(), "t.h:1:17");
  EXPECT_EQ(td(m, "b").gap, TypedefGap::None);
}

TEST(CdefParser, TypedefsChain) {
  Module m = parse_ok("typedef int myint; typedef myint *myint_p; extern myint_p p;");
  const TypeRef& t = td(m, "myint_p").type;
  ASSERT_EQ(t->kind, TypeKind::Pointer);
  EXPECT_EQ(t->target->kind, TypeKind::Typedef);
  EXPECT_EQ(t->target->name, "myint");
  EXPECT_EQ(var(m, "p").type->name, "myint_p");
}

TEST(CdefParser, QualifiersLandOnTheRightNode) {
  Module m = parse_ok(
      "extern const char *a; extern char *const b; extern char const *volatile c;"
      "extern int *restrict d; extern const volatile int e; extern const char *const names[];");
  const TypeRef& a = var(m, "a").type;
  EXPECT_EQ(a->quals, kNone);
  EXPECT_EQ(a->target->quals, kConst);
  EXPECT_EQ(var(m, "b").type->quals, kConst);
  EXPECT_EQ(var(m, "b").type->target->quals, kNone);
  EXPECT_EQ(var(m, "c").type->quals, kVolatile);
  EXPECT_EQ(var(m, "c").type->target->quals, kConst);
  EXPECT_EQ(var(m, "d").type->quals, kRestrict);
  EXPECT_EQ(var(m, "e").type->quals, unsigned(kConst | kVolatile));
  EXPECT_EQ(spell(m, a, "a"), "const char *a");
  EXPECT_EQ(spell(m, var(m, "b").type, "b"), "char *const b");
  EXPECT_EQ(spell(m, var(m, "c").type), "const char *volatile");
  EXPECT_EQ(spell(m, var(m, "names").type, "names"), "const char *const names[]");
}

TEST(CdefParser, RestrictNeedsAPointer) {
  EXPECT_EQ(first_error("extern restrict int x;"),
            "restrict requires a pointer ('int' is invalid)");
  parse_ok("typedef int *ip; extern restrict ip x;");
}

TEST(CdefParser, GnuRestrictSpellingsAreRejected) {
  EXPECT_EQ(first_error("int f(int *__restrict p);"),
            "'__restrict' is not supported in cdef(); use 'restrict'");
  EXPECT_EQ(first_error("int f(int *__restrict__ p);"),
            "'__restrict__' is not supported in cdef(); use 'restrict'");
  EXPECT_EQ(first_error("extern __const int x;"),
            "'__const' is not supported in cdef(); use 'const'");
  EXPECT_EQ(first_error("int f(int) __attribute__((pure));"),
            "'__attribute__' is not supported in cdef()");
}

// ---- arrays ---------------------------------------------------------------------------------

TEST(CdefParser, ArrayLengthKinds) {
  Module m = parse_ok(
      "extern int a[4]; extern int b[]; extern int c[...]; extern int d[][...];"
      "extern int e[...][...]; extern int f[2][3][4];");
  const TypeRef& a = var(m, "a").type;
  EXPECT_EQ(a->kind, TypeKind::Array);
  EXPECT_EQ(a->length_kind, ArrayLength::Known);
  EXPECT_EQ(a->length, 4u);
  EXPECT_EQ(var(m, "b").type->length_kind, ArrayLength::Unspecified);
  EXPECT_EQ(var(m, "c").type->length_kind, ArrayLength::Gap);
  const TypeRef& d = var(m, "d").type;
  EXPECT_EQ(d->length_kind, ArrayLength::Unspecified);
  EXPECT_EQ(d->target->length_kind, ArrayLength::Gap);
  EXPECT_EQ(var(m, "e").type->target->length_kind, ArrayLength::Gap);
  const TypeRef& f = var(m, "f").type;  // an array of 2 arrays of 3 arrays of 4 ints
  EXPECT_EQ(f->length, 2u);
  EXPECT_EQ(f->target->length, 3u);
  EXPECT_EQ(f->target->target->length, 4u);
  EXPECT_EQ(f->target->target->target->name, "int");
  EXPECT_EQ(spell(m, f, "f"), "int f[2][3][4]");
  EXPECT_EQ(spell(m, d, "d"), "int d[][...]");
}

TEST(CdefParser, ArraySizesAreConstantExpressions) {
  Module m = parse_ok(
      "#define N 4\n"
      "enum { A = 2, B };\n"
      "extern int a[0x10]; extern int b[010]; extern int c[3u]; extern int d[2UL];"
      "extern int e[N * 2 + 1]; extern int f[(N << 2) | 1]; extern int g[B - A];"
      "extern int h[N % 3 ^ 7]; extern int i[~-N]; extern int j[100 / 7 & 0xff];"
      "extern int k[-(-5)]; extern int l[N > 3 ? N : 1]; extern int mm['a'];");
  EXPECT_EQ(var(m, "a").type->length, 16u);
  EXPECT_EQ(var(m, "b").type->length, 8u);
  EXPECT_EQ(var(m, "c").type->length, 3u);
  EXPECT_EQ(var(m, "d").type->length, 2u);
  EXPECT_EQ(var(m, "e").type->length, 9u);
  EXPECT_EQ(var(m, "f").type->length, 17u);
  EXPECT_EQ(var(m, "g").type->length, 1u);
  EXPECT_EQ(var(m, "h").type->length, 6u);
  EXPECT_EQ(var(m, "i").type->length, 3u);
  EXPECT_EQ(var(m, "j").type->length, 14u);
  EXPECT_EQ(var(m, "k").type->length, 5u);
  EXPECT_EQ(var(m, "l").type->length, 4u);
  EXPECT_EQ(var(m, "mm").type->length, 97u);
}

TEST(CdefParser, ArraySizeErrors) {
  EXPECT_EQ(first_error("extern int a[-1];"), "array size is negative");
  EXPECT_EQ(first_error("extern int a[sizeof(int)];"),
            "'sizeof' is not supported in cdef() constant expressions; use '...'");
  EXPECT_EQ(first_error("extern int a[1.5];"),
            "expected an integer constant, got floating literal 1.5");
  EXPECT_EQ(first_error("extern int a[X];"), "use of undeclared identifier 'X'");
  EXPECT_EQ(first_error("extern int a[1 / 0];"), "division by zero in constant expression");
  EXPECT_EQ(first_error("extern int a[9223372036854775807 + 1];"),
            "overflow in constant expression");
  EXPECT_EQ(first_error("extern int a[1 << 64];"), "shift count is out of range");
  EXPECT_EQ(first_error("extern int a[(int)3];"),
            "casts are not supported in cdef() constant expressions");
  EXPECT_EQ(first_error("extern int f(int); extern int a[f];"), "'f' is not an integer constant");
  EXPECT_EQ(first_error("extern int a[3;"), "expected ']', got ';'");
}

TEST(CdefParser, ArrayOfIncompleteOrFunctionTypes) {
  EXPECT_EQ(first_error("extern void a[3];"), "array has incomplete element type 'void'");
  EXPECT_EQ(first_error("extern int a[3][];"), "array has incomplete element type 'int[]'");
  EXPECT_EQ(first_error("typedef int F(int); extern F a[3];"),
            "'a' declared as array of functions of type 'F'");
  EXPECT_EQ(first_error("int f(int)[3];"), "function cannot return array type 'int[3]'");
  EXPECT_EQ(first_error("int (f(int))(int);"), "function cannot return function type 'int (int)'");
}

TEST(CdefParser, GapValuedNamesInArraySizesMakeGaps) {
  Module m = parse_ok(
      "#define N ...\n"
      "static const int S;\n"
      "enum partial { P, Q, ... };\n"
      "enum e { G = ..., H };\n"
      "extern int a[N]; extern int b[S + 1]; extern int c[Q]; extern int d[H * 2];"
      "struct s { int f[N]; };");
  EXPECT_EQ(var(m, "a").type->length_kind, ArrayLength::Gap);
  EXPECT_EQ(var(m, "b").type->length_kind, ArrayLength::Gap);
  EXPECT_EQ(var(m, "c").type->length_kind, ArrayLength::Gap);
  EXPECT_EQ(var(m, "d").type->length_kind, ArrayLength::Gap);
  EXPECT_EQ(rec(m, "s").fields[0].type->length_kind, ArrayLength::Gap);
}

// ---- functions --------------------------------------------------------------------------

TEST(CdefParser, FunctionDeclarations) {
  Module m = parse_ok(
      "int f(int, char *);\n"
      "extern double g(double x, const char *name);\n"
      "void h(void);\n"
      "int k();\n"
      "static int s(int);\n"
      "inline int i(int);\n");
  ASSERT_EQ(m.functions.size(), 6u);
  const Function& f = fn(m, "f");
  EXPECT_EQ(f.type->kind, TypeKind::Function);
  EXPECT_EQ(f.type->target->name, "int");
  ASSERT_EQ(f.type->params.size(), 2u);
  EXPECT_EQ(f.type->params[0].name, "");
  EXPECT_EQ(f.type->params[1].type->kind, TypeKind::Pointer);
  EXPECT_EQ(f.loc.str(), "t.h:1:5");
  EXPECT_EQ(f.linkage, Linkage::C);
  const Function& g = fn(m, "g");
  EXPECT_EQ(g.type->params[1].name, "name");
  EXPECT_EQ(g.type->params[1].loc.str(), "t.h:2:39");
  EXPECT_EQ(g.type->params[0].loc.str(), "t.h:2:24");
  EXPECT_TRUE(fn(m, "h").type->params.empty());
  EXPECT_FALSE(fn(m, "h").type->variadic);
  EXPECT_TRUE(fn(m, "k").type->params.empty());  // 'k()' is 'k(void)', as in CFFI
  EXPECT_EQ(spell(m, fn(m, "k").type, "k"), "int k(void)");
  EXPECT_EQ(spell(m, g.type, "g"), "double g(double, const char *)");
}

TEST(CdefParser, VariadicFunctions) {
  Module m = parse_ok("int printf(const char *fmt, ...); extern int (*vp)(int, ...);");
  EXPECT_TRUE(fn(m, "printf").type->variadic);
  EXPECT_EQ(fn(m, "printf").type->params.size(), 1u);
  EXPECT_EQ(spell(m, var(m, "vp").type, "vp"), "int (*vp)(int, ...)");
  EXPECT_EQ(first_error("void f(...);"), "ISO C requires a named parameter before '...'");
  EXPECT_EQ(first_error("void f(int, ..., int);"), "expected ')' after '...'");
}

TEST(CdefParser, VoidParameterRules) {
  parse_ok("typedef void V; int f(V);");
  EXPECT_EQ(first_error("int f(int, void);"),
            "'void' must be the first and only parameter if specified");
  EXPECT_EQ(first_error("int f(void, int);"),
            "'void' must be the first and only parameter if specified");
  EXPECT_EQ(first_error("int f(void x);"), "argument may not have 'void' type");
  EXPECT_EQ(first_error("int f(int x, int x);"), "redefinition of parameter 'x'");
}

TEST(CdefParser, FunctionPointers) {
  Module m = parse_ok(
      "extern int (*f)(int, char *);\n"
      "void (*signal(int, void (*)(int)))(int);\n"
      "typedef int (*cmp_t)(const void *, const void *);\n"
      "extern int *(*(*x)[3])(int);\n");
  const TypeRef& f = var(m, "f").type;
  ASSERT_EQ(f->kind, TypeKind::Pointer);
  EXPECT_EQ(f->target->kind, TypeKind::Function);
  EXPECT_EQ(spell(m, f, "f"), "int (*f)(int, char *)");
  const TypeRef& s = fn(m, "signal").type;
  ASSERT_EQ(s->kind, TypeKind::Function);
  ASSERT_EQ(s->params.size(), 2u);
  EXPECT_EQ(s->params[1].type->kind, TypeKind::Pointer);
  EXPECT_EQ(s->params[1].type->target->kind, TypeKind::Function);
  EXPECT_EQ(s->target->kind, TypeKind::Pointer);
  EXPECT_EQ(s->target->target->kind, TypeKind::Function);
  EXPECT_EQ(spell(m, s, "signal"), "void (*signal(int, void (*)(int)))(int)");
  EXPECT_EQ(spell(m, td(m, "cmp_t").type), "int (*)(const void *, const void *)");
  EXPECT_EQ(spell(m, var(m, "x").type, "x"), "int *(*(*x)[3])(int)");
}

TEST(CdefParser, ParametersDecay) {
  Module m = parse_ok(
      "typedef int F(int);\n"
      "typedef int A3[3];\n"
      "void f(int a[], char b[10], int c[const 4], int m[][5], int g(int), F h, A3 t, const A3 "
      "u);\n");
  const auto& p = fn(m, "f").type->params;
  ASSERT_EQ(p.size(), 8u);
  EXPECT_EQ(spell(m, p[0].type), "int *");
  EXPECT_EQ(spell(m, p[1].type), "char *");
  EXPECT_EQ(spell(m, p[2].type), "int *const");
  EXPECT_EQ(spell(m, p[3].type), "int (*)[5]");
  EXPECT_EQ(spell(m, p[4].type), "int (*)(int)");
  EXPECT_EQ(spell(m, p[5].type), "F *");
  EXPECT_EQ(spell(m, p[6].type), "int *");
  EXPECT_EQ(spell(m, p[7].type), "const int *");
  EXPECT_EQ(first_error("void f(int a[...]);"), "'[...]' is not allowed in a function parameter");
  EXPECT_EQ(first_error("void f(int (*a)[...]);"),
            "'[...]' is not allowed in a function parameter");
}

TEST(CdefParser, FunctionDeclaredThroughATypedef) {
  Module m = parse_ok("typedef int F(int); F g; int f2(int), v2;");
  EXPECT_EQ(fn(m, "g").type->kind, TypeKind::Function);
  EXPECT_EQ(spell(m, fn(m, "g").type, "g"), "int g(int)");
  EXPECT_EQ(var(m, "v2").type->name, "int");
}

TEST(CdefParser, FunctionDefinitionsAreRejectedAndSkipped) {
  Module m;
  std::string d = parse_into(m, "int f(int x) { if (x) { return 1; } return 0; }\nint g(void);");
  EXPECT_NE(d.find("t.h:1:5: error: function definitions are not supported in cdef()"),
            std::string::npos)
      << d;
  EXPECT_EQ(m.functions.size(), 1u);
  EXPECT_EQ(m.functions[0].name, "g");
}

TEST(CdefParser, ExternPython) {
  Module m = parse_ok(
      "extern \"Python\" int cb1(int);\n"
      "extern \"Python+C\" void cb2(void *);\n"
      "extern \"Python\" {\n  int cb3(int); typedef int t; int cb4(int, ...);\n}\n"
      "extern \"Python+C\" { void cb5(void); }\n"
      "int plain(int);\n");
  EXPECT_EQ(fn(m, "cb1").linkage, Linkage::Python);
  EXPECT_EQ(fn(m, "cb2").linkage, Linkage::PythonPlusC);
  EXPECT_EQ(fn(m, "cb3").linkage, Linkage::Python);
  EXPECT_EQ(fn(m, "cb4").linkage, Linkage::Python);
  EXPECT_EQ(fn(m, "cb5").linkage, Linkage::PythonPlusC);
  EXPECT_EQ(fn(m, "plain").linkage, Linkage::C);
  EXPECT_EQ(td(m, "t").type->name, "int");
  EXPECT_EQ(first_error("extern \"Python\" int x;"),
            "cannot declare variables or constants with extern \"Python\"");
  EXPECT_EQ(first_error("extern \"C\" int f(int);"),
            "unsupported language linkage \"C\"; only extern \"Python\" and extern \"Python+C\" "
            "are allowed in cdef()");
  EXPECT_EQ(first_error("extern \"Python\" { extern \"Python\" int f(int); }"),
            "extern \"Python\" blocks cannot be nested");
  EXPECT_EQ(first_error("extern \"Python\" { int f(int);"), "expected '}'");
}

// ---- structs and unions -----------------------------------------------------------------

TEST(CdefParser, NamedStruct) {
  Module m =
      parse_ok("struct point {\n  int x, y;\n  const char *name;\n};\nint area(struct point *p);");
  const Record& r = rec(m, "point");
  EXPECT_FALSE(r.is_union);
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.partial);
  EXPECT_FALSE(r.opaque);
  EXPECT_EQ(r.loc.str(), "t.h:1:8");
  ASSERT_EQ(r.fields.size(), 3u);
  EXPECT_EQ(r.fields[0].name, "x");
  EXPECT_EQ(r.fields[1].name, "y");
  EXPECT_EQ(r.fields[1].loc.str(), "t.h:2:10");
  EXPECT_EQ(r.fields[2].type->kind, TypeKind::Pointer);
  EXPECT_EQ(r.fields[0].bit_width, -1);
  const TypeRef& p = fn(m, "area").type->params[0].type;
  EXPECT_EQ(p->target->kind, TypeKind::Record);
  EXPECT_EQ(p->target->index, m.find_record("point", false));
  EXPECT_EQ(spell(m, p, "p"), "struct point *p");
}

TEST(CdefParser, UnionAndEmptyStruct) {
  Module m = parse_ok("union u { int i; float f; }; struct empty {};");
  const Record& u = rec(m, "u", true);
  EXPECT_TRUE(u.is_union);
  EXPECT_EQ(u.fields.size(), 2u);
  EXPECT_EQ(m.find_record("u", false), -1);
  EXPECT_TRUE(rec(m, "empty").complete);
  EXPECT_TRUE(rec(m, "empty").fields.empty());
}

TEST(CdefParser, ForwardDeclarationsAndSelfReference) {
  Module m = parse_ok(
      "struct node;\n"
      "typedef struct node node_t;\n"
      "struct node { node_t *next; struct node *prev; int value; };\n"
      "struct node;\n");
  ASSERT_EQ(m.records.size(), 1u);
  const Record& r = m.records[0];
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.loc.str(), "t.h:3:8");  // the definition, not the forward declaration
  EXPECT_EQ(r.fields[0].type->target->kind, TypeKind::Typedef);
  EXPECT_EQ(r.fields[1].type->target->index, 0);
  EXPECT_EQ(r.typedef_name, "");  // only anonymous or opaque records take a typedef name
}

TEST(CdefParser, ImplicitRecordDeclarationByUse) {
  Module m = parse_ok("extern struct later *p; void f(union u *);");
  ASSERT_EQ(m.records.size(), 2u);
  EXPECT_FALSE(rec(m, "later").complete);
  EXPECT_TRUE(rec(m, "u", true).is_union);
}

TEST(CdefParser, CompletedInALaterCdef) {
  Module m = parse_ok("struct foo; int use(struct foo *);");
  EXPECT_FALSE(rec(m, "foo").complete);
  EXPECT_EQ(parse_into(m, "struct foo { int a; };"), "");
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_TRUE(m.records[0].complete);
  EXPECT_EQ(m.records[0].fields.size(), 1u);
}

TEST(CdefParser, AnonymousStructTypedef) {
  Module m = parse_ok("typedef struct { int a; } foo_t, *foo_p; typedef union { int i; } *bar_p;");
  ASSERT_EQ(m.records.size(), 2u);
  EXPECT_EQ(m.records[0].tag, "");
  EXPECT_EQ(m.records[0].typedef_name, "foo_t");
  EXPECT_EQ(m.records[0].loc.str(), "t.h:1:9");
  EXPECT_EQ(td(m, "foo_t").type->kind, TypeKind::Record);
  EXPECT_EQ(spell(m, td(m, "foo_p").type, "p"), "foo_t *p");
  EXPECT_EQ(m.records[1].typedef_name, "bar_p");  // named only through a pointer
  EXPECT_EQ(spell(m, td(m, "bar_p").type), "bar_p");
  EXPECT_EQ(spell(m, td(m, "bar_p").type->target), "__typeof__(*(bar_p)0)");
}

TEST(CdefParser, NestedRecords) {
  Module m = parse_ok(
      "struct outer {\n"
      "  struct inner { int a; } in;\n"
      "  struct { int b; } anon_named;\n"
      "  struct { int c; int d; };\n"
      "  union { int e; float f; };\n"
      "  enum { RED, GREEN } color;\n"
      "};\n"
      "extern struct inner i;\n");
  const Record& o = rec(m, "outer");
  ASSERT_EQ(o.fields.size(), 5u);
  EXPECT_EQ(o.fields[0].name, "in");
  EXPECT_EQ(o.fields[0].type->index, m.find_record("inner", false));
  EXPECT_EQ(o.fields[1].name, "anon_named");
  EXPECT_EQ(o.fields[2].name, "");  // anonymous member
  ASSERT_EQ(o.fields[2].type->kind, TypeKind::Record);
  EXPECT_EQ(m.records[o.fields[2].type->index].fields.size(), 2u);
  EXPECT_EQ(o.fields[2].loc.str(), "t.h:4:3");
  EXPECT_EQ(o.fields[3].name, "");
  EXPECT_TRUE(m.records[o.fields[3].type->index].is_union);
  EXPECT_EQ(o.fields[4].type->kind, TypeKind::Enum);
  EXPECT_TRUE(rec(m, "inner").complete);
  EXPECT_EQ(m.records.size(), 5u);
  EXPECT_EQ(spell(m, o.fields[1].type, "anon_named"), "struct { int b; } anon_named");
}

TEST(CdefParser, NamedNestedStructWithoutDeclaratorIsNotAMember) {
  Module m;
  std::string d = parse_into(m, "struct s { struct t { int a; }; int b; };");
  EXPECT_NE(d.find("warning: declaration does not declare anything"), std::string::npos);
  EXPECT_EQ(rec(m, "s").fields.size(), 1u);
  EXPECT_TRUE(rec(m, "t").complete);
}

TEST(CdefParser, Bitfields) {
  Module m = parse_ok(
      "enum e { A };\n"
      "struct b { int x:3; unsigned :2; unsigned long y : 1 + 1; int :0; enum e z:4; _Bool f:1; "
      "uint8_t u:7; };");
  const auto& f = rec(m, "b").fields;
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f[0].bit_width, 3);
  EXPECT_EQ(f[1].name, "");
  EXPECT_EQ(f[1].bit_width, 2);
  EXPECT_EQ(f[2].bit_width, 2);
  EXPECT_EQ(f[3].bit_width, 0);
  EXPECT_EQ(f[4].bit_width, 4);
  EXPECT_EQ(f[6].bit_width, 7);
  EXPECT_EQ(spell(m, f[0].type, "x"), "int x");
  EXPECT_EQ(first_error("struct s { float x:3; };"), "bit-field 'x' has non-integral type 'float'");
  EXPECT_EQ(first_error("struct s { int x:0; };"), "named bit-field 'x' has zero width");
  EXPECT_EQ(first_error("struct s { int x:-1; };"), "bit-field 'x' has negative width (-1)");
  EXPECT_EQ(first_error("extern int x:3;"), "bit-fields are only allowed in structs and unions");
}

TEST(CdefParser, FlexibleArrayMember) {
  Module m = parse_ok("struct msg { int len; char data[]; }; struct m2 { int n; int d[]; ...; };");
  const Record& r = rec(m, "msg");
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[1].type->kind, TypeKind::Array);
  EXPECT_EQ(r.fields[1].type->length_kind, ArrayLength::Unspecified);
  EXPECT_TRUE(rec(m, "m2").partial);
  EXPECT_EQ(
      parse_err("struct s {\n  int a[];\n  int b;\n};"),
      "t.h:2:7: error: flexible array member 'a' with type 'int[]' is not at the end of struct\n"
      "  int a[];\n      ^\n");
}

TEST(CdefParser, PartialStructs) {
  Module m = parse_ok(
      "struct a { int x; ...; };\n"
      "struct b { ...; };\n"
      "struct c { int x; ...; int y; };\n"  // CFFI accepts '...;' anywhere in the body
      "union d { int i; ...; };\n"
      "struct e { int x; int y[...]; };\n");
  EXPECT_TRUE(rec(m, "a").partial);
  EXPECT_EQ(rec(m, "a").fields.size(), 1u);
  EXPECT_TRUE(rec(m, "b").partial);
  EXPECT_TRUE(rec(m, "b").complete);
  EXPECT_TRUE(rec(m, "c").partial);
  EXPECT_EQ(rec(m, "c").fields.size(), 2u);
  EXPECT_TRUE(rec(m, "d", true).partial);
  EXPECT_FALSE(rec(m, "e").partial);
  EXPECT_EQ(rec(m, "e").fields[1].type->length_kind, ArrayLength::Gap);
  EXPECT_EQ(first_error("struct a { int x; ... };"), "expected ';' after '...'");
}

TEST(CdefParser, PackedAndPackOptions) {
  CdefOptions packed;
  packed.packed = true;
  Module m = parse_ok("struct p { char c; int i; }; struct fwd;", packed);
  EXPECT_TRUE(rec(m, "p").packed);
  CdefOptions pack;
  pack.pack = 2;
  parse_into(m, "struct q { char c; int i; }; struct fwd { int x; };", pack);
  EXPECT_FALSE(rec(m, "q").packed);
  EXPECT_EQ(rec(m, "q").pack, 2);
  EXPECT_EQ(rec(m, "fwd").pack, 2);  // packing follows the cdef that gives the body
  EXPECT_EQ(rec(m, "p").pack, 0);
  CdefOptions bad;
  bad.pack = 3;
  Module m2;
  EXPECT_NE(parse_into(m2, "struct r { int x; };", bad).find("'pack' must be a power of two"),
            std::string::npos);
}

TEST(CdefParser, RecordErrors) {
  EXPECT_EQ(first_error("struct s { int a; int a; };"), "duplicate member 'a'");
  EXPECT_EQ(first_error("struct s { int a; struct { int a; }; };"), "duplicate member 'a'");
  EXPECT_EQ(first_error("struct s { void v; };"), "field has incomplete type 'void'");
  EXPECT_EQ(first_error("typedef int F(int); struct s { F f; };"),
            "field 'f' declared as a function");
  EXPECT_EQ(first_error("struct s { static int x; };"), "'static' is not allowed here");
  EXPECT_EQ(first_error("struct s { int x; } ; union s { int y; };"),
            "use of 's' with tag type that does not match previous declaration");
  EXPECT_EQ(first_error("struct s { struct s { int a; } x; };"),
            "nested redefinition of 'struct s'");
  EXPECT_EQ(first_error("struct { int a; };"), "");  // a warning only
  EXPECT_EQ(first_error("struct;"), "expected '{' or a name after 'struct'");
}

// ---- enums --------------------------------------------------------------------------------

TEST(CdefParser, EnumValues) {
  Module m = parse_ok(
      "#define BASE 100\n"
      "enum color { RED, GREEN = 5, BLUE, ALPHA = BLUE * 2, MASK = 1 << 4, NEG = -3, NEXT,\n"
      "  FROM_DEFINE = BASE + 1, CH = 'A', DIV = -7 / 2, MOD = -7 % 2 };\n");
  ASSERT_EQ(m.enums.size(), 1u);
  const Enum& e = m.enums[0];
  EXPECT_EQ(e.tag, "color");
  EXPECT_TRUE(e.complete);
  EXPECT_FALSE(e.partial);
  std::vector<std::pair<std::string, int64_t>> want = {
      {"RED", 0},   {"GREEN", 5},         {"BLUE", 6}, {"ALPHA", 12}, {"MASK", 16}, {"NEG", -3},
      {"NEXT", -2}, {"FROM_DEFINE", 101}, {"CH", 65},  {"DIV", -3},   {"MOD", -1}};
  ASSERT_EQ(e.values.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(e.values[i].name, want[i].first);
    EXPECT_EQ(e.values[i].value, want[i].second) << want[i].first;
    EXPECT_FALSE(e.values[i].gap);
  }
  EXPECT_EQ(e.values[1].loc.str(), "t.h:2:19");
  EXPECT_EQ(e.loc.str(), "t.h:2:6");
}

TEST(CdefParser, EnumGaps) {
  Module m = parse_ok(
      "enum p { A, B, ... };\n"
      "enum g { C = ..., D, E = D + 1, F = 10, G };\n"
      "typedef enum { H, I } anon_e;\n"
      "enum big { X = -9223372036854775807 - 1, Y = 9223372036854775807 };\n");
  EXPECT_TRUE(m.enums[0].partial);
  EXPECT_EQ(m.enums[0].values.size(), 2u);
  const Enum& g = m.enums[1];
  EXPECT_FALSE(g.partial);
  EXPECT_TRUE(g.values[0].gap);
  EXPECT_TRUE(g.values[1].gap);  // implicit after a gap: unknown too
  EXPECT_TRUE(g.values[2].gap);  // depends on a gap
  EXPECT_FALSE(g.values[3].gap);
  EXPECT_EQ(g.values[3].value, 10);
  EXPECT_FALSE(g.values[4].gap);
  EXPECT_EQ(g.values[4].value, 11);
  EXPECT_EQ(m.enums[2].typedef_name, "anon_e");
  EXPECT_EQ(spell(m, td(m, "anon_e").type, "v"), "anon_e v");
  EXPECT_EQ(m.enums[3].values[0].value, INT64_MIN);
  EXPECT_EQ(first_error("enum e { A, ..., B };"), "'...' must be the last item of an enum");
  EXPECT_EQ(first_error("enum e {};"), "use of empty enum");
  EXPECT_EQ(first_error("enum e { A = 9223372036854775807, B };"), "overflow in enumeration value");
  EXPECT_EQ(first_error("enum e { A = 18446744073709551615u };"),
            "enumerator value is not representable in 64 bits");
}

TEST(CdefParser, EnumUsesAndForwardDeclarations) {
  Module m = parse_ok("enum e; extern enum e v; enum e { A, B }; extern int arr[B + 1];");
  ASSERT_EQ(m.enums.size(), 1u);
  EXPECT_TRUE(m.enums[0].complete);
  EXPECT_EQ(var(m, "v").type->kind, TypeKind::Enum);
  EXPECT_EQ(spell(m, var(m, "v").type, "v"), "enum e v");
  EXPECT_EQ(var(m, "arr").type->length, 2u);
}

TEST(CdefParser, EnumeratorConflicts) {
  EXPECT_EQ(first_error("enum e { A, A };"), "redefinition of enumerator 'A'");
  EXPECT_EQ(first_error("enum e { A }; enum f { A = 1 };"), "redefinition of enumerator 'A'");
  EXPECT_EQ(first_error("enum e { A = ... }; enum f { A };"), "redefinition of enumerator 'A'");
  EXPECT_EQ(first_error("int A(int); enum e { A };"),
            "redefinition of 'A' as different kind of symbol");
}

// ---- globals and constants ----------------------------------------------------------------

TEST(CdefParser, GlobalVariables) {
  Module m = parse_ok(
      "extern int counter;\n"
      "int no_extern;\n"
      "extern const int limit;\n"
      "extern char *names[10];\n"
      "extern int x, *y, z[3];\n"
      "static int s;\n"
      "volatile int v;\n");
  EXPECT_EQ(m.variables.size(), 9u);
  EXPECT_EQ(var(m, "counter").loc.str(), "t.h:1:12");
  EXPECT_EQ(var(m, "limit").type->quals, kConst);
  EXPECT_EQ(var(m, "names").type->length, 10u);
  EXPECT_EQ(var(m, "y").type->kind, TypeKind::Pointer);
  EXPECT_EQ(var(m, "z").type->kind, TypeKind::Array);
  EXPECT_EQ(var(m, "v").type->quals, kVolatile);
  EXPECT_EQ(first_error("extern void x;"), "variable has incomplete type 'void'");
}

TEST(CdefParser, StaticConstants) {
  Module m = parse_ok(
      "static const int A;\n"
      "static char *const B;\n"
      "static const double C;\n"
      "static const int D = 5 * 2;\n"
      "static const char *not_const_ptr;\n"
      "static const int arr[3];\n");
  EXPECT_EQ(cst(m, "A").kind, ConstantKind::Static);
  EXPECT_EQ(cst(m, "A").value.kind, ConstantValue::None);
  EXPECT_EQ(spell(m, cst(m, "A").type), "const int");
  EXPECT_EQ(cst(m, "A").loc.str(), "t.h:1:18");
  EXPECT_EQ(cst(m, "B").kind, ConstantKind::Static);
  EXPECT_EQ(spell(m, cst(m, "B").type, "B"), "char *const B");
  EXPECT_EQ(cst(m, "C").kind, ConstantKind::Static);
  EXPECT_EQ(cst(m, "D").value.kind, ConstantValue::Int);
  EXPECT_EQ(cst(m, "D").value.int_value, 10);
  // As in CFFI, a non-const pointer and an array stay variables.
  EXPECT_EQ(var(m, "not_const_ptr").type->kind, TypeKind::Pointer);
  EXPECT_EQ(var(m, "arr").type->kind, TypeKind::Array);
}

TEST(CdefParser, IntegerInitializersDeclareConstants) {
  Module m;
  std::string d = parse_into(
      m, "extern int x = 5; const long y = -2; int (*fp)(int) = 0; static const float f = 1.5;");
  EXPECT_EQ(cst(m, "x").kind, ConstantKind::Define);
  EXPECT_EQ(cst(m, "x").value.int_value, 5);
  EXPECT_EQ(cst(m, "y").value.int_value, -2);
  EXPECT_EQ(var(m, "fp").type->kind, TypeKind::Pointer);
  EXPECT_EQ(cst(m, "f").kind, ConstantKind::Static);
  EXPECT_NE(d.find("warning: initializer of 'fp' is ignored in cdef()"), std::string::npos) << d;
  EXPECT_EQ(first_error("typedef int t = 5;"),
            "illegal initializer (only variables can be initialized)");
}

TEST(CdefParser, Defines) {
  Module m = parse_ok(
      "#define A 42\n"
      "#define B 0x2A\n"
      "#define C 052\n"
      "#define D -1\n"
      "#define E 10UL\n"
      "#define F 18446744073709551615\n"
      "#define G -9223372036854775808\n"
      "#define H ...\n"
      "  #  define I 7 // comment\n"
      "#define J \\\n  8\n");
  EXPECT_EQ(cst(m, "A").kind, ConstantKind::Define);
  EXPECT_EQ(cst(m, "A").value.kind, ConstantValue::Int);
  EXPECT_EQ(cst(m, "A").value.int_value, 42);
  EXPECT_EQ(cst(m, "A").loc.str(), "t.h:1:9");
  EXPECT_EQ(cst(m, "B").value.int_value, 42);
  EXPECT_EQ(cst(m, "C").value.int_value, 42);
  EXPECT_EQ(cst(m, "D").value.int_value, -1);
  EXPECT_FALSE(cst(m, "D").value.is_unsigned);
  EXPECT_EQ(cst(m, "E").value.int_value, 10);
  EXPECT_FALSE(cst(m, "E").value.is_unsigned);
  EXPECT_TRUE(cst(m, "F").value.is_unsigned);
  EXPECT_EQ(static_cast<uint64_t>(cst(m, "F").value.int_value), UINT64_MAX);
  EXPECT_EQ(cst(m, "G").value.int_value, INT64_MIN);
  EXPECT_EQ(cst(m, "H").kind, ConstantKind::DefineGap);
  EXPECT_EQ(cst(m, "H").value.kind, ConstantValue::None);
  EXPECT_EQ(cst(m, "I").value.int_value, 7);
  EXPECT_EQ(cst(m, "J").value.int_value, 8);
}

TEST(CdefParser, DefinesInsideBodies) {
  Module m =
      parse_ok("struct s { int a;\n#define X 1\n  int b; };\nenum e { A,\n#define Y 2\n  B };\n");
  EXPECT_EQ(rec(m, "s").fields.size(), 2u);
  EXPECT_EQ(m.enums[0].values.size(), 2u);
  EXPECT_EQ(cst(m, "X").value.int_value, 1);
  EXPECT_EQ(cst(m, "Y").value.int_value, 2);
}

TEST(CdefParser, DefineErrors) {
  const std::string msg = "only integer literals or '...' are supported in '#define X'";
  for (const char* v : {"1+2", "(1)", "1.5", "\"s\"", "'a'", "Y", "", "1 2", "- - 1"})
    EXPECT_EQ(first_error(std::string("#define X ") + v), msg) << v;
  EXPECT_EQ(first_error("#define X(a) a"), msg);
  EXPECT_EQ(first_error("#define X 18446744073709551616"),
            "integer literal is too large to be represented in any integer type");
  EXPECT_EQ(first_error("#define X -9223372036854775809"),
            "value of '#define X' does not fit in 64 bits");
  EXPECT_EQ(first_error("#define\n"), "macro name missing");
  EXPECT_EQ(parse_err("#define X 1+2\nint f(int);"),
            "t.h:1:12: error: " + msg + "\n#define X 1+2\n           ^\n");
}

// ---- opaque and integer/float typedef gaps ------------------------------------------------

TEST(CdefParser, OpaqueTypedefs) {
  Module m = parse_ok("typedef ... foo_t;\ntypedef ... *foo_p;\ntypedef ... a_t, *a_p;\n");
  ASSERT_EQ(m.records.size(), 3u);
  const Typedef& t = td(m, "foo_t");
  EXPECT_EQ(t.gap, TypedefGap::Opaque);
  ASSERT_EQ(t.type->kind, TypeKind::Record);
  const Record& r = m.records[t.type->index];
  EXPECT_TRUE(r.opaque);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.typedef_name, "foo_t");
  EXPECT_EQ(r.loc.str(), "t.h:1:13");
  const Typedef& p = td(m, "foo_p");
  EXPECT_EQ(p.gap, TypedefGap::Opaque);
  ASSERT_EQ(p.type->kind, TypeKind::Pointer);
  EXPECT_EQ(m.records[p.type->target->index].typedef_name, "foo_p");
  EXPECT_TRUE(m.records[p.type->target->index].opaque);
  // One opaque type for both names of one declaration.
  EXPECT_EQ(td(m, "a_p").type->target->index, td(m, "a_t").type->index);
  EXPECT_EQ(spell(m, td(m, "a_p").type, "x"), "a_t *x");
  EXPECT_EQ(spell(m, p.type, "x"), "foo_p x");
  EXPECT_EQ(first_error("typedef ... **foo_pp;"),
            "'typedef ...' can only declare 'name' or '*name'");
  EXPECT_EQ(first_error("typedef ... foo_t[3];"),
            "'typedef ...' can only declare 'name' or '*name'");
}

TEST(CdefParser, IntegerAndFloatTypedefGaps) {
  Module m = parse_ok(
      "typedef int... i_t;\ntypedef unsigned long long... u_t;\ntypedef char...c_t;\n"
      "typedef signed... s_t, s2_t;\ntypedef const int... ci_t;\n"
      "typedef float... f_t;\ntypedef double... d_t;\n");
  EXPECT_EQ(td(m, "i_t").gap, TypedefGap::Integer);
  EXPECT_EQ(td(m, "i_t").type->name, "int");
  EXPECT_EQ(td(m, "u_t").gap, TypedefGap::Integer);
  EXPECT_EQ(td(m, "u_t").type->name, "unsigned long long");
  EXPECT_EQ(td(m, "c_t").gap, TypedefGap::Integer);
  EXPECT_EQ(td(m, "s2_t").gap, TypedefGap::Integer);
  EXPECT_EQ(td(m, "ci_t").type->quals, kConst);
  EXPECT_EQ(td(m, "f_t").gap, TypedefGap::Float);
  EXPECT_EQ(td(m, "d_t").gap, TypedefGap::Float);
  EXPECT_EQ(td(m, "d_t").type->name, "double");
  EXPECT_EQ(td(m, "d_t").loc.str(), "t.h:7:19");
  EXPECT_EQ(first_error("typedef long double... t;"), "'...' is not allowed here");
  EXPECT_EQ(first_error("typedef _Bool... t;"), "'...' is not allowed here");
  EXPECT_EQ(first_error("typedef size_t... t;"), "'...' is not allowed here");
  EXPECT_EQ(first_error("typedef double... *t;"),
            "only plain names can be declared with 'double...'");
  EXPECT_EQ(first_error("extern int... x;"), "'...' is not allowed here");
  EXPECT_EQ(first_error("int f(int...);"), "'...' is not allowed here");
}

// ---- redefinitions, override, several cdefs -----------------------------------------------

TEST(CdefParser, IdenticalRedefinitionsAreAccepted) {
  Module m = parse_ok(
      "typedef int a; typedef int a;\n"
      "int f(int x); int f(int y);\n"
      "extern int v; extern int v;\n"
      "struct p { int x; }; struct p { int x; };\n"
      "enum e { A, B }; enum e { A, B };\n"
      "#define X 1\n#define X 1\n"
      "typedef struct { int q; } anon_t; typedef struct { int q; } anon_t;\n"
      "typedef ... op_t; typedef ... op_t;\n"
      "typedef enum { Q1, Q2 } q_t; typedef enum { Q1, Q2 } q_t;\n");
  EXPECT_EQ(m.typedefs.size(), 4u);
  EXPECT_EQ(m.functions.size(), 1u);
  EXPECT_EQ(m.variables.size(), 1u);
  EXPECT_EQ(m.enums.size(), 2u);
  EXPECT_EQ(m.constants.size(), 1u);
  EXPECT_EQ(m.records.size(), 3u);  // p, anon_t's record, op_t's record: no duplicates
  EXPECT_EQ(m.order.size(), 12u);
}

TEST(CdefParser, ConflictingRedefinitions) {
  EXPECT_EQ(parse_err("typedef int a;\ntypedef long a;"),
            "t.h:2:14: error: typedef redefinition with different types ('long' vs 'int')\n"
            "typedef long a;\n             ^\n"
            "t.h:1:13: note: previous definition is here\ntypedef int a;\n            ^\n");
  EXPECT_EQ(first_error("int f(int); int f(long);"), "conflicting types for 'f'");
  EXPECT_EQ(first_error("int f(int); extern \"Python\" int f(int);"), "conflicting types for 'f'");
  EXPECT_EQ(first_error("extern int v; extern long v;"),
            "redefinition of 'v' with a different type: 'long' vs 'int'");
  EXPECT_EQ(first_error("struct point { int x; }; struct point { int y; };"),
            "redefinition of 'struct point' with a different body");
  EXPECT_EQ(first_error("enum e { A }; enum e { B };"),
            "redefinition of 'enum e' with a different body");
  {  // in one cdef(), the later '#define' wins with a warning (see DefineTwiceInOneCdef)
    Module m;
    EXPECT_EQ(parse_into(m, "#define X 1\n"), "");
    EXPECT_EQ(parse_into(m, "#define X 2\n"),
              "t.h:1:9: error: 'X' macro redefined with a different value\n#define X 2\n        ^\n"
              "t.h:1:9: note: previous definition is here\n#define X 1\n        ^\n");
  }
  EXPECT_EQ(first_error("typedef int x; extern int x;"),
            "redefinition of 'x' as different kind of symbol");
  EXPECT_EQ(first_error("#define x 1\nint x(void);"),
            "redefinition of 'x' as different kind of symbol");
}

TEST(CdefParser, OverrideReplacesEarlierDeclarations) {
  Module m = parse_ok(
      "typedef int a; int f(int); extern int v; struct p { int x; }; #define X 1\n"
      "enum e { A };");
  CdefOptions o;
  o.override = true;
  EXPECT_EQ(parse_into(m,
                       "typedef long a; int f(long); extern long v; struct p { int y; int z; };\n"
                       "#define X 2\nenum e { B, C };",
                       o),
            "");
  EXPECT_EQ(td(m, "a").type->name, "long");
  EXPECT_EQ(fn(m, "f").type->params[0].type->name, "long");
  EXPECT_EQ(var(m, "v").type->name, "long");
  EXPECT_EQ(rec(m, "p").fields.size(), 2u);
  EXPECT_EQ(cst(m, "X").value.int_value, 2);
  EXPECT_EQ(m.enums[0].values.size(), 2u);
  EXPECT_EQ(m.typedefs.size(), 1u);
  EXPECT_EQ(m.functions.size(), 1u);
  // Without override the same text is an error.
  Module m2 = parse_ok("typedef int a;");
  EXPECT_NE(parse_into(m2, "typedef long a;"), "");
}

TEST(CdefParser, SeveralCdefsAddUp) {
  Module m = parse_ok("typedef int myint; #define N 3\nenum { K = 2 };");
  EXPECT_EQ(parse_into(m, "extern myint arr[N + K]; struct s { myint x; };"), "");
  EXPECT_EQ(var(m, "arr").type->length, 5u);
  EXPECT_EQ(var(m, "arr").type->target->name, "myint");
  EXPECT_EQ(parse_into(m, "int g(struct s *);"), "");
  EXPECT_EQ(m.records.size(), 1u);
}

TEST(CdefParser, ModuleOrderFollowsTheSource) {
  Module m = parse_ok(
      "#define N 1\n"
      "struct s { int x; };\n"
      "typedef struct s s_t;\n"
      "enum e { A };\n"
      "int f(void);\n"
      "extern int v;\n"
      "typedef ... o_t;\n");
  std::vector<std::pair<DeclRef::Kind, int>> want = {
      {DeclRef::Constant, 0}, {DeclRef::Record, 0},   {DeclRef::Typedef, 0}, {DeclRef::Enum, 0},
      {DeclRef::Function, 0}, {DeclRef::Variable, 0}, {DeclRef::Record, 1},  {DeclRef::Typedef, 1}};
  ASSERT_EQ(m.order.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(m.order[i].kind, want[i].first) << i;
    EXPECT_EQ(m.order[i].index, want[i].second) << i;
  }
}

TEST(CdefParser, FindHelpers) {
  Module m2 = parse_ok("struct a; union u; enum b { X }; typedef int c;");
  EXPECT_EQ(m2.find_record("a", false), 0);
  EXPECT_EQ(m2.find_record("a", true), -1);
  EXPECT_EQ(m2.find_record("u", true), 1);
  EXPECT_EQ(m2.find_enum("b"), 0);
  EXPECT_EQ(m2.find_enum("zz"), -1);
  EXPECT_EQ(m2.find_typedef("c"), 0);
  EXPECT_EQ(m2.find_typedef("a"), -1);
}

// ---- locations, line markers, comments ----------------------------------------------------

TEST(CdefParser, LineMarkersRemapLocations) {
  Module m;
  std::string d = parse_into(m, "int ok(void);\n# 42 \"foo.h\"\nint f(int);\nint g(bad_t);\n");
  EXPECT_EQ(fn(m, "ok").loc.str(), "t.h:1:5");
  EXPECT_EQ(fn(m, "f").loc.str(), "foo.h:42:5");
  EXPECT_EQ(fn(m, "f").loc.buffer->text.substr(fn(m, "f").loc.offset, 1), "f");
  EXPECT_EQ(d, "foo.h:43:7: error: unknown type name 'bad_t'\nint g(bad_t);\n      ^\n");
}

TEST(CdefParser, FirstLineOfTheBuffer) {
  Module m;
  std::string d = parse_into(m, "\n  int f(int);\n  int g(bad_t);", {}, "foo_build.py", 12);
  EXPECT_EQ(fn(m, "f").loc.str(), "foo_build.py:13:7");
  EXPECT_EQ(d, "foo_build.py:14:9: error: unknown type name 'bad_t'\n  int g(bad_t);\n        ^\n");
}

TEST(CdefParser, Comments) {
  Module m =
      parse_ok("/* a\n * block */ int f(int /* x */); // line\n// int g(void);\nint h(void);");
  EXPECT_EQ(m.functions.size(), 2u);
  EXPECT_EQ(fn(m, "f").loc.str(), "t.h:2:17");
}

TEST(CdefParser, UnsupportedDirectives) {
  Module m;
  std::string d = parse_into(m, "#include <stdio.h>\nint f(int);\n#ifdef X\n#endif\n");
  EXPECT_EQ(d,
            "t.h:1:1: error: '#include' is not supported in cdef()\n#include <stdio.h>\n^\n"
            "t.h:3:1: error: '#ifdef' is not supported in cdef()\n#ifdef X\n^\n"
            "t.h:4:1: error: '#endif' is not supported in cdef()\n#endif\n^\n");
  EXPECT_EQ(m.functions.size(), 1u);
  EXPECT_EQ(first_error("#if 1\n"), "'#if' is not supported in cdef()");
}

// ---- errors and recovery ------------------------------------------------------------------

TEST(CdefParser, SeveralErrorsInOneRun) {
  Module m;
  std::string d = parse_into(m,
                             "int f(foo_t x);\n"
                             "int g(int)\n"
                             "int h(void);\n"
                             "struct s { int a; bad_t b; int c; };\n"
                             "#define Y 1.5\n"
                             "enum e { A = 1.0, B };\n"
                             "int k(int);\n");
  EXPECT_EQ(d,
            "t.h:1:7: error: unknown type name 'foo_t'\nint f(foo_t x);\n      ^\n"
            "t.h:2:11: error: expected ';' after declaration\nint g(int)\n          ^\n"
            "t.h:4:19: error: unknown type name 'bad_t'\nstruct s { int a; bad_t b; int c; };\n"
            "                  ^\n"
            "t.h:5:11: error: only integer literals or '...' are supported in '#define Y'\n"
            "#define Y 1.5\n          ^\n"
            "t.h:6:14: error: expected an integer constant, got floating literal 1.0\n"
            "enum e { A = 1.0, B };\n             ^\n");
  // Recovery kept everything that was right.
  EXPECT_EQ(m.functions.size(), 3u);  // g, h, k
  EXPECT_EQ(rec(m, "s").fields.size(), 2u);
  EXPECT_EQ(m.enums[0].values.size(), 1u);
  EXPECT_EQ(m.enums[0].values[0].name, "B");
}

TEST(CdefParser, MissingSemicolonOnTheSameLineSkipsTheRest) {
  Module m;
  std::string d = parse_into(m, "int x y z;\nint ok(void);");
  EXPECT_EQ(d, "t.h:1:6: error: expected ';' after declaration\nint x y z;\n     ^\n");
  EXPECT_EQ(m.functions.size(), 1u);
}

TEST(CdefParser, MissingSemicolonAfterAStructBody) {
  Module m;
  std::string d = parse_into(m, "struct s { int a; }\nint f(void);\nenum e { A }\ntypedef int t;");
  EXPECT_EQ(
      d,
      "t.h:1:20: error: expected ';' after struct\nstruct s { int a; }\n                   ^\n"
      "t.h:3:13: error: expected ';' after enum\nenum e { A }\n            ^\n");
  EXPECT_TRUE(rec(m, "s").complete);
  EXPECT_EQ(m.functions.size(), 1u);
  EXPECT_EQ(m.typedefs.size(), 1u);
}

TEST(CdefParser, StrayTokens) {
  EXPECT_EQ(first_error("}"), "extraneous closing brace ('}')");
  EXPECT_EQ(first_error("42;"), "expected a declaration, got '42'");
  EXPECT_EQ(first_error("int;"), "");  // a warning: declaration does not declare anything
  EXPECT_EQ(first_error("int *;"), "expected identifier or '(', got ';'");
  EXPECT_EQ(first_error("int (x;"), "expected ')', got ';'");
  EXPECT_EQ(first_error("struct s { int a; "), "expected '}'");
  EXPECT_EQ(first_error("_Static_assert(1, \"x\");"),
            "'_Static_assert' is not supported in cdef()");
  EXPECT_EQ(first_error("int f(a, b);"), "unknown type name 'a'");
}

TEST(CdefParser, TooManyErrorsStops) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "bad_t x" + std::to_string(i) + ";\n";
  Module m;
  Diagnostics d;
  EXPECT_FALSE(parse_cdef(m, buffer(text), {}, d));
  EXPECT_LE(d.error_count(), 22u);
  EXPECT_EQ(d.all().back().message, "too many errors emitted, stopping now");
}

TEST(CdefParser, DeepNestingIsAnErrorNotACrash) {
  const int n = 100000;
  auto check = [](const std::string& text) {
    Module m;
    Diagnostics d;
    EXPECT_FALSE(parse_cdef(m, buffer(text), {}, d));
    EXPECT_NE(d.render().find("error:"), std::string::npos);
  };
  check("extern int " + std::string(n, '(') + "x" + std::string(n, ')') + ";");
  check("extern int a[" + std::string(n, '(') + "1" + std::string(n, ')') + "];");
  check("extern int a[" + std::string(n, '~') + "1];");
  check("extern int " + std::string(n, '*') + "p;");
  std::string structs;
  for (int i = 0; i < 2000; ++i) structs += "struct s" + std::to_string(i) + " { ";
  check(structs);
  std::string fps = "void f(";
  for (int i = 0; i < 2000; ++i) fps += "void (*)(";
  check(fps);
  // Up to the limit, nesting works.
  Module m = parse_ok("extern int " + std::string(100, '(') + "x" + std::string(100, ')') + ";");
  EXPECT_EQ(m.variables.size(), 1u);
}

TEST(CdefParser, GarbageAndTruncatedInputsNeverCrash) {
  const std::string base =
      "struct point { int x, y; }; typedef struct point point_t; int area(struct point *p);\n"
      "typedef struct { int a; char *b[4]; } anon_t;\nextern int (*fp)(int, char *);\n"
      "void (*signal(int, void (*)(int)))(int);\n#define LIMIT ...\n#define N 10\n"
      "enum color { RED, GREEN = 5, BLUE, ... };\nenum e2 { A = N * 2, B = A | 1, C = ..., D };\n"
      "extern int arr[N][A];\nstatic const int SC;\ntypedef ... opaque_t; typedef int... myint_t;\n"
      "extern \"Python\" int cb(int);\nextern \"Python+C\" { int cb2(int); }\n"
      "struct s { int a:3; int :2; struct { int x; }; union { int y; float z; } u; int flex[]; };\n"
      "struct partial { int x; ...; };\nextern int g[...][3];\n# 5 \"x.h\"\n/* c */ // c\n"
      "int f(int (*)[3], char *[], int (*)(int), ...);\n";
  const char* frags[] = {
      "(",      ")",          "[",       "]",  "{", "}",  ";",       ",",    "*", "...",   "int",
      "struct", "enum",       "typedef", "x",  "=", "1",  "#define", "\n",   ":", "const", "union",
      "extern", "\"Python\"", "'a'",     "/*", "-", "<<", "static",  "void", "#", "@"};
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text;
    if (iter % 3 == 0) {
      text = base.substr(0, rng() % base.size());
    } else if (iter % 3 == 1) {
      int n = rng() % 40;
      for (int i = 0; i < n; ++i) text += std::string(frags[rng() % std::size(frags)]) + " ";
    } else {
      text = base;
      for (int i = 0, n = 1 + rng() % 5; i < n; ++i)
        text.insert(rng() % text.size(), frags[rng() % std::size(frags)]);
    }
    Module m;
    Diagnostics d;
    CdefOptions o;
    o.override = iter & 1;
    // A failed parse always says why, with a location; a successful one reports no error.
    bool ok = parse_cdef(m, buffer(text), o, d);
    EXPECT_EQ(ok, !d.has_errors()) << text;
    size_t before = d.error_count();
    bool again = parse_cdef(m, buffer(text), o, d);  // again, over the same module
    EXPECT_EQ(again, d.error_count() == before) << text;
    for (const Diagnostic& x : d.all()) {
      EXPECT_FALSE(x.message.empty()) << text;
      EXPECT_GE(x.loc.line, 1u) << x.message << "\n" << text;
    }
    for (const Record& r : m.records)
      for (const Field& f : r.fields) c_type_string(m, f.type, f.name);
    for (const Typedef& t : m.typedefs) c_type_string(m, t.type, t.name);
    for (const Function& f : m.functions) c_type_string(m, f.type, f.name);
    for (const Variable& v : m.variables) c_type_string(m, v.type, v.name);
    EXPECT_EQ(d.render().empty(), d.all().empty());
    Diagnostics d2;
    TypeRef t = parse_type_name(m, text.substr(0, rng() % 40), d2);
    EXPECT_EQ(t == nullptr, d2.has_errors()) << text.substr(0, 40);
  }
}

// ---- what CFFI accepts from real headers -------------------------------------------------

TEST(CdefParser, EmptyCdefs) {
  for (const char* text : {"", "  \n\t\n", "// only a comment\n/* and\n another */\n",
                           "# 1 \"empty.h\"\n", ";;"}) {
    Module m = parse_ok(text);
    EXPECT_TRUE(m.order.empty()) << text;
  }
  Module m;
  EXPECT_EQ(parse_into(m, "int f(void);"), "");
  EXPECT_EQ(parse_into(m, ""), "");
  EXPECT_EQ(m.order.size(), 1u);
}

TEST(CdefParser, CallingConventionsAreIgnored) {
  Module m = parse_ok(
      "extern int (__stdcall *f)(int);\n"
      "void __cdecl foo(void);\n"
      "typedef int (WINAPI *cb_t)(int);\n"
      "void WINAPI w(int); __stdcall int s(void); int * __cdecl p(void);\n"
      "extern int (__cdecl *g[2])(void); extern int (* __stdcall h)(int);\n"
      "extern int (__stdcall __cdecl *k)(int); extern int __stdcall (*l)(int);\n"
      "int use(int (__stdcall *cb)(int), cb_t, int (WINAPI *)(int));\n"
      "struct s { int (__stdcall *cb)(int); };\n");
  EXPECT_EQ(spell(m, var(m, "f").type, "f"), "int (*f)(int)");
  EXPECT_EQ(spell(m, fn(m, "foo").type, "foo"), "void foo(void)");
  EXPECT_EQ(spell(m, td(m, "cb_t").type), "int (*)(int)");
  EXPECT_EQ(spell(m, fn(m, "w").type, "w"), "void w(int)");
  EXPECT_EQ(spell(m, fn(m, "s").type, "s"), "int s(void)");
  EXPECT_EQ(spell(m, fn(m, "p").type, "p"), "int *p(void)");
  EXPECT_EQ(spell(m, var(m, "g").type, "g"), "int (*g[2])(void)");
  EXPECT_EQ(spell(m, var(m, "h").type, "h"), "int (*h)(int)");
  EXPECT_EQ(spell(m, var(m, "k").type, "k"), "int (*k)(int)");
  EXPECT_EQ(spell(m, var(m, "l").type, "l"), "int (*l)(int)");
  EXPECT_EQ(spell(m, fn(m, "use").type), "int (int (*)(int), cb_t, int (*)(int))");
  EXPECT_EQ(spell(m, rec(m, "s").fields[0].type, "cb"), "int (*cb)(int)");
  // WINAPI is a keyword, as in CFFI; '__fastcall' is not known (CFFI refuses it too).
  EXPECT_EQ(first_error("int WINAPI(int);"), "expected identifier or '('");
  EXPECT_EQ(first_error("int __fastcall f(int);"), "expected ';' after declaration");
}

TEST(CdefParser, EmptyParenthesesMeanVoid) {
  Module m = parse_ok("void foo(); extern int (*fp)(); typedef int (*cb)(); int g(cb, int());");
  EXPECT_EQ(spell(m, fn(m, "foo").type, "foo"), "void foo(void)");
  EXPECT_EQ(spell(m, var(m, "fp").type, "fp"), "int (*fp)(void)");
  EXPECT_EQ(spell(m, td(m, "cb").type), "int (*)(void)");
  EXPECT_EQ(spell(m, fn(m, "g").type), "int (cb, int (*)(void))");
  EXPECT_TRUE(fn(m, "foo").type->params.empty());
  EXPECT_FALSE(fn(m, "foo").type->variadic);
}

TEST(CdefParser, ArrayParametersDecayEvenWithAGapLength) {
  Module m = parse_ok(
      "typedef int arr_t[...];\ntypedef char name_t[16];\n"
      "void f(arr_t a); void g(int a[], int b[5], const name_t n, arr_t *p[2]);\n"
      "struct s { arr_t a; };\n");
  EXPECT_EQ(spell(m, fn(m, "f").type, "f"), "void f(int *)");
  EXPECT_EQ(spell(m, fn(m, "g").type, "g"), "void g(int *, int *, const char *, arr_t **)");
  EXPECT_EQ(spell(m, rec(m, "s").fields[0].type, "a"), "arr_t a");  // the field keeps its gap
  Module m2 = parse_ok("typedef int arr_t[...]; void f(arr_t a[2]);");  // through its name
  EXPECT_EQ(spell(m2, fn(m2, "f").type), "void (arr_t *)");
}

TEST(CdefParser, QualifierFormsRoundTrip) {
  Module m = parse_ok(
      "int f(const char *const *argv, char *const argv2[], int *restrict p,\n"
      "      const volatile int *v, char * const * const r, int a[const restrict 3]);\n"
      "struct q { const char *const *argv; char *const a2[4]; int *restrict p;\n"
      "           const volatile int *v; char * const * const r; };\n");
  const char* const params[] = {"const char *const *", "char *const *", "int *restrict",
                                "const volatile int *", "char *const *const",
                                "int *const restrict"};
  const auto& ps = fn(m, "f").type->params;
  ASSERT_EQ(ps.size(), 6u);
  const char* const fields[] = {"const char *const *argv", "char *const a2[4]",
                                "int *restrict p", "const volatile int *v",
                                "char *const *const r"};
  const auto& fs = rec(m, "q").fields;
  ASSERT_EQ(fs.size(), 5u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(spell(m, ps[i].type), params[i]);
    if (i < 5) {
      EXPECT_EQ(spell(m, fs[i].type, fs[i].name), fields[i]);
    }
    // c_type_string's spelling parses back to the same spelling.
    Diagnostics d;
    TypeRef back = parse_type_name(m, spell(m, ps[i].type), d);
    ASSERT_NE(back, nullptr) << d.render();
    EXPECT_EQ(spell(m, back), params[i]);
  }
}

TEST(CdefParser, RepeatedTypedefsThroughOtherTypedefs) {
  Module m;
  EXPECT_EQ(parse_into(m, "typedef int T; typedef T T;\ntypedef int A; typedef int B;\n"
                          "typedef A X; typedef B X; typedef const A *CP; typedef const int *CP;"),
            "");
  EXPECT_EQ(parse_into(m, "typedef int T; typedef T T; typedef int (*F)(A); typedef int (*F)(B);"),
            "");
  EXPECT_EQ(m.typedefs.size(), 6u);
  EXPECT_EQ(spell(m, td(m, "T").type), "int");
  EXPECT_EQ(spell(m, td(m, "X").type), "A");
  EXPECT_EQ(first_error("typedef int T; typedef const T T;"),
            "typedef redefinition with different types ('const T' vs 'int')");
  EXPECT_EQ(first_error("typedef int... G; typedef G H; typedef int H;"),
            "typedef redefinition with different types ('int' vs 'G')");
}

TEST(CdefParser, TheSameEnumeratorInSeveralEnums) {
  Module m;
  EXPECT_EQ(parse_into(m, "enum a { X, Y = 5 }; enum b { X, Z };\nenum { Y = 5, W = ... };"), "");
  EXPECT_EQ(parse_into(m, "enum c { X }; enum { W = ... };\nenum { X, Y = 5 };"), "");
  // Each enum lists its values; an anonymous enum repeating only old ones is dropped.
  ASSERT_EQ(m.enums.size(), 4u);
  EXPECT_EQ(m.enums[1].values.size(), 2u);
  EXPECT_EQ(m.enums[1].values[0].name, "X");
  EXPECT_EQ(m.enums[2].values[0].name, "Y");
  EXPECT_EQ(m.enums[3].tag, "c");
  EXPECT_EQ(m.order.size(), 4u);
  EXPECT_EQ(first_error("enum a { X }; enum b { X = 1 };"), "redefinition of enumerator 'X'");
  EXPECT_EQ(first_error("enum { W = ... }; enum { W = 0 };"), "redefinition of enumerator 'W'");
}

TEST(CdefParser, DefineTwiceInOneCdefKeepsTheLastValue) {
  Module m;
  EXPECT_EQ(parse_into(m, "#define X 1\n#define X 2\n#define G ...\n#define G 7\n#define X 2\n"),
            "t.h:2:9: warning: 'X' macro redefined\n#define X 2\n        ^\n"
            "t.h:1:9: note: previous definition is here\n#define X 1\n        ^\n"
            "t.h:4:9: warning: 'G' macro redefined\n#define G 7\n        ^\n"
            "t.h:3:9: note: previous definition is here\n#define G ...\n        ^\n");
  ASSERT_EQ(m.constants.size(), 2u);
  EXPECT_EQ(cst(m, "X").value.int_value, 2);
  EXPECT_EQ(cst(m, "G").kind, ConstantKind::Define);
  EXPECT_EQ(cst(m, "G").value.int_value, 7);
  EXPECT_EQ(cst(m, "G").loc.line, 4u);
  EXPECT_EQ(first_error("#define X 1\nint X;"),
            "redefinition of 'X' as different kind of symbol");
}

TEST(CdefParser, C11SpecifiersCffiAccepts) {
  Module m = parse_ok(
      "_Noreturn void die(void); void _Noreturn die2(int);\n"
      "_Thread_local int tl; extern _Thread_local int tl2; register int r; auto int a;\n"
      "int f(register int x, auto int *y);\n");
  EXPECT_EQ(spell(m, fn(m, "die").type, "die"), "void die(void)");
  EXPECT_EQ(spell(m, fn(m, "die2").type, "die2"), "void die2(int)");
  EXPECT_EQ(m.variables.size(), 4u);
  EXPECT_EQ(spell(m, var(m, "tl2").type), "int");
  EXPECT_EQ(spell(m, fn(m, "f").type), "int (int, int *)");
  EXPECT_EQ(first_error("struct s { register int a; };"), "'register' is not allowed here");
  // _Atomic and _Alignas, which CFFI accepts: _Atomic(T) is T, the qualifier is dropped;
  // a field's _Alignas(...) is kept as written for its own layout.
  Module a = parse_ok(
      "_Atomic int x; extern _Atomic(unsigned long) total; int g(_Atomic(char *) p);\n"
      "struct al { char c; _Alignas(16) int v; _Alignas(long) short w; };\n");
  EXPECT_EQ(spell(a, var(a, "x").type), "int");
  EXPECT_EQ(spell(a, var(a, "total").type), "unsigned long");
  EXPECT_EQ(spell(a, fn(a, "g").type), "int (char *)");
  ASSERT_EQ(a.records[0].fields.size(), 3u);
  EXPECT_EQ(a.records[0].fields[0].alignas_text, "");
  EXPECT_EQ(a.records[0].fields[1].alignas_text, "16");
  EXPECT_EQ(a.records[0].fields[2].alignas_text, "long");
  EXPECT_EQ(c_record_body(a, a.records[0]),
            "char c; _Alignas(16) int v; _Alignas(long) short w; ");
  EXPECT_EQ(first_error("extern _Atomic(int x;"), "expected ')' after the type of '_Atomic('");
}

// ---- parse_type_name ----------------------------------------------------------------------

TEST(CdefTypeName, ParsesAbstractTypeNames) {
  Module m = parse_ok(
      "struct foo { int a; }; typedef struct foo foo_t; enum e { K = 3 };"
      "#define N 4\ntypedef ... opaque_t;");
  struct Case {
    const char* text;
    const char* spelled;
  };
  const Case cases[] = {
      {"int", "int"},
      {"unsigned long long", "unsigned long long"},
      {"int[]", "int[]"},
      {"int[10]", "int[10]"},
      {"int[N][K]", "int[4][3]"},
      {"int(*)(int)", "int (*)(int)"},
      {"int (*)(int, ...)", "int (*)(int, ...)"},
      {"char *[10]", "char *[10]"},
      {"char (*)[10]", "char (*)[10]"},
      {"struct foo", "struct foo"},
      {"struct foo *", "struct foo *"},
      {"foo_t *", "foo_t *"},
      {"const foo_t *const", "const foo_t *const"},
      {"opaque_t *", "opaque_t *"},
      {"enum e", "enum e"},
      {"size_t", "size_t"},
      {"void *", "void *"},
      {"int (*[3])(void)", "int (*[3])(void)"},
      {"int(int)", "int (int)"},
      // CFFI's syntax: a declarator name is ignored, conventions too, '()' is '(void)'
      {"int x", "int"},
      {"int *p", "int *"},
      {"struct foo *sp[2]", "struct foo *[2]"},
      {"void foo()", "void (void)"},
      {"int (*fp)(int x)", "int (*)(int)"},
      {"unsigned foo_t", "unsigned int"},
      {"foo_t foo_t", "foo_t"},
      {"int *__restrict", "int *"},
      {"int(*)()", "int (*)(void)"},
      {"int(__stdcall *)(int)", "int (*)(int)"},
      {"int (WINAPI *f)(int)", "int (*)(int)"},
      {"int (* __cdecl)(int)", "int (*)(int)"},
      {"int(*)(int a[], foo_t b[3])", "int (*)(int *, foo_t *)"},
  };
  for (const Case& c : cases) {
    Diagnostics d;
    TypeRef t = parse_type_name(m, c.text, d);
    ASSERT_NE(t, nullptr) << c.text << "\n" << d.render();
    EXPECT_EQ(d.render(), "");
    EXPECT_EQ(c_type_string(m, t), c.spelled) << c.text;
  }
  Diagnostics d;
  TypeRef t = parse_type_name(m, "struct foo *", d);
  EXPECT_EQ(t->kind, TypeKind::Pointer);
  EXPECT_EQ(t->target->kind, TypeKind::Record);
  EXPECT_EQ(t->target->index, 0);
}

TEST(CdefTypeName, RejectsGarbage) {
  Module m = parse_ok("struct foo { int a; }; #define G ...\n");
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "expected a type, got end of input"},
      {"foo_t", "unknown type name 'foo_t'"},
      {"struct bar", "unknown type 'struct bar'"},
      {"enum zz", "unknown type 'enum zz'"},
      {"int x;", "unexpected ';' after the type name"},
      {"int a, b", "unexpected ',' after the type name"},
      {"int * const __restrict x", "unexpected 'x' after the type name"},
      {"__const int *", "'__const' is not supported in cdef(); use 'const'"},
      {"int[...]", "'[...]' is not allowed here"},
      {"int[G]", "the value of 'G' is only known to the C compiler"},
      {"int *)", "unexpected ')' after the type name"},
      {"struct { int a; }", "cannot define a type in a type name"},
      {"int(", "expected a type, got end of input"},
      {"static int", "'static' is not allowed here"},
      {"int @", "invalid character '@' in cdef"},
      {"#define X 1", "'#define' is not allowed in a type name"},
      {"int #pragma pack(1)", "'#' is not allowed in a type name"},
      {"struct { int a; } *", "cannot define a type in a type name"},
      // found by the fuzzer: a body inside a parameter of a type name
      {"void (*)(struct point { int x; })", "cannot define a type in a type name"},
      {"int (*)(enum e { A } x)", "cannot define a type in a type name"},
      {"enum e { A }", "cannot define a type in a type name"},
      {"struct nowhere *", "unknown type 'struct nowhere'"},
  };
  for (const Case& c : cases) {
    Diagnostics d;
    EXPECT_EQ(parse_type_name(m, c.text, d), nullptr) << c.text;
    ASSERT_FALSE(d.all().empty()) << c.text;
    EXPECT_EQ(d.all()[0].message, c.message) << c.text;
  }
  Diagnostics d;
  parse_type_name(m, "unsigned foo_t x", d);
  EXPECT_EQ(d.render(),
            "<type name>:1:16: error: unexpected 'x' after the type name\n"
            "unsigned foo_t x\n               ^\n");
  // The module was not changed.
  EXPECT_EQ(m.records.size(), 1u);
}

TEST(CdefTypeName, UnknownNamesCarryACode) {
  Module m = parse_ok("struct known { int a; }; typedef int my_t;");
  struct Case {
    const char* text;
    DiagCode code;
  };
  const Case cases[] = {{"struct nowhere *", DiagCode::UnknownRecord},
                        {"union nowhere", DiagCode::UnknownRecord},
                        {"enum nowhere", DiagCode::UnknownEnum},
                        {"nowhere_t *", DiagCode::UnknownTypeName},
                        {"int *)", DiagCode::Other}};
  for (const Case& c : cases) {
    Diagnostics d;
    EXPECT_EQ(parse_type_name(m, c.text, d), nullptr) << c.text;
    ASSERT_FALSE(d.all().empty()) << c.text;
    EXPECT_EQ(d.all()[0].code, c.code) << c.text;
  }
  Diagnostics d;
  EXPECT_NE(parse_type_name(m, "struct known *", d), nullptr);
  EXPECT_NE(parse_type_name(m, "my_t", d), nullptr);
  EXPECT_TRUE(d.all().empty());
}

// ---- c_type_string ------------------------------------------------------------------------

TEST(CdefTypeString, SpellsDeclarations) {
  Module m = parse_ok(
      "struct tag { int a; }; union un { int b; }; enum en { E1 };\n"
      "typedef struct { int c; } anon_t;\n"
      "extern int *a[4]; extern int (*pa)[4]; extern const char *const *pp;\n"
      "extern int (*f)(int, char *); extern struct tag st; extern union un u;\n"
      "extern enum en e; extern anon_t an; extern int gap[...][2]; extern int un_[];\n"
      "extern void (*(*cb)(int))(void); extern volatile unsigned long vul;\n");
  EXPECT_EQ(spell(m, var(m, "a").type, "a"), "int *a[4]");
  EXPECT_EQ(spell(m, var(m, "a").type), "int *[4]");
  EXPECT_EQ(spell(m, var(m, "pa").type, "pa"), "int (*pa)[4]");
  EXPECT_EQ(spell(m, var(m, "pp").type, "pp"), "const char *const *pp");
  EXPECT_EQ(spell(m, var(m, "f").type, "f"), "int (*f)(int, char *)");
  EXPECT_EQ(spell(m, var(m, "st").type, "st"), "struct tag st");
  EXPECT_EQ(spell(m, var(m, "u").type), "union un");
  EXPECT_EQ(spell(m, var(m, "e").type), "enum en");
  EXPECT_EQ(spell(m, var(m, "an").type, "an"), "anon_t an");
  EXPECT_EQ(spell(m, var(m, "gap").type, "gap"), "int gap[...][2]");
  EXPECT_EQ(spell(m, var(m, "un_").type, "x"), "int x[]");
  EXPECT_EQ(spell(m, var(m, "cb").type, "cb"), "void (*(*cb)(int))(void)");
  EXPECT_EQ(spell(m, var(m, "vul").type, "vul"), "volatile unsigned long vul");
  EXPECT_EQ(spell(m, nullptr, "x"), "void x");
}

TEST(CdefTypeString, ResolvedGapsPrintTheirLength) {
  Module m = parse_ok("extern int g[...];");
  auto t = std::make_shared<Type>(*m.variables[0].type);
  t->length_kind = ArrayLength::Known;
  t->length = 7;
  EXPECT_EQ(c_type_string(m, t, "g"), "int g[7]");
}

}  // namespace
