struct a { int x; };
struct b { int x; };
struct b make(void);
