// The cdef parser: declaration specifiers, struct/union/enum bodies, declarators, types.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cdef/parser_impl.h"

namespace cdefc::cdef::detail {

namespace {

std::string tag_kind(bool is_union) { return is_union ? "union" : "struct"; }

}  // namespace

bool is_integer_name(const std::string& n) {
  static const std::set<std::string> s = {
      "char",         "signed char", "unsigned char", "short",     "unsigned short",     "int",
      "unsigned int", "long",        "unsigned long", "long long", "unsigned long long", "_Bool",
      "wchar_t",      "char16_t",    "char32_t"};
  return s.count(n) || (is_standard_type_name(n) && n != "FILE");
}

// ---- type construction ----

unsigned Parser::depth_of(const TypeRef& t) const {
  auto it = type_depth_.find(t.get());
  return it == type_depth_.end() ? 1u : it->second.second;
}

TypeRef Parser::finish(std::shared_ptr<Type> t, unsigned depth, const Location& loc) {
  if (depth > kMaxTypeDepth)
    fail(loc, "type is too complex (more than " + std::to_string(kMaxTypeDepth) + " levels)");
  type_depth_[t.get()] = {t, depth};
  return t;
}

TypeRef Parser::simple(TypeKind k, std::string name, int index) {
  auto t = std::make_shared<Type>();
  t->kind = k;
  t->name = std::move(name);
  t->index = index;
  return t;
}

TypeRef Parser::with_quals(const TypeRef& t, unsigned q) {
  if (!t || q == 0 || (t->quals & q) == q) return t;
  auto n = std::make_shared<Type>(*t);
  n->quals |= q;
  return finish(n, depth_of(t), {});
}

TypeRef Parser::pointer_to(const TypeRef& target, unsigned q, const Location& loc) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::Pointer;
  t->quals = q;
  t->target = target;
  return finish(t, depth_of(target) + 1, loc);
}

// ---- declaration specifiers ----

