/* No patterns: what this header declares itself, not what it includes (unless needed). */
#include "sub/defaults_sub.h"

typedef struct d_pair { sub_value first, second; } d_pair;
d_pair d_swap(d_pair p);
#define D_LIMIT 10
