# The FFI builder: CFFI's build-time API (cdef, set_source, compile, ...) over the cdefc command.
#
# cdef() and set_source() only record their arguments, with where each text starts in the
# build script; compile(), emit_c_code() and distutils_extension() turn the records into a
# module description (the JSON cdefc reads), run cdefc to check the cdef against the C source
# with Clang and write the module's C code, then (compile) build it with setuptools. Clang is
# given what setuptools' C compiler will be given (build.py), so the two read the source alike.
import json
import os
import sys
import tempfile

from . import build, compiler, pkgconfig, stubs
from .errors import FFIError, VerificationError
from .location import SET_SOURCE_STRING, call_site, caller_origin

#: set_source() keywords given to setuptools.Extension (all of Extension's but `name`).
_LIST_KEYWORDS = ("sources", "include_dirs", "define_macros", "undef_macros", "libraries",
                  "library_dirs", "runtime_library_dirs", "extra_objects",
                  "extra_compile_args", "extra_link_args", "depends", "export_symbols",
                  "swig_opts")
_OTHER_KEYWORDS = ("language", "optional", "py_limited_api")
_C_EXTENSIONS = (".c",)
_CPLUSPLUS_EXTENSIONS = (".cpp", ".cc", ".cxx", ".c++", ".C")


def _check_pack(packed, pack):
    """CFFI's rules: packed is False or True; pack is a power of two; not both.
    Returns the description's (packed, pack); pack 0 means no limit."""
    if packed:
        if packed != True:  # noqa: E712  (1 is accepted, as in CFFI)
            raise ValueError("'packed' must be False or True; use 'pack' for another value")
        if pack:
            raise ValueError("cannot give both 'pack' and 'packed'")
        return True, 0
    if pack:
        if pack & (pack - 1):
            raise ValueError(f"'pack' must be a power of two, not {pack!r}")
        return False, int(pack)
    return False, 0


def _string_list(name, value):
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"set_source() argument '{name}' must be a list of strings, "
                        f"not {type(value).__name__}")
    try:
        return [os.fspath(item) if not isinstance(item, str) else item for item in value]
    except TypeError:
        raise TypeError(f"set_source() argument '{name}' must be a list of strings") from None


