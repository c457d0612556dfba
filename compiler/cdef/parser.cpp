// The cdef parser: parse_cdef/parse_type_name, declarations, registration, redefinition checks.
#include "cdef/parser.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cdef/lexer.h"
#include "cdef/parser_impl.h"

namespace cdefc::cdef {

namespace detail {

// ---- the parser's entry points ----

Parser::Parser(const Module& cm, Module* m, const CdefOptions& opts, Diagnostics& diags,
               std::vector<Token> toks)
    : cm_(cm), m_(m), opts_(opts), diags_(diags), toks_(std::move(toks)) {}

void Parser::parse_file() {
  static constexpr DeclarationGrammar kGrammar = {&Parser::declare_tag, &Parser::record_body,
                                                  &Parser::enum_body};
  grammar_ = &kGrammar;
  index_module();
  try {
    declarations(Linkage::C, false);
  } catch (Stop&) {
  }
}

TypeRef Parser::parse_type_name() {
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

// ---- tokens and errors ----

Diagnostic& Parser::error(const Location& loc, std::string msg) {
  if (errors_ >= kMaxErrors) {
    diags_.error(loc, "too many errors emitted, stopping now");
    throw Stop{};
  }
  ++errors_;
  return diags_.error(loc, std::move(msg));
}

void Parser::fail(const Location& loc, std::string msg, DiagCode code) {
  error(loc, std::move(msg)).code = code;
  throw Bail{};
}

void Parser::note(Diagnostic& d, const Location& loc, std::string msg) {
  if (loc.valid()) d.notes.push_back({Severity::Note, loc, std::move(msg), {}});
}

std::string Parser::spelling(const Token& t) const {
  return t.kind == TokenKind::Eof ? "end of input" : "'" + t.text + "'";
}

void Parser::reject_unsupported(const Token& t) {
  if (t.kind == TokenKind::Identifier && is_unsupported_keyword(t.text))
    fail(t.loc, "'" + t.text + "' is not supported in cdef()" + unsupported_keyword_hint(t.text));
}

void Parser::expect_semi(const char* msg) {
  if (accept(";")) return;
  reject_unsupported(cur());
  error(end_of(prev()), msg);
  if (cur().kind != TokenKind::Eof && cur().loc.line == prev().loc.line &&
      cur().loc.file == prev().loc.file)
    throw Bail{};
}

void Parser::close_brace(const Location& open) {
  if (accept("}")) return;
  Diagnostic& d = error(cur().loc, "expected '}'");
  note(d, open, "to match this '{'");
  throw Bail{};
}

void Parser::recover() {
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

// ---- module lookups ----

void Parser::index_module() {
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
    if (!cm_.records[r].tag.empty()) tags_[cm_.records[r].tag] = {cm_.records[r].is_union, int(r)};
  indexed_ = true;
}

int Parser::find_name(const std::string& n, DeclRef::Kind k) const {
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

int Parser::find_typedef(const std::string& n) const { return find_name(n, DeclRef::Typedef); }

std::pair<int, int> Parser::find_enumerator(const std::string& n) const {
  if (!indexed_) {
    for (size_t e = 0; e < cm_.enums.size(); ++e)
      for (size_t v = 0; v < cm_.enums[e].values.size(); ++v)
        if (cm_.enums[e].values[v].name == n) return {int(e), int(v)};
    return {-1, -1};
  }
  auto it = enumerators_.find(n);
  return it == enumerators_.end() ? std::make_pair(-1, -1) : it->second;
}

TypeRef Parser::strip_ref(const TypeRef& t) const {
  TypeRef p = t;
  for (int guard = 0; p && p->kind == TypeKind::Typedef && guard < 10000; ++guard) {
    int i = find_typedef(p->name);
    if (i < 0 || !cm_.typedefs[i].type) break;
    p = cm_.typedefs[i].type;
  }
  return p;
}

const Type& Parser::strip(const TypeRef& t) const {
  static const Type kVoid;
  const Type* p = strip_ref(t).get();
  return p ? *p : kVoid;
}

std::string Parser::str(const TypeRef& t) const { return c_type_string(cm_, t); }

// ---- declarations ----

void Parser::declarations(Linkage linkage, bool in_block) {
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

void Parser::top_level(Linkage linkage, bool in_block) {
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

void Parser::define() {
  Location hash = cur().loc;
  advance();
  auto give_up = [&](const Location& loc, const std::string& msg) {
    error(loc, msg);
    while (cur().kind != TokenKind::DirectiveEnd && cur().kind != TokenKind::Eof) advance();
    advance();
  };
  if (cur().kind != TokenKind::Identifier)
    return give_up(cur().kind == TokenKind::DirectiveEnd ? hash : cur().loc, "macro name missing");
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
      return give_up(lit.loc, "integer literal is too large to be represented in any integer type");
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
  int old = find_name(c.name, DeclRef::Constant);
  if (old >= 0 && defines_.count(c.name) && !opts_.override) {
    // Defined again in the same cdef(): the later value wins, as in CFFI (and as the C
    // preprocessor does, with this warning). Across cdef() calls it stays an error.
    Constant& o = m_->constants[old];
    if (o.kind != c.kind || o.value.int_value != c.value.int_value ||
        o.value.is_unsigned != c.value.is_unsigned) {
      Diagnostic& d = diags_.warning(c.loc, "'" + c.name + "' macro redefined");
      note(d, o.loc, "previous definition is here");
      o = std::move(c);
    }
    return;
  }
  if (old < 0) defines_.insert(c.name);
  add_constant(std::move(c));
}

void Parser::declaration(Linkage linkage) {
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
    rollback_identical(records_before, enums_before);  // 'enum { A };' repeated
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

void Parser::skip_balanced(bool block) {
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

int Parser::declare(const Spec& spec, const std::string& name, const Location& loc, TypeRef t,
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
        fail(init_loc, "the value of '" + init->unknown_name + "' is only known to the C compiler");
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

void Parser::opaque_typedef() {
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

void Parser::name_anonymous_tag(const std::vector<int>& tds) {
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

void Parser::rollback_identical(size_t records_before, size_t enums_before) {
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

// ---- registration (with redefinition checks) ----

bool Parser::check_kind(const std::string& name, int kind, const Location& loc) {
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

template <class T, class Same, class Clash>
int Parser::add_named(std::vector<T>& v, T item, DeclRef::Kind kind, Same same, Clash clash) {
  item.included = opts_.included;
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
    note(
        d, old.loc,
        kind == DeclRef::Function ? "previous declaration is here" : "previous definition is here");
    return -1;
  }
  if (!check_kind(item.name, kind, item.loc)) return -1;
  std::string name = item.name;
  int i = push(v, std::move(item), kind);
  names_[name] = {kind, i};
  return i;
}

int Parser::add_typedef(const std::string& name, TypeRef t, TypedefGap gap, const Location& loc) {
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

void Parser::add_function(Function f) {
  add_named(
      m_->functions, f, DeclRef::Function,
      [&](const Function& o) { return o.linkage == f.linkage && same_type(o.type, f.type); },
      [&](const Function&) { return "conflicting types for '" + f.name + "'"; });
}

void Parser::add_variable(Variable v) {
  add_named(
      m_->variables, v, DeclRef::Variable,
      [&](const Variable& o) { return same_type(o.type, v.type); },
      [&](const Variable& o) {
        return "redefinition of '" + v.name + "' with a different type: '" + str(v.type) +
               "' vs '" + str(o.type) + "'";
      });
}

void Parser::add_constant(Constant c) {
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

int Parser::add_record(Record r) { return push(m_->records, std::move(r), DeclRef::Record); }

// ---- type comparison ----

bool Parser::same_record(int a, int b) const {
  if (a == b) return true;
  if (a < 0 || b < 0) return false;
  const Record& x = cm_.records[a];
  const Record& y = cm_.records[b];
  return x.tag.empty() && y.tag.empty() && !x.opaque && !y.opaque && same_body(x, y);
}

bool Parser::same_body(const Record& x, const Record& y) const {
  if (x.is_union != y.is_union || x.partial != y.partial || x.fields.size() != y.fields.size())
    return false;
  for (size_t i = 0; i < x.fields.size(); ++i) {
    const Field& f = x.fields[i];
    const Field& g = y.fields[i];
    if (f.name != g.name || f.bit_width != g.bit_width || !same_type(f.type, g.type)) return false;
  }
  return true;
}

bool Parser::same_values(const Enum& x, const Enum& y) {
  if (x.partial != y.partial || x.values.size() != y.values.size()) return false;
  for (size_t i = 0; i < x.values.size(); ++i)
    if (x.values[i].name != y.values[i].name || x.values[i].gap != y.values[i].gap ||
        x.values[i].value != y.values[i].value)
      return false;
  return true;
}

const Type* Parser::exact_typedef_target(const Type& t) const {
  int i = find_typedef(t.name);
  if (i < 0 || cm_.typedefs[i].gap != TypedefGap::None) return nullptr;
  return cm_.typedefs[i].type.get();
}

bool Parser::same_type(const TypeRef& a, const TypeRef& b) const {
  return same_type(a.get(), kNone, b.get(), kNone, 0);
}

bool Parser::same_type(const Type* a, unsigned qa, const Type* b, unsigned qb, int depth) const {
  if (a == b && qa == qb) return true;
  if (!a || !b || depth > int(kMaxTypeDepth)) return false;
  qa |= a->quals;
  qb |= b->quals;
  // Exact typedefs are seen through, as C does: 'typedef T T;' repeats 'typedef int T;'.
  bool same_name = a->kind == TypeKind::Typedef && b->kind == TypeKind::Typedef &&
                   a->name == b->name;
  if (!same_name && a->kind == TypeKind::Typedef) {
    if (const Type* u = exact_typedef_target(*a)) return same_type(u, qa, b, qb, depth + 1);
  }
  if (!same_name && b->kind == TypeKind::Typedef) {
    if (const Type* u = exact_typedef_target(*b)) return same_type(a, qa, u, qb, depth + 1);
  }
  if (a->kind != b->kind || qa != qb) return false;
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
      return same_type(a->target.get(), kNone, b->target.get(), kNone, depth + 1);
    case TypeKind::Array:
      return a->length_kind == b->length_kind && a->length == b->length &&
             same_type(a->target.get(), kNone, b->target.get(), kNone, depth + 1);
    case TypeKind::Function:
      if (a->variadic != b->variadic || a->params.size() != b->params.size()) return false;
      for (size_t i = 0; i < a->params.size(); ++i)
        if (!same_type(a->params[i].type.get(), kNone, b->params[i].type.get(), kNone, depth + 1))
          return false;
      return same_type(a->target.get(), kNone, b->target.get(), kNone, depth + 1);
  }
  return false;
}

}  // namespace detail

// ---- public entry points ----

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
  detail::Parser(module, &module, options, parse_diags, std::move(toks)).parse_file();
  const auto& a = lex_diags.all();
  const auto& b = parse_diags.all();
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    bool take_a = j == b.size() || (i < a.size() && a[i].loc.offset <= b[j].loc.offset);
    const Diagnostic& d = take_a ? a[i++] : b[j++];
    Diagnostic& copy = d.severity == Severity::Error ? diags.error(d.loc, d.message)
                                                     : diags.warning(d.loc, d.message);
    copy.notes = d.notes;
    copy.code = d.code;
  }
  return diags.error_count() == errors_before;
}

TypeRef parse_type_name(const Module& module, std::string_view text, Diagnostics& diags) {
  auto source = std::make_shared<SourceBuffer>();
  source->name = "<type name>";
  source->text = std::string(text);
  size_t errors_before = diags.error_count();
  std::vector<Token> toks = lex_type_name(source, diags);
  if (diags.error_count() != errors_before) return nullptr;
  TypeRef t =
      detail::Parser(module, nullptr, CdefOptions{}, diags, std::move(toks)).parse_type_name();
  if (diags.error_count() != errors_before) return nullptr;
  return t;
}

}  // namespace cdefc::cdef
