/* The hand-written baseline: the functions of bench_lib.h exposed the way a careful person
 * writes a CPython extension by hand, for speed. Full (not limited) C API, static types,
 * METH_FASTCALL / METH_O / METH_NOARGS, arguments checked (wrong types and int overflow raise,
 * as in cdefc and CFFI), no GIL release around the C call (cdefc and CFFI release it).
 *
 *   add(a, b), mul(a, b), nop(), first_char(bytes), point_sum(Point), origin() -> capsule
 *   Point()     a struct point inside the object; .x and .y are PyMemberDef T_INT members
 *   IntArray()  int[BENCH_ARRAY_LEN] inside the object; a[i], a[i] = v with bounds checks
 *   BENCH_MAGIC (int constant), counter (a plain module attribute: a module cannot show a C
 *   global live, so `lib.counter` is compared with the cost of a module attribute)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <structmember.h>

#include "bench_lib.h"

/* ---- Point ---------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    struct point p;
} PointObject;

static PyMemberDef Point_members[] = {
    {"x", T_INT, offsetof(PointObject, p.x), 0, NULL},
    {"y", T_INT, offsetof(PointObject, p.y), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyObject *Point_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0)) {
        PyErr_SetString(PyExc_TypeError, "Point() takes no arguments");
        return NULL;
    }
    return type->tp_alloc(type, 0); /* zeroed */
}

static PyTypeObject PointType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_bench_hand.Point",
    .tp_basicsize = sizeof(PointObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Point_new,
    .tp_members = Point_members,
};

/* ---- IntArray ------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    int items[BENCH_ARRAY_LEN];
} IntArrayObject;

static Py_ssize_t IntArray_len(PyObject *self) { return BENCH_ARRAY_LEN; }

static PyObject *IntArray_item(PyObject *self, Py_ssize_t i)
{
    if ((size_t)i >= BENCH_ARRAY_LEN) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return NULL;
    }
    return PyLong_FromLong(((IntArrayObject *)self)->items[i]);
}

static int IntArray_ass_item(PyObject *self, Py_ssize_t i, PyObject *value)
{
    if ((size_t)i >= BENCH_ARRAY_LEN) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return -1;
    }
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "cannot delete items");
        return -1;
    }
    int overflow;
    long v = PyLong_AsLongAndOverflow(value, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow || v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "integer out of range for 'int'");
        return -1;
    }
    ((IntArrayObject *)self)->items[i] = (int)v;
    return 0;
}

static PySequenceMethods IntArray_as_sequence = {
    .sq_length = IntArray_len,
    .sq_item = IntArray_item,
    .sq_ass_item = IntArray_ass_item,
};

static PyObject *IntArray_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0)) {
        PyErr_SetString(PyExc_TypeError, "IntArray() takes no arguments");
        return NULL;
    }
    return type->tp_alloc(type, 0); /* zeroed */
}

static PyTypeObject IntArrayType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_bench_hand.IntArray",
    .tp_basicsize = sizeof(IntArrayObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = IntArray_new,
    .tp_as_sequence = &IntArray_as_sequence,
};

/* ---- functions ------------------------------------------------------------------------ */

/* A Python int as a C int, raising TypeError / OverflowError like cdefc and CFFI. */
static inline int as_int(PyObject *o, int *out)
{
    int overflow;
    long v = PyLong_AsLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow || v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "integer out of range for 'int'");
        return -1;
    }
    *out = (int)v;
    return 0;
}

static PyObject *py_add(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int a, b;
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "add expected 2 arguments, got %zd", nargs);
        return NULL;
    }
    if (as_int(args[0], &a) < 0 || as_int(args[1], &b) < 0) return NULL;
    return PyLong_FromLong(add(a, b));
}

/* The unseen function as CFFI and cdefc call it: the GIL released, errno saved. */
static PyObject *py_add_unseen_released(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int a, b, r, saved;
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "add_unseen expected 2 arguments, got %zd", nargs);
        return NULL;
    }
    if (as_int(args[0], &a) < 0 || as_int(args[1], &b) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    r = add_unseen(a, b);
    saved = errno;
    Py_END_ALLOW_THREADS
    (void)saved;
    return PyLong_FromLong(r);
}

static PyObject *py_mul(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "mul expected 2 arguments, got %zd", nargs);
        return NULL;
    }
    double a = PyFloat_AsDouble(args[0]);
    if (a == -1.0 && PyErr_Occurred()) return NULL;
    double b = PyFloat_AsDouble(args[1]);
    if (b == -1.0 && PyErr_Occurred()) return NULL;
    return PyFloat_FromDouble(mul(a, b));
}

static PyObject *py_nop(PyObject *self, PyObject *unused)
{
    nop();
    Py_RETURN_NONE;
}

static PyObject *py_first_char(PyObject *self, PyObject *arg)
{
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "first_char expects bytes");
        return NULL;
    }
    return PyLong_FromLong(first_char(PyBytes_AS_STRING(arg)));
}

static PyObject *py_point_sum(PyObject *self, PyObject *arg)
{
    if (Py_TYPE(arg) != &PointType) {
        PyErr_SetString(PyExc_TypeError, "point_sum expects a Point");
        return NULL;
    }
    return PyLong_FromLong(point_sum(&((PointObject *)arg)->p));
}

static PyObject *py_origin(PyObject *self, PyObject *unused)
{
    return PyCapsule_New(origin(), "struct point", NULL);
}

static PyMethodDef methods[] = {
    {"add", (PyCFunction)(void (*)(void))py_add, METH_FASTCALL, NULL},
    {"add_unseen_released", (PyCFunction)(void (*)(void))py_add_unseen_released, METH_FASTCALL,
     NULL},
    {"mul", (PyCFunction)(void (*)(void))py_mul, METH_FASTCALL, NULL},
    {"nop", py_nop, METH_NOARGS, NULL},
    {"first_char", py_first_char, METH_O, NULL},
    {"point_sum", py_point_sum, METH_O, NULL},
    {"origin", py_origin, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* ---- module --------------------------------------------------------------------------- */

static int exec_module(PyObject *m)
{
    if (PyType_Ready(&PointType) < 0 || PyType_Ready(&IntArrayType) < 0) return -1;
    if (PyModule_AddObjectRef(m, "Point", (PyObject *)&PointType) < 0) return -1;
    if (PyModule_AddObjectRef(m, "IntArray", (PyObject *)&IntArrayType) < 0) return -1;
    if (PyModule_AddIntConstant(m, "BENCH_MAGIC", BENCH_MAGIC) < 0) return -1;
    if (PyModule_AddIntConstant(m, "counter", counter) < 0) return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_bench_hand",
    .m_size = 0,
    .m_methods = methods,
    .m_slots = slots,
};

PyMODINIT_FUNC PyInit__bench_hand(void) { return PyModuleDef_Init(&module_def); }
