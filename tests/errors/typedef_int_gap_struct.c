typedef struct { int hi, lo; } id_t2;
