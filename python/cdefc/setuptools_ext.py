# setup(cdefc_modules=[...]) (a distutils.setup_keywords entry point) and `cdefc build`.
#
# A module is named "path/to/foo_build.py:ffibuilder" (a builder in that script) or
# "path/to/foo_build.py:make_ffi" (a function returning one). The script runs with `cffi`
# resolving to cdefc, so a CFFI build script needs no edit. setuptools gets one Extension per
# module; its C is generated when build_ext runs (into build_temp), and a module with
# py_limited_api (the default) makes the wheel cp311-abi3 unless bdist_wheel is told otherwise.
import contextlib
import os
import sys

from . import build
from .errors import FFIError

#: The stable ABI floor of generated modules (Py_LIMITED_API 0x030b0000).
LIMITED_API_TAG = "cp311"


@contextlib.contextmanager
def _cffi_is_cdefc(script_dir: str):
    """While the build script runs: `import cffi` gives cdefc, the script's directory is first
    on sys.path. sys.modules and sys.path are put back afterwards."""
    import cdefc

    saved = {name: module for name, module in sys.modules.items()
             if name == "cffi" or name.startswith("cffi.")}
    for name in saved:
        del sys.modules[name]
    sys.modules["cffi"] = cdefc
    saved_path = list(sys.path)
    sys.path.insert(0, script_dir)
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n == "cffi" or n.startswith("cffi.")]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.path[:] = saved_path


def load_builder(spec: str):
    """Run the build script of "script.py:name" and return its builder (the object `name`,
    or what `name()` returns when it is a function)."""
    from .api import FFI

    if not isinstance(spec, str) or ":" not in spec:
        raise FFIError(f"{spec!r}: expected 'path/to/script.py:name' (name: a builder, or a "
                       f"function returning one)")
    path, name = spec.rsplit(":", 1)
    if not os.path.isfile(path):
        raise FFIError(f"{spec!r}: {path!r} does not exist (relative to {os.getcwd()!r})")
    with open(path) as f:
        code = compile(f.read(), path, "exec")
    namespace = {"__name__": "__cdefc__", "__file__": path, "__builtins__": __builtins__}
    with _cffi_is_cdefc(os.path.dirname(os.path.abspath(path))):
        exec(code, namespace)
        if name not in namespace:
            raise FFIError(f"{spec!r}: {path!r} defines no {name!r}")
        builder = namespace[name]
        if not isinstance(builder, FFI) and callable(builder):
            builder = builder()
    if not isinstance(builder, FFI):
        raise FFIError(f"{spec!r}: {name!r} is not a builder (cdefc.FFI, or cffi.FFI with "
                       f"cffi resolving to cdefc) nor a function returning one, but "
                       f"{type(builder).__name__}")
    if builder._assigned_source is None:
        raise FFIError(f"{spec!r}: the builder has no set_source(): nothing to build")
    return builder


