# The cdefc command under hostile input: deep nesting, huge arrays, recursive typedefs, 100,000
# declarations of each kind, garbage. It either succeeds or prints diagnostics and exits with
# 2 or 3: never a signal, never a hang (each run has a time limit), never more than the error
# limit's worth of output, and never a partial output file.
import os
import subprocess

import pytest

from cdefc import paths

N = 100_000
LIMIT_S = 120  # per run; the biggest takes a few seconds


def cdefc(tmp_path, cdef, source=None, *args):
    (tmp_path / "in.cdef").write_text(cdef)
    argv = [paths.compiler_path(), "--cdef", str(tmp_path / "in.cdef"), "-m", "_hostile"]
    if source is not None:
        (tmp_path / "in.c").write_text(source)
        argv += ["--source", str(tmp_path / "in.c")]
    out = tmp_path / "out.c"
    run = subprocess.run(argv + ["--emit-c", str(out), *args], capture_output=True, text=True,
                         timeout=LIMIT_S)
    assert run.returncode in (0, 2, 3), (run.returncode, run.stderr[-2000:])
    if run.returncode:
        assert "error: " in run.stderr
        assert not out.exists(), "a failed run left an output file"
        assert run.stderr.count(": error: ") <= 21, "more errors than the limit"
    else:
        assert out.read_text().rstrip().endswith("}")  # complete
    assert len(run.stderr) < 200_000
    return run


def decls(kind, n=N):
    if kind == "functions":
        return "".join(f"int f{i}(int);\n" for i in range(n))
    if kind == "enumerators":
        return "enum big { " + ", ".join(f"E{i}" for i in range(n)) + " };\n"
    if kind == "defines":
        return "".join(f"#define D{i} {i}\n" for i in range(n))
    if kind == "typedefs":
        return "".join(f"typedef int t{i};\n" for i in range(n))
    if kind == "globals":
        return "".join(f"extern int g{i};\n" for i in range(n))
    if kind == "structs":
        return "".join(f"struct s{i} {{ int a; ...; }};\n" for i in range(n // 5))
    raise ValueError(kind)


KINDS = ["functions", "enumerators", "defines", "typedefs", "globals", "structs"]


@pytest.mark.parametrize("kind", KINDS)
def test_many_declarations_the_source_lacks(tmp_path, kind):
    # Every one is an error: 20 are shown, then "too many errors".
    run = cdefc(tmp_path, decls(kind), "int unrelated;\n")
    if kind != "typedefs":  # a typedef the C source lacks is declared by the cdef (no error)
        assert run.returncode == 3
        assert "too many errors emitted, stopping now" in run.stderr


@pytest.mark.parametrize("kind", ["enumerators", "defines", "typedefs", "structs"])
def test_many_declarations_the_source_has(tmp_path, kind):
    text = decls(kind)
    source = text.replace("...;", "int b;").replace("#define D", "#define D")
    run = cdefc(tmp_path, text, source)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("cdef", [
    "int x" + "[1]" * 5000 + ";",
    "extern int " + "(" * 5000 + "x" + ")" * 5000 + ";",
    "typedef int " + "*" * 5000 + "p;",
    "void f(" + "void (*)(" * 3000 + ");",
    "struct s { " * 3000,
    "enum e { A = " + "(" * 5000 + "1" + ")" * 5000 + " };",
    "#define X " + "-" * 50000 + "1",
    "int a[100000000000000000000];",
    "int a[0x7fffffffffffffff][0x7fffffffffffffff];",
    "typedef struct a b; typedef b c; typedef c a;",
    "typedef a a;",
    "struct s { struct s x; };",
    "\x00\x01\x02 int \xff;",
    "/* " * 10000,
    '"' * 10001,
])
def test_pathological_cdefs_end_in_diagnostics(tmp_path, cdef):
    run = cdefc(tmp_path, cdef, "int unrelated;\n")
    assert run.returncode in (2, 3), run.stderr[-2000:]


def test_garbage_source_is_clangs_errors(tmp_path):
    run = cdefc(tmp_path, "int f(int);", "int f(int x) { return x +; }\n" * 1000)
    assert run.returncode == 3 and "in.c:1:" in run.stderr


def test_existing_output_is_kept_on_failure(tmp_path):
    (tmp_path / "out.c").write_text("previous\n")
    (tmp_path / "in.cdef").write_text("int missing(int);")
    (tmp_path / "in.c").write_text("int other;\n")
    run = subprocess.run([paths.compiler_path(), "--cdef", str(tmp_path / "in.cdef"), "--source",
                          str(tmp_path / "in.c"), "--emit-c", str(tmp_path / "out.c")],
                         capture_output=True, text=True, timeout=LIMIT_S)
    assert run.returncode == 3
    assert (tmp_path / "out.c").read_text() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["in.c", "in.cdef", "out.c"]  # no temporary left
