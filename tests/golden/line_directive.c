struct rec { long pad; int a; };
int get(struct rec *r);
