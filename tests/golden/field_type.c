struct person { int age; const char *name; };
