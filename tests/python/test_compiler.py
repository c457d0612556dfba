# How the builder reads a cdefc run: exit status and stderr to exception class, log lines kept
# out of messages, diagnostics parsed; checked with stand-in commands and the real one.
import json
import os
import stat

import pytest

import cdefc
from cdefc import compiler


def fake_cdefc(directory, stderr: str, status: int, help_text="  --cdef FILE\n"):
    """A stand-in cdefc: prints help_text for --help; otherwise saves its stdin (the module
    description) and arguments beside itself, prints `stderr` and exits with `status` (a
    negative one: killed by SIGKILL)."""
    exe = directory / "fake-cdefc"
    (directory / "stderr.txt").write_text(stderr)
    (directory / "help.txt").write_text(help_text)
    exe.write_text(f"""#!/bin/sh
if [ "$1" = --help ]; then cat '{directory}/help.txt'; exit 0; fi
cat > '{directory}/stdin.json'
echo "$@" > '{directory}/args.txt'
cat '{directory}/stderr.txt' >&2
{"kill -9 $$" if status < 0 else f"exit {status}"}
""")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


PARSE_ERROR = """\
cdefc: parsed 1 cdef(s): 0 records, 0 enums, 0 typedefs, 0 functions, 0 globals, 0 constants in 0.000s
b.py:3:5: error: unknown type name 'foo_t'
    foo_t f(void);
    ^
1 error generated.
"""
CLANG_ERROR = """\
cdefc: parsed 1 cdef(s): 0 records, 0 enums, 0 typedefs, 0 functions, 0 globals, 1 constants in 0.000s
cdefc: resolved with Clang: 1 probe lines, parse 0.048s, answers 0.000s
b.py:4:9: error: 'LIMIT' is 128 in b.py:9, cdef says 100
#define LIMIT 100
        ^
b.py:9:9: note: declared here
#define LIMIT 128
        ^
1 error generated.
"""


@pytest.mark.parametrize("stderr,status,expected", [
    (PARSE_ERROR, 2, cdefc.CDefError),           # the exit status tells the pass
    (CLANG_ERROR, 3, cdefc.VerificationError),
    (CLANG_ERROR, 2, cdefc.CDefError),           # the status wins over the log
    (PARSE_ERROR, 1, cdefc.FFIError),            # 1: usage or I/O, not the user's cdef
    ("cdefc: error: Option 'emit-c' does not exist\n", 1, cdefc.FFIError),
    ("", 1, cdefc.FFIError),
    ("", -9, cdefc.FFIError),
])
def test_exit_status_and_stderr_give_the_class(tmp_path, stderr, status, expected):
    exe = fake_cdefc(tmp_path, stderr, status)
    with pytest.raises(Exception) as info:
        compiler.run({"module_name": "_m"}, exe=exe)
    assert type(info.value) is expected
    assert "cdefc: parsed" not in str(info.value)
    assert "cdefc: resolved" not in str(info.value)
    assert "generated." not in str(info.value)


def test_message_and_diagnostics(tmp_path):
    exe = fake_cdefc(tmp_path, CLANG_ERROR, 3)
    with pytest.raises(cdefc.VerificationError) as info:
        compiler.run({}, exe=exe)
    assert str(info.value) == "\n".join(CLANG_ERROR.splitlines()[2:-1])
    assert info.value.diagnostics == [
        ("error", "b.py", 4, 9, "'LIMIT' is 128 in b.py:9, cdef says 100"),
        ("note", "b.py", 9, 9, "declared here")]
    assert info.value.diagnostics[1].location() == "b.py:9:9"


def test_description_goes_to_stdin(tmp_path):
    exe = fake_cdefc(tmp_path, "", 0)
    compiler.run({"module_name": "pkg._m", "cdefs": []}, emit_c="out.c", exe=exe)
    assert json.loads((tmp_path / "stdin.json").read_text()) == {"module_name": "pkg._m",
                                                                  "cdefs": []}
    assert (tmp_path / "args.txt").read_text().split() == [
        "--description", "-", "--emit-c", "out.c"]


def test_log_shown_only_when_verbose(tmp_path, capfd):
    exe = fake_cdefc(tmp_path, "cdefc: done in 0.1s\n", 0)
    compiler.run({}, exe=exe)
    assert capfd.readouterr().err == ""
    compiler.run({}, exe=exe, verbose=True)
    assert capfd.readouterr().err == "cdefc: done in 0.1s\n"


TWO_WARNINGS = """\
cdefc: resolved with Clang: 1 probe lines, parse 0.048s, answers 0.000s
b.py:4:9: warning: 'LIMIT' is 128 in b.py:9, cdef says 100
#define LIMIT 100
        ^
b.py:9:9: note: declared here
#define LIMIT 128
        ^
In file included from b.py:8:
point.h:2:5: warning: something odd
    int x;
    ^
2 warnings generated.
"""


