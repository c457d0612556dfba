struct outer { struct { unsigned a : 3, b : 5; } bits; int tail; };
