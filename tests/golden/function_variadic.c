int print(const char *fmt, ...);
