// The cdef parser: C declarations with CFFI's '...' gaps into a cdef::Module, and the
// type-name grammar of ffi.new()/ffi.cast(), both from one declarator grammar.
#include "cdef/parser.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "cdef/lexer.h"

namespace cdefc::cdef {

namespace {

/// Thrown after an error was reported; caught where the parser can resynchronize.
struct Bail {};
/// Thrown when too many errors were reported; ends the parse.
struct Stop {};

constexpr int kMaxNesting = 256;         ///< parentheses, brackets, bodies, unary operators
constexpr unsigned kMaxTypeDepth = 256;  ///< derived-type nodes in one type
constexpr size_t kMaxErrors = 20;        ///< per parse, as clang's -ferror-limit

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

bool is_integer_name(const std::string& n) {
  static const std::set<std::string> s = {
      "char",         "signed char", "unsigned char", "short",     "unsigned short",     "int",
      "unsigned int", "long",        "unsigned long", "long long", "unsigned long long", "_Bool",
      "wchar_t",      "char16_t",    "char32_t"};
  return s.count(n) || (is_standard_type_name(n) && n != "FILE");
}

std::string tag_kind(bool is_union) { return is_union ? "union" : "struct"; }

class Parser {
 public:
  Parser(const Module& cm, Module* m, const CdefOptions& opts, Diagnostics& diags,
         std::vector<Token> toks)
      : cm_(cm), m_(m), opts_(opts), diags_(diags), toks_(std::move(toks)) {
    if (m_) index_module();
  }

  /// Parses the whole text as cdef declarations.
  void parse_file() {
    try {
      declarations(Linkage::C, false);
    } catch (Stop&) {
    }
  }

  /// Parses the whole text as one abstract type name; null after an error.
  TypeRef parse_type_name() {
    try {
      Spec spec = specifiers(Ctx::TypeName);
      Declarator d = declarator(Ctx::TypeName);
      TypeRef t = build(d, spec.base);
      if (cur().kind != TokenKind::Eof)
        fail(cur().loc, "unexpected '" + cur().text + "' after the type name");
      return t;
    } catch (Bail&) {
    } catch (Stop&) {
    }
    return nullptr;
  }

 private:
  // ---- tokens and errors ----------------------------------------------------------------
  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(size_t n = 1) const { return toks_[std::min(pos_ + n, toks_.size() - 1)]; }
  const Token& prev() const { return toks_[pos_ == 0 ? 0 : pos_ - 1]; }
  void advance() {
    if (cur().kind != TokenKind::Eof) ++pos_;
  }
  bool is_punct(const char* p) const { return cur().kind == TokenKind::Punct && cur().text == p; }
  bool accept(const char* p) {
    if (!is_punct(p)) return false;
    advance();
    return true;
  }
  bool is_word(const char* w) const {
    return cur().kind == TokenKind::Identifier && cur().text == w;
  }

  /// Reports an error (and stops the parse after too many).
  Diagnostic& error(const Location& loc, std::string msg) {
    if (errors_ >= kMaxErrors) {
      diags_.error(loc, "too many errors emitted, stopping now");
      throw Stop{};
    }
    ++errors_;
    return diags_.error(loc, std::move(msg));
  }
  [[noreturn]] void fail(const Location& loc, std::string msg) {
    error(loc, std::move(msg));
    throw Bail{};
  }
  void note(Diagnostic& d, const Location& loc, std::string msg) {
    if (loc.valid()) d.notes.push_back({Severity::Note, loc, std::move(msg), {}});
  }
  std::string spelling(const Token& t) const {
    return t.kind == TokenKind::Eof ? "end of input" : "'" + t.text + "'";
  }
  /// '__attribute__' and friends: an error with a hint (no-op for other tokens).
  void reject_unsupported(const Token& t) {
    if (t.kind == TokenKind::Identifier && is_unsupported_keyword(t.text))
      fail(t.loc, "'" + t.text + "' is not supported in cdef()" + unsupported_keyword_hint(t.text));
  }
  /// A missing ';': clang's message; resynchronize only if the line goes on.
  void expect_semi(const char* msg) {
    if (accept(";")) return;
    reject_unsupported(cur());
    error(end_of(prev()), msg);
    if (cur().kind != TokenKind::Eof && cur().loc.line == prev().loc.line &&
        cur().loc.file == prev().loc.file)
      throw Bail{};
  }

  /// The '}' that closes the body opened at `open`.
  void close_brace(const Location& open) {
    if (accept("}")) return;
    Diagnostic& d = error(cur().loc, "expected '}'");
    note(d, open, "to match this '{'");
    throw Bail{};
  }

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
  void recover() {
    int depth = 0;
    while (cur().kind != TokenKind::Eof) {
      if (depth == 0 && cur().kind == TokenKind::DefineStart) return;
      if (cur().kind == TokenKind::Punct) {
        const std::string& t = cur().text;
        if (t == "(" || t == "[" || t == "{") ++depth;
        if (t == ")" || t == "]") depth = std::max(0, depth - 1);
        if (t == "}") {
          if (depth == 0) return;
          --depth;
        }
        if (t == ";" && depth == 0) {
          advance();
          return;
        }
      }
      advance();
    }
  }

  // ---- module lookups -------------------------------------------------------------------
  /// Maps the names already in the module (cdef mode; type names use linear lookups).
  void index_module() {
    auto add = [&](const auto& v, DeclRef::Kind k) {
      for (size_t i = 0; i < v.size(); ++i) names_[v[i].name] = {k, int(i)};
    };
    add(cm_.typedefs, DeclRef::Typedef);
    add(cm_.functions, DeclRef::Function);
    add(cm_.variables, DeclRef::Variable);
    add(cm_.constants, DeclRef::Constant);
    for (size_t e = 0; e < cm_.enums.size(); ++e) {
      if (!cm_.enums[e].tag.empty()) tags_[cm_.enums[e].tag] = {2, int(e)};
      for (size_t v = 0; v < cm_.enums[e].values.size(); ++v)
        enumerators_[cm_.enums[e].values[v].name] = {int(e), int(v)};
    }
    for (size_t r = 0; r < cm_.records.size(); ++r)
      if (!cm_.records[r].tag.empty())
        tags_[cm_.records[r].tag] = {cm_.records[r].is_union, int(r)};
    indexed_ = true;
  }
  /// Index of the typedef or constant named `n`, or -1.
  int find_name(const std::string& n, DeclRef::Kind k) const {
    if (indexed_) {
      auto it = names_.find(n);
      return it != names_.end() && it->second.kind == k ? it->second.index : -1;
    }
    auto scan = [&](const auto& v) {
      for (size_t i = 0; i < v.size(); ++i)
        if (v[i].name == n) return int(i);
      return -1;
    };
    return k == DeclRef::Typedef ? scan(cm_.typedefs) : scan(cm_.constants);
  }
  int find_typedef(const std::string& n) const { return find_name(n, DeclRef::Typedef); }
  /// (enum, value) indexes of the enumerator named `n`, or (-1, -1).
  std::pair<int, int> find_enumerator(const std::string& n) const {
    if (!indexed_) {
      for (size_t e = 0; e < cm_.enums.size(); ++e)
        for (size_t v = 0; v < cm_.enums[e].values.size(); ++v)
          if (cm_.enums[e].values[v].name == n) return {int(e), int(v)};
      return {-1, -1};
    }
    auto it = enumerators_.find(n);
    return it == enumerators_.end() ? std::make_pair(-1, -1) : it->second;
  }
  /// The type a typedef chain ends in.
  TypeRef strip_ref(const TypeRef& t) const {
    TypeRef p = t;
    for (int guard = 0; p && p->kind == TypeKind::Typedef && guard < 10000; ++guard) {
      int i = find_typedef(p->name);
      if (i < 0 || !cm_.typedefs[i].type) break;
      p = cm_.typedefs[i].type;
    }
    return p;
  }
  /// The same, as a node (never null).
  const Type& strip(const TypeRef& t) const {
    static const Type kVoid;
    const Type* p = strip_ref(t).get();
    return p ? *p : kVoid;
  }
  std::string str(const TypeRef& t) const { return c_type_string(cm_, t); }

