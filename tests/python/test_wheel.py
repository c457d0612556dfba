# setup(cdefc_modules=...), wheels and `cdefc build`, as a user runs them: examples/wheel built by
# `python -m build` and `pip wheel` into a cp311-abi3 wheel that works in a fresh venv without
# cdefc; CFFI build scripts run unchanged; `cdefc build script.py:name` builds in place.
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

import cdefc
from cdefc import setuptools_ext
from conftest import ROOT, run
from test_stubs import MYPY_PYTHON, _mypy_available

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)

EXAMPLE = ROOT / "examples" / "wheel"

USE_ZDEMO = textwrap.dedent("""
    import importlib.util, zlib
    import zdemo
    data = b"cdefc wheel " * 100
    packed = zdemo.compress(data)
    assert zlib.decompress(packed) == data
    assert zdemo.uncompress(packed, len(data)) == data
    assert zdemo.crc32(data) == zlib.crc32(data)
    print("module", zdemo._zlib.__file__)
    print("zlib", zdemo.zlib_version())
    print("cdefc importable:", importlib.util.find_spec("cdefc") is not None)
""")


@pytest.fixture
def project(tmp_path):
    """A copy of examples/wheel."""
    target = tmp_path / "project"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("build", "dist", "*.so",
                                                                   "__pycache__", "*.egg-info"))
    return target


def only_wheel(directory: Path) -> Path:
    [wheel] = directory.glob("*.whl")
    return wheel


def test_python_m_build_makes_an_abi3_wheel_that_works_without_cdefc(project, env, tmp_path):
    result = run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "-o", "dist", "."],
                 project, env)
    wheel = only_wheel(project / "dist")
    assert wheel.name.startswith("zdemo-1.0-cp311-abi3-linux_"), result.stdout
    names = zipfile.ZipFile(wheel).namelist()
    assert "zdemo/_zlib.abi3.so" in names
    if (ROOT / "python" / "cdefc" / "stubs.py").is_file():  # the module's type stub
        assert "zdemo/_zlib.pyi" in names
    assert not any(name.startswith("cdefc") for name in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)  # no system site packages
    python = str(venv / "bin" / "python")
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("PYTHON", "CDEFC_"))}
    run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
        tmp_path, clean)
    out = run([python, "-c", USE_ZDEMO], tmp_path, clean).stdout
    assert f"module {venv}" in out and out.splitlines()[0].endswith("_zlib.abi3.so")
    assert "cdefc importable: False" in out
    if "zdemo/_zlib.pyi" in names and _mypy_available():
        # The installed package is typed (py.typed) and its module's stub tells mypy the C types.
        assert "zdemo/py.typed" in names
        good = _mypy_installed(tmp_path, python, "from zdemo._zlib import lib\n"
                                                 "print(lib.crc32(0, b'abc', 3) + 1)\n")
        assert good.returncode == 0, good.stdout + good.stderr
        bad = _mypy_installed(tmp_path, python, "from zdemo._zlib import lib\n"
                                                "print(lib.crc32('0', b'abc', 3))\n")
        assert bad.returncode == 1, bad.stdout + bad.stderr
        assert 'Argument 1 to "crc32" of "Lib" has incompatible type "str"; expected "int"' \
            in bad.stdout, bad.stdout


def _mypy_installed(directory, python, program):
    """mypy --strict on `program`, with the packages installed for `python`."""
    (directory / "prog.py").write_text(program)
    return subprocess.run([MYPY_PYTHON, "-m", "mypy", "--strict", "--no-error-summary",
                           "--python-executable", python,
                           "--cache-dir", str(directory / ".mypy_cache"), "prog.py"],
                          cwd=directory, capture_output=True, text=True)


def test_editable_install_builds_the_module_in_place(project, env, tmp_path):
    # pip install -e (PEP 660) runs build_ext --inplace: the module and its stub go beside
    # the package's sources, which the venv then imports.
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], tmp_path, env)
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "-e", "."],
        project, env)
    assert (project / "zdemo" / "_zlib.abi3.so").is_file()
    if (ROOT / "python" / "cdefc" / "stubs.py").is_file():
        assert (project / "zdemo" / "_zlib.pyi").is_file()
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("PYTHON", "CDEFC_"))}
    out = run([python, "-c", USE_ZDEMO], tmp_path, clean).stdout
    assert out.splitlines()[0] == f"module {project / 'zdemo' / '_zlib.abi3.so'}"


def test_pip_wheel_makes_an_abi3_wheel(project, env, tmp_path):
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps",
         "-w", str(tmp_path / "out"), "."], project, env)
    wheel = only_wheel(tmp_path / "out")
    assert "-cp311-abi3-" in wheel.name
    assert "zdemo/_zlib.abi3.so" in zipfile.ZipFile(wheel).namelist()


