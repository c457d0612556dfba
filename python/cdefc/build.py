# Compiles a generated module through setuptools' build_ext, as CFFI's compile() does.
#
# The Extension gets the user's set_source() keywords plus the runtime: its headers
# (include_dirs), libcdefc_runtime.a (extra_objects), libffi (libraries) and the C++ standard
# library: linked statically into C modules, so that importing one does not load
# libstdc++.so (two thirds of the import time otherwise) and wheels do not depend on its
# version; C++ modules (source_extension='.cpp') use the shared one like the rest of their code. With py_limited_api (the default) setuptools names the module `.abi3.so`; the
# generated C defines Py_LIMITED_API itself (the module description says "py_limited_api").
# Symbol hygiene: `-Wl,--exclude-libs,ALL` hides every symbol that comes from an archive, the
# runtime's and the static C++ standard library's, so a module exports PyInit_<name> and only
# what the user's own C defines non-static (`extern "Python+C"` functions, as in CFFI); modules
# built by different cdefc versions never bind to each other's runtime, even when loaded with
# RTLD_GLOBAL or beside a libstdc++.so. (A version script `{ global: PyInit_x; local: *; };`
# would hide the user's symbols too, which CFFI exports.)
import importlib.machinery
import os
import sys
import sysconfig

from .errors import FFIError, VerificationError
from .paths import get_include, get_library

#: Shared libraries the runtime needs (libffi for calls and callbacks).
RUNTIME_LIBRARIES = ("ffi",)
#: The runtime's C++ standard library, linked statically into modules written in C, with
#: the unwinder it needs (libgcc_eh): loading libgcc_s.so would be half the module's import.
STATIC_CXX_RUNTIME = ("-Wl,-Bstatic", "-lstdc++", "-Wl,-Bdynamic", "-static-libgcc")
#: Keeps the symbols of the runtime and the C++ standard library (archives) out of the
#: module's dynamic symbol table (GNU ld, gold and lld; ELF platforms only).
HIDE_ARCHIVE_SYMBOLS = ("-Wl,--exclude-libs,ALL",)
#: Drops the sections (functions, data) of the runtime and the C++ library the module does not
#: use: the runtime is compiled with -ffunction-sections -fdata-sections.
DROP_UNUSED_SECTIONS = ("-Wl,--gc-sections",)


def use_limited_api(requested: bool) -> bool:
    """py_limited_api as requested, except on debug and free-threaded CPython builds, which
    have no stable ABI."""
    return (bool(requested) and not hasattr(sys, "gettotalrefcount")
            and not sysconfig.get_config_var("Py_GIL_DISABLED"))


def module_file(directory: str, module_name: str, extension: str) -> str:
    """directory/pkg/_foo<extension> for module 'pkg._foo', creating directory/pkg."""
    parts = module_name.split(".")
    os.makedirs(os.path.join(directory, *parts[:-1]) or ".", exist_ok=True)
    return os.path.join(directory, *parts[:-1], parts[-1] + extension)


def _hides_archive_symbols() -> bool:
    """Whether modules are ELF shared objects, linked by a linker that takes --exclude-libs
    (GNU ld, gold, lld)."""
    return sys.platform not in ("win32", "cygwin", "darwin")


