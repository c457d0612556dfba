#include "shapes.h"

int gcd(int a, int b) {
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

/* The shoelace formula. */
double polygon_area(const struct point *points, int n) {
    double twice = 0.0;
    for (int i = 0; i < n; i++) {
        const struct point *p = &points[i], *q = &points[(i + 1) % n];
        twice += p->x * q->y - q->x * p->y;
    }
    return twice < 0 ? -twice / 2 : twice / 2;
}
