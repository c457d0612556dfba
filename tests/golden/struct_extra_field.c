struct conf { int a; int b; int c; };
