#include "full_base.h"
static int full_answer(int x) { return full_base() + x; }
