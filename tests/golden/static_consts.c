#define ANSWER 42
#define RATIO 0.5
#define GREETING "hello"
static const unsigned long long BIG = 18446744073709551615ull;
enum { FROM_INT = 3 };
