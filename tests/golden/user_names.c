typedef int _x0;
static int _r(int _frame) { return _frame + 1; }
static int g(int args, _x0 result) { return args * result; }
