// What Clang knows of a function's body: whether the module's call of it can be a leaf call
// (no calls, no loops, no inline assembly, no volatile access), for the GIL decision.
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/reader.h"

#include <set>

namespace cdefc::clang_bridge {

namespace {

/// The first thing in `s` that makes a body more than a leaf, or "". A call of one of
/// `python` (the cdef's extern "Python" functions) is allowed: it takes the GIL anyway, so
/// keeping it is cheaper than releasing it; `*calls_python` then says so.
std::string not_leaf(const clang::Stmt* s, const std::set<std::string>& python,
                     bool* calls_python) {
  if (!s) return "";
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(s)) {
    const clang::FunctionDecl* callee = call->getDirectCallee();
    if (!callee || !callee->getIdentifier() || !python.count(callee->getName().str()))
      return "it calls a function";
    *calls_python = true;
  }
  if (llvm::isa<clang::ForStmt>(s) || llvm::isa<clang::WhileStmt>(s) ||
      llvm::isa<clang::DoStmt>(s))
    return "it has a loop";
  if (llvm::isa<clang::GotoStmt>(s) || llvm::isa<clang::IndirectGotoStmt>(s))
    return "it has a goto";
  if (llvm::isa<clang::AsmStmt>(s)) return "it has inline assembly";
  if (const auto* e = llvm::dyn_cast<clang::Expr>(s))
    if ((llvm::isa<clang::DeclRefExpr>(e) || llvm::isa<clang::MemberExpr>(e) ||
         llvm::isa<clang::UnaryOperator>(e) || llvm::isa<clang::ArraySubscriptExpr>(e)) &&
        e->getType().isVolatileQualified())
      return "it accesses a volatile object";
  for (const clang::Stmt* child : s->children()) {
    std::string why = not_leaf(child, python, calls_python);
    if (!why.empty()) return why;
  }
  return "";
}

}  // namespace

void Reader::body(size_t i, const clang::FunctionDecl* fd) {
  const clang::FunctionDecl* def = nullptr;
  if (!fd || !fd->hasBody(def) || !def || !def->getBody()) return;
  model::FunctionInfo& info = model_.functions[i];
  info.body_seen = true;
  std::set<std::string> python;
  for (const cdef::Function& f : m_.functions)
    if (f.linkage != cdef::Linkage::C && !f.included) python.insert(f.name);
  info.not_leaf_because = not_leaf(def->getBody(), python, &info.calls_python);
  info.leaf = info.not_leaf_because.empty();
}

}  // namespace cdefc::clang_bridge
