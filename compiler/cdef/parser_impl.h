// Inside the cdef parser: the Parser class shared by parser.cpp, declarators.cpp, const_expr.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cdef/decl.h"
#include "cdef/diagnostics.h"
#include "cdef/lexer.h"
#include "cdef/location.h"
#include "cdef/parser.h"

namespace cdefc::cdef::detail {

/// Thrown after an error was reported; caught where the parser can resynchronize.
struct Bail {};
/// Thrown when too many errors were reported; ends the parse.
struct Stop {};

inline constexpr int kMaxNesting = 256;         ///< parentheses, brackets, bodies, unary operators
inline constexpr unsigned kMaxTypeDepth = 256;  ///< derived-type nodes in one type
inline constexpr size_t kMaxErrors = 20;        ///< per parse, as clang's -ferror-limit

/// Where a declaration (or type) appears; decides what is allowed.
enum class Ctx { File, Field, Param, TypeName };

/// The value of an integer constant expression; `known` is false when it depends on a gap.
struct CValue {
  uint64_t bits = 0;
  bool uns = false;
  bool known = true;
  std::string unknown_name;  ///< the name whose value is not known
  int64_t s() const { return static_cast<int64_t>(bits); }
};

/// The declaration specifiers before the declarators.
struct Spec {
  bool is_typedef = false, is_extern = false, is_static = false;
  unsigned quals = kNone;
  TypeRef base;  ///< the type, qualifiers included
  Location loc;
  TypedefGap gap = TypedefGap::None;
  int record = -1;        ///< a struct/union specifier's record
  int enm = -1;           ///< an enum specifier's enum
  bool tag_body = false;  ///< the struct/union/enum specifier had a body
  std::string type_word;  ///< first type specifier, for "cannot combine" messages
  bool ended = false;     ///< 'struct s { ... }' then a new declaration: the ';' is missing
  std::string alignas_text;  ///< the argument of _Alignas(...) as written, "" when none
};

/// One '[N]' or '(params)' after a declarator's name.
struct Suffix {
  bool is_array = true;
  ArrayLength len_kind = ArrayLength::Known;
  uint64_t len = 0;
  unsigned quals = kNone;  ///< '[const 3]' in a parameter
  std::vector<Param> params;
  bool variadic = false;
  Location loc;
};

/// A parsed declarator: pointers, then a name or a nested declarator, then suffixes.
struct Declarator {
  std::vector<unsigned> pointers;  ///< qualifiers of each '*', left to right
  std::unique_ptr<Declarator> inner;
  std::string name;
  Location name_loc;
  std::vector<Suffix> suffixes;
  const Declarator& innermost() const { return inner ? inner->innermost() : *this; }
};

/// True for the name of an integer type: char, short, int, long (signed or unsigned),
/// _Bool, wchar_t, char16_t, char32_t, and the standard typedefs but FILE (int32_t, size_t).
bool is_integer_name(const std::string& n);

/// The recursive-descent parser of one cdef text or type name. Errors are reported into
/// the Diagnostics; Bail and Stop unwind to where parsing can go on.
class Parser {
 public:
  /// A parser over `toks` (ending in Eof). `cm` is what names resolve against; `m` receives
  /// the declarations (the same module as `cm`), or is null to parse a type name only.
  Parser(const Module& cm, Module* m, const CdefOptions& opts, Diagnostics& diags,
         std::vector<Token> toks);
  /// Parses the whole text as cdef declarations.
  void parse_file();
  /// Parses the whole text as one abstract type name; null after an error.
  TypeRef parse_type_name();

 private:
  // ---- tokens and errors (parser.cpp; the token accessors below the class) ----------------
  /// The current token.
  const Token& cur() const;
  /// The token `n` ahead of the current one (Eof past the end).
  const Token& peek(size_t n = 1) const;
  /// The token before the current one.
  const Token& prev() const;
  /// Moves to the next token (never past Eof).
  void advance();
  /// True if the current token is the punctuator `p`.
  bool is_punct(const char* p) const;
  /// Skips the punctuator `p` if it is the current token; says whether it was.
  bool accept(const char* p);
  /// True if the current token is the identifier (or keyword) `w`.
  bool is_word(const char* w) const;
  /// Reports an error (and stops the parse after too many).
  Diagnostic& error(const Location& loc, std::string msg);
  /// Reports an error and abandons the current construct (throws Bail).
  [[noreturn]] void fail(const Location& loc, std::string msg,
                         DiagCode code = DiagCode::Other);
  /// Attaches a note at `loc` to `d` (nothing if `loc` is not valid).
  void note(Diagnostic& d, const Location& loc, std::string msg);
  /// A token for a message: 'text' in quotes, or "end of input".
  std::string spelling(const Token& t) const;
  /// '__attribute__' and friends: an error with a hint (no-op for other tokens).
  void reject_unsupported(const Token& t);
  /// A missing ';': clang's message; resynchronize only if the line goes on.
  void expect_semi(const char* msg);
  /// The '}' that closes the body opened at `open`.
  void close_brace(const Location& open);
  /// RAII nesting counter: errors out instead of overflowing the stack.
  struct Nest {
    Parser& p;
    Nest(Parser& parser, const Location& loc) : p(parser) {
      if (++p.depth_ > kMaxNesting) {
        --p.depth_;
        p.fail(loc, "bracket nesting level exceeded maximum of " + std::to_string(kMaxNesting));
      }
    }
    ~Nest() { --p.depth_; }
  };