Spec Parser::specifiers(Ctx ctx) {
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
        w == "__inline__" || w == "_Noreturn" || w == "_Thread_local" || w == "register" ||
        w == "auto") {
      // As in CFFI, 'register', 'auto', '_Thread_local' and '_Noreturn' are accepted at file
      // scope and change nothing; a parameter may be 'register' or 'auto'.
      bool ok = ctx == Ctx::File || (ctx == Ctx::Param && (w == "register" || w == "auto"));
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
    } else if (is_calling_convention(w)) {
      // '__cdecl', '__stdcall', 'WINAPI': Windows calling conventions, ignored elsewhere.
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
    } else if (w == "_Atomic" && peek().is("(")) {
      // _Atomic(T): the type T (the C compiler has the atomic one; values cross alike).
      if (s.base || n.any())
        fail(t.loc, "cannot combine with previous '" + s.type_word + "' declaration specifier");
      advance();
      advance();
      Spec inner = specifiers(Ctx::TypeName);
      Declarator d = declarator(Ctx::TypeName);
      s.base = build(d, inner.base);
      if (!accept(")")) fail(cur().loc, "expected ')' after the type of '_Atomic('");
      s.type_word = "_Atomic";
      consumed = true;
      continue;
    } else if (w == "_Atomic") {
      // The _Atomic qualifier: ignored, as CFFI does (C lays the object out).
    } else if ((w == "_Alignas" || w == "alignas") && peek().is("(")) {
      // _Alignas(N) / _Alignas(T): kept as written for a struct field's own layout (the C
      // compiler's layout is read anyway; CFFI ignores it).
      advance();
      advance();
      std::string text;
      for (int depth = 1;;) {
        if (cur().kind == TokenKind::Eof) fail(cur().loc, "expected ')' after '_Alignas('");
        if (is_punct("(")) ++depth;
        if (is_punct(")") && --depth == 0) break;
        text += (text.empty() ? "" : " ") + cur().text;
        advance();
      }
      advance();
      s.alignas_text = text;
      consumed = true;
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
        fail(t.loc, "unknown type name '" + w + "'", DiagCode::UnknownTypeName);
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

TypeRef Parser::primitive_from(const Counts& n, const Location& loc) {
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

void Parser::tag_specifier(Ctx ctx, Spec& s, const std::string& kw) {
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
  // Not in a type name, nor anywhere inside one (a parameter's type): there is no module to
  // define it in.
  if (body && (ctx == Ctx::TypeName || !grammar_))
    fail(cur().loc, "cannot define a type in a type name");
  int idx = tag.empty() ? -1 : find_tag(tag, is_enum ? 2 : is_union ? 1 : 0, loc);
  if (idx < 0) {
    if (!grammar_)
      fail(loc, "unknown type '" + kw + " " + tag + "'",
           is_enum ? DiagCode::UnknownEnum : DiagCode::UnknownRecord);
    idx = (this->*grammar_->declare_tag)(tag, is_enum, is_union, loc);
  }
  (is_enum ? s.enm : s.record) = idx;
  s.tag_body = body;
  s.base = simple(is_enum ? TypeKind::Enum : TypeKind::Record, "", idx);
  if (body) (this->*(is_enum ? grammar_->enum_body : grammar_->record_body))(idx, loc);
}

int Parser::declare_tag(const std::string& tag, bool is_enum, bool is_union,
                        const Location& loc) {
  int idx;
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
  return idx;
}

int Parser::find_tag(const std::string& tag, int kind, const Location& loc) {
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

void Parser::record_body(int idx, const Location& loc) {
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
      error(body.fields[i].loc, "flexible array member '" + body.fields[i].name + "' with type '" +
                                    str(body.fields[i].type) + "' is not at the end of struct");
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
  r.included = opts_.included;  // whoever gives the body owns the record
  r.loc = loc;
  r.packed = opts_.packed;
  r.pack = opts_.pack;
  if (!r.tag.empty()) added_ = true;
}

void Parser::member(Record& body) {
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
      add_field(body, Field{"", spec.base, -1, spec.loc, spec.alignas_text}, spec.loc);
    } else if (spec.enm < 0 || !spec.tag_body) {
      diags_.warning(spec.loc, "declaration does not declare anything");
    }
    if (!spec.ended) advance();
    return;
  }
  while (true) {
    Field f;
    f.loc = cur().loc;
    f.alignas_text = spec.alignas_text;
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
      if (!(t.kind == TypeKind::Enum || (t.kind == TypeKind::Primitive && is_integer_name(t.name))))
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

void Parser::add_field(Record& body, Field f, const Location& loc) {
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

void Parser::collect_names(const Field& f, std::vector<std::string>& out, int depth) const {
  if (!f.name.empty()) return out.push_back(f.name);
  if (f.bit_width >= 0 || depth > 64) return;
  const Type& t = strip(f.type);
  if (t.kind == TypeKind::Record && t.index >= 0 && size_t(t.index) < cm_.records.size())
    for (const Field& g : cm_.records[t.index].fields) collect_names(g, out, depth + 1);
}

void Parser::enum_body(int idx, const Location& loc) {
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
  e.included = opts_.included;  // whoever gives the body owns the enum
  e.loc = loc;
  if (!e.tag.empty()) added_ = true;
  for (Enumerator& v : body.values) {
    auto it = enumerators_.find(v.name);
    if (it != enumerators_.end() && opts_.override) {
      enumerators_.erase(it);
    } else if (it != enumerators_.end()) {
      const Enumerator& o = m_->enums[it->second.first].values[it->second.second];
      if (o.gap == v.gap && (o.gap || o.value == v.value)) {
        // The same constant again ('enum a { X }; enum b { X };'): accepted, as in CFFI.
        // This enum lists it; the name keeps meaning the first one.
        e.values.push_back(v);
        continue;
      }
      Diagnostic& d = error(v.loc, "redefinition of enumerator '" + v.name + "'");
      note(d, o.loc, "previous definition is here");
      continue;
    }
    if (!check_kind(v.name, -1, v.loc)) continue;
    e.values.push_back(v);
    enumerators_[v.name] = {idx, int(e.values.size() - 1)};
    added_ = true;
  }
}

// ---- declarators ----

bool Parser::starts_type() const {
  if (cur().kind != TokenKind::Identifier) return false;
  const std::string& w = cur().text;
  return is_keyword(w) || find_typedef(w) >= 0 || is_standard_type_name(w) ||
         is_unsupported_keyword(w);
}

Declarator Parser::declarator(Ctx ctx) {
  Declarator d;
  // '(__stdcall *f)': a calling convention may open a nested declarator.
  while (cur().kind == TokenKind::Identifier && is_calling_convention(cur().text)) advance();
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
      else if (!is_calling_convention(w)) {
        if (ctx != Ctx::TypeName || peek().is("(")) reject_unsupported(cur());
        break;  // in a type name, 'int *__restrict' names its pointer '__restrict'
      }
      advance();
    }
    d.pointers.push_back(q);
    if (d.pointers.size() > kMaxTypeDepth) fail(cur().loc, "too many '*' in a declarator");
  }
  while (cur().kind == TokenKind::Identifier && is_calling_convention(cur().text)) advance();
  d.name_loc = cur().loc;
  if (cur().kind == TokenKind::Ellipsis) fail(cur().loc, "'...' is not allowed here");
  if (cur().kind == TokenKind::Identifier && !is_keyword(cur().text) &&
      (!is_unsupported_keyword(cur().text) || (ctx == Ctx::TypeName && !peek().is("(")))) {
    // A type name may name what it declares ('int *p', 'void foo()'): as in CFFI, the name
    // is ignored, whatever it is ('int *__restrict' is 'int *').
    if (ctx != Ctx::TypeName) d.name = cur().text;
    advance();
  } else if (is_punct("(")) {
    const Token& next = peek();
    bool nested = next.is("*") || next.is("(") || next.is("[") ||
                  (next.kind == TokenKind::Identifier && !is_keyword(next.text) &&
                   find_typedef(next.text) < 0 && !is_standard_type_name(next.text) &&
                   !is_unsupported_keyword(next.text));
    if (next.kind == TokenKind::Identifier && is_calling_convention(next.text)) nested = true;
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

Suffix Parser::array_suffix(Ctx ctx) {
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

Suffix Parser::function_suffix() {
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

TypeRef Parser::decay(const TypeRef& t, const Declarator& d, const Location& loc) {
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

const Suffix* Parser::top_suffix(const Declarator& d, bool& decided) {
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

TypeRef Parser::check_gaps(const TypeRef& t, const Location& loc) {
  for (const Type* p = t.get(); p; p = p->target.get())
    if (p->kind == TypeKind::Array && p->length_kind == ArrayLength::Gap)
      fail(loc, "'[...]' is not allowed in a function parameter");
  return t;
}

TypeRef Parser::build(const Declarator& d, TypeRef t) {
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

}  // namespace cdefc::cdef::detail
