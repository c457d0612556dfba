struct color { int r, g, b; };
static const struct color BLACK = { 0, 0, 0 };
