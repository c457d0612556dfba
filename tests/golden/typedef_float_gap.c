typedef double real_t;
typedef float single_t;
