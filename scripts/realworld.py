#!/usr/bin/env python3
# Builds real CFFI API-mode packages with cdefc and with CFFI, runs their own tests, one line each.
"""Build real CFFI API-mode packages with cdefc and with CFFI, run their own tests.

For each package and builder (cdefc, then CFFI as the baseline), in
build/realworld/<package>/<builder>/:
  1. unpack the tarball into tree/ (a fresh copy every run);
  2. run the package's own preparation steps, if any (pygit2: its plain C extension;
     tpm2-pytss: the files its setup.py generates);
  3. build the extension with the package's own build script, as setup.py's cffi_modules
     does: runpy.run_path(script, run_name="__cffi__") from the source root, then
     ffi.compile(tmpdir=".") (cdefc: .venv's python with scripts/realworld_cffi/ first on
     sys.path, so `import cffi` is cdefc; CFFI: Debian's python3 and python3-cffi);
  4. move the module to where the package imports it from, check that Debian's python3
     imports that very file (a failed import is reported, and the tests run all the same),
     and run the package's tests with Debian's pytest.
Logs: build.log, test.log beside tree/; results.json and summary.txt in build/realworld/.
Exit status 0 when the report was made, whatever the packages did."""
import argparse
import json
import os
import re
import runpy
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAND_IN = os.path.join(ROOT, "scripts", "realworld_cffi")
DEBIAN_PYTHON = "/usr/bin/python3"

# pygit2's setup.py builds its plain C extension pygit2._pygit2 with build_ext; run it without
# its cffi_modules, which would build pygit2._libgit2 with CFFI.
PYGIT2_BUILD_EXT = """
import runpy, sys, setuptools
setup = setuptools.setup
setuptools.setup = lambda **kw: setup(**{k: v for k, v in kw.items() if k != "cffi_modules"})
sys.argv = ["setup.py", "build_ext", "--inplace"]
runpy.run_path("setup.py", run_name="__main__")
"""

# tpm2-pytss's setup.py generates internal/type_mapping.py and versions.py in its build_ext
# command (class type_generator); run that command alone, without setup() or its cffi_modules.
TPM2_GENERATE = """
import runpy, setuptools
setuptools.setup = lambda **kw: None
command = runpy.run_path("setup.py")["type_generator"](setuptools.Distribution())
command.initialize_options()
command.inplace, command.build_lib = True, "build/lib"
command.finalize_options()
command.run()
"""

# name: tarball, "build script:FFI variable", the directory the package imports from, the
# ext_package its setup() prefixes to the module name, its tests, environment and extra steps.
PACKAGES = {
    "bcrypt": dict(tarball="bcrypt-3.2.2.tar.gz", spec="src/build_bcrypt.py:ffi",
                   package_root="src", ext_package="bcrypt", tests=["tests"]),
    "argon2-cffi": dict(tarball="argon2-cffi-21.1.0.tar.gz",
                        spec="src/argon2/_ffi_build.py:ffi", package_root="src",
                        ext_package="argon2", tests=["tests"],
                        env={"ARGON2_CFFI_USE_SYSTEM": "1"}),
    "pygit2": dict(tarball="pygit2-1.11.1.tar.gz", spec="pygit2/_run.py:ffi",
                   package_root=".", tests=["test"],
                   prepare=["-c", PYGIT2_BUILD_EXT]),
    "python-zstandard": dict(tarball="python-zstandard-0.20.0.tar.gz",
                             spec="make_cffi.py:ffi", package_root=".", tests=["tests"],
                             env={"PYTHON_ZSTANDARD_IMPORT_POLICY": "cffi"}),
    "tpm2-pytss": dict(tarball="tpm2-pytss-1.2.0.tar.gz",
                       spec="scripts/libtss2_build.py:ffibuilder", package_root="src",
                       tests=["test"], prepare=["-c", TPM2_GENERATE], parallel=4),
}
BUILDERS = ("cdefc", "cffi")
ERROR_LINES = 4  # how many lines of a failed build's log the summary shows


def build_one(spec, stand_in):
    """Child process, in the source root: run the build script and compile its FFI."""
    script, var = spec.split(":")
    # As `python script.py` and setup.py in the root would see it; the stand-in cffi first.
    sys.path[:0] = ([stand_in] if stand_in else []) + [os.path.dirname(os.path.abspath(script)),
                                                       os.getcwd()]
    ffi = runpy.run_path(script, run_name="__cffi__")[var]
    if not hasattr(ffi, "compile"):  # cffi_modules also accepts a function returning the FFI
        ffi = ffi()
    print("MODULE:", os.path.abspath(ffi.compile(tmpdir=".", verbose=True)), flush=True)