def test_warnings_of_a_successful_run_are_python_warnings(tmp_path, capfd):
    exe = fake_cdefc(tmp_path, TWO_WARNINGS, 0)
    with pytest.warns(cdefc.VerificationWarning) as record:
        compiler.run({}, exe=exe)
    lines = TWO_WARNINGS.splitlines()
    assert [str(w.message) for w in record] == ["\n".join(lines[1:7]), "\n".join(lines[7:11])]
    assert {w.filename for w in record} == {__file__}  # the caller's line, not cdefc's
    assert issubclass(cdefc.VerificationWarning, UserWarning)  # CFFI warns with UserWarning
    assert capfd.readouterr().err == ""


def test_warnings_already_issued_are_not_repeated(tmp_path):
    exe = fake_cdefc(tmp_path, TWO_WARNINGS, 0)
    warned = set()
    with pytest.warns(cdefc.VerificationWarning) as record:
        compiler.run({}, exe=exe, warned=warned)
        compiler.run({}, exe=exe, warned=warned)
    assert len(record) == 2
    assert len(warned) == 2


def test_a_warning_whose_source_line_went_is_not_repeated(tmp_path):
    # python-zstandard's cdef comes from a temporary header that is gone when compile() runs:
    # the same warning then has no source line; it is the same warning all the same.
    with_line = "h.h:3:5: warning: initializer of 'X' is ignored in cdef()\nint X = 1;\n    ^\n"
    without = "h.h:3:5: warning: initializer of 'X' is ignored in cdef()\n"
    warned = set()
    with pytest.warns(cdefc.VerificationWarning) as record:
        compiler.run({}, exe=fake_cdefc(tmp_path, with_line, 0), warned=warned)
        compiler.run({}, exe=fake_cdefc(tmp_path, without, 0), warned=warned)
    assert [str(w.message) for w in record] == [with_line.rstrip("\n")]


STRICT_ERROR = """\
b.py:4:9: error: 'LIMIT' is 128 in b.py:9, cdef says 100 [strict]
#define LIMIT 100
        ^
b.py:9:9: note: declared here
#define LIMIT 128
        ^
1 error generated.
"""


def test_strict_errors_come_from_cdefc_itself(tmp_path):
    # cdefc reads "strict" (and "-Werror") itself: its warnings come out as errors tagged
    # " [strict]", and the failed run's exit status gives the class as for any error.
    exe = fake_cdefc(tmp_path, STRICT_ERROR, 3)
    with pytest.raises(cdefc.VerificationError) as info:
        compiler.run({"strict": True}, exe=exe, strict=True)
    assert str(info.value) == "\n".join(STRICT_ERROR.splitlines()[:-1])
    assert [d.severity for d in info.value.diagnostics] == ["error", "note"]


def test_strict_does_not_judge_a_successful_run_again(tmp_path):
    # No second opinion on the Python side: what a successful run prints stays a warning.
    exe = fake_cdefc(tmp_path, TWO_WARNINGS, 0)
    with pytest.warns(cdefc.VerificationWarning) as record:
        compiler.run({"strict": True}, exe=exe, strict=True)
    assert len(record) == 2


def test_real_cdefc_makes_warnings_errors_with_strict(tmp_path):
    description = {"module_name": "_m",
                   "cdefs": [{"text": "#define LIMIT 100\n", "file": "b.py", "line": 4}],
                   "source": {"text": "#define LIMIT 128\n", "file": "b.py", "line": 9},
                   "strict": True}
    with pytest.raises(cdefc.VerificationError) as info:
        compiler.run(description, emit_c="out.c", cwd=str(tmp_path), strict=True)
    first = str(info.value).splitlines()[0]
    assert first == "b.py:4:9: error: 'LIMIT' is 128 in b.py:9, cdef says 100 [strict]"
    assert not (tmp_path / "out.c").exists()


def test_split_diagnostics_keeps_tool_warnings_apart():
    text = "cdefc: warning: first\ncdefc: warning: second\nb.py:1:1: warning: third\nx\n^"
    assert compiler.split_diagnostics(text) == [
        "cdefc: warning: first", "cdefc: warning: second", "b.py:1:1: warning: third\nx\n^"]


def test_real_cdefc_help_lists_what_the_builder_uses():
    options = compiler.supported_options()
    assert {"--description", "--verbose", "--emit-c", "--parse-only"} <= options
    assert os.path.isfile(cdefc.compiler_path())


def test_relative_environment_paths_become_absolute(tmp_path, monkeypatch):
    # compile() runs cdefc and the C compiler in tmpdir: a relative path must not break.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CDEFC_COMPILER", "tools/cdefc")
    monkeypatch.setenv("CDEFC_RUNTIME_LIBRARY", "lib/libcdefc_runtime.a")
    monkeypatch.setenv("CDEFC_INCLUDE_DIR", "include")
    assert cdefc.compiler_path() == str(tmp_path / "tools" / "cdefc")
    assert cdefc.get_library() == str(tmp_path / "lib" / "libcdefc_runtime.a")
    assert cdefc.get_include() == str(tmp_path / "include")
