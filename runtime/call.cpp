// Calls through function-pointer cdata: an ffi_cif built from the ctype (ints, floats,
// pointers, structs by value), argument conversion with temporaries, errno, the GIL; and
// the way back: ffi.callback closures and extern "Python" functions (ffi.def_extern).
#include <ffi.h>

#include <cerrno>
#include <cstring>

#include "internal.h"

namespace cdefc::rt {

/// The libffi description of one function type (non-variadic part), built on first call.
struct CallInfo {
  ffi_cif cif;
  std::vector<ffi_type*> atypes;
  ffi_type* rtype = nullptr;
  /// Struct descriptions made for this signature, and their element arrays.
  std::vector<std::unique_ptr<ffi_type>> structs;
  std::vector<std::unique_ptr<std::vector<ffi_type*>>> elements;
};

// Here, where CallInfo is complete.
CTypeDetail::CTypeDetail() = default;
CTypeDetail::~CTypeDetail() = default;

namespace {

ffi_type* integer_ffi_type(Py_ssize_t size, bool is_signed) {
  switch (size) {
    case 1:
      return is_signed ? &ffi_type_sint8 : &ffi_type_uint8;
    case 2:
      return is_signed ? &ffi_type_sint16 : &ffi_type_uint16;
    case 4:
      return is_signed ? &ffi_type_sint32 : &ffi_type_uint32;
    default:
      return is_signed ? &ffi_type_sint64 : &ffi_type_uint64;
  }
}

ffi_type* unsupported(CType* ct, const char* why) {
  PyErr_Format(PyExc_NotImplementedError,
               "ctype '%s' not supported as argument or return value of a call through a "
               "function pointer (%s)",
               cname(ct), why);
  return nullptr;
}

/// CFFI's NotImplementedError for a struct or union libffi cannot pass; `place` is
/// "argument" or "return value", `why` (null for unions) what libffi lacks.
ffi_type* not_by_libffi(CType* ct, const char* place, const char* why) {
  static const char* const kOnlyApiMode =
      " if the function is 'API mode' and non-variadic (i.e. declared inside "
      "ffibuilder.cdef()+ffibuilder.set_source() and not taking a final '...' argument)";
  if (!why)
    PyErr_Format(PyExc_NotImplementedError,
                 "ctype '%s' not supported as %s by libffi.  Unions are only supported as %s%s",
                 cname(ct), place, place, kOnlyApiMode);
  else
    PyErr_Format(PyExc_NotImplementedError,
                 "ctype '%s' not supported as %s.  It is %s.  Such structs are only supported "
                 "as %s%s",
                 cname(ct), place, why, place, kOnlyApiMode);
  return nullptr;
}

ffi_type* ffi_type_of(CType* ct, CallInfo& ci, const char* place, bool in_struct = false);

/// Appends the libffi elements of a struct field of type `ct` (arrays repeated).
bool append_elements(CType* ct, CallInfo& ci, const char* place, std::vector<ffi_type*>& out) {
  if (ct->kind == Kind::Array) {
    if (ct->length < 0) return unsupported(ct, "open array in a struct") != nullptr;
    for (Py_ssize_t i = 0; i < ct->length; ++i)
      if (!append_elements(ct->item, ci, place, out)) return false;
    return true;
  }
  ffi_type* t = ffi_type_of(ct, ci, place, true);
  if (!t) return false;
  out.push_back(t);
  return true;
}

ffi_type* struct_ffi_type(CType* ct, CallInfo& ci, const char* place) {
  if (ct->kind == Kind::Union) return not_by_libffi(ct, place, nullptr);
  if ((ct->flags & kOpaque) || ct->size <= 0) return unsupported(ct, "unknown layout");
  if (!realize_fields(ct)) return nullptr;
  auto elems = std::make_unique<std::vector<ffi_type*>>();
  Py_ssize_t last_end = 0;
  for (const FieldInfo& f : ct->d->fields) {
    if (f.bitsize >= 0)
      return not_by_libffi(ct, place, "a struct with bit fields, which libffi does not support");
    if (f.type->kind == Kind::Array && f.type->length <= 0)
      return not_by_libffi(ct, place,
                           "a struct with a zero-length array, which libffi does not support");
    if (f.offset < last_end) return unsupported(ct, "overlapping members");
    if (!append_elements(f.type, ci, place, *elems)) return nullptr;
    last_end = f.offset + (f.type->size > 0 ? f.type->size : 0);
  }
  elems->push_back(nullptr);
  auto t = std::make_unique<ffi_type>();
  t->size = 0;
  t->alignment = 0;
  t->type = FFI_TYPE_STRUCT;
  t->elements = elems->data();
  // libffi computes size/alignment; they must agree with the C compiler's (packing).
  ffi_cif probe;
  if (ffi_prep_cif(&probe, FFI_DEFAULT_ABI, 0, t.get(), nullptr) != FFI_OK ||
      t->size != static_cast<size_t>(ct->size) || t->alignment != static_cast<size_t>(ct->align))
    return not_by_libffi(ct, place,
                         "a 'packed' structure, with a different layout than expected by libffi");
  ffi_type* raw = t.get();
  ci.elements.push_back(std::move(elems));
  ci.structs.push_back(std::move(t));
  return raw;
}

ffi_type* ffi_type_of(CType* ct, CallInfo& ci, const char* place, bool in_struct) {
  switch (ct->kind) {
    case Kind::Void:
      if (in_struct) return unsupported(ct, "void member");
      return &ffi_type_void;
    case Kind::Primitive:
      if (ct->flags & kBool) return &ffi_type_uint8;
      if (ct->flags & kChar) return &ffi_type_schar;
      if (ct->flags & (kSigned | kUnsigned)) return integer_ffi_type(ct->size, ct->flags & kSigned);
      if (ct->flags & kWChar) return integer_ffi_type(ct->size, false);
      if (ct->flags & kFloat) return ct->size == sizeof(float) ? &ffi_type_float : &ffi_type_double;
      if (ct->flags & kLongDouble) return &ffi_type_longdouble;
#ifdef FFI_TARGET_HAS_COMPLEX_TYPE
      if (ct->flags & kComplex)
        return ct->prim == CDEFC_PRIM_FLOATCOMPLEX ? &ffi_type_complex_float
                                                   : &ffi_type_complex_double;
#endif
      return unsupported(ct, "primitive");
    case Kind::Enum:
      return integer_ffi_type(ct->size, ct->flags & kSigned);
    case Kind::Pointer:
    case Kind::Function:
      return &ffi_type_pointer;
    case Kind::Array:
      if (in_struct) return unsupported(ct, "array");
      return &ffi_type_pointer;
    case Kind::Struct:
    case Kind::Union:
      return struct_ffi_type(ct, ci, place);
  }
  return unsupported(ct, "kind");
}

/// The CallInfo of a non-variadic function type (cached on the ctype).
CallInfo* call_info(CType* fn) {
  if (fn->d->call) return fn->d->call.get();
  auto ci = std::make_unique<CallInfo>();
  ci->rtype = ffi_type_of(fn->d->result, *ci, "return value");
  if (!ci->rtype) return nullptr;
  for (CType* a : fn->d->args) {
    ffi_type* t = ffi_type_of(a, *ci, "argument");
    if (!t) return nullptr;
    ci->atypes.push_back(t);
  }
  if (!fn->d->variadic) {
    if (ffi_prep_cif(&ci->cif, FFI_DEFAULT_ABI, static_cast<unsigned>(ci->atypes.size()), ci->rtype,
                     ci->atypes.data()) != FFI_OK) {
      PyErr_Format(PyExc_SystemError, "libffi cannot describe '%s'", cname(fn));
      return nullptr;
    }
  }
  fn->d->call = std::move(ci);
  return fn->d->call.get();
}

/// The type a variadic argument is passed as (C's default argument promotions).
CType* promoted(CType* ct) {
  if (ct->kind == Kind::Primitive && (ct->flags & kFloat) && ct->size == sizeof(float))
    return primitive_ctype(CDEFC_PRIM_DOUBLE);
  if ((ct->kind == Kind::Primitive || ct->kind == Kind::Enum) &&
      (ct->flags & (kSigned | kUnsigned | kBool | kChar)) &&
      ct->size < static_cast<Py_ssize_t>(sizeof(int)))
    return primitive_ctype(CDEFC_PRIM_INT);
  return ct;
}

/// Converts one argument into `buf`.
int convert_argument(CType* ct, PyObject* o, char* buf, Frame* frame) {
  if (ct->kind == Kind::Pointer || ct->kind == Kind::Function || ct->kind == Kind::Array) {
    CType* pt = ct->kind == Kind::Array ? pointer_to(ct->item) : ct;
    void* p = nullptr;
    if (!pt || pointer_argument(pt, o, &p, frame) < 0) return -1;
    memcpy(buf, &p, sizeof p);
    return 0;
  }
  if (is_record(ct))
    memset(buf, 0, static_cast<size_t>(ct->size));  // fields a dict leaves out are 0
  return to_c(ct, buf, o);
}

}  // namespace

PyObject* call_function_pointer(CData* fn, PyObject* args) {
  CType* ct = fn->ct;
  void* address = cdata_address(fn);
  if (!address)
    return raise(PyExc_RuntimeError, "cannot call null pointer pointer from cdata '%s'", cname(ct));
  Py_ssize_t nargs = PyTuple_Size(args);
  Py_ssize_t nfixed = static_cast<Py_ssize_t>(ct->d->args.size());
  if (ct->d->variadic ? nargs < nfixed : nargs != nfixed)
    return raise(PyExc_TypeError, "'%s' expects %s%zd arguments, got %zd", cname(ct),
                 ct->d->variadic ? "at least " : "", nfixed, nargs);
  CallInfo* ci = call_info(ct);
  if (!ci) return nullptr;

  // Argument types: the fixed ones, then the variadic cdata's own (promoted) types.
  const std::vector<CType*>* types = &ct->d->args;
  std::vector<CType*> all_types;
  ffi_cif var_cif;
  ffi_cif* cif = &ci->cif;
  CallInfo extra;
  if (ct->d->variadic) {
    all_types = ct->d->args;
    std::vector<ffi_type*> atypes = ci->atypes;
    for (Py_ssize_t i = nfixed; i < nargs; ++i) {
      PyObject* o = PyTuple_GetItem(args, i);
      if (!is_cdata(o))
        return raise(PyExc_TypeError,
                     "argument %zd passed in the variadic part needs to be a cdata object (got %s)",
                     i + 1, type_name(o).c_str());
      CType* t = promoted(reinterpret_cast<CData*>(o)->ct);
      ffi_type* ft = t ? ffi_type_of(t, extra, "argument") : nullptr;
      if (!ft) return nullptr;
      all_types.push_back(t);
      atypes.push_back(ft);
    }
    extra.atypes = std::move(atypes);
    if (ffi_prep_cif_var(&var_cif, FFI_DEFAULT_ABI, static_cast<unsigned>(nfixed),
                         static_cast<unsigned>(extra.atypes.size()), ci->rtype,
                         extra.atypes.data()) != FFI_OK)
      return raise(PyExc_SystemError, "libffi cannot describe this call of '%s'", cname(ct));
    cif = &var_cif;
    types = &all_types;
  }

  // Arguments of up to 16 bytes live on the stack; bigger ones and temporaries in `frame`.
  constexpr Py_ssize_t kInline = 8;
  alignas(16) unsigned char slots[kInline][16];
  void* inline_values[kInline];
  std::vector<void*> heap_values;
  void** avalues = inline_values;
  if (nargs > kInline) {
    heap_values.resize(static_cast<size_t>(nargs));
    avalues = heap_values.data();
  }
  Frame frame = {{nullptr}, 0, nullptr};
  PyObject* result = nullptr;
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    CType* t = (*types)[static_cast<size_t>(i)];
    size_t size = t->size > 0 ? static_cast<size_t>(t->size) : 0;
    char* buf = (i < kInline && size <= 16)
                    ? reinterpret_cast<char*>(slots[i])
                    : static_cast<char*>(frame_alloc(&frame, size < 16 ? 16 : size));
    if (!buf) goto done;
    PyObject* o = PyTuple_GetItem(args, i);
    if (i >= nfixed) {
      // A variadic cdata: its value, promoted like C does.
      CData* cd = reinterpret_cast<CData*>(o);
      if (!check_alive(cd)) goto done;  // nothing is read from released memory
      if (t != cd->ct) {
        if (t->flags & kFloat)
          write_float(t, buf, read_float(cd->ct, cd->data));
        else
          write_integer(buf, t->size,
                        (cd->ct->flags & kSigned)
                            ? static_cast<unsigned long long>(read_signed(cd->data, cd->ct->size))
                            : read_unsigned(cd->data, cd->ct->size));
      } else if (is_pointer_like(t)) {
        void* p = cdata_address(cd);
        memcpy(buf, &p, sizeof p);
      } else {
        memcpy(buf, cd->data, size);
      }
    } else if (convert_argument(t, o, buf, &frame) < 0) {
      goto done;
    }
    avalues[i] = buf;
  }
  {
    CType* rt = ct->d->result;
    size_t rsize = rt->size > 0 ? static_cast<size_t>(rt->size) : 0;
    alignas(16) unsigned char rslot[32];
    char* rbuf = rsize <= sizeof rslot ? reinterpret_cast<char*>(rslot)
                                       : static_cast<char*>(frame_alloc(&frame, rsize));
    if (!rbuf) goto done;
    int* slot = cdefc_errno_slot();
    Py_BEGIN_ALLOW_THREADS errno = *slot;
    ffi_call(cif, FFI_FN(address), rbuf, avalues);
    *slot = errno;
    Py_END_ALLOW_THREADS if (rt->kind == Kind::Void) {
      Py_INCREF(Py_None);
      result = Py_None;
    }
    else if (is_record(rt)) {
      result = make_record_copy(rt, rbuf);
    }
    else if ((rt->kind == Kind::Primitive || rt->kind == Kind::Enum) &&
             !(rt->flags & (kFloat | kLongDouble | kComplex)) && rsize < sizeof(ffi_arg)) {
      // libffi widens small integer results to a full ffi_arg.
      ffi_arg wide;
      memcpy(&wide, rbuf, sizeof wide);
      char narrow[8];
      write_integer(narrow, rt->size, wide);
      result = from_c(rt, narrow, nullptr);
    }
    else {
      result = from_c(rt, rbuf, nullptr);
    }
  }
done:
  if (frame.count) cdefc_frame_release(&frame);
  return result;
}