  // ---- type construction ----------------------------------------------------------------
  /// Derived-type nesting of `t` (1 for types this parse did not build).
  unsigned depth_of(const TypeRef& t) const {
    auto it = type_depth_.find(t.get());
    return it == type_depth_.end() ? 1u : it->second.second;
  }
  /// Records a new type's depth, refusing absurdly deep types.
  TypeRef finish(std::shared_ptr<Type> t, unsigned depth, const Location& loc) {
    if (depth > kMaxTypeDepth)
      fail(loc, "type is too complex (more than " + std::to_string(kMaxTypeDepth) + " levels)");
    type_depth_[t.get()] = {t, depth};
    return t;
  }
  /// A base type node: void, primitive, typedef name, record or enum.
  static TypeRef simple(TypeKind k, std::string name = "", int index = -1) {
    auto t = std::make_shared<Type>();
    t->kind = k;
    t->name = std::move(name);
    t->index = index;
    return t;
  }
  TypeRef with_quals(const TypeRef& t, unsigned q) {
    if (!t || q == 0 || (t->quals & q) == q) return t;
    auto n = std::make_shared<Type>(*t);
    n->quals |= q;
    return finish(n, depth_of(t), {});
  }
  TypeRef pointer_to(const TypeRef& target, unsigned q, const Location& loc) {
    auto t = std::make_shared<Type>();
    t->kind = TypeKind::Pointer;
    t->quals = q;
    t->target = target;
    return finish(t, depth_of(target) + 1, loc);
  }

  // ---- declarations ---------------------------------------------------------------------
  /// A sequence of declarations, up to the end of input or (in a block) a '}'.
  void declarations(Linkage linkage, bool in_block) {
    while (cur().kind != TokenKind::Eof) {
      size_t start = pos_;
      if (is_punct("}")) {
        if (in_block) return;
        error(cur().loc, "extraneous closing brace ('}')");
        advance();
        continue;
      }
      try {
        top_level(linkage, in_block);
      } catch (Bail&) {
        recover();
      }
      if (pos_ == start) advance();  // always make progress
    }
  }

  /// One file-scope item: '#define', ';', an extern "Python" block, or a declaration.
  void top_level(Linkage linkage, bool in_block) {
    const Token& t = cur();
    if (t.kind == TokenKind::DefineStart) return define();
    if (t.kind == TokenKind::DirectiveEnd) return advance();
    if (accept(";")) return;
    if (t.is("extern") && peek().kind == TokenKind::StringLiteral) {
      Location loc = peek().loc;
      std::string lang = peek().str_value;
      advance();
      advance();
      Linkage l = Linkage::C;
      if (lang == "Python")
        l = Linkage::Python;
      else if (lang == "Python+C")
        l = Linkage::PythonPlusC;
      else
        fail(loc, "unsupported language linkage \"" + lang +
                      "\"; only extern \"Python\" and extern \"Python+C\" are allowed in cdef()");
      if (in_block) fail(loc, "extern \"Python\" blocks cannot be nested");
      if (is_punct("{")) {
        Location open = cur().loc;
        advance();
        Nest nest(*this, open);
        declarations(l, true);
        return close_brace(open);
      }
      return declaration(l);
    }
    declaration(linkage);
  }

  /// '#define NAME <integer literal>' or '#define NAME ...'.
  void define() {
    Location hash = cur().loc;
    advance();
    auto give_up = [&](const Location& loc, const std::string& msg) {
      error(loc, msg);
      while (cur().kind != TokenKind::DirectiveEnd && cur().kind != TokenKind::Eof) advance();
      advance();
    };
    if (cur().kind != TokenKind::Identifier)
      return give_up(cur().kind == TokenKind::DirectiveEnd ? hash : cur().loc,
                     "macro name missing");
    Constant c;
    c.name = cur().text;
    c.loc = cur().loc;
    advance();
    const std::string unsupported =
        "only integer literals or '...' are supported in '#define " + c.name + "'";
    Location value_loc = cur().loc;
    if (cur().kind == TokenKind::Ellipsis) {
      c.kind = ConstantKind::DefineGap;
      advance();
    } else {
      bool neg = is_punct("-");
      if (neg || is_punct("+")) advance();
      const Token& lit = cur();
      if (lit.kind != TokenKind::IntLiteral)
        return give_up(lit.kind == TokenKind::DirectiveEnd ? value_loc : lit.loc, unsupported);
      if (lit.int_overflow)
        return give_up(lit.loc,
                       "integer literal is too large to be represented in any integer type");
      if (neg && lit.int_value > uint64_t(INT64_MAX) + 1)
        return give_up(value_loc, "value of '#define " + c.name + "' does not fit in 64 bits");
      c.value.kind = ConstantValue::Int;
      c.value.int_value = static_cast<int64_t>(neg ? 0 - lit.int_value : lit.int_value);
      c.value.is_unsigned = !neg && lit.int_value > uint64_t(INT64_MAX);
      advance();
    }
    if (cur().kind != TokenKind::DirectiveEnd && cur().kind != TokenKind::Eof)
      return give_up(cur().loc, unsupported);
    advance();
    add_constant(std::move(c));
  }

  /// One declaration at file scope: specifiers, declarators, ';'.
  void declaration(Linkage linkage) {
    size_t records_before = m_->records.size(), enums_before = m_->enums.size();
    added_ = false;
    Spec spec = specifiers(Ctx::File);
    if (spec.gap == TypedefGap::Opaque) return opaque_typedef();
    if (spec.ended) return;
    if (is_punct(";")) {
      if (spec.record < 0 && spec.enm < 0)
        diags_.warning(spec.loc, "declaration does not declare anything");
      else if (spec.is_typedef)
        diags_.warning(spec.loc, "typedef requires a name");
      advance();
      return;
    }
    std::vector<int> new_typedefs;
    while (true) {
      Declarator d = declarator(Ctx::File);
      if (spec.gap != TypedefGap::None && (d.inner || !d.pointers.empty() || !d.suffixes.empty()))
        fail(d.name_loc, "only plain names can be declared with '" + str(spec.base) + "...'");
      TypeRef t = build(d, spec.base);
      if (is_punct("{") && strip(t).kind == TypeKind::Function) {
        error(d.name_loc, "function definitions are not supported in cdef()");
        return skip_balanced(true);
      }
      if (is_punct(":")) fail(cur().loc, "bit-fields are only allowed in structs and unions");
      std::optional<CValue> init;
      Location init_loc;
      if (accept("=")) {
        init_loc = cur().loc;
        const Type& st = strip(t);
        if (spec.is_typedef || st.kind == TypeKind::Function)
          fail(init_loc, "illegal initializer (only variables can be initialized)");
        if (st.kind == TypeKind::Enum ||
            (st.kind == TypeKind::Primitive && is_integer_name(st.name))) {
          init = expr();
        } else {
          skip_balanced(false);
          diags_.warning(init_loc, "initializer of '" + d.name + "' is ignored in cdef()");
        }
      }
      int td = declare(spec, d.name, d.name_loc, t, linkage, init, init_loc);
      if (td >= 0) new_typedefs.push_back(td);
      if (!accept(",")) break;
    }
    name_anonymous_tag(new_typedefs);
    rollback_identical(records_before, enums_before);
    expect_semi("expected ';' after declaration");
  }

  /// Skips balanced tokens up to a ',' or ';' (a non-integer initializer), or past one
  /// balanced '{ ... }' block (a function body).
  void skip_balanced(bool block) {
    int depth = 0;
    while (cur().kind != TokenKind::Eof && cur().kind != TokenKind::DefineStart) {
      if (!block && depth == 0 && (is_punct(",") || is_punct(";"))) return;
      if (is_punct("(") || is_punct("[") || is_punct("{")) ++depth;
      if (is_punct(")") || is_punct("]") || is_punct("}")) {
        if (depth == 0) return;
        advance();
        if (--depth == 0 && block) return;
        continue;
      }
      advance();
    }
  }

  /// Registers one declarator of a file-scope declaration; returns a new typedef's index.
  int declare(const Spec& spec, const std::string& name, const Location& loc, TypeRef t,
              Linkage linkage, const std::optional<CValue>& init, const Location& init_loc) {
    const Type& s = strip(t);
    if (spec.is_typedef) return add_typedef(name, t, spec.gap, loc);
    if (s.kind == TypeKind::Function) {
      add_function(Function{name, strip_ref(t), linkage, loc});
      return -1;
    }
    if (linkage != Linkage::C)
      fail(loc, "cannot declare variables or constants with extern \"Python\"");
    if (s.kind == TypeKind::Void) fail(loc, "variable has incomplete type '" + str(t) + "'");
    bool top_const = s.kind != TypeKind::Array && ((s.quals & kConst) || (t->quals & kConst));
    bool is_static = spec.is_static && top_const;
    if (is_static || (init && init->known)) {  // as in CFFI, 'int x = 5;' is the constant 5
      Constant c;
      c.name = name;
      c.kind = is_static ? ConstantKind::Static : ConstantKind::Define;
      if (is_static) c.type = t;
      c.loc = loc;
      if (init) {
        if (!init->known)
          fail(init_loc,
               "the value of '" + init->unknown_name + "' is only known to the C compiler");
        c.value.kind = ConstantValue::Int;
        c.value.int_value = init->s();
        c.value.is_unsigned = init->uns && init->bits > uint64_t(INT64_MAX);
      }
      add_constant(std::move(c));
      return -1;
    }
    if (init) diags_.warning(init_loc, "initializer of '" + name + "' is ignored in cdef()");
    add_variable(Variable{name, t, loc});
    return -1;
  }

