struct item { int id; int size; };
