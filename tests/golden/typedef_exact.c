typedef unsigned int uint_t;
typedef char *string_t;
typedef double vec3[3];
typedef int (*compare_fn)(const void *, const void *);
typedef struct node { int value; struct node *next; } node_t;
