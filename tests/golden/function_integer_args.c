long widen(long value);
int count(int c);