  /// 'typedef ... foo_t, *foo_p;': opaque struct-like types.
  void opaque_typedef() {
    int record = -1;
    while (true) {
      bool ptr = accept("*");
      if (is_punct("*")) fail(cur().loc, "'typedef ...' can only declare 'name' or '*name'");
      if (cur().kind != TokenKind::Identifier || is_keyword(cur().text))
        fail(cur().loc, "expected identifier");
      std::string name = cur().text;
      Location loc = cur().loc;
      advance();
      if (is_punct("[") || is_punct("("))
        fail(cur().loc, "'typedef ...' can only declare 'name' or '*name'");
      int old = find_typedef(name);
      bool same = old >= 0 && cm_.typedefs[old].gap == TypedefGap::Opaque &&
                  (cm_.typedefs[old].type->kind == TypeKind::Pointer) == ptr;
      if (!same || opts_.override) {
        if (record < 0) {
          Record r;
          r.opaque = true;
          r.typedef_name = name;
          r.loc = loc;
          record = add_record(std::move(r));
        }
        TypeRef rt = simple(TypeKind::Record, "", record);
        add_typedef(name, ptr ? pointer_to(rt, kNone, loc) : rt, TypedefGap::Opaque, loc);
      }
      if (!accept(",")) break;
    }
    expect_semi("expected ';' after declaration");
  }

  /// The first typedef of an anonymous struct/union/enum names it (directly, else by pointer).
  void name_anonymous_tag(const std::vector<int>& tds) {
    for (int pass = 0; pass < 2; ++pass) {
      for (int i : tds) {
        const TypeRef& t = m_->typedefs[i].type;
        const Type* p = t.get();
        if (pass == 1) {
          if (p->kind != TypeKind::Pointer || !p->target) continue;
          p = p->target.get();
          if (p->kind != TypeKind::Record) continue;
        }
        if (p->kind == TypeKind::Record && p->index >= 0) {
          Record& r = m_->records[p->index];
          if (r.tag.empty() && r.typedef_name.empty()) r.typedef_name = m_->typedefs[i].name;
        } else if (p->kind == TypeKind::Enum && p->index >= 0 && pass == 0) {
          Enum& e = m_->enums[p->index];
          if (e.tag.empty() && e.typedef_name.empty()) e.typedef_name = m_->typedefs[i].name;
        }
      }
    }
  }

  /// A statement that only repeated earlier declarations drops the anonymous types it made.
  void rollback_identical(size_t records_before, size_t enums_before) {
    if (added_) return;
    for (size_t i = records_before; i < m_->records.size(); ++i)
      if (!m_->records[i].tag.empty()) return;
    for (size_t i = enums_before; i < m_->enums.size(); ++i)
      if (!m_->enums[i].tag.empty()) return;
    if (m_->records.size() == records_before && m_->enums.size() == enums_before) return;
    m_->records.resize(records_before);
    m_->enums.resize(enums_before);
    auto& o = m_->order;
    o.erase(
        std::remove_if(o.begin(), o.end(),
                       [&](const DeclRef& r) {
                         return (r.kind == DeclRef::Record && size_t(r.index) >= records_before) ||
                                (r.kind == DeclRef::Enum && size_t(r.index) >= enums_before);
                       }),
        o.end());
  }

  // ---- registration (with redefinition checks) ------------------------------------------
  /// Checks that `name` is not already something else; reports and returns false if it is.
  bool check_kind(const std::string& name, int kind, const Location& loc) {
    auto it = names_.find(name);
    Location prev_loc;
    bool clash = false;
    if (it != names_.end() && int(it->second.kind) != kind) {
      clash = true;
      int i = it->second.index;
      switch (it->second.kind) {
        case DeclRef::Typedef:
          prev_loc = m_->typedefs[i].loc;
          break;
        case DeclRef::Function:
          prev_loc = m_->functions[i].loc;
          break;
        case DeclRef::Variable:
          prev_loc = m_->variables[i].loc;
          break;
        case DeclRef::Constant:
          prev_loc = m_->constants[i].loc;
          break;
        default:
          break;
      }
    }
    auto en = enumerators_.find(name);
    if (!clash && en != enumerators_.end()) {
      clash = true;
      prev_loc = m_->enums[en->second.first].values[en->second.second].loc;
    }
    if (!clash) return true;
    Diagnostic& d = error(loc, "redefinition of '" + name + "' as different kind of symbol");
    note(d, prev_loc, "previous definition is here");
    return false;
  }
  /// Appends a declaration and its place in Module::order.
  template <class T>
  int push(std::vector<T>& v, T item, DeclRef::Kind kind) {
    v.push_back(std::move(item));
    int i = int(v.size() - 1);
    m_->order.push_back({kind, i});
    if (kind != DeclRef::Record && kind != DeclRef::Enum) added_ = true;
    return i;
  }
  /// Adds a named declaration unless one of that name and kind exists: an identical one is
  /// kept, override replaces it, anything else is reported with the message `clash(old)`.
  template <class T, class Same, class Clash>
  int add_named(std::vector<T>& v, T item, DeclRef::Kind kind, Same same, Clash clash) {
    auto it = names_.find(item.name);
    if (it != names_.end() && it->second.kind == kind) {
      T& old = v[it->second.index];
      if (same(old)) return -1;
      if (opts_.override) {
        old = std::move(item);
        added_ = true;
        return it->second.index;
      }
      Diagnostic& d = error(item.loc, clash(old));
      note(d, old.loc,
           kind == DeclRef::Function ? "previous declaration is here"
                                     : "previous definition is here");
      return -1;
    }
    if (!check_kind(item.name, kind, item.loc)) return -1;
    std::string name = item.name;
    int i = push(v, std::move(item), kind);
    names_[name] = {kind, i};
    return i;
  }

  /// Registers a typedef; returns its index if it is new or replaced, else -1.
  int add_typedef(const std::string& name, TypeRef t, TypedefGap gap, const Location& loc) {
    auto same = [&](const Typedef& o) { return o.gap == gap && same_type(o.type, t); };
    int old = find_typedef(name);
    if (old >= 0 && opts_.override && !same(m_->typedefs[old])) {
      const TypeRef& ot = m_->typedefs[old].type;  // the replaced anonymous record loses its name
      if (ot->kind == TypeKind::Record && m_->records[ot->index].typedef_name == name)
        m_->records[ot->index].typedef_name.clear();
    }
    return add_named(m_->typedefs, Typedef{name, t, gap, loc}, DeclRef::Typedef, same,
                     [&](const Typedef& o) {
                       return "typedef redefinition with different types ('" + str(t) + "' vs '" +
                              str(o.type) + "')";
                     });
  }

  /// Registers a function, a global variable, a constant (same redefinition rules).
  void add_function(Function f) {
    add_named(
        m_->functions, f, DeclRef::Function,
        [&](const Function& o) { return o.linkage == f.linkage && same_type(o.type, f.type); },
        [&](const Function&) { return "conflicting types for '" + f.name + "'"; });
  }

  void add_variable(Variable v) {
    add_named(
        m_->variables, v, DeclRef::Variable,
        [&](const Variable& o) { return same_type(o.type, v.type); },
        [&](const Variable& o) {
          return "redefinition of '" + v.name + "' with a different type: '" + str(v.type) +
                 "' vs '" + str(o.type) + "'";
        });
  }

  void add_constant(Constant c) {
    add_named(
        m_->constants, c, DeclRef::Constant,
        [&](const Constant& o) {
          return o.kind == c.kind && o.value.kind == c.value.kind &&
                 o.value.int_value == c.value.int_value &&
                 (c.kind != ConstantKind::Static || same_type(o.type, c.type));
        },
        [&](const Constant& o) {
          return o.kind != ConstantKind::Static && c.kind != ConstantKind::Static
                     ? "'" + c.name + "' macro redefined with a different value"
                     : "redefinition of '" + c.name + "'";
        });
  }

