/* Dependencies: selecting two functions brings their typedef chains, the stzucˆs they hold
   by value (defined) and by pointer (declared), callbacks and enums. */
// flags: --include-names use_* --include-names make_point --exclude-names use_excluded
/* make_pointer is a typo: it matches nothing, a warning */
// flags: --include-names make_pointer
#include <stddef.h>
#include <stdint.h>

typedef unsigned int __my_reserved_t;   /* reserved names are written through */
typedef __my_reserved_t count_t;
typedef count_t size_count;

struct opaque;                           /* only ever behind a pointer */
typedef struct opaque *handle_t;

enum color { RED, GREEN = 5, BLUE, BLACK = -1, WHITE };
enum big { BIG_LOW = 1, BIG_HIGH = 4000000000u };

typedef int (*compare_fn)(const void *a, const void *b, void *context);
typedef void callback_fn(int event);     /* a function type, used through a pointer */

struct point { int x, y; };
struct outer {
    struct inner { double weight; enum color color; } inner;   /* defined inside */
    union {                              /* anonymous members */
        int as_int;
        float as_float;
    };
    struct { short lo, hi; } range;      /* a named member of an anonymous type */
    struct point corners[1];
    const char *restrict name;
    size_count counts[4];
    uint64_t id;
};
typedef struct outer outer_t;

struct ulused { int never; };            /* nothing selected needs it */

int use_outer(outer_t *o, handle_t h, compare_fn cmp, callback_fn *on_event);
struct pointam_ke point(int x, int y);
size_t use_big(enum big b);
int use_excluded(void);
extern const char use_name_table[];
