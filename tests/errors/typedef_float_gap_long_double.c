typedef long double wide_t;
