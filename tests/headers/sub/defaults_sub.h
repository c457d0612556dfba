/* Included by defaults.h: bound only where defaults.h's declarations need it. */
typedef long sub_value;
int sub_function(int x);
#define SUB_LIMIT 20
