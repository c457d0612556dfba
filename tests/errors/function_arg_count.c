int combine(int a, int b, int c);
