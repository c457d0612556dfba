# `python -m cdefc` and the `cdefc` console script: run the bundled compiler with our arguments.
import os
import sys

from cdefc import compiler_path


def main() -> int:
    """Replace this process by the cdefc executable, passing sys.argv[1:] on."""
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
