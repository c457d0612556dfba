#define NAME "cdefc"