  /// Skips to the end of the current declaration: past ';' at this level, or before a '}'
  /// closing an enclosing block, or before a '#define'.
  void recover();

  // ---- module lookups (parser.cpp) --------------------------------------------------------
  /// Maps the names already in the module (cdef mode; type names use linear lookups).
  void index_module();
  /// Index of the typedef or constant named `n`, or -1.
  int find_name(const std::string& n, DeclRef::Kind k) const;
  /// Index of the typedef named `n`, or -1.
  int find_typedef(const std::string& n) const;
  /// (enum, value) indexes of the enumerator named `n`, or (-1, -1).
  std::pair<int, int> find_enumerator(const std::string& n) const;
  /// The type a typedef chain ends in.
  TypeRef strip_ref(const TypeRef& t) const;
  /// The same, as a node (never null).
  const Type& strip(const TypeRef& t) const;
  /// `t` spelled in C, for messages.
  std::string str(const TypeRef& t) const;

  // ---- type construction (declarators.cpp) ------------------------------------------------
  /// Derived-type nesting of `t` (1 for types this parse did not build).
  unsigned depth_of(const TypeRef& t) const;
  /// Records a new type's depth, refusing absurdly deep types.
  TypeRef finish(std::shared_ptr<Type> t, unsigned depth, const Location& loc);
  /// A base type node: void, primitive, typedef name, record or enum.
  static TypeRef simple(TypeKind k, std::string name = "", int index = -1);
  /// `t` with the qualifiers `q` added.
  TypeRef with_quals(const TypeRef& t, unsigned q);
  /// A pointer to `target`, itself qualified by `q`.
  TypeRef pointer_to(const TypeRef& target, unsigned q, const Location& loc);

  // ---- declarations (parser.cpp) ----------------------------------------------------------
  /// A sequence of declarations, up to the end of input or (in a block) a '}'.
  void declarations(Linkage linkage, bool in_block);
  /// One file-scope item: '#define', ';', an extern "Python" block, or a declaration.
  void top_level(Linkage linkage, bool in_block);
  /// '#define NAME <integer literal>' or '#define NAME ...'.
  void define();
  /// One declaration at file scope: specifiers, declarators, ';'.
  void declaration(Linkage linkage);
  /// Skips balanced tokens up to a ',' or ';' (a non-integer initializer), or past one
  /// balanced '{ ... }' block (a function body).
  void skip_balanced(bool block);
  /// Registers one declarator of a file-scope declaration; returns a new typedef's index.
  int declare(const Spec& spec, const std::string& name, const Location& loc, TypeRef t,
              Linkage linkage, const std::optional<CValue>& init, const Location& init_loc);
  /// 'typedef ... foo_t, *foo_p;': opaque struct-like types.
  void opaque_typedef();
  /// The first typedef of an anonymous struct/union/enum names it (directly, else by pointer).
  void name_anonymous_tag(const std::vector<int>& tds);
  /// A statement that only repeated earlier declarations drops the anonymous types it made.
  void rollback_identical(size_t records_before, size_t enums_before);

  // ---- registration (with redefinition checks) (parser.cpp) -------------------------------
  /// Checks that `name` is not already something else; reports and returns false if it is.
  bool check_kind(const std::string& name, int kind, const Location& loc);
  /// Appends a declaration and its place in Module::order.
  template <class T>
  int push(std::vector<T>& v, T item, DeclRef::Kind kind);
  /// Adds a named declaration unless one of that name and kind exists: an identical one is
  /// kept, override replaces it, anything else is reported with the message `clash(old)`.
  template <class T, class Same, class Clash>
  int add_named(std::vector<T>& v, T item, DeclRef::Kind kind, Same same, Clash clash);
  /// Registers a typedef; returns its index if it is new or replaced, else -1.
  int add_typedef(const std::string& name, TypeRef t, TypedefGap gap, const Location& loc);
  /// Registers a function, a global variable, a constant (same redefinition rules).
  void add_function(Function f);
  /// See add_function.
  void add_variable(Variable v);
  /// See add_function.
  void add_constant(Constant c);
  /// Appends a record (tags are registered by the caller); returns its index.
  int add_record(Record r);