  int add_record(Record r) { return push(m_->records, std::move(r), DeclRef::Record); }

  // ---- type comparison ------------------------------------------------------------------
  /// Structural equality of types, for the "identical redefinition" rule: records and
  /// enums by identity, except anonymous ones, which compare by body.
  bool same_record(int a, int b) const {
    if (a == b) return true;
    if (a < 0 || b < 0) return false;
    const Record& x = cm_.records[a];
    const Record& y = cm_.records[b];
    return x.tag.empty() && y.tag.empty() && !x.opaque && !y.opaque && same_body(x, y);
  }
  bool same_body(const Record& x, const Record& y) const {
    if (x.is_union != y.is_union || x.partial != y.partial || x.fields.size() != y.fields.size())
      return false;
    for (size_t i = 0; i < x.fields.size(); ++i) {
      const Field& f = x.fields[i];
      const Field& g = y.fields[i];
      if (f.name != g.name || f.bit_width != g.bit_width || !same_type(f.type, g.type))
        return false;
    }
    return true;
  }
  static bool same_values(const Enum& x, const Enum& y) {
    if (x.partial != y.partial || x.values.size() != y.values.size()) return false;
    for (size_t i = 0; i < x.values.size(); ++i)
      if (x.values[i].name != y.values[i].name || x.values[i].gap != y.values[i].gap ||
          x.values[i].value != y.values[i].value)
        return false;
    return true;
  }
  bool same_type(const TypeRef& a, const TypeRef& b) const {
    if (a == b) return true;
    if (!a || !b || a->kind != b->kind || a->quals != b->quals) return false;
    switch (a->kind) {
      case TypeKind::Void:
        return true;
      case TypeKind::Primitive:
      case TypeKind::Typedef:
        return a->name == b->name;
      case TypeKind::Record:
        return same_record(a->index, b->index);
      case TypeKind::Enum:
        return a->index == b->index ||
               (a->index >= 0 && b->index >= 0 && cm_.enums[a->index].tag.empty() &&
                cm_.enums[b->index].tag.empty() &&
                same_values(cm_.enums[a->index], cm_.enums[b->index]));
      case TypeKind::Pointer:
        return same_type(a->target, b->target);
      case TypeKind::Array:
        return a->length_kind == b->length_kind && a->length == b->length &&
               same_type(a->target, b->target);
      case TypeKind::Function:
        if (a->variadic != b->variadic || a->params.size() != b->params.size()) return false;
        for (size_t i = 0; i < a->params.size(); ++i)
          if (!same_type(a->params[i].type, b->params[i].type)) return false;
        return same_type(a->target, b->target);
    }
    return false;
  }

  // ---- declaration specifiers -----------------------------------------------------------
  struct Counts {
    int v = 0, c = 0, sh = 0, i = 0, l = 0, f = 0, d = 0, sg = 0, un = 0, b = 0, cx = 0;
    bool any() const { return v + c + sh + i + l + f + d + sg + un + b + cx > 0; }
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
    bool integer() const { return !v && !b && !f && !d && !cx; }
  };

  /// Specifiers and qualifiers up to the first declarator.
  Spec specifiers(Ctx ctx) {
    Spec s;
    s.loc = cur().loc;
    Counts n;
    bool consumed = false;
    while (true) {
      const Token& t = cur();
      if (t.kind == TokenKind::Ellipsis && ctx == Ctx::File && s.is_typedef &&
          s.gap == TypedefGap::None && s.record < 0 && s.enm < 0 && !s.base) {
        if (!n.any())
          s.gap = TypedefGap::Opaque;
        else if (n.integer())
          s.gap = TypedefGap::Integer;
        else if ((n.f || n.d) && !n.l && !n.cx)
          s.gap = TypedefGap::Float;
        else
          fail(t.loc, "'...' is not allowed here");
        advance();
        if (s.gap == TypedefGap::Opaque) return s;
        break;
      }
      if (t.kind != TokenKind::Identifier) break;
      const std::string& w = t.text;
      if (w == "typedef" || w == "extern" || w == "static" || w == "inline" || w == "__inline" ||
          w == "__inline__" || w == "register" || w == "auto") {
        bool ok = (ctx == Ctx::File && w != "register" && w != "auto") ||
                  (ctx == Ctx::Param && w == "register");
        if (!ok) {
          fail(t.loc, ctx == Ctx::Param ? "invalid storage class specifier in function declarator"
                                        : "'" + w + "' is not allowed here");
        }
        if (w == "typedef" && (s.is_extern || s.is_static))
          fail(t.loc, "cannot combine with previous storage class specifier");
        if ((w == "extern" || w == "static") && (s.is_typedef || s.is_extern || s.is_static))
          fail(t.loc, "cannot combine with previous storage class specifier");
        if (w == "typedef") s.is_typedef = true;
        if (w == "extern") {
          if (peek().kind == TokenKind::StringLiteral)
            fail(peek().loc, "extern \"Python\" must come before the other specifiers");
          s.is_extern = true;
        }
        if (w == "static") s.is_static = true;
      } else if (w == "const") {
        s.quals |= kConst;
      } else if (w == "volatile") {
        s.quals |= kVolatile;
      } else if (w == "restrict") {
        s.quals |= kRestrict;
      } else if (w == "__cdecl" || w == "__stdcall") {
        // Windows calling conventions: accepted and ignored, as CFFI does elsewhere.
      } else if (is_type_keyword(w)) {
        if (s.base)
          fail(t.loc, "cannot combine with previous '" + s.type_word + "' declaration specifier");
        int* slot = w == "void"       ? &n.v
                    : w == "char"     ? &n.c
                    : w == "short"    ? &n.sh
                    : w == "int"      ? &n.i
                    : w == "long"     ? &n.l
                    : w == "float"    ? &n.f
                    : w == "double"   ? &n.d
                    : w == "signed"   ? &n.sg
                    : w == "unsigned" ? &n.un
                    : w == "_Complex" ? &n.cx
                                      : &n.b;
        ++*slot;
        if (n.l > 2) fail(t.loc, "'long long long' is invalid");
        if (!n.valid())
          fail(t.loc, "cannot combine with previous '" + s.type_word + "' declaration specifier");
        if (s.type_word.empty()) s.type_word = w;
      } else if (w == "struct" || w == "union" || w == "enum") {
        if (s.base || n.any())
          fail(t.loc, "cannot combine with previous '" + s.type_word + "' declaration specifier");
        s.type_word = w;
        tag_specifier(ctx, s, w);
        consumed = true;
        // 'struct s { ... }' and a new line that starts a declaration: a forgotten ';'.
        if (s.tag_body && cur().loc.line != prev().loc.line &&
            (starts_type() || cur().kind == TokenKind::DefineStart)) {
          error(end_of(prev()), "expected ';' after " + w);
          s.ended = true;
          break;
        }
        continue;
      } else if (is_unsupported_keyword(w)) {
        reject_unsupported(t);
      } else {
        if (s.base || n.any()) break;  // the declarator's name
        if (is_keyword(w)) break;
        int td = find_typedef(w);
        if (td >= 0)
          s.base = simple(TypeKind::Typedef, w);
        else if (is_standard_type_name(w))
          s.base = simple(TypeKind::Primitive, w);
        else
          fail(t.loc, "unknown type name '" + w + "'");
        s.type_word = w;
      }
      consumed = true;
      advance();
    }
    if (!s.base) {
      if (!n.any()) {
        if (!consumed)
          fail(cur().loc, ctx == Ctx::File ? "expected a declaration, got " + spelling(cur())
                                           : "expected a type, got " + spelling(cur()));
        fail(cur().loc, "type specifier missing (implicit 'int' is not supported)");
      }
      s.base = primitive_from(n, s.loc);
    }
    if (s.quals) {
      if ((s.quals & kRestrict) && strip(s.base).kind != TypeKind::Pointer)
        fail(s.loc, "restrict requires a pointer ('" + str(s.base) + "' is invalid)");
      s.base = with_quals(s.base, s.quals);
    }
    return s;
  }

