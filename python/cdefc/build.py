# Compiles a generated module through setuptools' build_ext, as CFFI's compile() does.
#
# The Extension gets the user's set_source() keywords plus the runtime: its headers
# (include_dirs), libcdefc_runtime.a (extra_objects), libffi (libraries) and the C++ standard
# library: linked statically into C modules, so that importing one does not load
# libstdc++.so (two thirds of the import time otherwise) and wheels do not depend on its
# version; C++ modules (source_extension='.cpp') use the shared one like the rest of their code. With py_limited_api (the default) setuptools names the module `.abi3.so`; the
# generated C defines Py_LIMITED_API itself (the module description says "py_limited_api").
import importlib.machinery
import os
import sys
import sysconfig

from .errors import FFIError, VerificationError
from .paths import get_include, get_library

#: Shared libraries the runtime needs (libffi for calls and callbacks).
RUNTIME_LIBRARIES = ("ffi",)
#: The runtime's C++ standard library, linked statically into modules written in C.
STATIC_CXX_RUNTIME = ("-Wl,-Bstatic", "-lstdc++", "-Wl,-Bdynamic")


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


def make_extension(module_name: str, c_file: str, kwds: dict, py_limited_api: bool):
    """The setuptools Extension building `c_file` (first source) with the user's keywords
    and the runtime."""
    from setuptools import Extension

    try:
        include, library = get_include(), get_library()
    except FileNotFoundError as error:
        raise FFIError(f"cannot build {module_name}: {error}") from None
    kw = {key: list(value) if isinstance(value, (list, tuple)) else value
          for key, value in kwds.items()}
    sources = [c_file, *(os.path.normpath(s) for s in kw.pop("sources", ()))]
    kw["include_dirs"] = [*kw.get("include_dirs", ()), include]
    kw["extra_objects"] = [*kw.get("extra_objects", ()), library]
    kw["libraries"] = [*kw.get("libraries", ())]
    kw["libraries"] += [lib for lib in RUNTIME_LIBRARIES if lib not in kw["libraries"]]
    if c_file.endswith(".c"):
        kw["extra_link_args"] = [*kw.get("extra_link_args", ()), *STATIC_CXX_RUNTIME]
    elif "stdc++" not in kw["libraries"]:
        kw["libraries"].append("stdc++")
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


def compile_extension(tmpdir: str, ext, verbose=False, debug=None, target=None) -> str:
    """Build `ext` with setuptools' build_ext inside tmpdir (the current directory during the
    build, as in CFFI: relative paths of the Extension are relative to tmpdir) and return the
    absolute path of the module. `target` ('*' or None: setuptools' name) names the output
    file. C compiler and linker failures raise VerificationError."""
    # setuptools first: it provides `distutils` (its own copy, and on Python >= 3.12 the only one).
    from setuptools import Distribution
    from setuptools.command.build_ext import build_ext
    from distutils import log
    from distutils.errors import CompileError, LinkError

    target = None if target in (None, "*") else _target_filename(target)

    class BuildExt(build_ext):
        def get_ext_filename(self, fullname):
            return target if target is not None else super().get_ext_filename(fullname)

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


def probe_flags_from_environment() -> list:
    """The options of $CPPFLAGS and $CFLAGS that change what the C source means (-I, -D, -U,
    -isystem, -include, -std=): setuptools gives them to the C compiler, so Clang must see
    them too when it answers the cdef's gaps."""
    import shlex

    flags = []
    for var in ("CPPFLAGS", "CFLAGS"):
        words = shlex.split(os.environ.get(var, ""))
        i = 0
        while i < len(words):
            word = words[i]
            if word in ("-I", "-D", "-U", "-isystem", "-include") and i + 1 < len(words):
                flags += [word, words[i + 1]]
                i += 1
            elif word.startswith(("-I", "-D", "-U", "-isystem", "-std=")):
                flags.append(word)
            i += 1
    return flags