// ---- callbacks (ffi.callback) and extern "Python" functions (ffi.def_extern) ----

namespace {

/// What a callback needs: owned by the closure (freed with the cdata), or by the capsule an
/// extern "Python" function's def_extern stored (no closure then).
struct CallbackInfo {
  CType* fn = nullptr;            ///< the function-pointer ctype
  PyObject* callable = nullptr;   ///< strong
  PyObject* onerror = nullptr;    ///< strong or null
  std::vector<char> error_value;  ///< the result returned to C after an exception
  ffi_closure* closure = nullptr;
  ~CallbackInfo() {
    if (closure) ffi_closure_free(closure);
    Py_XDECREF(callable);
    Py_XDECREF(onerror);
  }
};

/// Copies a C result from `buf` into `ret`: small integers widened to ffi_arg when `ret` is
/// libffi's result slot (`widen`), exactly the type's bytes when it is the C result itself.
void store_result(CType* rt, void* ret, const char* buf, bool widen) {
  bool small_int = (rt->kind == Kind::Primitive || rt->kind == Kind::Enum) &&
                   !(rt->flags & (kFloat | kLongDouble | kComplex)) &&
                   rt->size < static_cast<Py_ssize_t>(sizeof(ffi_arg));
  if (widen && small_int) {
    ffi_arg wide = (rt->flags & kSigned) ? static_cast<ffi_arg>(read_signed(buf, rt->size))
                                         : static_cast<ffi_arg>(read_unsigned(buf, rt->size));
    memcpy(ret, &wide, sizeof wide);
  } else {
    memcpy(ret, buf, static_cast<size_t>(rt->size));
  }
}

/// Writes `value` (a Python object) as the C result of a callback.
int write_result(CType* rt, void* ret, PyObject* value, bool widen) {
  if (rt->kind == Kind::Void) {
    if (value == Py_None) return 0;
    return raise_int(PyExc_TypeError, "callback with the return type 'void' must return None");
  }
  // Results up to 64 bytes (all but large structs) need no heap buffer.
  size_t size = static_cast<size_t>(rt->size > 0 ? rt->size : 0) + 16;
  alignas(16) char small[80];
  std::vector<char> big(size > sizeof small ? size : 0);
  char* buf = size > sizeof small ? big.data() : small;
  memset(buf, 0, size);
  if (to_c(rt, buf, value) < 0) return -1;
  store_result(rt, ret, buf, widen);
  return 0;
}

void write_error_value(CallbackInfo* info, void* ret, bool widen) {
  CType* rt = info->fn->d->result;
  if (rt->kind != Kind::Void) store_result(rt, ret, info->error_value.data(), widen);
}

/// Calls info->callable with the C arguments `args` (each points at one argument) and writes
/// its result, or the error value after `onerror`, into `ret`. The GIL is held.
void run_callback(CallbackInfo* info, void* ret, void** args, bool widen) {
  CType* fn = info->fn;
  size_t n = fn->d->args.size();
  PyObject* pyargs = PyTuple_New(static_cast<Py_ssize_t>(n));
  bool ok = pyargs != nullptr;
  for (size_t i = 0; ok && i < n; ++i) {
    CType* t = fn->d->args[i];
    PyObject* a = is_record(t) ? make_record_copy(t, args[i])
                               : from_c(t, static_cast<char*>(args[i]), nullptr);
    if (!a)
      ok = false;
    else
      PyTuple_SetItem(pyargs, static_cast<Py_ssize_t>(i), a);
  }
  PyObject* result = ok ? PyObject_CallObject(info->callable, pyargs) : nullptr;
  Py_XDECREF(pyargs);
  if (!result || write_result(fn->d->result, ret, result, widen) < 0) {
    write_error_value(info, ret, widen);
    // CFFI's reports: "Exception ignored from cffi callback <f>" (", trying to convert the
    // result back to C" when the result was wrong), through sys.unraisablehook.
    std::string where = "Exception ignored from cffi callback ";
    {
      // repr() may run Python code: not with the callback's exception pending.
      PyObject *type, *value, *tb;
      PyErr_Fetch(&type, &value, &tb);
      PyObject* shown = PyObject_Repr(info->callable);
      const char* text = shown ? PyUnicode_AsUTF8AndSize(shown, nullptr) : nullptr;
      where += text ? text : "?";
      Py_XDECREF(shown);
      PyErr_Clear();
      PyErr_Restore(type, value, tb);
    }
    if (result) where += ", trying to convert the result back to C";
    if (!info->onerror) {
      write_unraisable(where);
    } else {
      PyObject *type, *value, *tb;
      PyErr_Fetch(&type, &value, &tb);
      PyErr_NormalizeException(&type, &value, &tb);
      PyObject* r =
          PyObject_CallFunctionObjArgs(info->onerror, type ? type : Py_None,
                                       value ? value : Py_None, tb ? tb : Py_None, nullptr);
      if (r && r != Py_None && write_result(fn->d->result, ret, r, widen) < 0) {
        write_error_value(info, ret, widen);
        Py_CLEAR(r);
      }
      if (!r) {  // onerror failed too: both are reported, as in CFFI
        PyObject *type2, *value2, *tb2;
        PyErr_Fetch(&type2, &value2, &tb2);
        PyErr_Restore(type, value, tb);
        write_unraisable(where);
        PyErr_Restore(type2, value2, tb2);
        write_unraisable("Exception ignored during handling of the above exception by 'onerror'");
      } else {
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
      }
      Py_XDECREF(r);
    }
    PyErr_Clear();
  }
  Py_XDECREF(result);
}

/// The closure's entry point: C calls it, it calls Python with the GIL.
void trampoline(ffi_cif*, void* ret, void** args, void* user) {
  int saved_errno = errno;
  PyGILState_STATE st = PyGILState_Ensure();
  int* slot = cdefc_errno_slot();
  *slot = saved_errno;
  run_callback(static_cast<CallbackInfo*>(user), ret, args, true);
  errno = *slot;
  PyGILState_Release(st);
}

/// The checked parts of a callback: `callable`, `onerror` (None: none) and the result C gets
/// when it raises (`error`, None: zero). Null with an exception set.
std::unique_ptr<CallbackInfo> callback_info(CType* fn, PyObject* callable, PyObject* error,
                                            PyObject* onerror) {
  if (fn->kind != Kind::Function)
    return raise(PyExc_TypeError, "expected a function ctype, got '%s'", cname(fn)), nullptr;
  if (!PyCallable_Check(callable))
    return raise(PyExc_TypeError, "expected a callable object, not %s",
                 type_name(callable).c_str()),
           nullptr;
  if (onerror && onerror != Py_None && !PyCallable_Check(onerror))
    return raise(PyExc_TypeError, "expected a callable object for 'onerror', not %s",
                 type_name(onerror).c_str()),
           nullptr;
  if (fn->d->variadic)
    return raise(PyExc_NotImplementedError,
                 "%s: callback with unsupported argument or return type or with '...'", cname(fn)),
           nullptr;
  auto info = std::make_unique<CallbackInfo>();
  info->fn = fn;
  CType* rt = fn->d->result;
  if (rt->kind == Kind::Void && error && error != Py_None)
    return raise(PyExc_TypeError, "callback with the return type 'void' must return None"), nullptr;
  if (rt->kind != Kind::Void) {
    info->error_value.assign(static_cast<size_t>(rt->size > 0 ? rt->size : 0) + 16, 0);
    if (error && error != Py_None && to_c(rt, info->error_value.data(), error) < 0) return nullptr;
    info->error_value.resize(static_cast<size_t>(rt->size));
  }
  Py_INCREF(callable);
  info->callable = callable;
  if (onerror && onerror != Py_None) {
    Py_INCREF(onerror);
    info->onerror = onerror;
  }
  return info;
}

/// The capsule holding a def_extern'd function's CallbackInfo.
constexpr const char* kExternCapsule = "cdefc.extern_python";

void free_extern_capsule(PyObject* capsule) {
  delete static_cast<CallbackInfo*>(PyCapsule_GetPointer(capsule, kExternCapsule));
}

}  // namespace

