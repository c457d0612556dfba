typedef unsigned short small_t;
typedef long long big_t;
typedef int bits_t;
typedef enum { K_A, K_B } kind_t;
