struct al { char c; _Alignas(16) int v; };
_Atomic int hits = 3;
_Atomic(long) total = 10;
struct at { _Atomic int n; int m; };
int bump(void) { return ++hits; }
