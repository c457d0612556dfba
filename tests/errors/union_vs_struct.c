typedef struct { int i; float f; } number_t;
