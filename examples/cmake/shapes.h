#ifndef SHAPES_H
#define SHAPES_H

struct point {
    double x, y;
    int tag;  /* the cdef leaves this struct partial: cdefc fills the layout in */
};

int gcd(int a, int b);
double polygon_area(const struct point *points, int n);

#define SHAPES_MAX_POINTS 64

#endif