def run(cmd, log, cwd, env, timeout):
    """Run cmd appending to log; returns (exit status or None on timeout, seconds)."""
    start = time.monotonic()
    with open(log, "a") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own process group
            proc.wait()
            status = None
            out.write(f"\n*** timed out after {timeout} s\n")
    return status, time.monotonic() - start


def first_errors(log):
    """The first 'error:' and exception lines of a failed build's log, else its last lines."""
    with open(log, errors="replace") as f:
        lines = [line.rstrip() for line in f if line.strip()]
    errors = [l for l in lines if re.search(r"\berror:|^[\w.]*(Error|Exception)\b", l)]
    return errors[:ERROR_LINES] if errors else lines[-ERROR_LINES:]


def last_lines(log):
    """The last lines of a log (where a traceback names its exception)."""
    with open(log, errors="replace") as f:
        return [line.rstrip() for line in f if line.strip()][-ERROR_LINES:]


def pytest_counts(log):
    """passed/failed/skipped/... from pytest's last summary line ('=== 3 passed in 1s ===')."""
    with open(log, errors="replace") as f:
        summaries = [l for l in f if re.match(r"^=+ .*\b(passed|failed|error|errors|skipped|"
                                              r"no tests ran)\b.* in [\d.]+s", l)]
    if not summaries:
        return None
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (\w+)", summaries[-1])}
    if "errors" in counts:
        counts["error"] = counts.pop("errors")
    return counts


def run_side(name, pkg, builder, args, work):
    """Unpack, prepare, build, place, import-check and test one package with one builder."""
    side = os.path.join(work, name, builder)
    tree = os.path.join(side, "tree")
    build_log, test_log = os.path.join(side, "build.log"), os.path.join(side, "test.log")
    shutil.rmtree(side, ignore_errors=True)
    os.makedirs(tree)
    result = {"package": name, "builder": builder, "built": False}
    env = dict(os.environ, **pkg.get("env", {}))
    env.pop("PYTHONPATH", None)
    subprocess.run(["tar", "xzf", os.path.join(args.tarballs, pkg["tarball"]),
                    "--strip-components=1", "-C", tree], check=True)
    open(build_log, "w").close()

    if "prepare" in pkg:
        status, secs = run([DEBIAN_PYTHON, *pkg["prepare"]], build_log, tree, env,
                           args.build_timeout)
        result["prepare_seconds"] = round(secs, 1)
        if status != 0:
            result["errors"] = ["preparation step failed"] + first_errors(build_log)
            return result

    python = args.cdefc_python if builder == "cdefc" else DEBIAN_PYTHON
    cmd = [python, os.path.abspath(__file__), "--build-one", pkg["spec"]]
    if builder == "cdefc":
        cmd += ["--stand-in", STAND_IN]
    status, secs = run(cmd, build_log, tree, env, args.build_timeout)
    result["build_seconds"] = round(secs, 1)
    with open(build_log, errors="replace") as f:
        log = f.read()
    built = re.findall(r"^MODULE: (.*)$", log, re.M)
    if status != 0 or not built:
        result["errors"] = ["build timed out"] if status is None else []
        result["errors"] += first_errors(build_log)
        result["error_count"] = len(re.findall(r"\berror:", log))
        return result
    result["built"] = True
    result["warnings"] = len(set(re.findall(r"VerificationWarning: (.*)", log)))  # cdefc's

    # Where setup.py would put it: <package_root>/<ext_package>/<module path>; compile()
    # already applies an ext_package given in setup.cfg (bcrypt), not one given to setup().
    ffi_module = os.path.relpath(built[0], tree)   # e.g. _bcrypt.abi3.so, pygit2/_libgit2...so
    parts = os.path.dirname(ffi_module).split(os.sep) + [os.path.basename(ffi_module)
                                                          .split(".")[0]]
    if pkg.get("ext_package") and parts[0] != pkg["ext_package"]:
        parts.insert(0, pkg["ext_package"])
    module_name = ".".join(p for p in parts if p)
    dest_dir = os.path.join(tree, pkg["package_root"], *module_name.split(".")[:-1])
    dest = os.path.join(dest_dir, os.path.basename(ffi_module))
    os.makedirs(dest_dir, exist_ok=True)  # if it was missing, the import check says so
    if not os.path.samefile(dest_dir, os.path.dirname(built[0])):
        shutil.move(built[0], dest)
    result["module"] = os.path.relpath(dest, tree)

    env["PYTHONPATH"] = os.path.join(tree, pkg["package_root"])
    check = (f"import importlib, os; m = importlib.import_module({module_name!r}); "
             f"assert os.path.samefile(m.__file__, {dest!r}), m.__file__")
    status, _ = run([DEBIAN_PYTHON, "-c", check], test_log, tree, env, 120)
    result["imported"] = status == 0
    if status != 0:  # the tests still run: their counts say how much it matters
        result["errors"] = ["import failed: " + last_lines(test_log)[-1]]

    cmd = [DEBIAN_PYTHON, "-m", "pytest", "-p", "no:cacheprovider", *pkg["tests"]]
    if pkg.get("parallel") and args.xdist:
        cmd += ["-n", str(pkg["parallel"])]
    status, secs = run(cmd, test_log, tree, env, args.timeout)
    result["test_seconds"] = round(secs, 1)
    result["tests"] = pytest_counts(test_log) or {}
    if status is None:
        result["timed_out"] = True
    elif not result["tests"]:
        result.setdefault("errors", []).extend(["pytest printed no summary"] + last_lines(test_log))
    return result