  /// The canonical primitive type for a set of type specifier keywords.
  TypeRef primitive_from(const Counts& n, const Location& loc) {
    if (n.v) return simple(TypeKind::Void);
    std::string name;
    if (n.b)
      name = "_Bool";
    else if (n.c)
      name = n.sg ? "signed char" : n.un ? "unsigned char" : "char";
    else if (n.f)
      name = n.cx ? "float _Complex" : "float";
    else if (n.d || n.cx) {
      if (n.l && n.cx) fail(loc, "'long double _Complex' is not supported in cdef()");
      name = n.l ? "long double" : n.cx ? "double _Complex" : "double";
    } else {
      name = n.sh ? "short" : n.l == 2 ? "long long" : n.l == 1 ? "long" : "int";
      if (n.un) name = "unsigned " + name;
    }
    return simple(TypeKind::Primitive, name);
  }

  /// 'struct tag', 'union tag { ... }', 'enum { ... }': a tag, a body, or both.
  void tag_specifier(Ctx ctx, Spec& s, const std::string& kw) {
    Location loc = cur().loc;
    advance();
    std::string tag;
    if (cur().kind == TokenKind::Identifier && !is_keyword(cur().text)) {
      tag = cur().text;
      loc = cur().loc;
      advance();
    }
    bool body = is_punct("{"), is_enum = kw == "enum", is_union = kw == "union";
    if (tag.empty() && !body) fail(cur().loc, "expected '{' or a name after '" + kw + "'");
    if (body && ctx == Ctx::TypeName) fail(cur().loc, "cannot define a type in a type name");
    int idx = tag.empty() ? -1 : find_tag(tag, is_enum ? 2 : is_union ? 1 : 0, loc);
    if (idx < 0) {
      if (!m_) fail(loc, "unknown type '" + kw + " " + tag + "'");
      if (!tag.empty()) added_ = true;
      if (is_enum) {
        Enum e;
        e.tag = tag;
        e.loc = loc;
        idx = push(m_->enums, std::move(e), DeclRef::Enum);
        if (!tag.empty()) tags_[tag] = {2, idx};
      } else {
        Record r;
        r.is_union = is_union;
        r.tag = tag;
        r.loc = loc;
        idx = add_record(std::move(r));
        if (!tag.empty()) tags_[tag] = {is_union ? 1 : 0, idx};
      }
    }
    (is_enum ? s.enm : s.record) = idx;
    s.tag_body = body;
    s.base = simple(is_enum ? TypeKind::Enum : TypeKind::Record, "", idx);
    if (body && is_enum)
      enum_body(idx, loc);
    else if (body)
      record_body(idx, loc);
  }

  /// The struct (kind 0), union (1) or enum (2) with this tag, or -1. C tags share one
  /// namespace: 'struct s' after 'union s' is an error.
  int find_tag(const std::string& tag, int kind, const Location& loc) {
    int found_kind = -1, idx = -1;
    if (indexed_) {
      auto it = tags_.find(tag);
      if (it != tags_.end()) std::tie(found_kind, idx) = it->second;
    } else {
      for (int k = 0; k < 3 && idx < 0; ++k)
        if ((idx = k == 2 ? cm_.find_enum(tag) : cm_.find_record(tag, k == 1)) >= 0) found_kind = k;
    }
    if (idx < 0 || found_kind == kind) return idx;
    Diagnostic& d =
        error(loc, "use of '" + tag + "' with tag type that does not match previous declaration");
    note(d, found_kind == 2 ? cm_.enums[idx].loc : cm_.records[idx].loc, "previous use is here");
    throw Bail{};
  }

  /// '{ members }' of record `idx`: completes it, or checks a repeated body.
  void record_body(int idx, const Location& loc) {
    Location open = cur().loc;
    Nest nest(*this, open);
    advance();
    if (being_defined_.count(idx))
      fail(loc, "nested redefinition of '" + tag_kind(m_->records[idx].is_union) + " " +
                    m_->records[idx].tag + "'");
    being_defined_.insert(idx);
    Record body;
    body.is_union = m_->records[idx].is_union;
    bool had_error = false;
    while (!is_punct("}") && cur().kind != TokenKind::Eof) {
      size_t start = pos_;
      try {
        if (cur().kind == TokenKind::DefineStart)
          define();  // as the C preprocessor would
        else
          member(body);
      } catch (Bail&) {
        had_error = true;
        recover();
      }
      if (pos_ == start) advance();  // always make progress
    }
    being_defined_.erase(idx);
    close_brace(open);
    // A flexible array member must come last.
    for (size_t i = 0; i + 1 < body.fields.size() && !body.is_union; ++i) {
      const Type& t = strip(body.fields[i].type);
      if (t.kind == TypeKind::Array && t.length_kind == ArrayLength::Unspecified) {
        error(body.fields[i].loc, "flexible array member '" + body.fields[i].name +
                                      "' with type '" + str(body.fields[i].type) +
                                      "' is not at the end of struct");
        had_error = true;
      }
    }
    Record& r = m_->records[idx];
    if (r.complete && !had_error) {
      if (same_body(r, body)) return;
      if (!opts_.override) {
        Diagnostic& d = error(loc, "redefinition of '" + tag_kind(r.is_union) + " " + r.tag +
                                       "' with a different body");
        note(d, r.loc, "previous definition is here");
        return;
      }
    }
    if (r.complete && had_error) return;
    r.fields = std::move(body.fields);
    r.partial = body.partial;
    r.complete = true;
    r.loc = loc;
    r.packed = opts_.packed;
    r.pack = opts_.pack;
    if (!r.tag.empty()) added_ = true;
  }

  /// One member declaration in a struct/union body (or '...;').
  void member(Record& body) {
    if (cur().kind == TokenKind::Ellipsis) {
      advance();
      body.partial = true;
      if (!accept(";")) fail(cur().loc, "expected ';' after '...'");
      return;
    }
    if (accept(";")) return;
    Spec spec = specifiers(Ctx::Field);
    if (is_punct(";") || spec.ended) {
      if (spec.record >= 0 && spec.tag_body && m_->records[spec.record].tag.empty()) {
        add_field(body, Field{"", spec.base, -1, spec.loc, 0, 0, 0}, spec.loc);
      } else if (spec.enm < 0 || !spec.tag_body) {
        diags_.warning(spec.loc, "declaration does not declare anything");
      }
      if (!spec.ended) advance();
      return;
    }
    while (true) {
      Field f;
      f.loc = cur().loc;
      if (is_punct(":")) {
        f.type = spec.base;
      } else {
        Declarator d = declarator(Ctx::Field);
        f.name = d.name;
        f.loc = d.name_loc;
        f.type = build(d, spec.base);
      }
      if (is_punct(":")) {
        advance();
        const Type& t = strip(f.type);
        std::string what = f.name.empty() ? "anonymous bit-field" : "bit-field '" + f.name + "'";
        if (!(t.kind == TypeKind::Enum ||
              (t.kind == TypeKind::Primitive && is_integer_name(t.name))))
          fail(f.loc, what + " has non-integral type '" + str(f.type) + "'");
        Location wl = cur().loc;
        CValue w = expr();
        if (!w.known)
          fail(wl, "the value of '" + w.unknown_name + "' is only known to the C compiler");
        if ((!w.uns && w.s() < 0))
          fail(wl, what + " has negative width (" + std::to_string(w.s()) + ")");
        if (w.bits > 128) fail(wl, "width of " + what + " is too large");
        if (w.bits == 0 && !f.name.empty())
          fail(f.loc, "named bit-field '" + f.name + "' has zero width");
        f.bit_width = int(w.bits);
      } else if (f.name.empty()) {
        fail(f.loc, "expected a member name");
      }
      Location floc = f.loc;
      add_field(body, std::move(f), floc);
      if (!accept(",")) break;
    }
    expect_semi("expected ';' at end of declaration list");
  }

  /// Adds a member after checking its type and that its names are new.
  void add_field(Record& body, Field f, const Location& loc) {
    const Type& t = strip(f.type);
    if (t.kind == TypeKind::Void) fail(loc, "field has incomplete type '" + str(f.type) + "'");
    if (t.kind == TypeKind::Function) fail(loc, "field '" + f.name + "' declared as a function");
    std::vector<std::string> names;
    collect_names(f, names);
    for (const std::string& n : names) {
      for (const Field& g : body.fields) {
        std::vector<std::string> old;
        collect_names(g, old);
        if (std::find(old.begin(), old.end(), n) != old.end())
          fail(loc, "duplicate member '" + n + "'");
      }
    }
    body.fields.push_back(std::move(f));
  }
  /// The member names a field brings (an anonymous member brings its record's fields).
  void collect_names(const Field& f, std::vector<std::string>& out, int depth = 0) const {
    if (!f.name.empty()) return out.push_back(f.name);
    if (f.bit_width >= 0 || depth > 64) return;
    const Type& t = strip(f.type);
    if (t.kind == TypeKind::Record && t.index >= 0 && size_t(t.index) < cm_.records.size())
      for (const Field& g : cm_.records[t.index].fields) collect_names(g, out, depth + 1);
  }

