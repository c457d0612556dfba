struct s { int a; struct { char b; } c; };
int f(struct s *p, int n);
#define N 3