  // ---- type comparison (parser.cpp) -------------------------------------------------------
  /// Structural equality of types, for the "identical redefinition" rule: records and
  /// enums by identity, except anonymous ones, which compare by body.
  bool same_record(int a, int b) const;
  /// Same kind, '...', and fields (names, widths, types) in two record bodies.
  bool same_body(const Record& x, const Record& y) const;
  /// Same '...' and enumerators (names, values, gaps) in two enum bodies.
  static bool same_values(const Enum& x, const Enum& y);
  /// Structural equality of two types, as described above; exact typedefs are seen through
  /// ('typedef T T;' repeats 'typedef int T;'), gap typedefs compare by name.
  bool same_type(const TypeRef& a, const TypeRef& b) const;
  /// The same, for `a` and `b` with extra qualifiers `qa` and `qb` (from typedefs seen
  /// through); `depth` bounds the walk (a typedef cycle made by override=True ends it).
  bool same_type(const Type* a, unsigned qa, const Type* b, unsigned qb, int depth) const;
  /// The type an exact typedef names (null for a gap typedef or an unknown name).
  const Type* exact_typedef_target(const Type& t) const;

  // ---- declaration specifiers (declarators.cpp) -------------------------------------------
  /// How many times each type specifier keyword appeared (void, char, short, int, long,
  /// float, double, signed, unsigned, _Bool, _Complex).
  struct Counts {
    int v = 0, c = 0, sh = 0, i = 0, l = 0, f = 0, d = 0, sg = 0, un = 0, b = 0, cx = 0;
    /// Any type specifier keyword at all.
    bool any() const { return v + c + sh + i + l + f + d + sg + un + b + cx > 0; }
    /// A combination C allows ('long long int', not 'short double').
    bool valid() const {
      if (v > 1 || c > 1 || sh > 1 || i > 1 || f > 1 || d > 1 || sg > 1 || un > 1 || b > 1 ||
          cx > 1 || l > 2)
        return false;
      int others = c + sh + i + l + f + d + sg + un + cx;
      if ((v || b) && (others || v + b > 1)) return false;
      if (c && (sh || l || i || f || d)) return false;
      if (sh && (l || f || d)) return false;
      if ((f || d) && (i || sg || un || sh || c)) return false;
      if (f && (d || l)) return false;
      if (d && l > 1) return false;
      if (sg && un) return false;
      if (cx && (i || c || sh || sg || un)) return false;
      return true;
    }
    /// Names an integer type.
    bool integer() const { return !v && !b && !f && !d && !cx; }
  };

  /// Specifiers and qualifiers up to the first declarator.
  Spec specifiers(Ctx ctx);
  /// The canonical primitive type for a set of type specifier keywords.
  TypeRef primitive_from(const Counts& n, const Location& loc);
  /// 'struct tag', 'union tag { ... }', 'enum { ... }': a tag, a body, or both.
  void tag_specifier(Ctx ctx, Spec& s, const std::string& kw);
  /// The struct (kind 0), union (1) or enum (2) with this tag, or -1. C tags share one
  /// namespace: 'struct s' after 'union s' is an error.
  int find_tag(const std::string& tag, int kind, const Location& loc);
  /// A tag this parse has not seen: added to the module (an incomplete struct, union or enum);
  /// returns its index. Cdef mode only.
  int declare_tag(const std::string& tag, bool is_enum, bool is_union, const Location& loc);
  /// '{ members }' of record `idx`: completes it, or checks a repeated body.
  void record_body(int idx, const Location& loc);
  /// One member declaration in a struct/union body (or '...;').
  void member(Record& body);
  /// Adds a member after checking its type and that its names are new.
  void add_field(Record& body, Field f, const Location& loc);
  /// The member names a field brings (an anonymous member brings its record's fields).
  void collect_names(const Field& f, std::vector<std::string>& out, int depth = 0) const;
  /// '{ enumerators }' of enum `idx`: values, gaps, a trailing '...'.
  void enum_body(int idx, const Location& loc);

