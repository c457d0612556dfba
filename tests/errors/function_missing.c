int frob(int level);
