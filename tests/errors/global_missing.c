extern int quiet;