def _macro_list(value):
    """define_macros as distutils takes them: (name,) or (name, value-or-None) tuples."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError("set_source() argument 'define_macros' must be a list of "
                        "(name, value) tuples")
    macros = []
    for macro in value:
        if (not isinstance(macro, tuple) or len(macro) not in (1, 2)
                or not isinstance(macro[0], str)
                or (len(macro) == 2 and not isinstance(macro[1], (str, int, type(None))))):
            raise TypeError(f"bad macro definition {macro!r} in 'define_macros': each one "
                            "must be a (name, value) tuple, value a string or None")
        macros.append(macro)
    return macros


def _check_keywords(kwds: dict) -> dict:
    """Validated copies of the set_source() keywords; unknown ones are a TypeError."""
    checked = {}
    for key, value in kwds.items():
        if key == "define_macros":
            checked[key] = _macro_list(value)
        elif key in _LIST_KEYWORDS:
            checked[key] = _string_list(key, value)
        elif key in _OTHER_KEYWORDS:
            checked[key] = value
        else:
            raise TypeError(f"set_source() got an unexpected keyword argument {key!r}")
    return checked


def _check_release_gil(value):
    """set_source(release_gil=...) as the description says it: (mode, {name: bool})."""
    if value is True or value is False or value == "auto":
        return {True: "always", False: "never"}.get(value, "auto"), {}
    if isinstance(value, dict):
        for name, release in value.items():
            if not isinstance(name, str) or not isinstance(release, bool):
                raise TypeError("set_source() argument 'release_gil': a dict maps function "
                                f"names to True or False, not {name!r}: {release!r}")
        return "auto", dict(value)
    raise TypeError("set_source() argument 'release_gil' must be True, False, \"auto\" or a "
                    f"dict of function names to True/False, not {value!r}")


class FFI:
    """The FFI builder of a build script (`ffibuilder = FFI()`): CFFI's FFI class, build side.

    Declare with cdef(), give the C source with set_source(), then compile() (or
    emit_c_code() / distutils_extension()). The module it makes is imported as
    `from pkg._foo import ffi, lib`.
    """

    def __init__(self, backend=None):
        if backend is not None:
            raise TypeError("cdefc's FFI has no backends: call FFI() without arguments")
        self._cdefs = []              # one description entry per cdef() call, in order
        self._assigned_source = None  # (module_name, source entry, source_extension, kwds)
        self._strict = False          # set_source(strict=True): cdefc's warnings are errors
        self._warned = set()          # the texts of the cdefc warnings already issued
        self._included = []           # the builders given to include(), in call order
        self._release_gil = ("auto", {})  # set_source(release_gil=...): (mode, {name: bool})

    # -- declaring -------------------------------------------------------------------------

    def cdef(self, csource, override=False, packed=False, pack=None):
        """Declare C types, functions, constants and globals (with '...' gaps). If 'packed'
        is true, the structs of this cdef are packed; 'pack' (a power of two) limits field
        alignment instead. 'override' lets declarations replace earlier ones."""
        if not isinstance(csource, str):
            raise TypeError("cdef() argument must be a string")
        packed, pack = _check_pack(packed, pack)
        entry = caller_origin(csource, "cdef").place(csource)
        entry.update(override=bool(override), packed=packed, pack=pack)
        self._add_cdef(entry)

    def cdef_from_headers(self, headers, include=None, exclude=None, *, override=False,
                          packed=False, pack=None):
        """Declare what the C library's own headers declare, without writing it: cdefc
        reads `headers` (a name as #include takes it, "zlib.h", or a list of them) with
        Clang, under set_source()'s include_dirs, define_macros and extra_compile_args, and
        binds the functions, global variables, typedefs, structs, unions, enums and
        object-like macros whose names match the fnmatch patterns `include` (default: all
        that the named headers declare themselves) and none of `exclude`. What they need
        (typedef chains, member types, function-pointer signatures) comes along. The result
        is an ordinary cdef (cdef_text() shows it) and combines with cdef() calls. The
        headers are read at once (call set_source() first when they need its flags) and
        again when the module is built."""
        def names(value, what, single_ok=True):
            if value is None:
                return []
            if isinstance(value, str) and single_ok:
                return [value]
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or \
                    not all(isinstance(v, str) for v in value):
                raise TypeError(f"cdef_from_headers() argument '{what}' must be a string or "
                                "a list of strings")
            return list(value)

        headers = names(headers, "headers")
        if not headers:
            raise ValueError("cdef_from_headers() needs at least one header")
        # A header found from here is found from the build directory too.
        headers = [os.path.abspath(h) if os.path.isfile(h) else h for h in headers]
        packed, pack = _check_pack(packed, pack)
        file, line, column = call_site()
        entry = {"headers": headers, "include": names(include, "include"),
                 "exclude": names(exclude, "exclude"), "file": file, "line": line,
                 "column": column,
                 "override": bool(override), "packed": packed, "pack": pack}
        self._add_cdef(entry)

    def _add_cdef(self, entry):
        """Parse the cdefs with `entry` now, as CFFI does: a bad cdef raises CDefError here
        (a header that cannot be read VerificationError), and is not kept."""
        cdefs = self._cdefs + [entry]
        description = {"module_name": "_cdef", "cdefs": cdefs,
                       "includes": self._include_descriptions(), "strict": self._strict}
        if any("headers" in c for c in cdefs):
            description.update(self._compile_flags())
        compiler.run(description, parse_only=True, warned=self._warned, strict=self._strict)
        self._cdefs.append(entry)

    def cdef_text(self) -> str:
        """The cdef the module binds: each cdef() text and what cdef_from_headers() wrote
        for it, in call order (to check what is bound, or to freeze it into a cdef)."""
        if not self._cdefs:
            return ""
        description = {"module_name": "_cdef", "cdefs": [dict(c) for c in self._cdefs],
                       "includes": self._include_descriptions(), **self._compile_flags()}
        return compiler.run(description, print_cdef=True, warned=self._warned)

    def set_source(self, module_name, source, source_extension=".c", *, strict=False,
                   release_gil="auto", **kwds):
        """Name the module to build ('pkg._foo' puts it in pkg/) and give its C source (pasted
        at the top of the generated C). The keywords are setuptools.Extension's: sources,
        include_dirs, define_macros, undef_macros, libraries, library_dirs,
        runtime_library_dirs, extra_objects, extra_compile_args, extra_link_args, depends, ...;
        py_limited_api (default True) builds for the stable ABI (an .abi3.so). strict=True
        (cdefc's own) makes every warning of cdefc an error that stops the build.
        release_gil (cdefc's own): "auto" (default) keeps the GIL around a call of a function
        whose body Clang sees and proves a leaf (no call, loop, goto, inline assembly or
        volatile access: nanoseconds, no errno) and releases it around the others, as CFFI
        does for all; True releases it always, False never; a dict {"name": True/False}
        decides for the functions it names, "auto" for the rest."""
        self._set_source("set_source", module_name, source, source_extension, strict, kwds,
                         release_gil)

    def set_source_pkgconfig(self, module_name, pkgconfig_libs, source, source_extension=".c",
                             *, strict=False, release_gil="auto", **kwds):
        """set_source(), with the flags `pkg-config --cflags --libs` gives for the packages
        `pkgconfig_libs` added to the keywords (PkgConfigError if pkg-config fails)."""
        if not isinstance(pkgconfig_libs, list):
            raise TypeError("the pkgconfig_libs argument must be a list of package names")
        kwds = pkgconfig.merge(kwds, pkgconfig.flags(pkgconfig_libs))
        self._set_source("set_source_pkgconfig", module_name, source, source_extension, strict,
                         kwds, release_gil)

    def _set_source(self, method, module_name, source, source_extension, strict, kwds,
                    release_gil="auto"):
        if self._assigned_source is not None:
            raise ValueError("set_source() cannot be called several times per ffi object")
        if not isinstance(module_name, str):
            raise TypeError("'module_name' must be a string")
        if os.sep in module_name or (os.altsep and os.altsep in module_name):
            raise ValueError("'module_name' must not contain '/': use a dotted name to make "
                             "a 'package.module' location")
        if source is not None and not isinstance(source, str):
            raise TypeError("the source given to set_source() must be a string")
        if not isinstance(strict, bool):
            raise TypeError(f"set_source() argument 'strict' must be True or False, "
                            f"not {type(strict).__name__}")
        if source_extension not in _C_EXTENSIONS + _CPLUSPLUS_EXTENSIONS:
            raise ValueError(f"source_extension must be '.c' or '.cpp', not {source_extension!r}")
        kwds = _check_keywords(kwds)
        if source is None:  # CFFI's out-of-line ABI mode: the module holds only `ffi`
            entry = None
        else:
            entry = caller_origin(source, method, SET_SOURCE_STRING).place(source)
        self._release_gil = _check_release_gil(release_gil)
        self._assigned_source = (module_name, entry, source_extension, kwds)
        self._strict = strict

    def include(self, ffi_to_include):
        """Use the types, structs, unions, enums and constants that another builder declares
        (another module, built by its own build script): this module's cdef may name them,
        and its ffi and lib see them (lib also the other's functions and globals). At run
        time this module imports the other first, and cdata pass between the two."""
        if not isinstance(ffi_to_include, FFI):
            raise TypeError("ffi.include() expects an argument that is also of type "
                            f"cdefc.FFI, not {type(ffi_to_include).__name__!r}")
        if ffi_to_include is self:
            raise ValueError("self.include(self)")
        if ffi_to_include not in self._included:
            self._included.append(ffi_to_include)

    # -- the module description ----------------------------------------------------------

    def _include_descriptions(self, seen=()) -> list:
        """The description's "includes": each included builder's module name (None before
        its set_source()), cdefs and own includes."""
        seen = (*seen, self)
        out = []
        for other in self._included:
            if other in seen:
                raise ValueError("ffi.include() cycle: a builder includes itself")
            source = other._assigned_source
            out.append({"module_name": source[0] if source else None,
                        "cdefs": [dict(entry) for entry in other._cdefs],
                        "includes": other._include_descriptions(seen)})
        return out

    def _check_includes(self):
        """CFFI's VerificationError for an included builder without set_source()."""
        for other in self._included:
            if other._assigned_source is None:
                raise VerificationError(
                    f"ffi object {self!r} includes {other!r}, but the latter has not been "
                    "prepared with set_source()")
            other._check_includes()

    def _require_source(self, method):
        if self._assigned_source is None:
            raise ValueError(f"set_source() must be called before {method}()")
        return self._assigned_source

    def _module_description(self) -> dict:
        """What cdefc is given (compiler/driver/options.h, read_description); the flags are
        _compile_flags()'s (Clang puts the lists in the order -I, -D, -U, extra arguments)."""
        module_name, source, _, kwds = self._require_source("compile")
        self._check_includes()
        description = {
            "module_name": module_name,
            "cdefs": [dict(entry) for entry in self._cdefs],
            "includes": self._include_descriptions(),
            **self._compile_flags(),
            "libraries": list(kwds.get("libraries", ())),
            "library_dirs": list(kwds.get("library_dirs", ())),
            "py_limited_api": build.use_limited_api(kwds.get("py_limited_api", True)),
            "strict": self._strict,
        }
        mode, per_function = self._release_gil
        description["release_gil"] = mode
        if per_function:
            description["release_gil_functions"] = per_function
        if source is None:
            description["abi_mode"] = True
        else:
            description["source"] = dict(source)
        return description

    def _compile_flags(self) -> dict:
        """The description's compile flags, in the order the C compiler sees them: its own
        (build.probe_flags_from_environment), then set_source()'s keywords (none before it
        is called), then, for include directories, Python's (as build_ext adds them)."""
        _, source, source_extension, kwds = self._assigned_source or (None, {}, ".c", {})

        def macro(m):
            return m[0] if len(m) == 1 or m[1] is None else f"{m[0]}={m[1]}"

        compiler_flags = build.probe_flags_from_environment()
        define_macros = [macro(m) for m in kwds.get("define_macros", ())]
        defined = {m.partition("=")[0] for m in define_macros}
        return {
            "include_dirs": [*compiler_flags["include_dirs"], *kwds.get("include_dirs", ()),
                             *build.python_include_dirs()],
            "define_macros": [*compiler_flags["define_macros"], *define_macros],
            # The keywords' -D come after the compiler's -U: a name they define stays defined.
            "undef_macros": [*(name for name in compiler_flags["undef_macros"]
                               if name not in defined), *kwds.get("undef_macros", ())],
            "extra_compile_args": [*compiler_flags["extra_compile_args"],
                                   *kwds.get("extra_compile_args", ())],
            "cplusplus": source_extension in _CPLUSPLUS_EXTENSIONS,
            **self._library_files(kwds),
            # set_source(name, None): cdef_from_headers() writes macros' values then.
            **({"abi_mode": True} if source is None else {}),
        }

    def _library_files(self, kwds) -> dict:
        """{"library_files": [...]}: the shared libraries the module links with, whose
        exports cdef_from_headers() binds (a header may declare functions that its library
        was built without); {} when the symbols may come from elsewhere too (sources,
        extra_objects) or a library's file is not found."""
        if not any("headers" in c for c in self._cdefs) or not kwds.get("libraries") or \
                kwds.get("sources") or kwds.get("extra_objects"):
            return {}
        files = build.library_files(kwds["libraries"], kwds.get("library_dirs", ()))
        return {"library_files": files} if files else {}

    def _extension_keywords(self):
        """(setuptools.Extension keywords, py_limited_api) of set_source()."""
        kwds = dict(self._assigned_source[3])
        return kwds, bool(kwds.pop("py_limited_api", True))

    def _run_cdefc(self, emit_c, cwd=None, verbose=False, dump_model=None, pieces=0) -> str:
        """Check the module with cdefc and write its C code to emit_c ('-': return it);
        with dump_model, also its resolved model (JSON) to that path; with pieces, a big
        module's wrappers into that many more files at most (their paths are returned, one
        per line)."""
        return compiler.run(self._module_description(), emit_c=emit_c, cwd=cwd, verbose=verbose,
                            warned=self._warned, strict=self._strict, dump_model=dump_model,
                            pieces=pieces)

    def _emit(self, c_file, cwd=None, verbose=False, pieces=0) -> bool:
        """Check the module with cdefc and write its C code to c_file (relative to cwd)
        unless unchanged; True if the file was (re)written. The resolved model of the
        module (for its .pyi stub, stubs.py) is kept in self._model; with `pieces`, the
        files of wrappers compiled apart (relative to cwd) in self._pieces."""
        if verbose:
            print(f"generating {c_file}", flush=True)
        path = os.path.join(cwd or ".", c_file)

        def stamp():
            try:
                st = os.stat(path)
            except FileNotFoundError:
                return None
            return st.st_ino, st.st_mtime_ns, st.st_size

        before = stamp()
        # As given (relative to cwd), since cdefc writes the name into the C (#line).
        with tempfile.TemporaryDirectory(prefix="cdefc-") as tmp:
            model_file = os.path.join(tmp, "model.json")
            out = self._run_cdefc(c_file, cwd=cwd, verbose=verbose, dump_model=model_file,
                                  pieces=pieces)
            self._pieces = out.splitlines() if pieces > 1 else []
            with open(model_file, encoding="utf-8") as f:
                self._model = json.load(f)
            self._model["abi_mode"] = self._assigned_source[1] is None
        updated = stamp() != before
        if verbose and not updated:
            print("(already up-to-date)", flush=True)
        return updated

    # -- making the module ---------------------------------------------------------------

    def emit_c_code(self, filename):
        """Write the module's C code to `filename` (a path or a file-like object) without
        compiling it; an unchanged file is not rewritten (its mtime is kept)."""
        self._require_source("emit_c_code")
        if hasattr(filename, "write"):
            filename.write(self._run_cdefc("-"))
        else:
            self._emit(os.fspath(filename))

    def compile(self, tmpdir=".", verbose=False, target=None, debug=None):
        """Generate the C code into tmpdir (pkg/ below it for 'pkg._foo') and compile it with
        setuptools' build_ext; return the path of the built module. 'debug' (default: the
        running Python's) compiles in debug mode; 'target' names the output file ('*' for
        setuptools' name, 'name.*' for name + the platform's suffix). On failure no module
        of that name is left in tmpdir."""
        module_name, _, source_extension, _ = self._require_source("compile")
        kwds, py_limited_api = self._extension_keywords()
        c_file = build.module_file(tmpdir, module_name, source_extension)
        try:
            # A big module's wrappers in several files (three per CPU, for an even load),
            # compiled in parallel.
            jobs = build.parallel_jobs()
            self._emit(os.path.relpath(c_file, tmpdir), cwd=tmpdir, verbose=verbose,
                       pieces=3 * jobs if jobs > 1 else 0)
            ext = build.make_extension(module_name, os.path.relpath(c_file, tmpdir), kwds,
                                       py_limited_api, pieces=self._pieces)
            output = build.compile_extension(tmpdir, ext, verbose=verbose, debug=debug,
                                             target=target, jobs=jobs)
        except BaseException:
            build.remove_module(tmpdir, module_name, target)
            raise
        if target in (None, "*"):
            build.remove_module(tmpdir, module_name, keep=output)
        stubs.write_stub(self._model, stubs.stub_path(output))  # _foo.pyi beside the module
        return output

    def distutils_extension(self, tmpdir="build", verbose=True):
        """Generate the C code into tmpdir (unless unchanged) and return the
        setuptools.Extension that builds the module, for a setup.py's ext_modules."""
        module_name, _, source_extension, _ = self._require_source("distutils_extension")
        kwds, py_limited_api = self._extension_keywords()
        os.makedirs(tmpdir, exist_ok=True)
        c_file = build.module_file(tmpdir, module_name, source_extension)
        updated = self._emit(c_file)
        stubs.write_stub(self._model, stubs.stub_path(c_file))  # for the wheel (build_ext)
        if verbose:
            sys.stderr.write(f"{'regenerated' if updated else 'not modified'}: {c_file!r}\n")
        return build.make_extension(module_name, c_file, kwds, py_limited_api)

    # -- CFFI features cdefc does not have -----------------------------------------------

    def _unsupported(self, what):
        raise NotImplementedError(f"{what} is not supported by cdefc")


    def embedding_api(self, csource, packed=False, pack=None):
        """Not supported: CFFI's embedding mode."""
        self._unsupported("embedding (embedding_api())")

    def embedding_init_code(self, pysource):
        """Not supported: CFFI's embedding mode."""
        self._unsupported("embedding (embedding_init_code())")

    def set_unicode(self, enabled_flag):
        """Not supported: the Windows TCHAR types."""
        self._unsupported("set_unicode()")

    def emit_python_code(self, filename):
        """Not supported: cdefc builds even ABI-mode modules (set_source(name, None)) as C
        extensions, with compile() or emit_c_code(), which need nothing at run time."""
        self._unsupported("emit_python_code() (an ABI-mode module is a C extension: use "
                          "compile() or emit_c_code())")

    def verify(self, source="", tmpdir=None, **kwargs):
        """Not supported: use set_source() and compile()."""
        self._unsupported("ffi.verify() (use set_source() and compile())")

    def dlopen(self, name, flags=0):
        """Not supported: the in-line ABI mode. Build an ABI-mode module instead
        (set_source(name, None), compile()) and call its ffi.dlopen()."""
        self._unsupported("the in-line ABI mode (ffibuilder.dlopen(); build a module with "
                          "set_source(name, None) and use its ffi.dlopen())")
