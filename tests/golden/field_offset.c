struct point {
    long pad;
    int y;
    int x;
};
