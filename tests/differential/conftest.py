# Differential end-to-end tests: the same cdef + set_source() text built by cdefc and by CFFI,
# then the same Python expression evaluated against both modules.
#
# Each test file declares one topic's cdef and C source and a module-scoped fixture
#
#     @pytest.fixture(scope="module")
#     def d(build_pair):
#         return build_pair("records", CDEF, SOURCE)
#
# which compiles `_d_records_cdefc` with `cdefc.FFI` and `_d_records_cffi` with `cffi.FFI`
# (CFFI 1.15 of the test Python is the reference) into one temporary directory, imports both,
# and returns a `Pair`. A case is then one line:
#
#     d.same("ffi.sizeof('struct point')")         # equal results (raising fails the test)
#     d.expect("lib.add(2, 3)", 5)                  # ... and the value we know is right
#     d.raises("lib.add(1)", TypeError, message=True)  # that class on both sides (+ same text)
#
# An expression is either a string or a callable `lambda ffi, lib: ...`. A string may hold
# several statements separated by ';' or newlines; the value of its last statement (if it is an
# expression) is the result. A string sees `ffi`, `lib`, `module` (the imported extension
# module), `module_name` and `import_module`; each evaluation gets a fresh namespace.
#
# Results are compared after `normalize()`, which never looks at a repr (addresses and
# spellings differ): see its docstring. Exceptions are compared by class (builtins by identity;
# each module's own `ffi.error` counts as "ffi.error"; other classes by name). Messages are
# compared only where a test asks for it (`message=True`), in an assertion of its own, so a
# wrong message is reported as such and not as a wrong class; the modules' names in them are
# replaced by '<module>' first. All three checks also compare the classes of the warnings each
# side issued, in order (CFFI warns, e.g., on implicit pointer casts to 'char *').
#
# A failure names the expression and shows both sides' results (raw and normalized) or
# exceptions; "CFFI does not ...: the test is wrong" means the expectation itself is wrong.
import ast
import importlib
import math
import os
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cdefc_test_env import BUILD, ROOT  # noqa: E402,F401  (sets up the package and tools)

import cdefc  # noqa: E402  (after sys.path is set)

#: Run by tests/sanitize/run.sh: see Pair.both().
SANITIZE = bool(os.environ.get("CDEFC_SANITIZE"))
import cffi  # noqa: E402


def pytest_collection_modifyitems(items):
    # Callbacks that raise report it as an "unraisable" exception, as CFFI does: expected.
    for item in items:
        item.add_marker(pytest.mark.filterwarnings(
            "ignore::pytest.PytestUnraisableExceptionWarning"))


# ---- normalizing results ----------------------------------------------------------------

def normalize(ffi, value):
    """A repr-independent, comparable form of `value` (a result computed with `ffi`'s module).

    Every form is a tuple (tag, payload), so that a Python int and an int cdata, or True and 1,
    stay different:
      None, bool, int, float, bytes, str   ("int", 5), ("float", 1.5) ("float", "nan" for NaN)
      list, tuple                          ("list", (forms...))
      dict                                 ("dict", ((key, form), ...)) sorted by key
      ffi.CType                            ("ctype", cname)
      cdata                                ("cdata", (cname, form of the value)), the value:
        primitive                          ("int", int(x)) or ("float", float(x)) for float,
                                           double, long double; char/wchar_t/bool as int(x)
        enum                               ("int", int(x))
        pointer, function pointer          ("pointer", "NULL" or "pointer"): never dereferenced
        array                              ("list", item forms), ("unknown length", None) if
                                           len() fails (e.g. int[] of unknown length)
        struct, union                      ("dict", ((field, form), ...)) over ctype.fields
                                           (anonymous members flattened, as CFFI lists them),
                                           sorted by name; ("opaque", None) without fields
      anything with the buffer protocol    ("buffer", bytes)
      a callable                           ("callable", __name__)
      exception classes                    ("exception class", "ffi.error" or __name__)
      other objects                        ("object", type name)
    Anonymous types' cnames (CFFI spells them with '$') are all reported as "$anonymous".
    """
    if isinstance(value, ffi.CData):
        return ("cdata", _normalize_cdata(ffi, value))
    if isinstance(value, ffi.CType):
        return ("ctype", _cname(value))
    if value is None:
        return ("None", None)
    if isinstance(value, (bool, int, bytes, str)):
        return (type(value).__name__, value)
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(normalize(ffi, item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((key, normalize(ffi, item)) for key, item in value.items())))
    if isinstance(value, type) and issubclass(value, BaseException):
        return ("exception class", "ffi.error" if value is ffi.error else value.__name__)
    try:
        return ("buffer", memoryview(value).tobytes())
    except TypeError:
        pass
    if callable(value):
        return ("callable", getattr(value, "__name__", None))
    return ("object", type(value).__name__)


_FLOAT_CNAMES = ("float", "double", "long double")


def _cname(ctype):
    return "$anonymous" if "$" in ctype.cname else ctype.cname


