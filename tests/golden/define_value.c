#define LIMIT 128
