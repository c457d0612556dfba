struct point { char tag; double x; long extra; int y; };