  /// '{ enumerators }' of enum `idx`: values, gaps, a trailing '...'.
  void enum_body(int idx, const Location& loc) {
    Location open = cur().loc;
    Nest nest(*this, open);
    advance();
    if (is_punct("}")) fail(cur().loc, "use of empty enum");
    Enum body;
    local_enum_ = &body;
    struct Reset {
      const Enum*& p;
      ~Reset() { p = nullptr; }
    } reset{local_enum_};
    bool had_error = false;
    bool prev_unknown = false;
    int64_t next = 0;
    bool next_overflow = false;
    while (!is_punct("}") && cur().kind != TokenKind::Eof) {
      try {
        if (cur().kind == TokenKind::DefineStart) {
          define();
          continue;
        }
        if (cur().kind == TokenKind::Ellipsis) {
          advance();
          body.partial = true;
          accept(",");
          if (!is_punct("}")) fail(cur().loc, "'...' must be the last item of an enum");
          break;
        }
        if (cur().kind != TokenKind::Identifier || is_keyword(cur().text))
          fail(cur().loc, "expected identifier, got " + spelling(cur()));
        Enumerator e;
        e.name = cur().text;
        e.loc = cur().loc;
        advance();
        for (const Enumerator& o : body.values)
          if (o.name == e.name) fail(e.loc, "redefinition of enumerator '" + e.name + "'");
        if (accept("=")) {
          if (cur().kind == TokenKind::Ellipsis) {
            advance();
            e.gap = true;
          } else {
            Location vl = cur().loc;
            CValue v = expr();
            if (!v.known) {
              e.gap = true;
            } else {
              if (v.uns && v.bits > uint64_t(INT64_MAX))
                fail(vl, "enumerator value is not representable in 64 bits");
              e.value = v.s();
            }
          }
        } else {
          if (next_overflow) fail(e.loc, "overflow in enumeration value");
          e.gap = prev_unknown;
          e.value = next;
        }
        prev_unknown = e.gap;
        next_overflow = !e.gap && e.value == INT64_MAX;
        next = e.gap ? 0 : e.value + (next_overflow ? 0 : 1);
        body.values.push_back(std::move(e));
        if (!accept(",") && !is_punct("}")) fail(cur().loc, "expected ',' or '}' after enumerator");
      } catch (Bail&) {
        had_error = true;
        while (!is_punct(",") && !is_punct("}") && cur().kind != TokenKind::Eof &&
               cur().kind != TokenKind::DefineStart && !is_punct(";"))
          advance();
        if (!accept(",") && !is_punct("}")) break;
      }
    }
    close_brace(open);
    Enum& e = m_->enums[idx];
    if (!e.complete && e.tag.empty() && !had_error) {
      // A repeated anonymous enum: kept (unregistered) only if something new uses it.
      for (const Enum& o : m_->enums) {
        if (&o == &e || !o.tag.empty() || !o.complete || !same_values(o, body)) continue;
        e.values = body.values;
        e.partial = body.partial;
        e.complete = true;
        e.loc = loc;
        return;
      }
    }
    if (e.complete) {
      if (same_values(e, body) || had_error) return;
      if (!opts_.override) {
        Diagnostic& d = error(loc, "redefinition of 'enum " + e.tag + "' with a different body");
        note(d, e.loc, "previous definition is here");
        return;
      }
      for (const Enumerator& v : e.values) enumerators_.erase(v.name);
    }
    e.values.clear();
    e.partial = body.partial;
    e.complete = true;
    e.loc = loc;
    if (!e.tag.empty()) added_ = true;
    for (Enumerator& v : body.values) {
      auto it = enumerators_.find(v.name);
      if (it != enumerators_.end() && opts_.override) {
        enumerators_.erase(it);
      } else if (it != enumerators_.end()) {
        Diagnostic& d = error(v.loc, "redefinition of enumerator '" + v.name + "'");
        note(d, m_->enums[it->second.first].values[it->second.second].loc,
             "previous definition is here");
        continue;
      }
      if (!check_kind(v.name, -1, v.loc)) continue;
      e.values.push_back(v);
      enumerators_[v.name] = {idx, int(e.values.size() - 1)};
      added_ = true;
    }
  }

  // ---- declarators ----------------------------------------------------------------------
  /// True if the current token can start declaration specifiers (a parameter's type).
  bool starts_type() const {
    if (cur().kind != TokenKind::Identifier) return false;
    const std::string& w = cur().text;
    return is_keyword(w) || find_typedef(w) >= 0 || is_standard_type_name(w) ||
           is_unsupported_keyword(w);
  }

  /// A declarator; abstract (nameless) ones are allowed in parameters and type names.
  Declarator declarator(Ctx ctx) {
    Declarator d;
    d.name_loc = cur().loc;
    while (is_punct("*")) {
      advance();
      unsigned q = kNone;
      while (cur().kind == TokenKind::Identifier) {
        const std::string& w = cur().text;
        if (w == "const")
          q |= kConst;
        else if (w == "volatile")
          q |= kVolatile;
        else if (w == "restrict")
          q |= kRestrict;
        else if (w != "__cdecl" && w != "__stdcall") {
          reject_unsupported(cur());
          break;
        }
        advance();
      }
      d.pointers.push_back(q);
      if (d.pointers.size() > kMaxTypeDepth) fail(cur().loc, "too many '*' in a declarator");
    }
    while (is_word("__cdecl") || is_word("__stdcall")) advance();
    d.name_loc = cur().loc;
    if (cur().kind == TokenKind::Ellipsis) fail(cur().loc, "'...' is not allowed here");
    bool named_ok = ctx != Ctx::TypeName;
    if (cur().kind == TokenKind::Identifier && !is_keyword(cur().text) &&
        !is_unsupported_keyword(cur().text)) {
      if (!named_ok) fail(cur().loc, "unexpected name '" + cur().text + "' in a type name");
      d.name = cur().text;
      advance();
    } else if (is_punct("(")) {
      const Token& next = peek();
      bool nested = next.is("*") || next.is("(") || next.is("[") ||
                    (next.kind == TokenKind::Identifier && !is_keyword(next.text) &&
                     find_typedef(next.text) < 0 && !is_standard_type_name(next.text) &&
                     !is_unsupported_keyword(next.text));
      if (next.is("__cdecl") || next.is("__stdcall")) nested = true;
      if (nested) {
        Location open = cur().loc;
        Nest nest(*this, open);
        advance();
        d.inner = std::make_unique<Declarator>(declarator(ctx));
        if (!accept(")")) fail(cur().loc, "expected ')', got " + spelling(cur()));
        d.name_loc = d.inner->innermost().name_loc;
        d.name = d.inner->innermost().name;
      } else if (ctx == Ctx::File || ctx == Ctx::Field) {
        fail(cur().loc, "expected identifier or '('");
      }
    } else if (ctx == Ctx::File || ctx == Ctx::Field) {
      fail(cur().loc, "expected identifier or '(', got " + spelling(cur()));
    }
    while (true) {
      if (is_punct("["))
        d.suffixes.push_back(array_suffix(ctx));
      else if (is_punct("("))
        d.suffixes.push_back(function_suffix());
      else
        break;
      if (d.suffixes.size() > kMaxTypeDepth) fail(cur().loc, "too many suffixes in a declarator");
    }
    return d;
  }

  /// '[N]', '[]' or '[...]' ('[const N]' in a parameter).
  Suffix array_suffix(Ctx ctx) {
    Suffix s;
    s.loc = cur().loc;
    advance();
    if (ctx == Ctx::Param) {
      while (is_word("const") || is_word("volatile") || is_word("restrict") || is_word("static")) {
        if (is_word("const")) s.quals |= kConst;
        if (is_word("volatile")) s.quals |= kVolatile;
        if (is_word("restrict")) s.quals |= kRestrict;
        advance();
      }
    }
    bool gap_ok = ctx == Ctx::File || ctx == Ctx::Field;
    bool unknown_ok = gap_ok || ctx == Ctx::Param;  // an outer '[N]' decays away
    if (accept("]")) {
      s.len_kind = ArrayLength::Unspecified;
      return s;
    }
    if (cur().kind == TokenKind::Ellipsis) {
      if (!gap_ok)
        fail(cur().loc, ctx == Ctx::Param ? "'[...]' is not allowed in a function parameter"
                                          : "'[...]' is not allowed here");
      advance();
      s.len_kind = ArrayLength::Gap;
    } else {
      Location vl = cur().loc;
      CValue v = expr();
      if (!v.known) {
        if (!unknown_ok)
          fail(vl, "the value of '" + v.unknown_name + "' is only known to the C compiler");
        s.len_kind = ArrayLength::Gap;
      } else if (!v.uns && v.s() < 0) {
        fail(vl, "array size is negative");
      } else {
        s.len = v.bits;
      }
    }
    if (!accept("]")) fail(cur().loc, "expected ']', got " + spelling(cur()));
    return s;
  }

