# The builder's arguments: the same exceptions as CFFI's FFI for the same calls, and cdefc's
# deliberate differences (no ABI mode, keywords checked when given).
import pytest

import cdefc
from cdefc import stubs

cffi = pytest.importorskip("cffi")


def set_twice(FFI):
    ffi = FFI()
    ffi.set_source("_m", "")
    ffi.set_source("_m", "")


# Each call raises (or not) in cdefc exactly as in CFFI.
CALLS = {
    "cdef_bytes": lambda FFI: FFI().cdef(b"int f(int);"),
    "cdef_not_a_string": lambda FFI: FFI().cdef(42),
    "pack_not_power_of_two": lambda FFI: FFI().cdef("struct a { int x; };", pack=3),
    "pack_negative": lambda FFI: FFI().cdef("struct a { int x; };", pack=-2),
    "pack_and_packed": lambda FFI: FFI().cdef("struct a { int x; };", packed=True, pack=2),
    "packed_not_bool": lambda FFI: FFI().cdef("struct a { int x; };", packed=2),
    "pack_ok": lambda FFI: FFI().cdef("struct a { int x; };", pack=8),
    "pack_zero": lambda FFI: FFI().cdef("struct a { int x; };", pack=0),
    "packed_one": lambda FFI: FFI().cdef("struct a { int x; };", packed=1),
    "override": lambda FFI: FFI().cdef("int f(int);", override=True),
    "set_source_twice": set_twice,
    "module_name_slash": lambda FFI: FFI().set_source("pkg/_m", ""),
    "module_name_not_str": lambda FFI: FFI().set_source(3, ""),
    "set_source_dotted": lambda FFI: FFI().set_source("pkg.sub._m", "", libraries=["m"]),
    "set_source_cpp": lambda FFI: FFI().set_source("_m", "", source_extension=".cpp"),
    "compile_first": lambda FFI: FFI().compile(),
    "emit_c_code_first": lambda FFI: FFI().emit_c_code("x.c"),
    "distutils_extension_first": lambda FFI: FFI().distutils_extension(),
    "pkgconfig_not_a_list": lambda FFI: FFI().set_source_pkgconfig("_m", "zlib", ""),
}


def outcome(call, FFI):
    try:
        call(FFI)
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return type(error).__name__
    return None


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_outcome_as_cffi(name, in_tmp):
    assert outcome(CALLS[name], cdefc.FFI) == outcome(CALLS[name], cffi.FFI)


def test_error_classes_mirror_cffi():
    for name in ("CDefError", "VerificationError", "FFIError", "PkgConfigError"):
        ours = getattr(cdefc, name)
        assert issubclass(ours, Exception) and ours.__module__ == "cdefc"
        assert hasattr(cffi, name)


def test_pack_message_names_the_value():
    with pytest.raises(ValueError, match="power of two, not 6"):
        cdefc.FFI().cdef("struct a { int x; };", pack=6)


def test_abi_mode_describes_no_source():
    # set_source(name, None): CFFI's out-of-line ABI mode, built by cdefc as a C extension
    # (tests/differential/test_abi_mode.py builds and uses such modules).
    ffi = cdefc.FFI()
    ffi.cdef("double cos(double);")
    ffi.set_source("_m", None)
    description = ffi._module_description()
    assert description["abi_mode"] is True and "source" not in description
    with pytest.raises(NotImplementedError, match=r"an ABI-mode module is a C extension: use "
                                                  r"compile\(\) or emit_c_code\(\)"):
        ffi.emit_python_code("_m.py")
    with pytest.raises(NotImplementedError, match=r"in-line ABI mode"):
        ffi.dlopen("libm.so.6")


def test_abi_mode_stub_has_no_lib():
    text = stubs.stub_text({"module": "_m", "abi_mode": True, "functions": [
        {"name": "cos", "result": "double", "params": ["double"], "variadic": False}]})
    assert "class Lib:" in text and "def cos(a0: float, /) -> float: ..." in text
    assert "lib: Lib" not in text


def test_unknown_keyword_rejected_at_set_source():
    # CFFI only warns, from distutils, when it compiles; cdefc says it at once.
    with pytest.raises(TypeError, match="unexpected keyword argument 'librarys'"):
        cdefc.FFI().set_source("_m", "", librarys=["m"])


