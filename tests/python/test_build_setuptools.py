# compile() and distutils_extension() through setuptools, with a stand-in for the C emitter
# and the runtime (a cdefc wrapper that writes a small hand-written module, and a one-function
# runtime archive): the module's file name and place, the runtime on the link line, CC/CFLAGS,
# no rewrite of unchanged C, compiler failures, stale modules. Needs a C compiler.
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap

import pytest

import cdefc
from conftest import run_python, write_script

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)

# The stand-in: the real cdefc checks the description, then (with --emit-c) this writes a
# module `lib`-less but importable, calling the runtime's one function and the user's source.
EMITTER = textwrap.dedent('''
    import json, os, subprocess, sys
    real = os.environ["CDEFC_REAL_COMPILER"]
    args = sys.argv[1:]
    if args == ["--help"]:
        out = subprocess.run([real, "--help"], capture_output=True, text=True).stdout
        print(out + "      --emit-c FILE  write the module's C code to FILE")
        sys.exit(0)
    description = sys.stdin.read()
    emit = None
    if "--emit-c" in args:
        i = args.index("--emit-c")
        emit = args[i + 1]
        del args[i:i + 2]
    if "--pieces" in args:  # this stand-in writes one file
        i = args.index("--pieces")
        del args[i:i + 2]
    check = subprocess.run([real, *args], input=description, text=True)
    if check.returncode or emit is None:
        sys.exit(check.returncode)
    d = json.loads(description)
    name = d["module_name"].rsplit(".", 1)[-1]
    c = ("#define Py_LIMITED_API 0x030B0000\\n" if d.get("py_limited_api") else "")
    c += "#include <Python.h>\\n" + d["source"]["text"] + "\\n"
    if "BREAK_GENERATED_C" in d["source"]["text"]:  # an error Clang cannot see
        c += "#error generated code broken on purpose\\n"
    c += """
    int cdefc_fake_runtime_value(void);
    static PyObject *answer(PyObject *self, PyObject *unused) {
        return PyLong_FromLong(cdefc_fake_runtime_value() + user_value());
    }
    static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL}};
    static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "%s", NULL, -1, methods};
    PyMODINIT_FUNC PyInit_%s(void) { return PyModule_Create(&def); }
    """ % (d["module_name"], name)
    if emit == "-":
        sys.stdout.write(c)
        sys.exit(0)
    try:
        with open(emit) as f:
            if f.read() == c:
                sys.exit(0)
    except FileNotFoundError:
        pass
    with open(emit + ".tmp", "w") as f:
        f.write(c)
    os.replace(emit + ".tmp", emit)
''')


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory):
    """(the stand-in cdefc, the stand-in runtime archive)."""
    directory = tmp_path_factory.mktemp("stand-ins")
    exe = directory / "cdefc"
    exe.write_text(f"#!{sys.executable}\n{EMITTER}")
    exe.chmod(0o755)
    (directory / "runtime.c").write_text("int cdefc_fake_runtime_value(void) { return 40; }\n")
    cc = sysconfig.get_config_var("CC").split()
    subprocess.run([*cc, "-fPIC", "-c", "runtime.c", "-o", "runtime.o"], cwd=directory, check=True)
    subprocess.run(["ar", "rcs", "libcdefc_runtime.a", "runtime.o"], cwd=directory, check=True)
    return exe, directory / "libcdefc_runtime.a"


@pytest.fixture
def env(stand_ins, monkeypatch, in_tmp):
    exe, library = stand_ins
    monkeypatch.setenv("CDEFC_REAL_COMPILER", cdefc.compiler_path())
    monkeypatch.setenv("CDEFC_COMPILER", str(exe))
    monkeypatch.setenv("CDEFC_RUNTIME_LIBRARY", str(library))
    return in_tmp


def builder(module="pkg._answer", value=2, **kwds):
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("int user_value(void);")
    ffibuilder.set_source(module, f"static int user_value(void) {{ return {value}; }}", **kwds)
    return ffibuilder


def answer(module_path, module_name="pkg._answer", cwd=None):
    """Import the built module in a fresh interpreter and return answer()."""
    top = os.path.dirname(module_path)
    for _ in range(module_name.count(".")):
        top = os.path.dirname(top)
    code = f"import sys; sys.path.insert(0, {top!r}); import {module_name} as m; print(m.answer())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return int(out.stdout)


def test_compile_makes_an_abi3_module_in_the_package_dir(env):
    path = builder().compile(tmpdir="out")
    assert path == str(env / "out" / "pkg" / "_answer.abi3.so")
    assert (env / "out" / "pkg" / "_answer.c").is_file()
    assert answer(path) == 42


def test_py_limited_api_false_gives_a_version_specific_module(env):
    path = builder(py_limited_api=False).compile()
    assert path == str(env / "pkg" / ("_answer" + sysconfig.get_config_var("EXT_SUFFIX")))
    assert answer(path) == 42


