union word { unsigned int u; float f; unsigned char b[4]; };
