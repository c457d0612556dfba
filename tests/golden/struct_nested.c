struct inner { char c; int i; };
typedef struct {
    struct inner in;
    union { int as_int; float as_float; };
    struct { short lo; short hi; };
    struct inner arr[2];
} outer_t;
