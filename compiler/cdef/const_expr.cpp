// The cdef parser: integer constant expressions (64-bit values, C's rules, '...' gaps).
#include <string>
#include <unordered_map>

#include "cdef/parser_impl.h"

namespace cdefc::cdef::detail {

// ---- constant expressions ----

CValue Parser::expr() {
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

int Parser::precedence(const Token& t) {
  if (t.kind != TokenKind::Punct) return 0;
  static const std::unordered_map<std::string, int> p = {
      {"||", 1}, {"&&", 2}, {"|", 3}, {"^", 4},  {"&", 5},  {"==", 6},
      {"!=", 6}, {"<", 7},  {">", 7}, {"<=", 7}, {">=", 7}, {"<<", 8},
      {">>", 8}, {"+", 9},  {"-", 9}, {"*", 10}, {"/", 10}, {"%", 10}};
  auto it = p.find(t.text);
  return it == p.end() ? 0 : it->second;
}

CValue Parser::binary(int min_prec) {
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

CValue Parser::apply(const Token& op, const CValue& a, const CValue& b) {
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

CValue Parser::unary() {
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

CValue Parser::name_value(const Token& t) {
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
    if (e.gap || en.partial) return unknown();
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

}  // namespace cdefc::cdef::detail
