# Builds the `cdefc` executable with CMake and ships it in the package as cdefc/bin/cdefc.
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:  # setuptools >= 70.1 carries bdist_wheel; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    from wheel.bdist_wheel import bdist_wheel

ROOT = Path(__file__).resolve().parent
# setuptools' own scratch space; build/ itself is run.sh's CMake tree.
PY_BUILD_BASE = "build/setuptools"


def cmake_build_dir():
    """CDEFC_BUILD_DIR if set (run.sh and test.sh pass build/), else a tree of our own."""
    env = os.environ.get("CDEFC_BUILD_DIR")
    return Path(env).resolve() if env else ROOT / PY_BUILD_BASE / "cmake"


def build_compiler():
    """Configure (unless already configured) and build the cdefc target; return the executable."""
    build_dir = cmake_build_dir()
    if not (build_dir / "CMakeCache.txt").is_file():
        subprocess.check_call([
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
            "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DCDEFC_BUILD_TESTS=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}"])
    subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "cdefc", "-j2"])
    for candidate in ("compiler/cdefc", "bin/cdefc", "cdefc"):
        exe = build_dir / candidate
        if exe.is_file() and os.access(exe, os.X_OK):
            return exe
    raise RuntimeError(f"cdefc was built but not found under {build_dir}")


class BuildPyWithCompiler(build_py):
    """build_py that also puts the compiled `cdefc` executable at cdefc/bin/cdefc."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "cdefc" / "bin" / "cdefc"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(build_compiler(), target)

    def get_outputs(self, include_bytecode=True):
        return super().get_outputs(include_bytecode) + [
            os.path.join(self.build_lib, "cdefc", "bin", "cdefc")]


class BinaryDistribution(Distribution):
    """The package holds a native executable: install it as platform-specific (platlib)."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """Native executable but no extension module: tag the wheel py3-none-<platform>."""

    def get_tag(self):
        return ("py3", "none", super().get_tag()[2])


setup(
    package_dir={"": "python"},
    packages=["cdefc"],
    package_data={"cdefc": ["bin/cdefc"]},
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithCompiler, "bdist_wheel": PlatformWheel},
    options={"build": {"build_base": PY_BUILD_BASE}},
)