  // ---- declarators (declarators.cpp) ------------------------------------------------------
  /// True if the current token can start declaration specifiers (a parameter's type).
  bool starts_type() const;
  /// A declarator; abstract (nameless) ones are allowed in parameters and type names, and a
  /// type name's declarator name is skipped ('int *p' is 'int *', as in CFFI). Calling
  /// conventions (__cdecl, __stdcall, WINAPI) are skipped wherever a qualifier may stand.
  Declarator declarator(Ctx ctx);
  /// '[N]', '[]' or '[...]' ('[const N]' in a parameter).
  Suffix array_suffix(Ctx ctx);
  /// '(parameters)', '(void)', '()' or '(int, ...)'.
  Suffix function_suffix();
  /// Parameters of array type become pointers; of function type, function pointers.
  TypeRef decay(const TypeRef& t, const Declarator& d, const Location& loc);
  /// The suffix that makes the outermost node of the declared type, if it is a suffix.
  static const Suffix* top_suffix(const Declarator& d, bool& decided);
  /// Inside a parameter, every '[...]' that survives decay is an error.
  TypeRef check_gaps(const TypeRef& t, const Location& loc);
  /// Applies a declarator to the specifiers' type.
  TypeRef build(const Declarator& d, TypeRef t);

  // ---- constant expressions (const_expr.cpp) ----------------------------------------------
  /// An integer constant expression (C's conditional-expression).
  CValue expr();
  /// The binding strength of a binary operator token (1 for '||' to 10 for '*'), else 0.
  static int precedence(const Token& t);
  /// Binary operators by precedence climbing.
  CValue binary(int min_prec);
  /// One binary operator with C's semantics on 64-bit values (signed overflow is an error).
  CValue apply(const Token& op, const CValue& a, const CValue& b);
  /// Unary operators, parentheses, literals and names.
  CValue unary();
  /// The value of an enumerator or integer constant named in an expression.
  CValue name_value(const Token& t);

  const Module& cm_;  ///< where names are looked up
  Module* m_;         ///< null in type-name mode: nothing is declared
  /// What only cdef mode does, reached through this table (null in type-name mode) so that a
  /// program parsing type names only (the runtime) links none of the declaration grammar.
  struct DeclarationGrammar {
    int (Parser::*declare_tag)(const std::string&, bool, bool, const Location&);
    void (Parser::*record_body)(int, const Location&);
    void (Parser::*enum_body)(int, const Location&);
  };
  const DeclarationGrammar* grammar_ = nullptr;
  CdefOptions opts_;
  Diagnostics& diags_;
  std::vector<Token> toks_;
  size_t pos_ = 0;        ///< index of the current token
  int depth_ = 0;         ///< current nesting (see Nest)
  size_t errors_ = 0;     ///< errors reported so far (see kMaxErrors)
  bool indexed_ = false;  ///< the maps below hold the module's names (cdef mode)
  bool added_ = false;    ///< the current statement declared something new
  std::unordered_map<std::string, DeclRef> names_;  ///< typedefs, functions, variables, constants
  std::unordered_map<std::string, std::pair<int, int>> enumerators_;  ///< name -> (enum, value)
  std::unordered_map<std::string, std::pair<int, int>> tags_;         ///< tag -> (kind, index)
  std::unordered_map<const Type*, std::pair<TypeRef, unsigned>> type_depth_;  ///< keeps types alive
  std::set<std::string> defines_;     ///< '#define' names this cdef() declared first
  std::set<int> being_defined_;       ///< records whose body is being parsed
  const Enum* local_enum_ = nullptr;  ///< the enum body being parsed
};

// ---- token accessors, inline: every part of the parser calls them ----

inline const Token& Parser::cur() const { return toks_[pos_]; }

inline const Token& Parser::peek(size_t n) const {
  return toks_[std::min(pos_ + n, toks_.size() - 1)];
}

inline const Token& Parser::prev() const { return toks_[pos_ == 0 ? 0 : pos_ - 1]; }

inline void Parser::advance() {
  if (cur().kind != TokenKind::Eof) ++pos_;
}

inline bool Parser::is_punct(const char* p) const {
  return cur().kind == TokenKind::Punct && cur().text == p;
}

inline bool Parser::accept(const char* p) {
  if (!is_punct(p)) return false;
  advance();
  return true;
}

inline bool Parser::is_word(const char* w) const {
  return cur().kind == TokenKind::Identifier && cur().text == w;
}

template <class T>
int Parser::push(std::vector<T>& v, T item, DeclRef::Kind kind) {
  item.included = opts_.included;
  v.push_back(std::move(item));
  int i = int(v.size() - 1);
  m_->order.push_back({kind, i});
  if (kind != DeclRef::Record && kind != DeclRef::Enum) added_ = true;
  return i;
}

}  // namespace cdefc::cdef::detail
