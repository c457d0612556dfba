# Builds the `cdefc` executable and the runtime library with CMake and ships them in the package:
# cdefc/bin/cdefc, cdefc/lib/libcdefc_runtime.a, cdefc/include/cdefc/*.h.
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
RUNTIME_LIBRARY = "libcdefc_runtime.a"


def cmake_build_dir():
    """CDEFC_BUILD_DIR if set (run.sh and test.sh pass build/), else a tree of our own."""
    env = os.environ.get("CDEFC_BUILD_DIR")
    return Path(env).resolve() if env else ROOT / PY_BUILD_BASE / "cmake"


def _built_file(build_dir, candidates, what):
    for candidate in candidates:
        path = build_dir / candidate
        if path.is_file():
            return path
    raise RuntimeError(f"{what} was built but not found under {build_dir}")


def build_native():
    """Configure (unless already configured) and build the cdefc and cdefc_runtime targets;
    return {path in the package: file to copy there}."""
    build_dir = cmake_build_dir()
    if not (build_dir / "CMakeCache.txt").is_file():
        subprocess.check_call([
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
            "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DCDEFC_BUILD_TESTS=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}"])
    subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "cdefc",
                           "cdefc_runtime", "-j2"])
    files = {
        "bin/cdefc": _built_file(build_dir, ("compiler/cdefc", "bin/cdefc", "cdefc"), "cdefc"),
        "lib/" + RUNTIME_LIBRARY: _built_file(
            build_dir, ("runtime/" + RUNTIME_LIBRARY, "lib/" + RUNTIME_LIBRARY), RUNTIME_LIBRARY),
    }
    for header in sorted((ROOT / "include").rglob("*.h")):
        files[(Path("include") / header.relative_to(ROOT / "include")).as_posix()] = header
    return files


class BuildPyWithNative(build_py):
    """build_py that also puts the compiler, the runtime library and its headers in the
    package (cdefc/bin, cdefc/lib, cdefc/include)."""

    def run(self):
        super().run()
        for relative, source in build_native().items():
            target = Path(self.build_lib) / "cdefc" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)

    def get_outputs(self, include_bytecode=True):
        package = Path(self.build_lib) / "cdefc"
        native = [str(p) for d in ("bin", "lib", "include")
                  for p in sorted((package / d).rglob("*")) if p.is_file()]
        return super().get_outputs(include_bytecode) + native


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
    package_data={"cdefc": ["bin/cdefc", "lib/*.a", "include/**/*.h"]},
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithNative, "bdist_wheel": PlatformWheel},
    options={"build": {"build_base": PY_BUILD_BASE}},
)
