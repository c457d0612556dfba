static int full_base(void) { return FULL_BASE; }