def test_rebuild_keeps_an_unchanged_c_file(env):
    builder(value=1).compile()
    c_file = env / "pkg" / "_answer.c"
    mtime = c_file.stat().st_mtime_ns
    assert answer(builder(value=1).compile()) == 41
    assert c_file.stat().st_mtime_ns == mtime


def test_rebuild_removes_a_shadowing_module(env):
    old = builder(value=1, py_limited_api=False).compile()
    path = builder(value=3).compile()
    assert not os.path.exists(old)  # Python would import the version-specific one first
    assert answer(path) == 43


def test_target(env):
    path = builder(module="_answer").compile(target="renamed.*")
    assert path == str(env / "renamed.so")


def test_compile_verbose_says_what_it_does(env, capfd):
    builder(module="_answer").compile(verbose=True)
    out = capfd.readouterr().out
    assert "generating _answer.c" in out
    assert f"the current directory is {str(env)!r}" in out
    builder(module="_answer").compile(verbose=True)
    assert "(already up-to-date)" in capfd.readouterr().out


def test_relative_paths_are_relative_to_tmpdir(env):
    # As in CFFI, compile() runs in tmpdir: sources=['../extra.c'] is next to the script.
    (env / "extra.c").write_text("int extra_value(void) { return 5; }\n")
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("int user_value(void);")
    ffibuilder.set_source("_answer", "int extra_value(void);\n"
                          "static int user_value(void) { return extra_value(); }",
                          sources=["../extra.c"])
    assert answer(ffibuilder.compile(tmpdir="out"), "_answer") == 45


def test_link_failure_is_a_verification_error_and_leaves_no_module(env):
    good = builder().compile()
    with pytest.raises(cdefc.VerificationError, match="LinkError"):
        builder(libraries=["no_such_library_for_cdefc"]).compile()
    assert not os.path.exists(good)


def test_compile_failure(env):
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("int user_value(void);")
    ffibuilder.set_source("_answer", "static int user_value(void) { return 1; }\n"
                          "/* BREAK_GENERATED_C */")
    with pytest.raises(cdefc.VerificationError, match="CompileError"):
        ffibuilder.compile()
    assert not list(env.glob("_answer*.so"))


def test_cflags_are_honoured(env, monkeypatch):
    monkeypatch.setenv("CFLAGS", "-DUSER_VALUE=7")
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef("int user_value(void);")
    ffibuilder.set_source("_answer", "static int user_value(void) { return USER_VALUE; }")
    assert answer(ffibuilder.compile(), "_answer") == 47


def test_distutils_extension(env, capfd):
    ext = builder().distutils_extension()
    assert ext.name == "pkg._answer"
    assert ext.sources[0] == os.path.join("build", "pkg", "_answer.c")
    assert ext.py_limited_api is True
    assert cdefc.get_include() in ext.include_dirs
    assert ext.extra_objects[-1] == os.environ["CDEFC_RUNTIME_LIBRARY"]
    assert ext.libraries[-1:] == ["ffi"]
    # A C module links the C++ standard library statically, and its unwinder (no libstdc++.so
    # or libgcc_s.so to load at import).
    assert ext.extra_link_args[-4:] == ["-Wl,-Bstatic", "-lstdc++", "-Wl,-Bdynamic",
                                        "-static-libgcc"]
    assert "regenerated: 'build/pkg/_answer.c'" in capfd.readouterr().err
    builder().distutils_extension()
    assert "not modified: 'build/pkg/_answer.c'" in capfd.readouterr().err
    builder().distutils_extension(tmpdir="other", verbose=False)
    assert capfd.readouterr().err == ""


def test_distutils_extension_in_a_setup_py(env):
    write_script(env, "answer_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.cdef("int user_value(void);")
        ffibuilder.set_source("pkg._answer", "static int user_value(void) { return 3; }")
    ''')
    setup = write_script(env, "setup.py", '''
        import sys
        sys.path.insert(0, ".")
        from setuptools import setup
        import answer_build
        setup(name="answer", version="1", packages=[],
              ext_modules=[answer_build.ffibuilder.distutils_extension()])
    ''')
    (env / "pkg").mkdir()
    result = run_python(setup, "build_ext", "--inplace")
    assert result.returncode == 0, result.stderr
    assert answer(str(env / "pkg" / "_answer.abi3.so")) == 43


def test_emit_c_code_to_a_file_object(env):
    import io

    out = io.StringIO()
    builder().emit_c_code(out)
    assert "static int user_value(void) { return 2; }" in out.getvalue()


def test_emit_c_code_keeps_an_unchanged_file(env):
    builder().emit_c_code("answer.c")
    before = os.stat("answer.c").st_mtime_ns
    builder().emit_c_code("answer.c")
    assert os.stat("answer.c").st_mtime_ns == before
    builder(value=9).emit_c_code("answer.c")
    assert "return 9;" in open("answer.c").read()


def test_missing_runtime_library(env, monkeypatch):
    monkeypatch.setenv("CDEFC_RUNTIME_LIBRARY", "")
    monkeypatch.setattr(cdefc.paths, "_PACKAGE_DIR", env / "no-package")
    with pytest.raises(cdefc.FFIError, match="runtime library"):
        builder().compile()
