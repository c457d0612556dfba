# The README's CFFI build script (seed 002's API-mode example, filled in): it builds and runs with
# cdefc, and the same script with the import line changed back builds and runs with CFFI, with
# the same output.
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text()
SECTION = README[README.index("## Using cdefc from a build script"):]
BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, re.S)
BUILD_SCRIPT = next(b for b in BLOCKS if "ffibuilder.compile" in b)
PROGRAM = next(b for b in BLOCKS if "from package._foo import" in b)
EXPECTED = re.search(r"#\s*(.*)$", PROGRAM.strip().splitlines()[-1]).group(1).strip()


def build_and_run(directory: Path, script_text: str, isolated: bool = True) -> str:
    """Build the script's module in `directory`, then run the README's program there (with
    `isolated`, under `python -S`: no site-packages, so nothing of cdefc or CFFI)."""
    package = directory / "package"
    package.mkdir()
    (package / "__init__.py").write_text("")
    script = package / "foo_build.py"
    script.write_text(script_text)
    built = subprocess.run([sys.executable, str(script)], cwd=directory, capture_output=True,
                           text=True, env=os.environ | {"PYTHONPATH": str(ROOT / "python")})
    assert built.returncode == 0, built.stdout + built.stderr
    program = directory / "main.py"
    program.write_text(PROGRAM)
    ran = subprocess.run([sys.executable, *(["-S"] if isolated else []), str(program)],
                         cwd=directory,
                         capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout.strip()


def test_readme_script_uses_the_one_line_import():
    assert "from cdefc import FFI" in BUILD_SCRIPT
    assert "cffi" not in BUILD_SCRIPT


def test_readme_example_builds_and_prints_what_the_readme_says(tmp_path):
    out = build_and_run(tmp_path, BUILD_SCRIPT)
    assert out == EXPECTED
    # The module stands alone: built for the stable ABI, no cdefc or _cffi_backend needed.
    assert list((tmp_path / "package").glob("_foo.abi3.so"))


def test_same_script_with_cffi_gives_the_same_output(tmp_path):
    pytest.importorskip("cffi")
    cffi_script = BUILD_SCRIPT.replace("from cdefc import FFI", "from cffi import FFI")
    assert build_and_run(tmp_path, cffi_script, isolated=False) == EXPECTED
