// cdef_from_headers(): parses the named headers, selects declarations and object-like macros
// by name, closes the selection over what it depends on and writes it as cdef text.
#include "clang/headers.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <set>

#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Lex/HeaderSearch.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Tooling/Tooling.h"
#include "clang/cdef_writer.h"
#include "clang/collector.h"
#include "clang/probe.h"

namespace cdefc::clang_bridge {

namespace {

/// The presumed file of the #include lines.
constexpr const char* kIncludesFile = "<cdef_from_headers>";
/// The variables of the lines that ask Clang what each macro is: prefix + the macro's number
/// (the lines are the probe file's, kProbeFile, one per macro).
constexpr const char* kMacroProbe = "_cdefc_macro_";

std::string include_lines(const HeaderRequest& r) {
  std::string s;
  for (const std::string& h : r.headers)
    s += !h.empty() && (h[0] == '<' || h[0] == '"') ? "#include " + h + "\n"
                                                    : "#include \"" + h + "\"\n";
  return s;
}

bool matches(const std::vector<std::string>& patterns, const std::string& name) {
  for (const std::string& p : patterns)
    if (fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

/// Parses the #include lines `includes` (then the lines `probes`) where the generated
/// module's main file has its source: same flags, same place, after what the module puts
/// first (Python.h, the standard headers), which can change what a header declares.
std::unique_ptr<clang::ASTUnit> parse(const std::string& includes, const std::string& probes,
                                      const SourceOptions& options, Collector& collector) {
  std::string file_name = options.cplusplus ? "cdefc_headers.cpp" : "cdefc_headers.c";
  if (!options.main_file_dir.empty()) file_name = options.main_file_dir + "/" + file_name;
  auto source = std::make_shared<cdef::SourceBuffer>();
  source->name = kIncludesFile;
  source->text = includes;
  ProbeText lines;
  lines.text = probes;
  ProbeOptions po;
  po.cplusplus = options.cplusplus;
  po.py_limited_api = options.py_limited_api;
  return clang::tooling::buildASTFromCodeWithArgs(
      probe_source(po, source, lines), clang_arguments(options), file_name, "cdefc",
      std::make_shared<clang::PCHContainerOperations>(),
      clang::tooling::getClangStripDependencyFileAdjuster(), clang::tooling::FileContentMappings(),
      &collector);
}

/// One macro to ask Clang about.
struct MacroCandidate {
  std::string name;
  clang::SourceLocation loc;  ///< in the first parse
  int function_like = 0;      ///< 1: function-like, 2: variadic (left out)
};

/// The selection and its closure over one parsed translation unit.
class HeaderReader {
 public:
  HeaderReader(const HeaderRequest& request, clang::ASTUnit& unit, HeaderCdef& out)
      : request_(request), unit_(unit), ctx_(unit.getASTContext()),
        sm_(unit.getSourceManager()), writer_(ctx_, unit.getPreprocessor()), out_(out) {
    find_named_files();
  }

  /// True if `loc` is in a header (not the generated main file, not built in, not one of
  /// Clang's own headers: gcc has its own stddef.h, with another max_align_t).
  bool in_header(clang::SourceLocation loc) const {
    if (loc.isInvalid()) return false;
    loc = sm_.getExpansionLoc(loc);
    if (sm_.isWrittenInBuiltinFile(loc) || sm_.isWrittenInCommandLineFile(loc) ||
        sm_.getFileID(loc) == sm_.getMainFileID())
      return false;
    const clang::FileEntry* file = sm_.getFileEntryForID(sm_.getFileID(loc));
    const std::string& clang_dir =
        unit_.getPreprocessor().getHeaderSearchInfo().getHeaderSearchOpts().ResourceDir;
    return !file || clang_dir.empty() || !llvm::StringRef(file->getName()).startswith(clang_dir);
  }

  /// True if `name` (declared at `loc`) is asked for.
  bool selected(const std::string& name, clang::SourceLocation loc) {
    if (name.empty()) return false;
    // Reserved names (__HAVE_FLOAT128, _IO_FILE) are the C library's and the compiler's
    // business, often different between compilers: only a pattern starting with '_' takes one.
    bool reserved = name.size() > 1 && name[0] == '_' &&
                    (name[1] == '_' || (name[1] >= 'A' && name[1] <= 'Z'));
    bool included = false;
    for (size_t i = 0; i < request_.include.size(); ++i)
      if ((!reserved || request_.include[i].rfind('_', 0) == 0) &&
          fnmatch(request_.include[i].c_str(), name.c_str(), 0) == 0) {
        included = true;
        matched_.insert(i);
      }
    if (matches(request_.exclude, name)) return false;
    if (!request_.include.empty()) return included;
    if (reserved) return false;
    // No patterns: what the named headers declare themselves.
    return named_files_.count(sm_.getFileEntryForID(sm_.getFileID(sm_.getExpansionLoc(loc))));
  }

  /// The object-like macros asked for, in the order they are defined; notes the others.
  std::vector<MacroCandidate> macro_candidates() {
    std::vector<MacroCandidate> found;
    clang::Preprocessor& pp = unit_.getPreprocessor();
    for (const auto& entry : pp.macros()) {
      const clang::IdentifierInfo* id = entry.first;
      const clang::MacroInfo* mi = pp.getMacroInfo(id);
      if (!mi || mi->isBuiltinMacro() || !in_header(mi->getDefinitionLoc())) continue;
      std::string name = id->getName().str();
      if (!selected(name, mi->getDefinitionLoc()) || !CdefWriter::plain_name(name)) continue;
      if (mi->isFunctionLike()) {
        found.push_back({name, mi->getDefinitionLoc(), mi->isVariadic() ? 2 : 1});
        continue;
      }
      if (mi->isUsedForHeaderGuard() || mi->getNumTokens() == 0) continue;
      // Braces and semicolons would end the probe line early: not a constant anyway.
      bool statement = false;
      for (const clang::Token& t : mi->tokens())
        statement = statement || t.isOneOf(clang::tok::l_brace, clang::tok::r_brace,
                                           clang::tok::semi);
      if (statement) continue;
      if (pragma(mi, 0)) {  // glibc's deprecated macros warn through _Pragma
        out_.notes.push_back("left out macro " + name + ": it expands to a _Pragma (deprecated)");
        continue;
      }
      found.push_back({name, mi->getDefinitionLoc()});
    }
    std::sort(found.begin(), found.end(), [&](const MacroCandidate& a, const MacroCandidate& b) {
      return sm_.isBeforeInTranslationUnit(a.loc, b.loc);
    });
    std::vector<MacroCandidate> constants;
    for (const MacroCandidate& m : found)
      if (m.function_like)
        out_.notes.push_back("left out macro " + m.name + "(): a function-like macro" +
                             (m.function_like == 2 ? " (variadic)" : "") + " has no cdef");
      else
        constants.push_back(m);
    return constants;
  }

  /// True if macro `mi` expands to a _Pragma (through macros it uses, a few levels deep).
  bool pragma(const clang::MacroInfo* mi, int depth) {
    clang::Preprocessor& pp = unit_.getPreprocessor();
    for (const clang::Token& t : mi->tokens()) {
      const clang::IdentifierInfo* id = t.getIdentifierInfo();
      if (id && id->getName() == "_Pragma") return true;
      if (id && depth < 8)
        if (const clang::MacroInfo* inner = pp.getMacroInfo(id))
          if (inner != mi && pragma(inner, depth + 1)) return true;
    }
    return false;
  }

  /// Selects the declarations asked for (walking the translation unit in order).
  void select(const clang::DeclContext* dc) {
    for (const clang::Decl* d : dc->decls()) {
      if (const auto* ls = llvm::dyn_cast<clang::LinkageSpecDecl>(d)) {
        select(ls);
        continue;
      }
      position_.emplace(d, position_.size());
      if (d->isImplicit() || !in_header(d->getLocation())) continue;
      consider(d);
    }
  }

  /// Writes what macro `name` expands to, as read through probe variable `vd`.
  void macro(const std::string& name, const clang::VarDecl* vd) {
    const clang::Expr* init = vd ? vd->getInit() : nullptr;
    if (!writer_.renamed_by_macro(name)) {  // `#define stdin stdin`
      out_.notes.push_back("left out macro " + name + ": it stands for the declaration " + name);
      return;
    }
    if (!init) {
      out_.notes.push_back("left out macro " + name + ": not a constant expression");
      return;
    }
    const clang::Expr* e = init->IgnoreParenImpCasts();
    clang::QualType t = e->getType();
    Spelled s;
    if (t->isIntegralOrUnscopedEnumerationType() && e->isIntegerConstantExpr(ctx_)) {
      if (request_.abi_mode) {  // no C source to ask: the value Clang found
        llvm::APSInt v = e->EvaluateKnownConstInt(ctx_);
        macros_ += "#define " + name + " " + llvm::toString(v, 10) + "\n";
      } else {
        macros_ += "#define " + name + " ...\n";
      }
      ++out_.declarations;
      return;
    }
    if (request_.abi_mode) {
      out_.notes.push_back("left out macro " + name +
                           ": without a C source (ABI mode) only integer macros have a value");
      return;
    }
    if (const auto* literal = llvm::dyn_cast<clang::StringLiteral>(e)) {
      // C gives wide literals the integer type under wchar_t, char16_t or char32_t.
      const char* element = literal->isWide()    ? "wchar_t"
                            : literal->isUTF16() ? "char16_t"
                            : literal->isUTF32() ? "char32_t"
                                                 : "char";
      s.text = std::string("const ") + element + " *const " + name;
    } else if (t->isRealFloatingType() && e->isEvaluatable(ctx_)) {
      s = writer_.type(t.getUnqualifiedType().withConst(), name);
    } else if (t->isPointerType() && llvm::isa<clang::CStyleCastExpr>(e) &&
               llvm::cast<clang::CStyleCastExpr>(e)->getSubExpr()->IgnoreParenImpCasts()
                   ->isIntegerConstantExpr(ctx_)) {
      s = writer_.type(t.withConst(), name);  // ((sqlite3_destructor_type)-1)
    } else {
      out_.notes.push_back("left out macro " + name +
                           ": not an integer, floating, string or pointer constant");
      return;
    }
    if (!s.unsupported.empty()) {
      out_.notes.push_back("left out macro " + name + ": " + s.unsupported);
      return;
    }
    for (const clang::Decl* u : s.uses) require(u);
    macros_ += "static " + s.text + ";\n";
    ++out_.declarations;
  }

  /// Closes the selection over what it needs and writes the cdef text.
  void write() {
    while (!work_.empty()) {
      const clang::Decl* d = work_.front();
      work_.pop_front();
      Spelled s = writer_.declaration(shown(d));
      if (!s.unsupported.empty()) continue;  // noted where it was selected
      for (const clang::Decl* u : s.uses) require(u);
    }
    struct Line {
      size_t position;
      int depth;
      const clang::Decl* decl;
    };
    std::vector<Line> lines;
    for (const clang::Decl* d : needed_) {
      if (dropped_.count(d)) continue;
      const clang::Decl* s = shown(d);
      int depth = 0;
      const clang::Decl* top = s;
      while (top->getLexicalDeclContext() && !top->getLexicalDeclContext()->isFileContext() &&
             !llvm::isa<clang::LinkageSpecDecl>(top->getLexicalDeclContext())) {
        top = llvm::cast<clang::Decl>(top->getLexicalDeclContext());
        ++depth;
      }
      auto p = position_.find(top);
      lines.push_back({p == position_.end() ? position_.size() : p->second, depth, s});
    }
    // C's order, a struct defined inside another first (then in the order C has them).
    std::sort(lines.begin(), lines.end(), [&](const Line& a, const Line& b) {
      if (a.position != b.position) return a.position < b.position;
      if (a.depth != b.depth) return a.depth > b.depth;
      return sm_.isBeforeInTranslationUnit(a.decl->getLocation(), b.decl->getLocation());
    });
    for (const Line& l : lines) {
      Spelled s = writer_.declaration(l.decl);
      for (const std::string& why : s.dropped)
        out_.notes.push_back("partial " + name_of(l.decl) + ": " + why);
      out_.text += s.text;
      ++out_.declarations;
    }
    out_.text += macros_;
  }

 private:
  const HeaderRequest& request_;
  clang::ASTUnit& unit_;
  clang::ASTContext& ctx_;
  const clang::SourceManager& sm_;
  CdefWriter writer_;
  HeaderCdef& out_;
  std::map<const clang::Decl*, size_t> position_;  ///< each top-level declaration's index
  std::set<const clang::Decl*> needed_;            ///< canonical declarations to write
  std::set<const clang::Decl*> dropped_;           ///< selected but not writable
  std::set<const clang::Decl*> noted_;             ///< already noted as left out
  std::deque<const clang::Decl*> work_;
  std::string macros_;                             ///< the macro lines, after the rest
  std::set<size_t> matched_;                       ///< the include patterns that matched
  std::set<const clang::FileEntry*> named_files_;  ///< the files of request_.headers

  /// The files the named headers are, found as #include finds them: beside the main file,
  /// then along the include path. (The prelude may have included one already, so the
  /// #include lines themselves may enter no file.)
  void find_named_files() {
    clang::FileManager& files = sm_.getFileManager();
    std::vector<std::string> dirs;
    if (const clang::FileEntry* main = sm_.getFileEntryForID(sm_.getMainFileID()))
      dirs.push_back(main->getDir()->getName().str());
    for (const auto& entry : unit_.getPreprocessor().getHeaderSearchInfo().getHeaderSearchOpts()
                                 .UserEntries)
      dirs.push_back(entry.Path);
    for (std::string h : request_.headers) {
      if (h.size() > 2 && (h[0] == '<' || h[0] == '"')) h = h.substr(1, h.size() - 2);
      std::vector<std::string> paths;
      if (!h.empty() && h[0] == '/') paths.push_back(h);
      for (const std::string& dir : dirs) paths.push_back(dir + "/" + h);
      for (const std::string& path : paths)
        if (auto ref = files.getOptionalFileRef(path)) {
          named_files_.insert(&ref->getFileEntry());
          break;
        }
    }
  }

 public:
  /// The include patterns that matched no name of the headers.
  std::vector<std::string> unmatched() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < request_.include.size(); ++i)
      if (!matched_.count(i)) out.push_back(request_.include[i]);
    return out;
  }

 private:

  static std::string name_of(const clang::Decl* d) {
    const auto* nd = llvm::dyn_cast<clang::NamedDecl>(d);
    std::string name = nd ? nd->getName().str() : "";
    if (const auto* tag = llvm::dyn_cast<clang::TagDecl>(d))
      return std::string(tag->getKindName()) + (name.empty() ? "" : " " + name);
    return "'" + name + "'";
  }

  void note_left_out(const clang::Decl* d, const std::string& why) {
    if (noted_.insert(d->getCanonicalDecl()).second)
      out_.notes.push_back("left out " + name_of(d) + ": " + why);
  }

  /// The declaration written for canonical `d`: a struct, union or enum's definition; the
  /// header's own declaration of a function (a library builtin's canonical one is Clang's,
  /// in its own types: `unsigned long strlen(const char *)`).
  static const clang::Decl* shown(const clang::Decl* d) {
    if (const auto* tag = llvm::dyn_cast<clang::TagDecl>(d))
      if (const clang::TagDecl* def = tag->getDefinition()) return def;
    for (const clang::Decl* r : d->redecls())
      if (!r->isImplicit()) return r;
    return d;
  }

  void require(const clang::Decl* d) {
    d = d->getCanonicalDecl();
    if (needed_.insert(d).second) work_.push_back(d);
  }

  /// A selected declaration: bound, or left out with a note.
  void root(const clang::Decl* d) {
    Spelled s = writer_.declaration(shown(d));
    if (!s.unsupported.empty()) {
      note_left_out(d, s.unsupported);
      dropped_.insert(d->getCanonicalDecl());
      return;
    }
    require(d);
  }

  /// True if the module's libraries export `name`, or nobody knows, or the C source may
  /// define it.
  bool exported(const std::string& name) const {
    if (!request_.exports || request_.exports->count(name)) return true;
    for (size_t at = request_.source.find(name); at != std::string::npos;
         at = request_.source.find(name, at + 1)) {
      auto word = [&](size_t i) {
        char c = request_.source[i];
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      };
      if ((at == 0 || !word(at - 1)) &&
          (at + name.size() == request_.source.size() || !word(at + name.size())))
        return true;
    }
    return false;
  }

  /// True if any declaration of `d` says it is deprecated or unavailable.
  static bool deprecated(const clang::Decl* d) {
    for (const clang::Decl* r : d->redecls())
      if (r->hasAttr<clang::DeprecatedAttr>() || r->hasAttr<clang::UnavailableAttr>()) return true;
    return false;
  }

  void consider(const clang::Decl* d) {
    const auto* nd = llvm::dyn_cast<clang::NamedDecl>(d);
    if (!nd) return;
    std::string name = nd->getName().str();
    if (!name.empty() && (writer_.renamed_by_macro(name) || !CdefWriter::plain_name(name))) {
      if (selected(name, d->getLocation()))
        note_left_out(d, CdefWriter::plain_name(name) ? "its name is a macro for something else"
                                                 : "not a name a cdef can hold");
      return;
    }
    if ((llvm::isa<clang::FunctionDecl>(d) || llvm::isa<clang::VarDecl>(d)) && !exported(name)) {
      if (selected(name, d->getLocation()))
        note_left_out(d, "the module's libraries do not export it");
      return;
    }
    if (const auto* fd = llvm::dyn_cast<clang::FunctionDecl>(d)) {
      if (!selected(name, d->getLocation())) return;
      if (fd->isInlineSpecified() || fd->isInlined())
        note_left_out(d, "an inline function has no symbol to call");
      else if (deprecated(fd))
        note_left_out(d, "the header marks it deprecated (declare it with cdef() to bind it)");
      else if (fd->getStorageClass() == clang::SC_Static)
        note_left_out(d, "a static function has no symbol to call");
      else  // (strlen, printf, ... are builtins too: real functions all the same)
        root(fd->getCanonicalDecl());
    } else if (const auto* vd = llvm::dyn_cast<clang::VarDecl>(d)) {
      if (!vd->isFileVarDecl() || !selected(name, d->getLocation())) return;
      if (vd->getStorageClass() == clang::SC_Static)
        note_left_out(d, "a static variable has no symbol");
      else if (deprecated(vd))
        note_left_out(d, "the header marks it deprecated (declare it with cdef() to bind it)");
      else if (vd->getTLSKind() != clang::VarDecl::TLS_None)
        note_left_out(d, "a thread-local variable cannot be reached from Python");
      else
        root(vd->getCanonicalDecl());
    } else if (llvm::isa<clang::TypedefNameDecl>(d)) {
      if (selected(name, d->getLocation())) root(d->getCanonicalDecl());
    } else if (const auto* tag = llvm::dyn_cast<clang::TagDecl>(d)) {
      bool wanted = selected(name, d->getLocation());
      if (const auto* ed = llvm::dyn_cast<clang::EnumDecl>(d))
        for (const clang::EnumConstantDecl* e : ed->enumerators())
          wanted = selected(e->getName().str(), e->getLocation()) || wanted;
      if (!wanted || !tag->isThisDeclarationADefinition()) {
        if (wanted && llvm::isa<clang::RecordDecl>(d)) root(tag->getCanonicalDecl());
        return;
      }
      // An anonymous struct or enum is written inside the typedef that names it.
      if (const clang::TypedefNameDecl* named = tag->getTypedefNameForAnonDecl())
        root(named->getCanonicalDecl());
      else if (!name.empty() || llvm::isa<clang::EnumDecl>(d))
        root(tag->getCanonicalDecl());
    }
  }
};

/// Reports Clang's errors; those on the #include lines are put at the call.
bool report(const Collector& collector, const HeaderRequest& r, cdef::Diagnostics& diags) {
  for (const ClangMessage& e : collector.errors) {
    cdef::Location loc;
    if (e.file == kIncludesFile || e.file.empty()) {
      loc = r.where;
    } else {
      loc.file = e.file;
      loc.line = e.line;
      loc.column = e.column;
      loc.line_text = e.line_text;
    }
    diags.error(loc, e.message);
  }
  return collector.errors.empty();
}

}  // namespace

bool cdef_from_headers(const HeaderRequest& request, const SourceOptions& options,
                       cdef::Diagnostics& diags, HeaderCdef& out) {
  out = HeaderCdef{};
  if (request.headers.empty()) {
    diags.error(request.where, "cdef_from_headers() needs at least one header");
    return false;
  }
  std::string includes = include_lines(request);
  Collector first_errors;
  std::unique_ptr<clang::ASTUnit> unit = parse(includes, "", options, first_errors);
  if (!report(first_errors, request, diags)) return false;
  if (!unit) {
    diags.error(request.where, "clang could not parse the headers");
    return false;
  }
  HeaderReader first(request, *unit, out);
  std::vector<MacroCandidate> macros = first.macro_candidates();
  std::vector<std::string> macros_unmatched = first.unmatched();

  // What each macro is, asked by a second parse with one line per macro after the headers.
  std::set<unsigned> failed_lines;
  if (!macros.empty()) {
    std::string lines;
    for (size_t k = 0; k < macros.size(); ++k)
      lines += std::string(options.cplusplus ? "static constexpr auto " : "static const __auto_type ") +
               kMacroProbe + std::to_string(k) + " = (" + macros[k].name + ");\n";
    Collector errors;
    std::unique_ptr<clang::ASTUnit> second = parse(includes, lines, options, errors);
    if (!second) {
      diags.error(request.where, "clang could not parse the headers");
      return false;
    }
    for (const ClangMessage& e : errors.errors)
      if (e.file == kProbeFile) failed_lines.insert(e.line);
    unit = std::move(second);
  }

  HeaderReader reader(request, *unit, out);
  reader.select(unit->getASTContext().getTranslationUnitDecl());
  std::map<size_t, const clang::VarDecl*> probes;
  const std::string prefix = kMacroProbe;
  for (const clang::Decl* d : unit->getASTContext().getTranslationUnitDecl()->decls())
    if (const auto* vd = llvm::dyn_cast<clang::VarDecl>(d))
      if (vd->getName().startswith(prefix))
        probes[std::stoul(vd->getName().substr(prefix.size()).str())] = vd;
  for (size_t k = 0; k < macros.size(); ++k)
    reader.macro(macros[k].name,
                 failed_lines.count(static_cast<unsigned>(k + 1)) ? nullptr : probes[k]);
  reader.write();
  // A pattern that matches nothing is most likely a typo: say so (a warning, as C would).
  for (const std::string& pattern : reader.unmatched())
    if (std::find(macros_unmatched.begin(), macros_unmatched.end(), pattern) !=
        macros_unmatched.end())
        diags.warning(request.where, "cdef_from_headers(): '" + pattern +
                                       "' matches no name the headers declare");
  if (request.include.empty() && out.declarations == 0)
    diags.warning(request.where, "cdef_from_headers(): the headers declare nothing themselves "
                                 "(give names to bind with include=)");
  return true;
}

}  // namespace cdefc::clang_bridge