def _normalize_cdata(ffi, x):
    ctype = ffi.typeof(x)
    kind = ctype.kind
    if kind == "primitive":
        if ctype.cname in _FLOAT_CNAMES:
            number = float(x)
            form = ("float", "nan" if math.isnan(number) else number)
        else:
            form = ("int", int(x))
    elif kind == "enum":
        form = ("int", int(x))
    elif kind in ("pointer", "function"):
        form = ("pointer", "NULL" if x == ffi.NULL else "pointer")
    elif kind == "array":
        try:
            length = len(x)
        except TypeError:
            form = ("unknown length", None)
        else:
            form = ("list", tuple(normalize(ffi, x[i]) for i in range(length)))
    elif kind in ("struct", "union"):
        fields = ctype.fields
        if fields is None:
            form = ("opaque", None)
        else:
            form = ("dict", tuple(sorted((name, normalize(ffi, getattr(x, name)))
                                         for name, _ in fields)))
    else:
        form = ("object", kind)
    return (_cname(ctype), form)


def plain(form):
    """The Python value a normalized form stands for, to compare with a test's expected
    value: cdata become their value (a dict for a struct, a list for an array, 'NULL' or
    'pointer' for a pointer, None for an opaque struct or an array of unknown length),
    ctypes their cname, buffers their bytes."""
    tag, payload = form
    if tag in ("list", "tuple"):
        items = [plain(item) for item in payload]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {key: plain(item) for key, item in payload}
    if tag == "cdata":
        return plain(payload[1])
    if tag == "float" and payload == "nan":
        return math.nan
    return payload


def cdata_cname(form):
    """The cname of a normalized cdata, or None if the form is not a cdata."""
    return form[1][0] if form[0] == "cdata" else None


# ---- evaluating on both sides -----------------------------------------------------------

def _compile(expr):
    """A function (namespace -> value) for a string of statements/expression."""
    tree = ast.parse(expr, mode="exec")
    last = tree.body[-1] if tree.body else None
    result = None
    if isinstance(last, ast.Expr):
        tree.body.pop()
        result = compile(ast.Expression(last.value), "<expr>", "eval")
    body = compile(tree, "<expr>", "exec")

    def run(namespace):
        exec(body, namespace)
        return eval(result, namespace) if result is not None else None
    return run


class Side:
    """One imported module (cdefc's or CFFI's) and how to evaluate an expression on it."""

    def __init__(self, label, module):
        self.label = label
        self.module = module
        self.ffi = module.ffi
        self.lib = getattr(module, "lib", None)  # an ABI-mode module has none

    def evaluate(self, expr):
        """(("ok", raw value, normalized form) or ("raise", exception, class key),
        [warning category names])."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if callable(expr):
                    value = expr(self.ffi, self.lib)
                else:
                    value = _compile(expr)({
                        "ffi": self.ffi, "lib": self.lib, "module": self.module,
                        "module_name": self.module.__name__,
                        "import_module": importlib.import_module,
                        "__builtins__": __builtins__})
            except Exception as error:  # noqa: BLE001 (any exception is a result here)
                outcome = ("raise", error, self.exception_key(type(error)))
            else:
                outcome = ("ok", value, normalize(self.ffi, value))
        return outcome + (tuple(f"{w.category.__name__}: {w.message}" for w in caught),)

    def message(self, error):
        """The message of `error`, the module's name in it replaced by '<module>'."""
        return str(error).replace(self.module.__name__, "<module>")

    def exception_key(self, cls):
        if cls is self.ffi.error:
            return "ffi.error"
        if cls.__module__ == "builtins":
            return cls.__name__
        return cls.__qualname__


def _describe(outcome):
    if outcome[0] == "raise":
        error = outcome[1]
        text = f"raised {type(error).__module__}.{type(error).__qualname__}: {error}"
    else:
        text = f"returned {outcome[1]!r}\n        normalized: {outcome[2]!r}"
    for warning in outcome[3]:
        text += f"\n        warned {warning}"
    return text


def _warning_classes(outcome):
    return [warning.split(":")[0] for warning in outcome[3]]


def _expr_text(expr):
    return expr if isinstance(expr, str) else getattr(expr, "__name__", repr(expr))


