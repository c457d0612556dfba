typedef struct { int a; } present_t;