def test_without_limited_api_the_wheel_is_version_specific(project, env):
    script = project / "zdemo" / "_zlib_build.py"
    script.write_text(script.read_text().replace('libraries=["z"]',
                                                 'libraries=["z"], py_limited_api=False'))
    run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "-o", "dist", "."],
        project, env)
    wheel = only_wheel(project / "dist")
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    assert f"-{tag}-{tag}-linux_" in wheel.name
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert f"zdemo/_zlib{suffix}" in zipfile.ZipFile(wheel).namelist()


SELF_CONTAINED = '''
    import cffi

    def make_ffi():
        ffi = cffi.FFI()
        ffi.cdef("int twice(int);")
        ffi.set_source("pkg._twice", "static int twice(int x) { return 2 * x; }")
        return ffi
'''


def test_setup_build_ext_inplace_with_a_function_returning_the_builder(tmp_path, env):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "twice_build.py").write_text(textwrap.dedent(SELF_CONTAINED))
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='pkg', packages=['pkg'], cdefc_modules='pkg/twice_build.py:make_ffi')\n")
    run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], tmp_path, env)
    assert (tmp_path / "pkg" / "_twice.abi3.so").is_file()
    out = run([sys.executable, "-c", "from pkg._twice import lib; print(lib.twice(21))"],
              tmp_path, {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}).stdout
    assert out == "42\n"


@pytest.mark.parametrize("command", ["python -m cdefc", "cdefc"])
def test_cdefc_build_builds_in_place(project, env, command):
    if command == "cdefc":
        script = Path(sys.executable).parent / "cdefc"
        if not script.is_file():
            pytest.skip("no cdefc console script beside this Python")
        args = [sys.executable, str(script)]
    else:
        args = [sys.executable, "-m", "cdefc"]
    out = run([*args, "build", "zdemo/_zlib_build.py:ffibuilder"], project, env).stdout
    assert out == f"cdefc build: {os.path.join('zdemo', '_zlib.abi3.so')}\n"
    assert (project / "build" / "cdefc" / "zdemo" / "_zlib.c").is_file()
    assert not (project / "zdemo" / "_zlib.c").exists()
    if (ROOT / "python" / "cdefc" / "stubs.py").is_file():
        assert (project / "zdemo" / "_zlib.pyi").is_file()
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    assert "zlib 1." in run([sys.executable, "-c", USE_ZDEMO], project, clean).stdout


def test_cdefc_build_c_only_writes_the_source_for_another_build_system(project, env, tmp_path):
    out = run([sys.executable, "-m", "cdefc", "build", "--c-only", "--tmpdir", "gen",
               "zdemo/_zlib_build.py:ffibuilder"], project, env).stdout
    c_file = project / "gen" / "zdemo" / "_zlib.c"
    assert out == f"cdefc build: {os.path.join('gen', 'zdemo', '_zlib.c')}\n"
    assert "PyInit__zlib" in c_file.read_text()
    assert not list(project.glob("zdemo/_zlib*.so"))
    if (ROOT / "python" / "cdefc" / "stubs.py").is_file():
        assert (project / "gen" / "zdemo" / "_zlib.pyi").is_file()
    # Compiled and linked by hand, as Make would: the module works.
    import cdefc
    so = tmp_path / "zdemo" / "_zlib.abi3.so"
    so.parent.mkdir()
    (so.parent / "__init__.py").write_text("")
    run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(so), str(c_file),
         f"-I{sysconfig.get_paths()['include']}", f"-I{cdefc.get_include()}",
         cdefc.get_library(), "-lz", "-lffi", "-Wl,-Bstatic", "-lstdc++", "-Wl,-Bdynamic"],
        project, env)
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = run([sys.executable, "-c", "from zdemo._zlib import lib; print(lib.crc32(0, b'a', 1))"],
              tmp_path, clean).stdout
    assert out == f"{__import__('zlib').crc32(b'a')}\n"


def test_cdefc_build_reports_a_bad_name(project, env):
    result = run([sys.executable, "-m", "cdefc", "build", "zdemo/_zlib_build.py"], project, env,
                 check=False)
    assert result.returncode == 1
    assert "expected 'path/to/script.py:name'" in result.stderr
    result = run([sys.executable, "-m", "cdefc", "build", "zdemo/_zlib_build.py:nothing"],
                 project, env, check=False)
    assert result.returncode == 1
    assert "defines no 'nothing'" in result.stderr


def test_cdefc_without_build_still_runs_the_compiler(env, tmp_path):
    out = run([sys.executable, "-m", "cdefc", "--help"], tmp_path, env).stdout
    assert "--emit-c FILE" in out


def test_cffi_is_cdefc_only_while_the_script_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "twice_build.py").write_text(textwrap.dedent(SELF_CONTAINED))
    before = sys.modules.get("cffi")
    builder = setuptools_ext.load_builder("twice_build.py:make_ffi")
    assert isinstance(builder, cdefc.FFI)
    assert sys.modules.get("cffi") is before
    assert str(tmp_path) not in sys.path
