/* What a cdef cannot say: structs become partial, declarations are left out with a note,
   vendor noise never reaches the cdef. */
// flags: --include-names p_* --include-names P_[RW]*
#include <stdarg.h>

enum p_mode { P_READ, P_WRITE };

struct p_flags {
    unsigned int readable : 1;          /* an ordinary bit-field stays */
    unsigned int : 3;                   /* an unnamed one makes the struct partial */
    enum p_mode mode : 2;               /* so does an enum bit-field */
    int after;
};

struct __attribute__((packed)) p_packed {   /* the layout is C's: partial */
    char tag;
    int value;
};

struct p_wide {
    int before;
    __int128 huge;                      /* no cdef type: left out, partial */
    int after;
};

typedef struct {
    int count;
    double values[];                    /* a flexible array member stays */
} p_series;

__extension__ typedef unsigned long long p_u64;

int p_restrict(char *__restrict out, const char *__restrict in) __attribute__((nonnull(1, 2)));
void *_Nullable p_nullable(void *_Nonnull p);
int p_vprintf(const char *format, va_list args);      /* va_list: left out */
int p_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
static inline int p_inline(int x) { return x + 1; }   /* no symbol: left out */
static int p_static(int x);                            /* no symbol: left out */
int p_old_style();                                     /* no prototype: left out */
extern __thread int p_thread_local;                    /* left out */
extern int p_counter __attribute__((deprecated));
p_u64 p_sum(const p_series *s, struct p_flags f, struct p_packed *pk, struct p_wide *w);
__int128 p_int128(void);                               /* left out */

typedef int p_aligned_int __attribute__((aligned(16)));
struct p_holds_aligned {                /* the typedef's alignment is lost in a cdef: partial */
    char c;
    p_aligned_int v;
};
void p_take_aligned(struct p_holds_aligned *h);
