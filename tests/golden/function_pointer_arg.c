void fill(long *out, int n);