class Pair:
    """The cdefc-built and the CFFI-built module of one topic."""

    def __init__(self, topic, cdefc_module, cffi_module):
        self.topic = topic
        self.cdefc = Side("cdefc", cdefc_module)
        self.cffi = Side("cffi", cffi_module)
        # The cdefc side, for direct assertions.
        self.ffi = self.cdefc.ffi
        self.lib = self.cdefc.lib

    def both(self, expr):
        """Evaluate `expr` on both sides: (cdefc outcome, cffi outcome). Under the sanitizers
        (tests/sanitize/run.sh) CFFI's side is not run: its backend reads temporaries it has
        already freed (a pointer cast from an ffi.new() array does not keep the array), which
        AddressSanitizer stops; cdefc's side then answers for both, so expect() and raises()
        still check it against the value and the class the test names."""
        ours = self.cdefc.evaluate(expr)
        return ours, ours if SANITIZE else self.cffi.evaluate(expr)

    def _report(self, expr, ours, ref, what):
        return (f"{what}\n  expression: {_expr_text(expr)}\n"
                f"  cdefc {_describe(ours)}\n  cffi  {_describe(ref)}")

    def same(self, expr):
        """Assert that cdefc and CFFI give equal normalized results; then that they warned the
        same warning classes, in order. Returns the normalized form. Both raising fails: a
        test of an error names the class (raises()), so that a typo raising NameError (or
        anything else) on both sides cannot pass."""
        ours, ref = self.both(expr)
        assert ours[0] == ref[0], self._report(expr, ours, ref, "one side raised, not the other")
        assert ours[0] != "raise", self._report(
            expr, ours, ref, "both sides raised: test errors with raises(expr, class)")
        assert ours[2] == ref[2], self._report(expr, ours, ref, "different results")
        assert _warning_classes(ours) == _warning_classes(ref), self._report(
            expr, ours, ref, "different warnings")
        return ours[2]

    def expect(self, expr, value, cname=None):
        """same() (warnings included), and the result is `value` (compared with plain());
        with `cname`, the result is a cdata of that type."""
        ours, ref = self.both(expr)
        assert ref[0] == "ok" and _plain_equal(plain(ref[2]), value), self._report(
            expr, ours, ref, f"CFFI does not give the expected {value!r}: the test is wrong")
        assert ours[0] == "ok", self._report(expr, ours, ref, "cdefc raised")
        assert ours[2] == ref[2], self._report(expr, ours, ref, "different results")
        assert _plain_equal(plain(ours[2]), value), self._report(
            expr, ours, ref, f"cdefc does not give {value!r}")
        assert _warning_classes(ours) == _warning_classes(ref), self._report(
            expr, ours, ref, "different warnings")
        if cname is not None:
            assert cdata_cname(ref[2]) == cname, self._report(
                expr, ours, ref, f"CFFI does not give a '{cname}' cdata: the test is wrong")
            assert cdata_cname(ours[2]) == cname, self._report(
                expr, ours, ref, f"cdefc does not give a '{cname}' cdata")
        return ours[1]

    def raises(self, expr, exception, message=False):
        """Assert that both sides raise `exception` (a class, or "ffi.error"): exactly that
        class, not a subclass. With message=True, also that the messages are identical, each
        module's name replaced by '<module>' (the two modules have different names).
        Returns (cdefc error, cffi error)."""
        ours, ref = self.both(expr)
        key = exception if isinstance(exception, str) else self.cffi.exception_key(exception)
        assert ref[0] == "raise" and ref[2] == key, self._report(
            expr, ours, ref, f"CFFI does not raise {key}: the test is wrong")
        assert ours[0] == "raise" and ours[2] == key, self._report(
            expr, ours, ref, f"cdefc does not raise {key}")
        if message:
            theirs = self.cdefc if SANITIZE else self.cffi  # (both() ran cdefc alone)
            assert self.cdefc.message(ours[1]) == theirs.message(ref[1]), self._report(
                expr, ours, ref, "same exception class, different messages")
        assert _warning_classes(ours) == _warning_classes(ref), self._report(
            expr, ours, ref, "different warnings")
        return ours[1], ref[1]


def _plain_equal(actual, expected):
    """== that also holds for NaN == NaN and keeps bool apart from int at the top level."""
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    if isinstance(expected, bool) != isinstance(actual, bool):
        return False
    return actual == expected


# ---- building ---------------------------------------------------------------------------

def _cdefs(cdef):
    """cdef() calls: a string, or a list of strings / (string, keyword dict) pairs."""
    if isinstance(cdef, str):
        return [(cdef, {})]
    return [(item, {}) if isinstance(item, str) else item for item in cdef]


def build_module(factory, module_name, cdef, source, directory, **keywords):
    """Build one module with `factory` (cdefc.FFI or cffi.FFI) into `directory`."""
    builder = factory()
    for text, options in _cdefs(cdef):
        builder.cdef(text, **options)
    builder.set_source(module_name, source, **keywords)
    return builder.compile(tmpdir=str(directory))


@pytest.fixture(scope="session")
def build_pair(tmp_path_factory):
    """build_pair(topic, cdef, source, **set_source keywords) -> Pair."""
    def build(topic, cdef, source, **keywords):
        directory = tmp_path_factory.mktemp(f"d_{topic}")
        names = {}
        for label, factory in (("cdefc", cdefc.FFI), ("cffi", cffi.FFI)):
            names[label] = f"_d_{topic}_{label}"
            build_module(factory, names[label], cdef, source, directory, **keywords)
        sys.path.insert(0, str(directory))
        try:
            modules = {label: importlib.import_module(name) for label, name in names.items()}
        finally:
            sys.path.remove(str(directory))
        return Pair(topic, modules["cdefc"], modules["cffi"])
    return build
