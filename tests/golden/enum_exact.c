enum color { RED, GREEN = 5, BLUE, ALL = RED | GREEN | BLUE };
enum sign { NEG = -2, ZERO = 0, POS = 2 };
