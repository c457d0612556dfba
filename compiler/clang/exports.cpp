// exported_symbols(): what a shared library exports, from its ELF dynamic symbol table.
#include "clang/headers.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"

namespace cdefc::clang_bridge {

bool exported_symbols(const std::vector<std::string>& files, std::set<std::string>& out,
                      std::string& error) {
  for (const std::string& path : files) {
    llvm::Expected<llvm::object::OwningBinary<llvm::object::ObjectFile>> file =
        llvm::object::ObjectFile::createObjectFile(path);
    if (!file) {
      error = "cannot read '" + path + "': " + llvm::toString(file.takeError());
      return false;
    }
    const auto* elf = llvm::dyn_cast<llvm::object::ELFObjectFileBase>(file->getBinary());
    if (!elf) {
      error = "'" + path + "' is not an ELF shared library";
      return false;
    }
    for (const llvm::object::ELFSymbolRef& symbol : elf->getDynamicSymbolIterators()) {
      llvm::Expected<uint32_t> flags = symbol.getFlags();
      llvm::Expected<llvm::StringRef> name = symbol.getName();
      if (!flags || !name) {
        llvm::consumeError(flags.takeError());
        llvm::consumeError(name.takeError());
        continue;
      }
      if (!(*flags & llvm::object::SymbolRef::SF_Undefined)) out.insert(name->str());
    }
  }
  return true;
}

}  // namespace cdefc::clang_bridge