PyObject* make_callback(CType* fn, PyObject* callable, PyObject* error, PyObject* onerror) {
  std::unique_ptr<CallbackInfo> info = callback_info(fn, callable, error, onerror);
  if (!info) return nullptr;
  CallInfo* ci = call_info(fn);
  if (!ci) return nullptr;
  void* code = nullptr;
  auto* closure = static_cast<ffi_closure*>(ffi_closure_alloc(sizeof(ffi_closure), &code));
  if (!closure) return PyErr_NoMemory();
  info->closure = closure;
  if (ffi_prep_closure_loc(closure, &ci->cif, trampoline, info.get(), code) != FFI_OK)
    return raise(PyExc_SystemError, "libffi cannot make a closure for '%s'", cname(fn));
  PyObject* cd = make_pointer(fn, code, nullptr);
  if (!cd) return nullptr;
  auto* c = reinterpret_cast<CData*>(cd);
  Py_INCREF(callable);
  c->extra = callable;
  c->alloc = info.release();
  c->flags |= kCallback;
  return cd;
}

void free_callback(CData* cd) {
  delete static_cast<CallbackInfo*>(cd->alloc);
  cd->alloc = nullptr;
}

int def_extern(cdefc_context* ctx, uint32_t index, PyObject* callable, PyObject* error,
               PyObject* onerror) {
  CType* fn = ctx_type(ctx, ctx_def(ctx)->globals[index].type);
  if (!fn) return -1;
  std::unique_ptr<CallbackInfo> info = callback_info(fn, callable, error, onerror);
  if (!info) return -1;
  PyObject* capsule = PyCapsule_New(info.get(), kExternCapsule, free_extern_capsule);
  if (!capsule) return -1;
  void* raw = info.release();
  if (ctx->externs.size() <= index) ctx->externs.resize(index + 1, {nullptr, nullptr});
  PyObject* old = ctx->externs[index].first;
  ctx->externs[index] = {capsule, raw};
  Py_XDECREF(old);  // a call running it holds its own reference
  return 0;
}

void call_extern_python(cdefc_context* ctx, uint32_t index, void** args, void* result) {
  int saved_errno = errno;
  PyGILState_STATE st = PyGILState_Ensure();
  int* slot = cdefc_errno_slot();
  *slot = saved_errno;
  // A strong reference: a def_extern in another thread may replace it during the call.
  PyObject* capsule = nullptr;
  void* info = nullptr;
  if (index < ctx->externs.size()) {
    capsule = ctx->externs[index].first;
    info = ctx->externs[index].second;
    Py_XINCREF(capsule);
  }
  if (capsule) {
    run_callback(static_cast<CallbackInfo*>(info), result, args, false);
    Py_DECREF(capsule);
  } else {
    if (PyErr_Occurred()) write_unraisable("Exception ignored in an extern \"Python\" function");
    // CFFI's message, on sys.stderr; the result stays 0 (the caller zeroed it).
    PySys_FormatStderr(
        "extern \"Python\": function %U.%s() called, but no code was attached to it yet with "
        "@ffi.def_extern().  Returning 0.\n",
        ctx_module_name(ctx), ctx_def(ctx)->globals[index].name);
  }
  errno = *slot;
  PyGILState_Release(st);
}

}  // namespace cdefc::rt
