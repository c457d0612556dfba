#include <stdio.h>
int peek(FILE f);
