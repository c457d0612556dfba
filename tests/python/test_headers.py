# cdef_from_headers(): modules bound from real libraries' own headers (zlib, SQLite, liblzma,
# expat) with no declaration written by hand, their programs run; the cdef it writes (also
# built by CFFI), how it combines with cdef(), what it leaves out, and its errors.
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap

import pytest

import cdefc
from conftest import ROOT, import_from, line_of, write_script

if not shutil.which(sysconfig.get_config_var("CC").split()[0]):
    pytest.skip("no C compiler", allow_module_level=True)

INCLUDE = "/usr/include"
for header in ("zlib.h", "sqlite3.h", "lzma.h", "expat.h"):
    if not os.path.exists(os.path.join(INCLUDE, header)):
        pytest.skip(f"{header} is not installed (scripts/setup.sh installs it)",
                    allow_module_level=True)


def build(tmp_path, name, headers, include=None, exclude=None, cdef=None, source=None,
          **kwds):
    """Builds module `name` from `headers` (and a hand-written `cdef`), into tmp_path/name;
    returns (ffibuilder, module)."""
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source(name, source or "".join(f"#include <{h}>\n" for h in headers), **kwds)
    ffibuilder.cdef_from_headers(headers, include=include, exclude=exclude)
    if cdef:
        ffibuilder.cdef(cdef)
    out = tmp_path / name
    out.mkdir()
    ffibuilder.compile(tmpdir=str(out))
    return ffibuilder, import_from(out, name)


# -- zlib: the examples/zlib program, on a module whose cdef is zlib.h's ---------------------