def parallel_jobs() -> int:
    """How many C files compile() compiles at once: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def make_extension(module_name: str, c_file: str, kwds: dict, py_limited_api: bool,
                   pieces=()):
    """The setuptools Extension building `c_file` (first source, then the `pieces` of a
    big module, cdefc --pieces) with the user's keywords and the runtime, whose symbols it
    does not export."""
    from setuptools import Extension

    try:
        include, library = get_include(), get_library()
    except FileNotFoundError as error:
        raise FFIError(f"cannot build {module_name}: {error}") from None
    kw = {key: list(value) if isinstance(value, (list, tuple)) else value
          for key, value in kwds.items()}
    sources = [c_file, *pieces, *(os.path.normpath(s) for s in kw.pop("sources", ()))]
    kw["include_dirs"] = [*kw.get("include_dirs", ()), include]
    kw["extra_objects"] = [*kw.get("extra_objects", ()), library]
    kw["libraries"] = [*kw.get("libraries", ())]
    kw["libraries"] += [lib for lib in RUNTIME_LIBRARIES if lib not in kw["libraries"]]
    link_args = [*kw.get("extra_link_args", ())]
    if _hides_archive_symbols():
        link_args += HIDE_ARCHIVE_SYMBOLS + DROP_UNUSED_SECTIONS
    if c_file.endswith(".c"):
        link_args += STATIC_CXX_RUNTIME
    elif "stdc++" not in kw["libraries"]:
        kw["libraries"].append("stdc++")
    kw["extra_link_args"] = link_args
    return Extension(name=module_name, sources=sources,
                     py_limited_api=use_limited_api(py_limited_api), **kw)


def _module_files(build_lib: str, module_name: str, target) -> list:
    """Every file an import of module_name could load from build_lib, and the target."""
    parts = module_name.split(".")
    files = [os.path.join(build_lib, *parts[:-1], parts[-1] + suffix)
             for suffix in importlib.machinery.EXTENSION_SUFFIXES]
    if target is not None:
        files.append(os.path.join(build_lib, target))
    return files


def remove_module(tmpdir: str, module_name: str, target=None, keep=None) -> None:
    """Remove the built module files of module_name in tmpdir (not `keep`), so that no stale
    module is imported after a failed build or shadows a new one (Python tries
    `.cpython-3XY-*.so` before `.abi3.so`)."""
    for path in _module_files(tmpdir, module_name, target):
        if keep is not None and os.path.abspath(path) == os.path.abspath(keep):
            continue
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def _target_filename(target: str) -> str:
    """CFFI's target: 'name.*' means name + the platform's shared library suffix."""
    if target.endswith(".*"):
        suffix = {"win32": ".dll", "darwin": ".dylib"}.get(sys.platform, ".so")
        return target[:-2] + suffix
    return target


def _compile_in_parallel(compile_sources, jobs: int):
    """A CCompiler.compile that compiles each source in its own call, `jobs` at a time
    (the C compiler runs in a subprocess: threads are enough)."""
    from concurrent.futures import ThreadPoolExecutor

    def compile_each(sources, *args, **kwargs):
        with ThreadPoolExecutor(max_workers=min(jobs, len(sources))) as pool:
            parts = list(pool.map(lambda source: compile_sources([source], *args, **kwargs),
                                  sources))
        return [obj for objects in parts for obj in objects]

    return compile_each


def compile_extension(tmpdir: str, ext, verbose=False, debug=None, target=None,
                      jobs=1) -> str:
    """Build `ext` with setuptools' build_ext inside tmpdir (the current directory during the
    build, as in CFFI: relative paths of the Extension are relative to tmpdir) and return the
    absolute path of the module, compiling up to `jobs` of its sources at once. `target`
    ('*' or None: setuptools' name) names the output file. C compiler and linker failures
    raise VerificationError."""
    # setuptools first: it provides `distutils` (its own copy, and on Python >= 3.12 the only one).
    from setuptools import Distribution
    from setuptools.command.build_ext import build_ext
    from distutils import log
    from distutils.errors import CompileError, LinkError

    target = None if target in (None, "*") else _target_filename(target)

    class BuildExt(build_ext):
        def get_ext_filename(self, fullname):
            return target if target is not None else super().get_ext_filename(fullname)

        def build_extension(self, ext):
            if jobs > 1 and len(ext.sources) > 1:
                self.compiler.compile = _compile_in_parallel(self.compiler.compile, jobs)
            super().build_extension(ext)

    saved_environ = os.environ.copy()
    cwd = os.getcwd()
    if verbose:
        where = "the current directory is" if tmpdir == "." else "setting the current directory to"
        print(f"{where} {os.path.abspath(tmpdir)!r}")
    os.chdir(tmpdir)
    try:
        dist = Distribution({"ext_modules": [ext], "cmdclass": {"build_ext": BuildExt}})
        dist.parse_config_files()
        options = dist.get_option_dict("build_ext")
        options["debug"] = ("cdefc", bool(sys.flags.debug if debug is None else debug))
        options["force"] = ("cdefc", True)
        options["build_lib"] = ("cdefc", ".")
        options["build_temp"] = ("cdefc", ".")
        old_threshold = log.set_threshold(log.WARN) or log.WARN
        try:
            log.set_verbosity(1 if verbose else 0)
            dist.run_command("build_ext")
            [output] = dist.get_command_obj("build_ext").get_outputs()
        except (CompileError, LinkError) as error:
            raise VerificationError(f"{type(error).__name__}: {error}") from None
        finally:
            log.set_threshold(old_threshold)
        return os.path.abspath(output)
    finally:
        os.chdir(cwd)
        # distutils may grow some variables (e.g. CFLAGS) each time it runs: put them back.
        for key, value in saved_environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


#: Options that change what C text means, with their argument in the next word or joined to
#: them (-Idir, -I dir); then those that are one word (-std=c11, -DNAME, -pthread).
_OPTIONS_WITH_ARGUMENT = ("-I", "-D", "-U", "-isystem", "-iquote", "-idirafter", "-include",
                          "-imacros")
_JOINED_ONLY = ("-I", "-D", "-U", "-isystem", "-iquote", "-idirafter")
_ONE_WORD = ("-std=", "-ansi", "-pthread")


def _meaningful_options(words) -> list:
    """The (option, argument) pairs of compiler command words that change what the C source
    means (include paths, macros, the language standard); '' for options without one.
    Optimization, warning and code generation flags are left out."""
    found, i = [], 0
    while i < len(words):
        word = words[i]
        if word in _OPTIONS_WITH_ARGUMENT:
            if i + 1 < len(words):
                found.append((word, words[i + 1]))
            i += 1
        elif word.startswith(_ONE_WORD):
            found.append((word, ""))
        else:
            for option in _JOINED_ONLY:
                if word.startswith(option) and len(word) > len(option):
                    found.append((option, word[len(option):]))
                    break
        i += 1
    return found


def _compiler_command_words() -> list:
    """The words setuptools' C compiler command starts with, in its order (distutils'
    customize_compiler): $CC or Python's CC, Python's CFLAGS, $CFLAGS, $CPPFLAGS, CCSHARED."""
    import shlex

    def config(name):
        return sysconfig.get_config_var(name) or ""

    parts = [os.environ["CC"] if "CC" in os.environ else config("CC"), config("CFLAGS"),
             os.environ.get("CFLAGS", ""), os.environ.get("CPPFLAGS", ""), config("CCSHARED")]
    return [word for part in parts for word in shlex.split(part)]


def probe_flags_from_environment() -> dict:
    """What setuptools' C compiler is told before the module's own flags, reduced to what
    changes the C source's meaning (-I, -D, -U, -isystem, -iquote, -idirafter, -include,
    -imacros, -std=, -ansi, -pthread), from Python's configuration (CC, CFLAGS, CCSHARED) and
    $CC, $CFLAGS, $CPPFLAGS: Clang must see them when it answers the cdef's gaps. A dict of
    the module description's "include_dirs", "define_macros" (NAME or NAME=VALUE),
    "undef_macros" and "extra_compile_args" (the rest, as words); each macro is given once,
    as it stands after the last -D or -U of its name."""
    flags = {"include_dirs": [], "define_macros": [], "undef_macros": [],
             "extra_compile_args": []}
    macros = {}  # name -> "NAME[=VALUE]" when defined, None when undefined (last one wins)
    for option, argument in _meaningful_options(_compiler_command_words()):
        if option == "-I":
            flags["include_dirs"].append(argument)
        elif option in ("-D", "-U"):
            name = argument.partition("=")[0]
            macros.pop(name, None)  # re-insert: the last one's position counts
            macros[name] = argument if option == "-D" else None
        else:
            flags["extra_compile_args"] += [option, argument] if argument else [option]
    flags["define_macros"] = [value for value in macros.values() if value is not None]
    flags["undef_macros"] = [name for name, value in macros.items() if value is None]
    return flags


def python_include_dirs() -> list:
    """The include directories setuptools' build_ext adds after the Extension's own: the
    virtual environment's, if any, then Python's (Python.h) and its platform-specific one."""
    dirs = []
    if sys.exec_prefix != sys.base_exec_prefix:
        dirs.append(os.path.join(sys.exec_prefix, "include"))
    paths = sysconfig.get_paths()
    for key in ("include", "platinclude"):
        if paths.get(key) and paths[key] not in dirs:
            dirs.append(paths[key])
    return dirs


def library_files(libraries, library_dirs) -> list:
    """The shared library files the linker would take for `libraries` (-l): lib<name>.so in
    `library_dirs`, else where the C compiler finds it (`cc -print-file-name`). None when one
    of them is not found (a static library, or one built with the module): then nobody can
    tell what the libraries export."""
    import subprocess
    words = _compiler_command_words()
    found = []
    for name in libraries:
        file = f"lib{name}.so"
        path = next((os.path.join(d, file) for d in library_dirs
                     if os.path.isfile(os.path.join(d, file))), None)
        if path is None and words:
            try:
                out = subprocess.run([words[0], f"-print-file-name={file}"], capture_output=True,
                                     text=True, check=False).stdout.strip()
            except OSError:
                out = ""
            path = os.path.realpath(out) if os.path.isabs(out) and os.path.isfile(out) else None
        if path is None:
            return None
        found.append(path)
    return found
