struct flags { unsigned int a : 3; unsigned int b : 5; int : 0; signed int c : 7; };
