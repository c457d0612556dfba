# The runtime's fast paths against CFFI, at and around their edges: ffi.new() data that lives
# in the object, after it (up to 400 bytes) or in a block of its own; the cache of the last
# type strings; ffi.cast() of exact ints to every integer type; small int results; lib
# attributes found through the name cache.
import pytest

CDEF = """
struct pt { int x, y; };
struct big { double d[50]; };
struct wide { long double ld; char c; };
int sum_bytes(unsigned char *p, int n);
int aligned16(void *p);
"""

SOURCE = r"""
#include <stdint.h>
struct pt { int x, y; };
struct big { double d[50]; };
struct wide { long double ld; char c; };
static int sum_bytes(unsigned char *p, int n) { int s = 0; while (n--) s += *p++; return s; }
static int aligned16(void *p) { return ((uintptr_t)p % 16) == 0; }
"""

# Byte sizes across the three ways ffi.new() allocates (in the object: 16 bytes for an
# array; after it: up to 400; a block of its own beyond).
SIZES = [1, 15, 16, 17, 64, 255, 256, 257, 399, 400, 401, 512, 4096, 100000]


@pytest.fixture(scope="module")
def d(build_pair):
    return build_pair("fast_paths", CDEF, SOURCE)


@pytest.mark.parametrize("n", SIZES)
def test_new_char_array_is_zeroed_writable_and_sized(d, n):
    d.same(f"a = ffi.new('unsigned char[{n}]'); (len(a), ffi.sizeof(a), lib.sum_bytes(a, {n}))")
    d.same(f"a = ffi.new('unsigned char[{n}]'); a[{n} - 1] = 255; a[0] = 1; "
           f"(a[0], a[{n} - 1], lib.sum_bytes(a, {n}), bytes(ffi.buffer(a))[-1])")
    d.same(f"a = ffi.new('unsigned char[]', {n}); ffi.release(a); len(a)")
    d.raises(f"a = ffi.new('unsigned char[{n}]'); a[{n}]", IndexError, message=True)


@pytest.mark.parametrize("decl", ["double[2]", "double[3]", "double[50]", "long double[3]",
                                  "struct wide *", "struct wide[4]", "struct big *",
                                  "struct pt[40]", "int64_t[50]", "int64_t[51]"])
def test_new_data_is_aligned(d, decl):
    d.expect(f"lib.aligned16(ffi.new('{decl}'))", 1)
    d.same(f"p = ffi.new('{decl}'); ffi.sizeof(p[0]) if '*' in '{decl}' else len(p)")


def test_new_with_initializers_in_each_place(d):
    d.same("p = ffi.new('struct big *', {'d': [1.5] * 50}); (p.d[0], p.d[49], ffi.sizeof(p[0]))")
    d.same("a = ffi.new('int[100]', list(range(100))); (a[0], a[99], sum(a))")
    d.same("a = ffi.new('int[101]', list(range(101))); (a[0], a[100], sum(a))")
    d.same("a = ffi.new('char[]', b'x' * 300); (len(a), a[299], ffi.string(a))")
    d.same("a = ffi.new('int[100]'); b = ffi.new('int[100]'); a[5] = 7; (b[5], a[5])")


def test_release_and_with_on_data_after_the_object(d):
    d.same("a = ffi.new('int[50]'); ffi.release(a); ffi.release(a)")
    d.same("with ffi.new('int[50]') as a: a[3] = 4; x = a[3]\nx")


def test_new_allocator_without_clearing(d):
    d.same("alloc = ffi.new_allocator(should_clear_after_alloc=False); "
           "a = alloc('int[50]'); a[49] = 3; (len(a), a[49])")


@pytest.mark.parametrize("decl", ["int", "unsigned int", "char", "signed char",
                                  "unsigned char", "short", "unsigned short", "long",
                                  "unsigned long", "long long", "unsigned long long",
                                  "int8_t", "uint16_t", "int64_t", "size_t", "_Bool"])
@pytest.mark.parametrize("value", [0, 1, -1, 127, 128, 255, 256, -129, 65535, 2 ** 31,
                                   -2 ** 31 - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64 + 5, -2 ** 70])
def test_cast_of_exact_ints(d, decl, value):
    d.same(f"ffi.cast('{decl}', {value})")


def test_cast_of_other_objects(d):
    d.same("ffi.cast('int', 1.9)")
    d.same("ffi.cast('int', True)")
    d.same("ffi.cast('int', ffi.cast('char', b'A'))")
    d.same("ffi.cast('unsigned char', b'\\xff')")
    d.raises("ffi.cast('int', 'ab')", TypeError, message=True)
    d.raises("ffi.cast('int', None)", TypeError, message=True)
    d.same("class I(int): pass\nffi.cast('short', I(70000))")


@pytest.mark.parametrize("decl", ["signed char", "unsigned char", "short", "int",
                                  "unsigned int", "long long", "unsigned long long"])
def test_small_and_large_values_read_back(d, decl):
    values = [v for v in (-6, -5, -1, 0, 1, 127, 128, 255, 256, 257, 1000)
              if not (decl.startswith("unsigned") and v < 0)
              and not (decl in ("signed char",) and not -128 <= v <= 127)
              and not (decl == "unsigned char" and v > 255)]
    d.same(f"a = ffi.new('{decl}[{len(values)}]', {values}); [a[i] for i in range(len(a))]")
    d.same(f"a = ffi.new('{decl}[{len(values)}]', {values}); "
           f"[x is y for x, y in zip(list(a), {values})]")  # small ints are the shared objects
    d.same(f"p = ffi.new('{decl} *', {values[-1]}); (p[0], ffi.cast('{decl}', p[0]))")


def test_type_strings_built_each_time(d):
    # Not the same str object twice: the cache by object must still answer right.
    d.same("[ffi.sizeof(''.join(['in', 't[', str(n), ']'])) for n in range(1, 80)]")
    d.same("[ffi.typeof('struct pt' + ' *' * k) is ffi.typeof('struct pt' + ' *' * k) "
           "for k in range(1, 40)]")
    d.same("[ffi.cast('int' + ' ' * k, k) for k in range(60)]")


def test_function_types_fail_every_time(d):
    for _ in range(2):
        d.raises("ffi.new('int(int)')", "ffi.error", message=True)
        d.raises("ffi.cast('int(int)', 0)", "ffi.error", message=True)
    d.raises("ffi.typeof('int(int)')", "ffi.error", message=True)


@pytest.mark.parametrize("n", [2, 50, 1000])  # in the object, after it, a block of its own
def test_use_after_release_raises_wherever_the_data_is(d, n):
    # CFFI reads the freed memory; cdefc raises (docs/differences.md).
    ffi = d.ffi
    a = ffi.new(f"int[{n}]")
    ffi.release(a)
    for use in (lambda: a[0], lambda: ffi.buffer(a)[:], lambda: list(a)):
        with pytest.raises(RuntimeError) as info:
            use()
        assert str(info.value) == f"cannot use cdata 'int[{n}]' after ffi.release()"


def test_type_definitions_inside_type_names(d):
    # found by the fuzzer: a struct body inside a parameter of a type name crashed the runtime
    d.raises("ffi.typeof('void(*)(struct pt { int x; })')", "ffi.error")
    d.raises("ffi.new('int(*)(enum e { A } x)')", "ffi.error")
