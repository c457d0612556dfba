# Shared setup of the build API tests: the source package, and the cdefc command and runtime of
# a CMake build tree (ctest passes them; by hand, build/ of the checkout is the default).
import importlib
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cdefc_test_env import BUILD, ROOT  # noqa: E402,F401  (sets up the package and tools)


def import_from(directory, module_name):
    """Import the module `module_name` built into `directory` (which leaves sys.path as it was)."""
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module(module_name)
    finally:
        sys.path.remove(str(directory))


def write_script(directory: Path, name: str, text: str) -> Path:
    """Write a build script (dedented) and return its path."""
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based number of the line of `path` holding the nth occurrence of `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def column_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based column of the nth occurrence of `needle` in its line of `path`."""
    line = path.read_text().splitlines()[line_of(path, needle, nth) - 1]
    return line.index(needle) + 1


def run_python(script: Path, *args, cwd=None) -> subprocess.CompletedProcess:
    """Run `script` with this interpreter, the source package first on its path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "python"),
                                                      env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd or script.parent,
                          env=env, capture_output=True, text=True)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run the test in tmp_path (build scripts are usually run from their own directory)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def compiler_config(monkeypatch):
    """Python's compiler configuration (CC, CFLAGS, CCSHARED) replaced by the values given to
    the returned function, and $CC, $CFLAGS, $CPPFLAGS unset."""
    for var in ("CC", "CFLAGS", "CPPFLAGS"):
        monkeypatch.delenv(var, raising=False)
    real = sysconfig.get_config_var

    def configure(cc="gcc", cflags="", ccshared="-fPIC"):
        values = {"CC": cc, "CFLAGS": cflags, "CCSHARED": ccshared}
        monkeypatch.setattr(sysconfig, "get_config_var",
                            lambda name: values[name] if name in values else real(name))
    configure()
    return configure


@pytest.fixture(scope="module")
def metadata(tmp_path_factory):
    """The package metadata of this checkout (cdefc.egg-info, made by its own setup.py): it
    registers the cdefc_modules keyword, as an installed cdefc does."""
    directory = tmp_path_factory.mktemp("metadata")
    subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(directory)],
                   cwd=ROOT, check=True, capture_output=True)
    return directory


@pytest.fixture
def env(metadata):
    """The environment of a user's build: cdefc (source package and metadata) on the path."""
    environ = dict(os.environ)
    environ["PYTHONPATH"] = os.pathsep.join([str(metadata), str(ROOT / "python")])
    return environ


def run(args, cwd, env, check=True):
    """Run a command in `cwd`; AssertionError with its output when it fails (check=True)."""
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n"
                             f"{result.stderr}")
    return result
