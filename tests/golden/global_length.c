extern int slots[16];
