int counter;
const int limit = 10;
char *name;
double table[4];
int sizes[7];
extern int matrix[][5];