def test_zlib_example_runs_on_the_headers_alone(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "python"),
                                                        os.environ.get("PYTHONPATH", "")]))
    example = ROOT / "examples" / "zlib"
    built = subprocess.run([sys.executable, str(example / "zlib_headers_build.py"), str(tmp_path)],
                           env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    # -v shows what zlib.h declares that a cdef cannot hold.
    assert "left out macro deflateInit(): a function-like macro has no cdef" in built.stderr
    env["PYTHONPATH"] = str(tmp_path)
    data = tmp_path / "data.txt"
    data.write_bytes(b"cdefc reads zlib.h\n" * 5000)
    ran = subprocess.run([sys.executable, str(example / "compress_file.py"), str(data)],
                         env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert "round trip, one-shot and crc32 agree with Python's zlib" in ran.stdout


def test_zlib_example_prints_the_cdef_it_binds(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    printed = subprocess.run([sys.executable, str(ROOT / "examples/zlib/zlib_headers_build.py"),
                              "--print-cdef"], env=env, capture_output=True, text=True)
    assert printed.returncode == 0, printed.stderr
    text = printed.stdout
    assert "int deflate(z_streamp strm, int flush);\n" in text
    assert "typedef struct z_stream_s z_stream;\n" in text
    assert "static const char *const ZLIB_VERSION;\n" in text
    assert "#define Z_FINISH ...\n" in text
    # Dependencies first: zconf.h's types before the struct that holds them.
    assert text.index("typedef unsigned char Byte;") < text.index("struct z_stream_s {")
    assert "__attribute__" not in text and "ZEXPORT" not in text and "OF((" not in text


# -- SQLite: in-memory database, bound parameters, sqlite3_column_*, sqlite3_exec callback ---

SQLITE_PROGRAM = '''
def run(ffi, lib, callback_kind):
    db_p = ffi.new("sqlite3 **")
    assert lib.sqlite3_open(b":memory:", db_p) == lib.SQLITE_OK
    db = db_p[0]
    error = ffi.new("char **")
    rc = lib.sqlite3_exec(db, b"CREATE TABLE t (id INTEGER, name TEXT, score REAL, raw BLOB)",
                          ffi.NULL, ffi.NULL, error)
    assert rc == lib.SQLITE_OK
    stmt_p = ffi.new("sqlite3_stmt **")
    assert lib.sqlite3_prepare_v2(db, b"INSERT INTO t VALUES (?, ?, ?, ?)", -1, stmt_p,
                                  ffi.NULL) == lib.SQLITE_OK
    stmt = stmt_p[0]
    rows = [(1, "ada", 1.5, b"\\x00\\x01"), (2, "bob", -2.25, None), (2**40, "\\u00e9", 0.0, b"")]
    for id_, name, score, raw in rows:
        assert lib.sqlite3_bind_int64(stmt, 1, id_) == lib.SQLITE_OK
        text = name.encode()
        assert lib.sqlite3_bind_text(stmt, 2, text, len(text), lib.SQLITE_TRANSIENT) == 0
        assert lib.sqlite3_bind_double(stmt, 3, score) == lib.SQLITE_OK
        if raw is None:
            assert lib.sqlite3_bind_null(stmt, 4) == lib.SQLITE_OK
        else:
            assert lib.sqlite3_bind_blob(stmt, 4, raw, len(raw), lib.SQLITE_TRANSIENT) == 0
        assert lib.sqlite3_step(stmt) == lib.SQLITE_DONE
        assert lib.sqlite3_reset(stmt) == lib.SQLITE_OK
    assert lib.sqlite3_finalize(stmt) == lib.SQLITE_OK
    assert lib.sqlite3_changes(db) == 1 and lib.sqlite3_total_changes(db) == 3

    assert lib.sqlite3_prepare_v2(db, b"SELECT id, name, score, raw FROM t ORDER BY rowid", -1,
                                  stmt_p, ffi.NULL) == lib.SQLITE_OK
    stmt = stmt_p[0]
    got = []
    while lib.sqlite3_step(stmt) == lib.SQLITE_ROW:
        assert lib.sqlite3_column_count(stmt) == 4
        name = ffi.string(ffi.cast("char *", lib.sqlite3_column_text(stmt, 1))).decode()
        if lib.sqlite3_column_type(stmt, 3) == lib.SQLITE_NULL:
            raw = None
        elif lib.sqlite3_column_bytes(stmt, 3) == 0:
            raw = b""  # sqlite3_column_blob() is NULL then
        else:
            raw = ffi.unpack(ffi.cast("char *", lib.sqlite3_column_blob(stmt, 3)),
                             lib.sqlite3_column_bytes(stmt, 3))
        got.append((lib.sqlite3_column_int64(stmt, 0), name,
                    lib.sqlite3_column_double(stmt, 2), raw))
    assert ffi.string(lib.sqlite3_column_name(stmt, 2)) == b"score"
    assert lib.sqlite3_finalize(stmt) == lib.SQLITE_OK
    assert got == rows, got

    seen = []
    def on_row(data, count, values, names):
        seen.append({ffi.string(names[i]).decode(): ffi.string(values[i]).decode()
                     for i in range(count)})
        return 0
    if callback_kind == "extern":
        ffi.def_extern(name="on_row")(on_row)
        callback = lib.on_row
    else:
        callback = ffi.callback("int(*)(void *, int, char **, char **)", on_row)
    rc = lib.sqlite3_exec(db, b"SELECT name FROM t WHERE score > 0 OR id > 1000 ORDER BY id",
                          callback, ffi.NULL, error)
    assert rc == lib.SQLITE_OK
    assert seen == [{"name": "ada"}, {"name": "\\u00e9"}], seen

    rc = lib.sqlite3_exec(db, b"SELECT x FROM nowhere", ffi.NULL, ffi.NULL, error)
    assert rc == lib.SQLITE_ERROR
    message = ffi.string(error[0]).decode()
    lib.sqlite3_free(error[0])
    assert message == "no such table: nowhere", message
    assert lib.sqlite3_close(db) == lib.SQLITE_OK
    return ffi.string(lib.sqlite3_libversion()).decode(), lib.SQLITE_VERSION_NUMBER
'''


def sqlite_program():
    namespace = {}
    exec(textwrap.dedent(SQLITE_PROGRAM), namespace)
    return namespace["run"]


@pytest.fixture(scope="module")
def sqlite_module(tmp_path_factory):
    return build(tmp_path_factory.mktemp("sqlite"), "_sqlite_headers", ["sqlite3.h"],
                 include=["sqlite3_*", "SQLITE_*"],
                 cdef='extern "Python" int on_row(void *, int, char **, char **);',
                 libraries=["sqlite3"])


@pytest.mark.parametrize("callback_kind", ["extern", "ffi.callback"])
def test_sqlite_program(sqlite_module, callback_kind):
    ffibuilder, module = sqlite_module
    version, number = sqlite_program()(module.ffi, module.lib, callback_kind)
    major, minor, patch = (int(p) for p in version.split(".")[:3])
    assert number == major * 1000000 + minor * 1000 + patch
    assert ffi_string(module, "SQLITE_VERSION") == version


def ffi_string(module, name):
    return module.ffi.string(getattr(module.lib, name)).decode()


def test_sqlite_functions_the_library_lacks_are_left_out(sqlite_module):
    ffibuilder, module = sqlite_module
    # sqlite3.h declares the snapshot API; Debian's libsqlite3 is built without it.
    exported = subprocess.run(["nm", "-D", "--defined-only",
                               cdefc.build.library_files(["sqlite3"], [])[0]],
                              capture_output=True, text=True).stdout
    assert " sqlite3_snapshot_get\n" not in exported
    assert not hasattr(module.lib, "sqlite3_snapshot_get")
    assert "sqlite3_snapshot_get" not in ffibuilder.cdef_text()
    assert "int sqlite3_open(const char *filename, sqlite3 **ppDb);" in ffibuilder.cdef_text()
    # va_list has no cdef; the rest of the family is there.
    assert not hasattr(module.lib, "sqlite3_vmprintf")
    assert module.ffi.string(module.lib.sqlite3_mprintf(b"%d-%s", module.ffi.cast("int", 7),
                                                        module.ffi.new("char[]", b"x"))) == b"7-x"


def test_the_written_cdef_builds_with_cffi_too(sqlite_module, tmp_path):
    """cdef_text() is a cdef CFFI takes as it is: the same program runs on both modules."""
    cffi = pytest.importorskip("cffi")
    ffibuilder, _ = sqlite_module
    reference = cffi.FFI()
    reference.cdef(ffibuilder.cdef_text())
    reference.set_source("_sqlite_cffi", "#include <sqlite3.h>", libraries=["sqlite3"])
    reference.compile(tmpdir=str(tmp_path))
    module = import_from(tmp_path, "_sqlite_cffi")
    assert sqlite_program()(module.ffi, module.lib, "extern")[1] == \
        sqlite_module[1].lib.SQLITE_VERSION_NUMBER


# -- liblzma: unions, nested anonymous structs, enums ---------------------------------------

def test_lzma_program(tmp_path):
    import lzma
    ffibuilder, module = build(tmp_path, "_lzma_headers", ["lzma.h"],
                               include=["lzma_*", "LZMA_*"], libraries=["lzma"])
    ffi, lib = module.ffi, module.lib
    # enums: the values liblzma's own Python binding uses.
    assert (lib.LZMA_CHECK_CRC64, lib.LZMA_OK, lib.LZMA_STREAM_END) == (lzma.CHECK_CRC64, 0, 1)
    assert ffi.typeof("lzma_action").kind == "enum"
    data = b"cdefc reads lzma.h " * 2000
    strm = ffi.new("lzma_stream *")
    assert lib.lzma_easy_encoder(strm, 6, lib.LZMA_CHECK_CRC64) == lib.LZMA_OK
    src = ffi.from_buffer(data)
    out = ffi.new("uint8_t[]", 65536)
    strm.next_in, strm.avail_in = src, len(data)
    strm.next_out, strm.avail_out = out, 65536
    assert lib.lzma_code(strm, lib.LZMA_FINISH) == lib.LZMA_STREAM_END
    xz = ffi.unpack(ffi.cast("char *", out), 65536 - strm.avail_out)
    assert strm.total_in == len(data)
    lib.lzma_end(strm)
    assert lzma.decompress(xz) == data

    # The stream's index: lzma_index_iter holds nested anonymous structs and a union array.
    footer = ffi.new("lzma_stream_flags *")
    assert lib.lzma_stream_footer_decode(footer, xz[-12:]) == lib.LZMA_OK
    index_p = ffi.new("lzma_index **")
    memlimit = ffi.new("uint64_t *", 1 << 28)
    pos = ffi.new("size_t *", 0)
    raw_index = xz[-12 - footer.backward_size:-12]
    assert lib.lzma_index_buffer_decode(index_p, memlimit, ffi.NULL, raw_index, pos,
                                        len(raw_index)) == lib.LZMA_OK
    assert lib.lzma_index_stream_flags(index_p[0], footer) == lib.LZMA_OK
    it = ffi.new("lzma_index_iter *")
    lib.lzma_index_iter_init(it, index_p[0])
    assert not lib.lzma_index_iter_next(it, lib.LZMA_INDEX_ITER_BLOCK)
    assert (it.stream.number, it.block.number_in_file) == (1, 1)
    assert it.block.uncompressed_size == len(data)
    assert it.stream.flags.check == lib.LZMA_CHECK_CRC64
    assert ffi.typeof(it.internal).length == 6
    assert ffi.sizeof(it.internal[0]) == max(ffi.sizeof("void *"), ffi.sizeof("lzma_vli"))
    it.internal[0].v = 2**64 - 1
    assert it.internal[0].s == 2**64 - 1
    lib.lzma_index_end(index_p[0], ffi.NULL)
    assert ffi.string(lib.LZMA_VERSION_STRING) == ffi.string(lib.lzma_version_string())
    # A struct of function pointers (lzma_allocator) is spelled as such.
    assert "void *(*alloc)(void *, size_t, size_t);" in ffibuilder.cdef_text()


# -- expat: function-pointer typedefs used as callbacks, enums, a struct by value ---------

def test_expat_program(tmp_path):
    ffibuilder, module = build(tmp_path, "_expat_headers", ["expat.h"], include=["XML_*"],
                               libraries=["expat"])
    ffi, lib = module.ffi, module.lib
    events = []

    @ffi.callback("XML_StartElementHandler")
    def start(user_data, name, attributes):
        pairs, i = [], 0
        while attributes[i]:
            pairs.append((ffi.string(attributes[i]), ffi.string(attributes[i + 1])))
            i += 2
        events.append(("start", ffi.string(name), pairs))

    @ffi.callback("XML_EndElementHandler")
    def end(user_data, name):
        events.append(("end", ffi.string(name)))

    @ffi.callback("XML_CharacterDataHandler")
    def text(user_data, s, length):
        events.append(("text", ffi.unpack(s, length)))

    parser = lib.XML_ParserCreate(ffi.NULL)
    lib.XML_SetElementHandler(parser, start, end)
    lib.XML_SetCharacterDataHandler(parser, text)
    document = b'<a x="1" y="two"><b>hi</b></a>'
    assert lib.XML_Parse(parser, document, len(document), 1) == lib.XML_STATUS_OK
    assert events == [("start", b"a", [(b"x", b"1"), (b"y", b"two")]), ("start", b"b", []),
                      ("text", b"hi"), ("end", b"b"), ("end", b"a")]
    lib.XML_ParserFree(parser)

    bad = lib.XML_ParserCreate(ffi.NULL)
    assert lib.XML_Parse(bad, b"<a><b></a>", 10, 1) == lib.XML_STATUS_ERROR
    assert lib.XML_GetErrorCode(bad) == lib.XML_ERROR_TAG_MISMATCH
    assert ffi.string(lib.XML_ErrorString(lib.XML_GetErrorCode(bad))) == b"mismatched tag"
    assert lib.XML_GetCurrentLineNumber(bad) == 1
    lib.XML_ParserFree(bad)
    version = lib.XML_ExpatVersionInfo()  # a struct returned by value
    assert ffi.string(lib.XML_ExpatVersion()) == \
        f"expat_{version.major}.{version.minor}.{version.micro}".encode()
    assert "typedef void (*XML_EndElementHandler)(void *, const XML_Char *);" in \
        ffibuilder.cdef_text()


# -- combining, selecting, inspecting ---------------------------------------------------------

def test_hand_written_cdef_uses_the_headers_types(tmp_path):
    source = "#include <zlib.h>\nstatic int avail(z_stream *s) { return (int)s->avail_in; }\n"
    ffibuilder, module = build(tmp_path, "_zmix", ["zlib.h"],
                               include=["z_stream", "Z_OK", "zlibVersion"],
                               cdef="int avail(z_stream *);", source=source, libraries=["z"])
    ffi, lib = module.ffi, module.lib
    s = ffi.new("z_stream *")
    s.avail_in = 17
    assert lib.avail(s) == 17
    assert lib.Z_OK == 0 and ffi.string(lib.zlibVersion()).startswith(b"1.")
    text = ffibuilder.cdef_text()
    assert text.endswith("int avail(z_stream *);\n")
    assert not hasattr(lib, "deflate")  # not selected


def test_exclude_and_a_local_header_with_no_patterns(in_tmp):
    (in_tmp / "mylib.h").write_text(textwrap.dedent("""
        #include <stddef.h>
        typedef struct { int lo, hi; } range_t;
        int range_width(range_t r);
        int range_hidden_(void);
        #define RANGE_MAX 99
    """))
    source = ('#include "mylib.h"\n'
              "int range_width(range_t r) { return r.hi - r.lo; }\n"
              "int range_hidden_(void) { return 1; }\n")
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_range", source, include_dirs=[str(in_tmp)])
    ffibuilder.cdef_from_headers("mylib.h", exclude=["*_"])  # relative to here
    (in_tmp / "out").mkdir()
    ffibuilder.compile(tmpdir="out")
    module = import_from(in_tmp / "out", "_range")
    assert module.lib.range_width({"lo": 3, "hi": 10}) == 7
    assert module.lib.RANGE_MAX == 99
    assert not hasattr(module.lib, "range_hidden_")
    assert "size_t" not in ffibuilder.cdef_text()  # stddef.h's names: not this header's


def test_arguments_are_checked():
    ffibuilder = cdefc.FFI()
    with pytest.raises(TypeError, match="'headers' must be a string or a list of strings"):
        ffibuilder.cdef_from_headers(42)
    with pytest.raises(TypeError, match="'include' must be a string or a list of strings"):
        ffibuilder.cdef_from_headers("zlib.h", include=[b"z*"])
    with pytest.raises(ValueError, match="needs at least one header"):
        ffibuilder.cdef_from_headers([])
    assert ffibuilder.cdef_text() == ""  # nothing was kept


# -- errors are Clang's, where they are ----------------------------------------------------

def test_missing_header_is_reported_at_the_call(in_tmp):
    script = write_script(in_tmp, "foo_build.py", '''
        from cdefc import FFI
        ffibuilder = FFI()
        ffibuilder.set_source("_foo", "")
        ffibuilder.cdef_from_headers("no_such_header.h", include=["x*"])
    ''')
    run = subprocess.run([sys.executable, str(script)], cwd=in_tmp, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "python")))
    assert run.returncode == 1
    line = line_of(script, "cdef_from_headers")
    assert (f"cdefc.VerificationError: foo_build.py:{line}:1: error: 'no_such_header.h' "
            "file not found") in run.stderr


def test_syntax_error_in_a_header_points_into_it(in_tmp):
    (in_tmp / "broken.h").write_text("int fine(int);\nint broken(int x;\n")
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_broken", "", include_dirs=[str(in_tmp)])
    with pytest.raises(cdefc.VerificationError) as info:
        ffibuilder.cdef_from_headers("broken.h")
    lines = str(info.value).splitlines()
    assert lines[0].endswith("broken.h:2:17: error: expected ')'"), lines
    assert lines[1] == "int broken(int x;"
    assert lines[2] == " " * 16 + "^"
    assert ffibuilder.cdef_text() == ""  # the call was not kept


@pytest.mark.parametrize("cc", [cc for cc in ("gcc", "clang") if shutil.which(cc)])
@pytest.mark.parametrize("library,extension", [
    ("sqlite3", ".c"), ("lzma", ".c"), ("expat", ".c"), ("sqlite3", ".cpp"), ("expat", ".cpp")])
def test_modules_from_headers_compile_without_warnings(tmp_path, cc, library, extension):
    """Headers read as C++ for a C++ module (source_extension='.cpp'): sqlite3.h's structs
    nested in structs are scoped there, so their members are left out."""
    from cdefc.paths import get_include
    patterns = {"sqlite3": ["sqlite3_*", "SQLITE_*"], "lzma": ["lzma_*", "LZMA_*"],
                "expat": ["XML_*"]}[library]
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_warn_" + library, f"#include <{library}.h>", libraries=[library],
                          source_extension=extension)
    ffibuilder.cdef_from_headers(f"{library}.h", include=patterns)
    c_file = tmp_path / f"_warn_{library}{extension}"
    ffibuilder.emit_c_code(str(c_file))
    language = "c++" if extension == ".cpp" else "c"
    flags = ["-Wall", "-Wextra", "-Wconversion", "-Werror", "-fsyntax-only", "-x", language,
             "-I" + get_include(), "-I" + sysconfig.get_paths()["include"]]
    r = subprocess.run([cc, *flags, str(c_file)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[:3000]
    if library == "sqlite3" and extension == ".cpp":
        assert "struct sqlite3_index_constraint {" not in ffibuilder.cdef_text()


def test_a_pattern_that_matches_nothing_is_a_warning():
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_typo", "#include <zlib.h>", libraries=["z"])
    with pytest.warns(cdefc.VerificationWarning,
                      match=r"test_headers.py:\d+:\d+: warning: cdef_from_headers\(\): "
                            r"'deflat' matches no name the headers declare"):
        ffibuilder.cdef_from_headers("zlib.h", include=["deflate", "deflat"])
    assert "int deflate(z_streamp strm, int flush);" in ffibuilder.cdef_text()
    # lzma.h only includes lzma/*.h: with no patterns there is nothing of its own to bind.
    with pytest.warns(cdefc.VerificationWarning, match="the headers declare nothing themselves"):
        ffibuilder.cdef_from_headers("lzma.h")
    strict = cdefc.FFI()
    strict.set_source("_typo_strict", "#include <zlib.h>", strict=True)
    with pytest.raises(cdefc.VerificationError, match=r"'deflat' matches no name .*\[strict\]"):
        strict.cdef_from_headers("zlib.h", include=["deflat"])


def test_the_issues_example(tmp_path):
    """The call the feature was asked for, with a hand-written cdef after it."""
    source = ("#include <zlib.h>\n"
              "int my_helper(int level) {\n"
              "    z_stream s = {0};\n"
              "    int rc = deflateInit(&s, level);\n"
              "    deflateEnd(&s);\n"
              "    return rc;\n"
              "}\n")
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_z", source, libraries=["z"])
    ffibuilder.cdef_from_headers("zlib.h", include=["deflate*", "inflate*", "z_stream", "Z_*",
                                                    "zlibVersion"], exclude=["*_"])
    ffibuilder.cdef("int my_helper(int);")
    ffibuilder.compile(tmpdir=str(tmp_path))
    ffi, lib = (lambda m: (m.ffi, m.lib))(import_from(tmp_path, "_z"))
    assert lib.my_helper(9) == lib.Z_OK and lib.my_helper(42) == lib.Z_STREAM_ERROR
    assert not hasattr(lib, "deflateInit_") and not hasattr(lib, "compress")
    data = b"abc" * 1000
    bound = lib.deflateBound(ffi.NULL, len(data))
    assert bound >= len(data) // 100
    strm = ffi.new("z_stream *")
    assert lib.inflateReset(strm) == lib.Z_STREAM_ERROR  # not initialized: zlib says so
    assert ffi.sizeof("z_stream") == ffi.sizeof("struct z_stream_s") >= 8 * 13
    assert lib.Z_DEFAULT_COMPRESSION == -1 and lib.Z_DEFLATED == 8


@pytest.mark.parametrize("header,patterns", [
    ("zlib.h", None), ("lzma.h", ["lzma_*", "LZMA_*"]), ("expat.h", ["XML_*"]),
    ("sqlite3.h", ["sqlite3_*", "SQLITE_*"])])
def test_cffi_parses_the_written_cdef_without_a_warning(header, patterns):
    cffi = pytest.importorskip("cffi")
    import warnings
    ffibuilder = cdefc.FFI()
    ffibuilder.cdef_from_headers(header, include=patterns)
    text = ffibuilder.cdef_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reference = cffi.FFI()
        reference.cdef(text)
    assert reference.sizeof("int") == 4 and len(text.splitlines()) > 100


def test_a_header_the_module_includes_first_still_declares_its_own(tmp_path):
    """string.h comes with Python.h before the #include line is read: its declarations are
    still the ones the default selection binds."""
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_string_headers", "#include <string.h>")
    ffibuilder.cdef_from_headers("string.h")
    text = ffibuilder.cdef_text()
    assert "size_t strlen(const char *);\n" in text
    assert "int printf(" not in text  # stdio.h's, not string.h's
    ffibuilder.compile(tmpdir=str(tmp_path))
    module = import_from(tmp_path, "_string_headers")
    assert module.lib.strlen(b"cdefc") == 5
    buffer = module.ffi.new("char[16]")
    module.lib.strcpy(buffer, b"copied")
    assert module.ffi.string(buffer) == b"copied"


@pytest.mark.parametrize("header,patterns", [
    ("signal.h", ["*"]), ("stdio.h", ["*"]), ("pthread.h", ["pthread_*", "PTHREAD_*"])])
def test_everything_a_c_library_header_declares(tmp_path, header, patterns):
    """glibc's headers with everything selected (what the module includes first too: Python.h,
    the standard headers): the C cdefc writes is C gcc takes without a warning, and Clang
    resolved it without a diagnostic."""
    import warnings
    from cdefc.paths import get_include
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_all_" + header.replace(".", "_"), f"#include <{header}>")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ffibuilder.cdef_from_headers(header, include=patterns)
        c_file = tmp_path / "all.c"
        ffibuilder.emit_c_code(str(c_file))
    assert c_file.stat().st_size > 100000
    flags = ["-Wall", "-Wextra", "-Wconversion", "-Werror", "-fsyntax-only",
             "-I" + get_include(), "-I" + sysconfig.get_paths()["include"]]
    r = subprocess.run(["gcc", *flags, str(c_file)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[:3000]


def test_abi_mode_writes_the_macros_values(tmp_path):
    """set_source(name, None): no C source to ask later, so integer macros carry the value
    Clang found, and ffi.dlopen() reaches the functions."""
    import zlib
    ffibuilder = cdefc.FFI()
    ffibuilder.set_source("_zlib_abi", None)
    ffibuilder.cdef_from_headers("zlib.h", include=["crc32", "zlibVersion", "Z_*", "ZLIB_VERSION"])
    text = ffibuilder.cdef_text()
    assert "#define Z_OK 0\n" in text and "#define Z_DEFAULT_COMPRESSION -1\n" in text
    assert "ZLIB_VERSION" not in text  # a string: only the C source could give it
    ffibuilder.compile(tmpdir=str(tmp_path))
    ffi = import_from(tmp_path, "_zlib_abi").ffi
    lib = ffi.dlopen("libz.so.1")
    assert lib.crc32(0, b"cdefc", 5) == zlib.crc32(b"cdefc")
    assert lib.Z_STREAM_END == 1 and ffi.string(lib.zlibVersion()).startswith(b"1.")
