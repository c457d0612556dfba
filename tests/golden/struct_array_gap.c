#define W 3
#define H 4
struct grid { int id; int cells[H][W]; char name[16]; };
