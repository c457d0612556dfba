/* What real C library headers do (glibc's signal.h, link.h, math.h, netdb.h): member names
   that are macros, enums declared inside structs, compiler-dependent float types, deprecated
   declarations and macros, reserved names. */
// flags: --include-names t_* --include-names T_*
typedef float _Float32;                     /* gcc has _Float32 as a type of its own */

struct t_info {
    int t_kind;
    union {
        int _pad[4];
        struct { int t_pid; unsigned t_uid; } _kill;
    } _fields;
    enum { T_IDLE, T_BUSY } t_state;            /* enumerators at file scope in C */
};
#define t_pid _fields._kill.t_pid               /* C code writes info.t_pid */
#define T_IDLE T_IDLE                           /* an enumerator named by its own macro */

struct t_action {
    union {                                     /* every member's name is a macro: */
        void (*t_handler)(int);                 /* the union is partial, so is t_action */
        void (*t_sigaction)(int, struct t_info *, void *);
    } __handler;
    int t_flags;
};
#define t_handler __handler.t_handler
#define t_sigaction __handler.t_sigaction

int t_action_set(int signal, const struct t_action *act);
_Float32 t_sinf32(_Float32 x);                  /* left out */
int t_old(void) __attribute__((deprecated("use t_new")));
int t_new(void);
#define T_OLD_FLAG _Pragma("GCC warning \"T_OLD_FLAG is deprecated\"") 4
#define T_NEW_FLAG 8
#define __T_INTERNAL 1                          /* reserved: only '_...' patterns take it */
int __t_internal(void);

enum t_mode { T_MODE_A, T_MODE_B, T_MODE_C };   /* T_MODE_B is a macro for something else: */
#define T_MODE_B (T_MODE_A + 100)               /* left out, the enum partial; the macro bound */
int t_renamed(void);                            /* the module's C would call t_renamed_v2 */
#define t_renamed t_renamed_v2
int t_renamed_v2(void);
int t_proto_scope(struct t_nowhere *p);         /* a struct of that prototype's scope alone */
int t_enum_never(enum t_never e);               /* an enum never defined (a GNU extension) */
int t_dollar$sign(void);                        /* GNU C allows '$' in names; a cdef does not */
enum t_odd { T_ODD_A, T_ODD$B, T_ODD_C };
struct t_undefined t_returns_incomplete(int x);  /* declarable in C, callable nowhere */