  /// '(parameters)', '(void)', '()' or '(int, ...)'.
  Suffix function_suffix() {
    Suffix s;
    s.is_array = false;
    s.loc = cur().loc;
    Nest nest(*this, s.loc);
    advance();
    if (accept(")")) return s;  // 'f()' is 'f(void)', as in CFFI
    while (true) {
      if (cur().kind == TokenKind::Ellipsis) {
        if (s.params.empty()) fail(cur().loc, "ISO C requires a named parameter before '...'");
        advance();
        s.variadic = true;
        if (!is_punct(")")) fail(cur().loc, "expected ')' after '...'");
        break;
      }
      Location ploc = cur().loc;
      Spec spec = specifiers(Ctx::Param);
      Declarator d = declarator(Ctx::Param);
      TypeRef t = build(d, spec.base);
      Param p{d.name, decay(t, d, ploc), d.name.empty() ? ploc : d.name_loc};
      if (strip(p.type).kind == TypeKind::Void) {
        if (!p.name.empty()) fail(p.loc, "argument may not have 'void' type");
        if (!s.params.empty() || !is_punct(")") || p.type->quals)
          fail(p.loc, "'void' must be the first and only parameter if specified");
        advance();
        return s;
      }
      for (const Param& o : s.params)
        if (!p.name.empty() && o.name == p.name)
          fail(p.loc, "redefinition of parameter '" + p.name + "'");
      s.params.push_back(std::move(p));
      if (!accept(",")) break;
    }
    if (!accept(")")) fail(cur().loc, "expected ')', got " + spelling(cur()));
    return s;
  }

  /// Parameters of array type become pointers; of function type, function pointers.
  TypeRef decay(const TypeRef& t, const Declarator& d, const Location& loc) {
    const Type& s = strip(t);
    if (s.kind == TypeKind::Function) return pointer_to(t, kNone, loc);
    if (s.kind != TypeKind::Array) return check_gaps(t, loc);
    bool decided = false;
    const Suffix* top = top_suffix(d, decided);
    unsigned q = top && top->is_array ? top->quals : kNone;
    TypeRef elem = s.target;
    if (t->kind == TypeKind::Typedef) elem = with_quals(elem, t->quals);
    return check_gaps(pointer_to(elem, q, loc), loc);
  }
  /// The suffix that makes the outermost node of the declared type, if it is a suffix.
  static const Suffix* top_suffix(const Declarator& d, bool& decided) {
    if (d.inner) {
      const Suffix* s = top_suffix(*d.inner, decided);
      if (decided) return s;
    }
    if (!d.suffixes.empty()) {
      decided = true;
      return &d.suffixes.front();
    }
    if (!d.pointers.empty()) decided = true;
    return nullptr;
  }
  /// Inside a parameter, every '[...]' that survives decay is an error.
  TypeRef check_gaps(const TypeRef& t, const Location& loc) {
    for (const Type* p = t.get(); p; p = p->target.get())
      if (p->kind == TypeKind::Array && p->length_kind == ArrayLength::Gap)
        fail(loc, "'[...]' is not allowed in a function parameter");
    return t;
  }

  /// Applies a declarator to the specifiers' type.
  TypeRef build(const Declarator& d, TypeRef t) {
    for (unsigned q : d.pointers) t = pointer_to(t, q, d.name_loc);
    const std::string& name = d.innermost().name;
    std::string who = name.empty() ? "type name" : "'" + name + "'";
    for (auto it = d.suffixes.rbegin(); it != d.suffixes.rend(); ++it) {
      const Type& s = strip(t);
      auto n = std::make_shared<Type>();
      n->target = t;
      if (it->is_array) {
        if (s.kind == TypeKind::Function)
          fail(it->loc, who + " declared as array of functions of type '" + str(t) + "'");
        if (s.kind == TypeKind::Void ||
            (s.kind == TypeKind::Array && s.length_kind == ArrayLength::Unspecified))
          fail(it->loc, "array has incomplete element type '" + str(t) + "'");
        n->kind = TypeKind::Array;
        n->length_kind = it->len_kind;
        n->length = it->len;
        t = finish(n, depth_of(t) + 1, it->loc);
      } else {
        if (s.kind == TypeKind::Array)
          fail(it->loc, "function cannot return array type '" + str(t) + "'");
        if (s.kind == TypeKind::Function)
          fail(it->loc, "function cannot return function type '" + str(t) + "'");
        n->kind = TypeKind::Function;
        n->params = it->params;
        n->variadic = it->variadic;
        unsigned depth = depth_of(t);
        for (const Param& p : n->params) depth = std::max(depth, depth_of(p.type));
        t = finish(n, depth + 1, it->loc);
      }
    }
    if (d.inner) return build(*d.inner, t);
    for (const Type* p = t.get(); p; p = p->target.get()) {
      if ((p->quals & kRestrict) && p->kind != TypeKind::Pointer && p->kind != TypeKind::Typedef)
        fail(d.name_loc, "restrict requires a pointer ('" + str(t) + "' is invalid)");
      if (p->kind == TypeKind::Function) break;
    }
    return t;
  }

  // ---- constant expressions -------------------------------------------------------------
  /// An integer constant expression (C's conditional-expression).
  CValue expr() {
    Nest nest(*this, cur().loc);
    CValue c = binary(1);
    if (is_punct("?")) {
      advance();
      CValue a = expr();
      if (!accept(":")) fail(cur().loc, "expected ':', got " + spelling(cur()));
      CValue b = expr();
      if (!c.known) return c;
      return c.bits ? a : b;
    }
    return c;
  }

  static int precedence(const Token& t) {
    if (t.kind != TokenKind::Punct) return 0;
    static const std::unordered_map<std::string, int> p = {
        {"||", 1}, {"&&", 2}, {"|", 3}, {"^", 4},  {"&", 5},  {"==", 6},
        {"!=", 6}, {"<", 7},  {">", 7}, {"<=", 7}, {">=", 7}, {"<<", 8},
        {">>", 8}, {"+", 9},  {"-", 9}, {"*", 10}, {"/", 10}, {"%", 10}};
    auto it = p.find(t.text);
    return it == p.end() ? 0 : it->second;
  }

  /// Binary operators by precedence climbing.
  CValue binary(int min_prec) {
    CValue lhs = unary();
    while (true) {
      int p = precedence(cur());
      if (p < min_prec || p == 0) return lhs;
      Token op = cur();
      advance();
      CValue rhs = binary(p + 1);
      lhs = apply(op, lhs, rhs);
    }
  }

