int present(int);
