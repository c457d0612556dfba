struct outer { struct { int x; int y; } pos; union { int i; float f; } u[2]; int tail; };
typedef struct bar { long a; int b; } *bar_p;
struct list;
struct list *head(void);
typedef struct { int n; char c; } part_t;
int use_bar(bar_p p, part_t *q, struct outer o);