def describe(r):
    """One side's cell: 'built, 145 passed, 0 failed (23 s)' or 'build failed, 9 errors (5 s)'."""
    secs = sum(r.get(k, 0) for k in ("prepare_seconds", "build_seconds", "test_seconds"))
    secs = f" ({secs:.0f} s)"
    if not r["built"]:
        failed = "build failed" if "build_seconds" in r else "preparation failed"
        return failed + (f", {r['error_count']} errors" if r.get("error_count") else "") + secs
    t = r.get("tests", {})
    n = r.get("warnings", 0)
    text = "built" + (f" ({n} warning{'s' if n > 1 else ''}), " if n else ", ")
    text += "" if r.get("imported") else "import failed, "
    text += f"{t.get('passed', 0)} passed, {t.get('failed', 0)} failed"
    for k in ("error", "skipped", "xfailed", "xpassed"):
        if t.get(k):
            text += f", {t[k]} {k}" + ("s" if k == "error" and t[k] > 1 else "")
    if r.get("timed_out"):
        text += ", timed out"
    elif not t:
        text += " (no pytest summary)"
    return text + secs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("packages", nargs="*", help=f"a subset of: {', '.join(PACKAGES)} "
                        "(any unique part of a name)")
    parser.add_argument("--cdefc-only", action="store_true", help="no CFFI baseline")
    parser.add_argument("--cffi-only", action="store_true", help="only the CFFI baseline")
    parser.add_argument("--cdefc-python", default=os.path.join(ROOT, ".venv", "bin", "python"),
                        help="the python that has cdefc (default: .venv's)")
    parser.add_argument("--tarballs", default=os.environ.get(
        "CDEFC_REALWORLD_DIR", os.path.join(ROOT, "..", "shared", "realworld")),
        help="where the tarballs are (default: $CDEFC_REALWORLD_DIR, ../shared/realworld)")
    parser.add_argument("--work", default=os.path.join(ROOT, "build", "realworld"),
                        help="work directory (default: build/realworld)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per test suite")
    parser.add_argument("--build-timeout", type=int, default=1200, help="seconds per build")
    parser.add_argument("--build-one", help=argparse.SUPPRESS)
    parser.add_argument("--stand-in", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_one:
        return build_one(args.build_one, args.stand_in)

    names = []
    for wanted in args.packages or PACKAGES:
        matches = [n for n in PACKAGES if wanted == n] or [n for n in PACKAGES if wanted in n]
        if len(matches) != 1:
            parser.error(f"{wanted!r} names {'no' if not matches else 'more than one'} package")
        names.append(matches[0])
    missing = [PACKAGES[n]["tarball"] for n in names
               if not os.path.isfile(os.path.join(args.tarballs, PACKAGES[n]["tarball"]))]
    if missing:
        parser.error(f"not in {args.tarballs}: {', '.join(missing)} (set CDEFC_REALWORLD_DIR)")
    builders = [b for b in BUILDERS if not (b == "cdefc" and args.cffi_only)
                and not (b == "cffi" and args.cdefc_only)]
    args.xdist = subprocess.run([DEBIAN_PYTHON, "-c", "import xdist"],
                                stderr=subprocess.DEVNULL).returncode == 0
    os.makedirs(args.work, exist_ok=True)

    results, lines = [], []
    for name in names:
        sides = {}
        for builder in builders:
            print(f"==> {name}: {builder}", file=sys.stderr, flush=True)
            sides[builder] = run_side(name, PACKAGES[name], builder, args, args.work)
            results.append(sides[builder])
        package_lines = [(f"{name:<17}" + "   ".join(f"{b}: {describe(sides[b]):<64}"
                                                    for b in builders)).rstrip()]
        for b in builders:
            package_lines += [f"    {b}: {e}" for e in sides[b].get("errors", [])]
        print("\n".join(package_lines), flush=True)
        lines += package_lines

    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    summary = "\n".join(lines) + "\n"
    with open(os.path.join(args.work, "summary.txt"), "w") as f:
        f.write(summary)
    print(f"\nsummary (logs in {args.work}/<package>/<builder>/):\n{summary}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