def _specs(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def make_extension(builder, c_file: str):
    """The setuptools Extension of builder's module, its C at c_file (not written yet)."""
    kwds, py_limited_api = builder._extension_keywords()
    module_name = builder._assigned_source[0]
    return build.make_extension(module_name, c_file, kwds, py_limited_api)


def _c_file(directory: str, builder) -> str:
    module_name, _, source_extension, _ = builder._assigned_source
    return build.module_file(directory, module_name, source_extension)


def _write_stub(builder, module_file: str) -> None:
    """The module's .pyi stub beside it (so also in the wheel), when this cdefc makes stubs."""
    model = getattr(builder, "_model", None)
    try:
        from . import stubs
    except ImportError:
        return
    if model is not None and os.path.exists(module_file):
        stubs.write_stub(model, stubs.stub_path(module_file))


def _hook_build_ext(dist, modules: list):
    """Make dist's build_ext write the C of each (builder, Extension) first, into build_temp."""
    base = dist.cmdclass.get("build_ext")
    if base is None:
        from setuptools.command.build_ext import build_ext as base
    if getattr(base, "_cdefc_modules", None) is not None:
        base._cdefc_modules.extend(modules)
        return

    class BuildExtWithCdefc(base):
        _cdefc_modules = modules

        def run(self):
            for builder, ext in self._cdefc_modules:
                c_file = _c_file(os.path.join(self.build_temp, "cdefc"), builder)
                print(f"cdefc: generating {c_file}", flush=True)
                builder.emit_c_code(c_file)
                # Made again now that the C exists (make_extension may write files beside
                # it); build_ext's own attributes (_full_name...) are kept.
                for key, value in vars(make_extension(builder, c_file)).items():
                    if not key.startswith("_"):
                        setattr(ext, key, value)
            super().run()
            for builder, ext in self._cdefc_modules:
                _write_stub(builder, self.get_ext_fullpath(ext.name))

    dist.cmdclass["build_ext"] = BuildExtWithCdefc


def cdefc_modules(dist, attr, value):
    """The `cdefc_modules` keyword of setup(): a list of "script.py:name" (or one string)."""
    modules = []
    all_limited = True
    for spec in _specs(value):
        builder = load_builder(spec)
        ext = make_extension(builder, "<generated by cdefc at build_ext>")
        modules.append((builder, ext))
        all_limited = all_limited and bool(ext.py_limited_api)
    if not modules:
        return
    if dist.ext_modules is None:
        dist.ext_modules = []
    dist.ext_modules.extend(ext for _, ext in modules)
    _hook_build_ext(dist, modules)
    if all_limited:
        # Settings from setup.cfg or the command line, read after this, still win.
        options = dist.get_option_dict("bdist_wheel")
        options.setdefault("py_limited_api", ("cdefc_modules", LIMITED_API_TAG))


def build_in_place(spec: str, tmpdir: str = "build", verbose: bool = False) -> str:
    """`cdefc build spec`: build the module of spec in the current directory as
    `setup.py build_ext --inplace` would with cdefc_modules (pkg._foo -> ./pkg/_foo*.so; C and
    objects under tmpdir); return the module's path."""
    builder = load_builder(spec)
    module_name = builder._assigned_source[0]
    c_file = _c_file(os.path.join(tmpdir, "cdefc"), builder)
    builder.emit_c_code(c_file)
    ext = make_extension(builder, c_file)
    try:
        output = build.compile_extension(".", ext, verbose=verbose)
    except BaseException:
        build.remove_module(".", module_name)
        raise
    build.remove_module(".", module_name, keep=output)
    _write_stub(builder, output)
    return output


def emit_source(spec: str, directory: str) -> str:
    """`cdefc build --c-only spec`: write the module's C (directory/pkg/_foo.c, and its .pyi
    stub beside it) without compiling it, for Meson, Make or any other build system; return
    the C file's path."""
    builder = load_builder(spec)
    c_file = _c_file(directory, builder)
    builder.emit_c_code(c_file)
    _write_stub(builder, c_file)
    return c_file


def main(argv) -> int:
    """`cdefc build [-v] [--tmpdir DIR] [--c-only] script.py:name...`"""
    import argparse

    parser = argparse.ArgumentParser(
        prog="cdefc build",
        description="Build the modules of CFFI/cdefc build scripts in place, as "
                    "setup(cdefc_modules=[...]) would (`import cffi` in a script gives cdefc).")
    parser.add_argument("modules", nargs="+", metavar="script.py:name",
                        help="a build script and its builder (or a function returning one)")
    parser.add_argument("--tmpdir", default="build",
                        help="where the generated C and objects go (default: build)")
    parser.add_argument("--c-only", action="store_true",
                        help="only write the module's C (and .pyi) into --tmpdir, for another "
                             "build system to compile with the runtime (cdefc.get_include(), "
                             "cdefc.get_library(), -lffi, -lstdc++)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    from .errors import CDefError, VerificationError
    for spec in args.modules:
        try:
            if args.c_only:
                output = emit_source(spec, args.tmpdir)
            else:
                output = build_in_place(spec, tmpdir=args.tmpdir, verbose=args.verbose)
        except (FFIError, CDefError, VerificationError, OSError, ValueError,
                TypeError) as error:
            print(f"cdefc build: {spec}: {error}", file=sys.stderr)
            return 1
        print(f"cdefc build: {os.path.relpath(output)}")
    return 0