@pytest.mark.parametrize("keyword", [
    "sources", "include_dirs", "define_macros", "undef_macros", "libraries", "library_dirs",
    "runtime_library_dirs", "extra_objects", "extra_compile_args", "extra_link_args",
    "depends"])
def test_list_keywords_reach_the_extension(keyword):
    from cdefc import build
    value = [("NAME", "1")] if keyword == "define_macros" else ["x_" + keyword]
    ffi = cdefc.FFI()
    ffi.set_source("_m", "", **{keyword: value})
    kwds, py_limited_api = ffi._extension_keywords()
    ext = build.make_extension("_m", "_m.c", kwds, py_limited_api)
    got = getattr(ext, keyword)
    assert all(item in got for item in value), (keyword, got)
    # and no other list keyword got it
    others = [k for k in ("sources", "include_dirs", "libraries", "library_dirs",
                          "extra_compile_args", "extra_link_args", "depends") if k != keyword]
    assert not any(item in getattr(ext, k) for k in others for item in value)


def test_list_keyword_must_be_a_list():
    with pytest.raises(TypeError, match="'libraries' must be a list"):
        cdefc.FFI().set_source("_m", "", libraries="m")


@pytest.mark.parametrize("macros", [["NAME"], [("A", "1", "2")], [(1, "1")], "A"])
def test_bad_define_macros(macros):
    with pytest.raises(TypeError):
        cdefc.FFI().set_source("_m", "", define_macros=macros)


def test_source_extension():
    cdefc.FFI().set_source("_m", "", source_extension=".c")
    with pytest.raises(ValueError, match="'.c' or '.cpp'"):
        cdefc.FFI().set_source("_m", "", source_extension=".f90")


def test_source_must_be_a_string():
    with pytest.raises(TypeError):
        cdefc.FFI().set_source("_m", b"int x;")


@pytest.mark.parametrize("method,args", [
    ("embedding_api", ("int f(int);",)),
    ("embedding_init_code", ("",)), ("set_unicode", (True,)), ("emit_python_code", ("x.py",)),
    ("verify", ("",)), ("dlopen", (None,))])
def test_unsupported_features_say_so(method, args):
    with pytest.raises(NotImplementedError, match="not supported by cdefc"):
        getattr(cdefc.FFI(), method)(*args)


def test_ffi_has_cffi_build_methods():
    for method in ("cdef", "set_source", "set_source_pkgconfig", "compile", "emit_c_code",
                   "distutils_extension"):
        assert callable(getattr(cdefc.FFI, method))
        assert callable(getattr(cffi.FFI, method))


def test_set_source_pkgconfig(monkeypatch, compiler_config):
    from cdefc import build, pkgconfig

    answers = {"--cflags": ["-I/opt/z/include", "-DZ_SOLO", "-DLEVEL=3", "-pthread"],
               "--libs": ["-L/opt/z/lib", "-lz", "-Wl,--as-needed"]}
    monkeypatch.setattr(pkgconfig, "_pkg_config", lambda option, packages: answers[option])
    ffi = cdefc.FFI()
    ffi.set_source_pkgconfig("_m", ["zlib"], "#include <zlib.h>", libraries=["m"])
    d = ffi._module_description()
    # What pkg-config says reaches Clang, before Python's include directories.
    assert d["include_dirs"] == ["/opt/z/include", *build.python_include_dirs()]
    assert d["define_macros"] == ["Z_SOLO", "LEVEL=3"]
    assert d["libraries"] == ["m", "z"]
    assert d["library_dirs"] == ["/opt/z/lib"]
    assert d["extra_compile_args"] == ["-pthread"]
    kwds, _ = ffi._extension_keywords()
    assert kwds["extra_link_args"] == ["-Wl,--as-needed"]


def test_pkgconfig_unknown_package():
    import shutil

    if shutil.which("pkg-config") is None:
        pytest.skip("pkg-config is not installed")
    with pytest.raises(cdefc.PkgConfigError):
        cdefc.FFI().set_source_pkgconfig("_m", ["no-such-package-cdefc-test"], "")
