// Record layouts: sizes, alignments and field offsets from Clang; an exact cdef layout that
// is not C's is a warning and CFFI's lazy ffi.error, a field C lacks is an error.
#include <set>

#include "clang/AST/RecordLayout.h"
#include "clang/reader.h"

namespace cdefc::clang_bridge {

using namespace cdefc::cdef;
using clang::QualType;

namespace {

using FieldList = std::vector<std::pair<const clang::FieldDecl*, uint64_t>>;

/// Every named field of `rd` (flattening anonymous members), with bit offsets.
void flatten(clang::ASTContext& ctx, const clang::RecordDecl* rd, uint64_t base, FieldList& out) {
  const clang::ASTRecordLayout& layout = ctx.getASTRecordLayout(rd);
  for (const clang::FieldDecl* f : rd->fields()) {
    uint64_t off = base + layout.getFieldOffset(f->getFieldIndex());
    if (f->isAnonymousStructOrUnion()) {
      flatten(ctx, f->getType()->getAsRecordDecl()->getDefinition(), off, out);
    } else if (!f->getName().empty()) {
      out.push_back({f, off});
    }
  }
}

/// Finds a named field of `rd`, directly or through anonymous members; sets its bit offset.
const clang::FieldDecl* find_field(clang::ASTContext& ctx, const clang::RecordDecl* rd,
                                   const std::string& name, uint64_t& bit_offset) {
  for (clang::NamedDecl* d : rd->lookup(&ctx.Idents.get(name))) {
    if (auto* f = llvm::dyn_cast<clang::FieldDecl>(d)) {
      bit_offset = ctx.getFieldOffset(f);
      return f;
    }
    if (auto* f = llvm::dyn_cast<clang::IndirectFieldDecl>(d)) {
      bit_offset = ctx.getFieldOffset(f);
      return f->getAnonField();
    }
  }
  return nullptr;
}

/// The first named field of a cdef record, looking into anonymous members.
std::string first_field_name(const Module& m, const Record& r) {
  for (const Field& f : r.fields) {
    if (!f.name.empty()) return f.name;
    if (f.type->kind == TypeKind::Record) {
      std::string n = first_field_name(m, m.records[static_cast<size_t>(f.type->index)]);
      if (!n.empty()) return n;
    }
  }
  return "";
}

/// CFFI's text for a layout that is not C's: "struct p: wrong offset for field 'x' (cdef says
/// 0, but C compiler says 4). fix it or use "...;" ...".
std::string cffi_layout_error(const std::string& name, const std::string& what, uint64_t cdef_v,
                              uint64_t real_v) {
  return name + ": wrong " + what + " (cdef says " + std::to_string(cdef_v) +
         ", but C compiler says " + std::to_string(real_v) +
         "). fix it or use \"...;\" as the last field in the cdef for " + name +
         " to make it flexible";
}

uint64_t size_of(clang::ASTContext& ctx, QualType t) {
  if (t->isIncompleteType()) return 0;
  return static_cast<uint64_t>(ctx.getTypeSizeInChars(t).getQuantity());
}

}  // namespace

void Reader::record(size_t i) {
  Record& r = m_.records[i];
  const std::string name = record_c_name(r);
  QualType qt = probe_type(probes_.record_type[i]);
  if (qt.isNull()) {
    // `struct foo` where C has `union foo` (or the reverse): say it our way.
    if (!r.tag.empty())
      for (clang::NamedDecl* d : ctx_.getTranslationUnitDecl()->lookup(&ctx_.Idents.get(r.tag)))
        if (auto* rd = llvm::dyn_cast<clang::RecordDecl>(d))
          if (rd->isUnion() != r.is_union) {
            mismatch(r.loc,
                     "'" + name + "' is a " + (r.is_union ? "struct" : "union") + " in " +
                         where(rd->getLocation()) + ", cdef says " +
                         (r.is_union ? "union" : "struct"),
                     rd->getLocation());
            explain(probes_.record_type[i]);
            return;
          }
    report_probe_errors(probes_.record_type[i], r.loc);
    return;
  }
  const clang::RecordType* rt = qt.getCanonicalType()->getAs<clang::RecordType>();
  if (!rt) {
    diags_.error(r.loc, "'" + name + "' is not a " + (r.is_union ? "union" : "struct") +
                            " in the C source (it is '" + spell(qt) + "')");
    return;
  }
  if (rt->getDecl()->isUnion() != r.is_union) {
    mismatch(r.loc,
             "'" + name + "' is a " + (r.is_union ? "struct" : "union") + " in " +
                 where(rt->getDecl()->getLocation()) + ", cdef says " +
                 (r.is_union ? "union" : "struct"),
             rt->getDecl()->getLocation());
    return;
  }
  const clang::RecordDecl* def = rt->getDecl()->getDefinition();
  if (!def) {
    // Only the probe's own `typedef struct tag ...` may have declared it.
    bool declared = false;
    for (const clang::TagDecl* d : rt->getDecl()->redecls())
      declared = declared || real_location(d->getLocation()).file != kProbeFile;
    diags_.error(r.loc, "'" + name + "' is not " +
                            (declared ? "defined in the C source (only declared)"
                                      : "declared in the C source"));
    return;
  }
  const clang::ASTRecordLayout& layout = ctx_.getASTRecordLayout(def);
  model::RecordLayout& rl = model_.records[i];
  rl.size = static_cast<uint64_t>(layout.getSize().getQuantity());
  rl.align = static_cast<uint64_t>(layout.getAlignment().getQuantity());
  rl.real_loc = real_location(def->getLocation());
  rl.known = true;

  const clang::RecordDecl* mirror = nullptr;
  if (!probes_.record_mirror[i].empty() && !probe_failed(probes_.record_mirror[i])) {
    for (clang::NamedDecl* d :
         ctx_.getTranslationUnitDecl()->lookup(&ctx_.Idents.get(probes_.record_mirror[i])))
      if (auto* rd = llvm::dyn_cast<clang::RecordDecl>(d)) mirror = rd->getDefinition();
  }
  std::string lazy;
  fields(i, def, 0, mirror, name, lazy);
  if (mirror) exact_layout(i, def, mirror, name, lazy);
  rl.error = lazy;
}

void Reader::exact_layout(size_t ri, const clang::RecordDecl* def,
                          const clang::RecordDecl* mirror, const std::string& name,
                          std::string& lazy) {
  const Record& r = m_.records[ri];
  const model::RecordLayout& rl = model_.records[ri];
  FieldList real_fields, cdef_fields;
  flatten(ctx_, def, 0, real_fields);
  flatten(ctx_, mirror, 0, cdef_fields);
  std::set<std::string> declared;
  for (auto& f : cdef_fields) declared.insert(f.first->getName().str());
  for (auto& f : real_fields)
    if (!declared.count(f.first->getName().str()))
      differs(r.loc,
              "'" + name + "' has a field '" + f.first->getName().str() + "' in " +
                  where(f.first->getLocation()) +
                  " that the cdef does not declare; add '...;' to declare a partial " +
                  (r.is_union ? "union" : "struct"),
              f.first->getLocation());
  const clang::ASTRecordLayout& ml = ctx_.getASTRecordLayout(mirror);
  uint64_t msize = static_cast<uint64_t>(ml.getSize().getQuantity());
  uint64_t malign = static_cast<uint64_t>(ml.getAlignment().getQuantity());
  if (msize != rl.size) {
    differs(r.loc,
            "'" + name + "' has size " + std::to_string(rl.size) + " in " +
                where(def->getLocation()) + ", cdef says " + std::to_string(msize),
            def->getLocation());
    if (lazy.empty()) lazy = cffi_layout_error(name, "total size", msize, rl.size);
  } else if (malign != rl.align) {
    differs(r.loc,
            "'" + name + "' has alignment " + std::to_string(rl.align) + " in " +
                where(def->getLocation()) + ", cdef says " + std::to_string(malign),
            def->getLocation());
    if (lazy.empty()) lazy = cffi_layout_error(name, "total alignment", malign, rl.align);
  }
}

void Reader::fields(size_t ri, const clang::RecordDecl* def, uint64_t base_bits,
                    const clang::RecordDecl* mirror, const std::string& name, std::string& lazy) {
  Record& r = m_.records[ri];
  for (size_t j = 0; j < r.fields.size(); ++j) {
    Field& f = r.fields[j];
    model::FieldLayout& fl = model_.records[ri].fields[j];
    if (f.name.empty()) {
      if (f.type->kind != TypeKind::Record) continue;  // unnamed bitfield padding
      const size_t inner_index = static_cast<size_t>(f.type->index);
      std::string first = first_field_name(m_, m_.records[inner_index]);
      uint64_t off = 0;
      const clang::FieldDecl* rf = first.empty() ? nullptr : find_field(ctx_, def, first, off);
      // The anonymous member of `def` that holds `first`.
      const clang::RecordDecl* inner_def = nullptr;
      uint64_t inner_off = 0;
      for (const clang::FieldDecl* cand : def->fields()) {
        if (!cand->isAnonymousStructOrUnion()) continue;
        const clang::RecordDecl* crd = cand->getType()->getAsRecordDecl()->getDefinition();
        uint64_t o = 0;
        if (rf && find_field(ctx_, crd, first, o)) {
          inner_def = crd;
          inner_off = ctx_.getFieldOffset(cand);
          break;
        }
      }
      if (!inner_def) {
        diags_.error(f.loc, "no anonymous member of '" + name + "' holds field '" + first +
                                "' in the C source");
        continue;
      }
      fl.offset = (base_bits + inner_off) / 8;
      fl.bit_offset = base_bits + inner_off;
      const clang::ASTRecordLayout& il = ctx_.getASTRecordLayout(inner_def);
      fl.size = static_cast<uint64_t>(il.getSize().getQuantity());
      model::RecordLayout& inner = model_.records[inner_index];
      inner.size = fl.size;
      inner.align = static_cast<uint64_t>(il.getAlignment().getQuantity());
      inner.known = true;
      inner.real_loc = real_location(inner_def->getLocation());
      fields(inner_index, inner_def, base_bits + inner_off, nullptr, name, lazy);
      continue;
    }
    uint64_t bits = 0;
    const clang::FieldDecl* rf = find_field(ctx_, def, f.name, bits);
    if (!rf) {  // the module's offsetof() would not compile
      mismatch(f.loc,
               "'" + name + "' has no field named '" + f.name + "' in " + where(def->getLocation()),
               def->getLocation());
      continue;
    }
    // Offsets relative to the outermost record.
    fl.bit_offset = base_bits + bits;
    fl.offset = fl.bit_offset / 8;
    QualType real_t = rf->getType();
    QualType real_leaf;
    std::string what = "field '" + f.name + "' of '" + name + "'";
    bool length_differs = false;
    TypeRef filled = fill_arrays(f.type, real_t, f.loc, what, rf->getLocation(), &real_leaf,
                                 &length_differs);
    if (!filled) continue;
    TypeRef cdef_type = f.type;
    f.type = filled;
    fl.size = size_of(ctx_, real_t);
    // A bitfield's width is C's: the module reads and writes the bits C has (CFFI silently
    // uses the cdef's, a layout that is not C's); the cdef's other width is a warning.
    const int real_width =
        rf->isBitField() ? static_cast<int>(rf->getBitWidthValue(ctx_)) : -1;
    if (real_width != f.bit_width) {
      differs(f.loc,
              what + " is " +
                  (real_width >= 0 ? "a bitfield of width " + std::to_string(real_width)
                                   : std::string("not a bitfield")) +
                  " in " + where(rf->getLocation()) + ", cdef says " +
                  (f.bit_width >= 0 ? "width " + std::to_string(f.bit_width)
                                    : std::string("not a bitfield")) +
                  "; C's is used",
              rf->getLocation());
      f.bit_width = real_width;
    }
    // A named field of an unnamed record type (`struct { int x; } pos;`): lay it out
    // from the real field's type, offsets relative to that record.
    TypeRef leaf_t = strip_arrays(f.type);
    if (leaf_t->kind == TypeKind::Record) {
      const size_t inner_index = static_cast<size_t>(leaf_t->index);
      const Record& inner_decl = m_.records[inner_index];
      const clang::RecordType* irt = real_leaf->getAs<clang::RecordType>();
      if (inner_decl.tag.empty() && inner_decl.typedef_name.empty() && irt &&
          irt->getDecl()->getDefinition()) {
        const clang::RecordDecl* inner_def = irt->getDecl()->getDefinition();
        const clang::ASTRecordLayout& il = ctx_.getASTRecordLayout(inner_def);
        model::RecordLayout& inner = model_.records[inner_index];
        inner.size = static_cast<uint64_t>(il.getSize().getQuantity());
        inner.align = static_cast<uint64_t>(il.getAlignment().getQuantity());
        inner.known = true;
        inner.real_loc = real_location(inner_def->getLocation());
        std::string inner_lazy;
        fields(inner_index, inner_def, 0, nullptr, name + "." + f.name, inner_lazy);
        if (lazy.empty()) lazy = inner_lazy;
      }
    }
    // The field's type: what C converts is a warning; a size that differs is CFFI's lazy
    // "wrong size for field" (checked for partial records too, as CFFI does).
    QualType cdef_leaf = probe_type(probes_.field_type[ri][j]);
    bool type_differs = !cdef_leaf.isNull() && !equivalent(cdef_leaf, real_leaf);
    if (type_differs || length_differs)
      differs(f.loc,
              what + " has type '" + spell(real_t) + "' in " + where(rf->getLocation()) +
                  ", cdef says '" + c_type_string(m_, cdef_type) + "'",
              rf->getLocation());
    if (f.bit_width < 0 && !cdef_leaf.isNull() && !real_t->isIncompleteType()) {
      uint64_t cdef_size = size_of(ctx_, cdef_leaf);
      bool sized = true;  // '[...]' and '[]' take C's length
      for (TypeRef a = cdef_type; a && a->kind == TypeKind::Array; a = a->target) {
        sized = sized && a->length_kind == ArrayLength::Known;
        cdef_size *= a->length;
      }
      if (sized && cdef_size != fl.size && lazy.empty())
        lazy = cffi_layout_error(name, "size for field '" + f.name + "'", cdef_size, fl.size);
    }
    if (mirror) {
      uint64_t mbits = 0;
      if (find_field(ctx_, mirror, f.name, mbits) && mbits != bits) {
        std::string unit = rf->isBitField() ? "bit offset " : "offset ";
        uint64_t real_v = rf->isBitField() ? bits : bits / 8;
        uint64_t cdef_v = rf->isBitField() ? mbits : mbits / 8;
        differs(f.loc,
                what + " is at " + unit + std::to_string(real_v) + " in " +
                    where(rf->getLocation()) + ", cdef says " + std::to_string(cdef_v),
                rf->getLocation());
        // Bitfields are laid out as C has them (above): only other fields' offsets are
        // CFFI's lazy error, as in CFFI.
        if (lazy.empty() && !rf->isBitField())
          lazy = cffi_layout_error(name, unit + "for field '" + f.name + "'", cdef_v, real_v);
      }
    }
  }
}

}  // namespace cdefc::clang_bridge
