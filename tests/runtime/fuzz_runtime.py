"""Random operations on _handmade's ffi and lib: bad input must raise, never crash.

Run as `python fuzz_runtime.py SEED COUNT` with _handmade importable; prints "ok N" at the end.
What C itself leaves undefined is not generated: pointers made from arbitrary numbers,
indexing raw pointers (not from ffi.new) anywhere but 0, storing pointers into C memory
(they may dangle, as in C), and calling C functions that read memory through their arguments.
"""
import gc
import random
import sys
import warnings

import _handmade

ffi, lib = _handmade.ffi, _handmade.lib
warnings.simplefilter("ignore")

TYPES = ["int", "int *", "int[3]", "int[]", "char *", "char[]", "char[4]", "struct point", "struct point *",
         "struct point[2]", "union value *", "tagged_t *", "struct flags *", "struct rect *", "struct list *",
         "enum color", "enum color *", "void *", "void", "double *", "long double", "wchar_t[]",
         "int(*)(int, int)", "struct vs *", "_Bool *", "float", "unsigned char[8]", "int **", "int(*)[3]",
         "FILE *", "struct point[]", "char16_t[]", "int8_t", "struct swapped *", "struct swapped[2]",
         "struct holds_swapped *", "swapped_t[]", "struct swapped_ref *"]
FIELDS = ["x", "y", "tl", "data", "bytes", "a", "c", "f", "n", "next", "label"]
SAFE_FUNCTIONS = [lib.add, lib.point_sum_value, lib.take_void, lib.binop, lib.make_point, lib.neg64,
                  lib.twice_u64, lib.scale, lib.bool_to_int, lib.low_byte, lib.ld_twice, lib.next_color,
                  lib.swapped_x_value, lib.make_swapped]
EXPECTED = (TypeError, ValueError, IndexError, OverflowError, RuntimeError, AttributeError, KeyError,
            NotImplementedError, MemoryError, ZeroDivisionError, ffi.error)

objs = []


def pool():
    return [0, 1, -1, 2**40, -2**70, 1.5, float("nan"), "a", "abc", b"", b"x", b"hello", None, [], [1, 2],
            [1, "a"], (3,), {"x": 1}, {"zz": 2}, [[1, 2]], ffi.NULL, lib.origin, lib.numbers, lib.binop,
            lib.add, object(), lib, ffi, ffi.typeof("int")] + objs


def is_raw_pointer(o):
    return isinstance(o, ffi.CData) and ffi.typeof(o).kind == "pointer" and "owning" not in repr(o)


def keys(o):
    if is_raw_pointer(o):
        return [0]
    return [0, 1, -1, 5, 2**70, "x", slice(0, 1), slice(None, 2), slice(-1, 1), slice(0, 2)]


def op_new():
    objs.append(ffi.new(random.choice(TYPES), random.choice(pool())))


def op_new_zero():
    objs.append(ffi.new(random.choice(TYPES)))


def op_cast():
    t, v = random.choice(TYPES), random.choice(pool())
    r = ffi.cast(t, v)
    if any(c in t for c in "*[(") and not (v is ffi.NULL or v == 0 or (
            isinstance(v, ffi.CData) and ffi.typeof(v) is ffi.typeof(t))):
        return
    objs.append(r)


def op_index():
    o = random.choice(objs)
    objs.append(o[random.choice(keys(o))])


def op_setitem():
    o = random.choice(objs)
    value = random.choice(pool())
    if isinstance(value, ffi.CData) and ffi.typeof(value).kind in ("pointer", "array", "function"):
        return  # would store a pointer into C memory
    o[random.choice(keys(o))] = value


def op_getattr():
    objs.append(getattr(random.choice(objs), random.choice(FIELDS)))


def op_setattr():
    field = random.choice(FIELDS[:-2])  # not the pointer fields
    setattr(random.choice(objs), field, random.choice(pool()))


def op_arith():
    a, b = random.choice(objs), random.choice(pool())
    random.choice([lambda: a + b, lambda: a - b, lambda: b - a, lambda: a == b, lambda: a < b, lambda: hash(a)])()


def op_misc():
    o = random.choice(pool())
    random.choice([
        lambda: ffi.string(o), lambda: ffi.unpack(o, random.choice([0, 1, 3, 100])), lambda: ffi.sizeof(o),
        lambda: ffi.typeof(o), lambda: ffi.addressof(o), lambda: ffi.addressof(o, "x"), lambda: len(o),
        lambda: list(o), lambda: int(o), lambda: float(o), lambda: bool(o), lambda: repr(o),
        lambda: ffi.buffer(o)[:], lambda: o(1, 2), lambda: dir(o)])()


def op_call():
    f = random.choice(SAFE_FUNCTIONS)
    f(*[random.choice(pool()) for _ in range(random.randint(0, 3))])


def op_release():
    o = random.choice(objs)
    if isinstance(o, ffi.CData) and "owning" in repr(o):
        ffi.release(o)


def op_collect():
    if len(objs) > 50:
        del objs[:random.randint(0, 40)]
    gc.collect()


OPS = [op_new, op_new_zero, op_cast, op_index, op_setitem, op_getattr, op_setattr, op_arith, op_misc, op_call,
       op_release, op_collect]


def main(seed, count):
    random.seed(seed)
    done = 0
    for _ in range(count):
        try:
            random.choice(OPS)()
            done += 1
        except EXPECTED:
            pass
    print("ok", done)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
