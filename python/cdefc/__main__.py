# `python -m cdefc` and the `cdefc` console script: `build script.py:name` builds a module in place
# (cdefc.setuptools_ext); anything else runs the bundled compiler with our arguments.
import os
import sys

from cdefc import compiler_path


def main() -> int:
    """`cdefc build ...`: build modules in place; otherwise replace this process by the cdefc
    executable, passing sys.argv[1:] on."""
    if sys.argv[1:2] == ["build"]:
        from cdefc.setuptools_ext import main as build_main
        return build_main(sys.argv[2:])
    try:
        exe = compiler_path()
    except FileNotFoundError as error:
        print(f"cdefc: {error}", file=sys.stderr)
        return 1
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(exe, [exe, *sys.argv[1:]])
    except OSError as error:
        print(f"cdefc: cannot run {exe}: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