  /// One binary operator with C's semantics on 64-bit values (signed overflow is an error).
  CValue apply(const Token& op, const CValue& a, const CValue& b) {
    if (!a.known) return a;
    if (!b.known) return b;
    const std::string& o = op.text;
    CValue r;
    r.uns = a.uns || b.uns;
    int64_t x = a.s(), y = b.s(), out = 0;
    auto overflow = [&] { fail(op.loc, "overflow in constant expression"); };
    if (o == "+" || o == "-" || o == "*") {
      if (r.uns) {
        r.bits = o == "+" ? a.bits + b.bits : o == "-" ? a.bits - b.bits : a.bits * b.bits;
      } else {
        bool ov = o == "+"   ? __builtin_add_overflow(x, y, &out)
                  : o == "-" ? __builtin_sub_overflow(x, y, &out)
                             : __builtin_mul_overflow(x, y, &out);
        if (ov) overflow();
        r.bits = static_cast<uint64_t>(out);
      }
    } else if (o == "/" || o == "%") {
      if (b.bits == 0) fail(op.loc, "division by zero in constant expression");
      if (r.uns)
        r.bits = o == "/" ? a.bits / b.bits : a.bits % b.bits;
      else if (x == INT64_MIN && y == -1)
        overflow();
      else
        r.bits = static_cast<uint64_t>(o == "/" ? x / y : x % y);
    } else if (o == "<<" || o == ">>") {
      if ((!b.uns && y < 0) || b.bits >= 64) fail(op.loc, "shift count is out of range");
      r.uns = a.uns;
      if (o == ">>") {
        r.bits = a.uns ? a.bits >> b.bits : static_cast<uint64_t>(x >> b.bits);
      } else if (a.uns) {
        r.bits = a.bits << b.bits;
      } else {
        __int128 v = static_cast<__int128>(x) * (static_cast<__int128>(1) << b.bits);
        if (v > INT64_MAX || v < INT64_MIN) overflow();
        r.bits = static_cast<uint64_t>(static_cast<int64_t>(v));
      }
    } else if (o == "&" || o == "|" || o == "^") {
      r.bits = o == "&" ? a.bits & b.bits : o == "|" ? a.bits | b.bits : a.bits ^ b.bits;
    } else {
      bool v;
      if (o == "&&")
        v = a.bits && b.bits;
      else if (o == "||")
        v = a.bits || b.bits;
      else if (o == "==")
        v = a.bits == b.bits;
      else if (o == "!=")
        v = a.bits != b.bits;
      else if (r.uns)
        v = o == "<"    ? a.bits < b.bits
            : o == ">"  ? a.bits > b.bits
            : o == "<=" ? a.bits <= b.bits
                        : a.bits >= b.bits;
      else
        v = o == "<" ? x < y : o == ">" ? x > y : o == "<=" ? x <= y : x >= y;
      r.uns = false;
      r.bits = v;
    }
    return r;
  }

  /// Unary operators, parentheses, literals and names.
  CValue unary() {
    const Token t = cur();
    if (t.kind == TokenKind::Punct &&
        (t.text == "-" || t.text == "+" || t.text == "~" || t.text == "!")) {
      Nest nest(*this, t.loc);
      advance();
      // '-9223372036854775808' is INT64_MIN, not an overflow.
      if (t.text == "-" && cur().kind == TokenKind::IntLiteral && !cur().int_unsigned &&
          cur().int_value == uint64_t(INT64_MAX) + 1 && precedence(peek()) < 10) {
        advance();
        CValue v;
        v.bits = uint64_t(INT64_MAX) + 1;
        return v;
      }
      CValue v = unary();
      if (!v.known) return v;
      if (t.text == "-") {
        if (!v.uns && v.s() == INT64_MIN) fail(t.loc, "overflow in constant expression");
        v.bits = 0 - v.bits;
      } else if (t.text == "~") {
        v.bits = ~v.bits;
      } else if (t.text == "!") {
        v.bits = !v.bits;
        v.uns = false;
      }
      return v;
    }
    if (t.kind == TokenKind::Punct && t.text == "(") {
      advance();
      if (starts_type()) fail(cur().loc, "casts are not supported in cdef() constant expressions");
      CValue v = expr();
      if (!accept(")")) fail(cur().loc, "expected ')', got " + spelling(cur()));
      return v;
    }
    advance();
    CValue v;
    switch (t.kind) {
      case TokenKind::IntLiteral:
        if (t.int_overflow)
          fail(t.loc, "integer literal is too large to be represented in any integer type");
        v.bits = t.int_value;
        v.uns = t.int_unsigned || t.int_value > uint64_t(INT64_MAX);
        return v;
      case TokenKind::CharLiteral:
        v.bits = t.int_value;
        return v;
      case TokenKind::FloatLiteral:
        fail(t.loc, "expected an integer constant, got floating literal " + t.text);
      case TokenKind::Identifier:
        if (t.text == "sizeof")
          fail(t.loc, "'sizeof' is not supported in cdef() constant expressions; use '...'");
        return name_value(t);
      case TokenKind::Ellipsis:
        fail(t.loc, "'...' is not allowed here");
      default:
        fail(t.loc, "expected an integer constant expression, got " + spelling(t));
    }
  }

  /// The value of an enumerator or integer constant named in an expression.
  CValue name_value(const Token& t) {
    CValue v;
    auto unknown = [&] {
      v.known = false;
      v.unknown_name = t.text;
      return v;
    };
    if (local_enum_) {
      for (const Enumerator& e : local_enum_->values) {
        if (e.name != t.text) continue;
        if (e.gap) return unknown();
        v.bits = static_cast<uint64_t>(e.value);
        return v;
      }
    }
    auto [ei, vi] = find_enumerator(t.text);
    if (ei >= 0) {
      const Enum& en = cm_.enums[ei];
      const Enumerator& e = en.values[vi];
      if (!en.resolved && (e.gap || en.partial)) return unknown();
      v.bits = static_cast<uint64_t>(e.value);
      return v;
    }
    int c = find_name(t.text, DeclRef::Constant);
    if (c >= 0) {
      const ConstantValue& cv = cm_.constants[c].value;
      if (cv.kind != ConstantValue::Int) {
        if (cm_.constants[c].kind == ConstantKind::Static && cm_.constants[c].type &&
            strip(cm_.constants[c].type).kind == TypeKind::Primitive &&
            !is_integer_name(strip(cm_.constants[c].type).name))
          fail(t.loc, "'" + t.text + "' is not an integer constant");
        return unknown();
      }
      v.bits = static_cast<uint64_t>(cv.int_value);
      v.uns = cv.is_unsigned;
      return v;
    }
    if (find_typedef(t.text) >= 0 || names_.count(t.text))
      fail(t.loc, "'" + t.text + "' is not an integer constant");
    fail(t.loc, "use of undeclared identifier '" + t.text + "'");
  }

  const Module& cm_;
  Module* m_;  ///< null in type-name mode: nothing is declared
  CdefOptions opts_;
  Diagnostics& diags_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  size_t errors_ = 0;
  bool indexed_ = false;
  bool added_ = false;  ///< the current statement declared something new
  std::unordered_map<std::string, DeclRef> names_;  ///< typedefs, functions, variables, constants
  std::unordered_map<std::string, std::pair<int, int>> enumerators_;  ///< name -> (enum, value)
  std::unordered_map<std::string, std::pair<int, int>> tags_;         ///< tag -> (kind, index)
  std::unordered_map<const Type*, std::pair<TypeRef, unsigned>> type_depth_;  ///< keeps types alive
  std::set<int> being_defined_;
  const Enum* local_enum_ = nullptr;  ///< the enum body being parsed
};

}  // namespace

bool parse_cdef(Module& module, std::shared_ptr<const SourceBuffer> source,
                const CdefOptions& options, Diagnostics& diags) {
  size_t errors_before = diags.error_count();
  if (!source) source = std::make_shared<SourceBuffer>();
  if (options.pack < 0 || (options.pack & (options.pack - 1)) != 0) {
    Location loc;
    loc.file = source->name;
    loc.line = source->first_line;
    loc.column = 1;
    loc.buffer = source;
    diags.error(loc, "'pack' must be a power of two, not " + std::to_string(options.pack));
    return false;
  }
  // Lexical and syntax diagnostics are merged back into source order.
  Diagnostics lex_diags, parse_diags;
  std::vector<Token> toks = lex(source, lex_diags);
  Parser(module, &module, options, parse_diags, std::move(toks)).parse_file();
  const auto& a = lex_diags.all();
  const auto& b = parse_diags.all();
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    bool take_a = j == b.size() || (i < a.size() && a[i].loc.offset <= b[j].loc.offset);
    const Diagnostic& d = take_a ? a[i++] : b[j++];
    Diagnostic& copy = d.severity == Severity::Error ? diags.error(d.loc, d.message)
                                                     : diags.warning(d.loc, d.message);
    copy.notes = d.notes;
  }
  return diags.error_count() == errors_before;
}

TypeRef parse_type_name(const Module& module, std::string_view text, Diagnostics& diags) {
  auto source = std::make_shared<SourceBuffer>();
  source->name = "<type name>";
  source->text = std::string(text);
  size_t errors_before = diags.error_count();
  std::vector<Token> toks = lex(source, diags);
  for (const Token& t : toks) {
    if (t.kind == TokenKind::DefineStart) {
      diags.error(t.loc, "'#define' is not allowed in a type name");
      return nullptr;
    }
  }
  if (diags.error_count() != errors_before) return nullptr;
  TypeRef t = Parser(module, nullptr, CdefOptions{}, diags, std::move(toks)).parse_type_name();
  if (diags.error_count() != errors_before) return nullptr;
  return t;
}

}  // namespace cdefc::cdef
