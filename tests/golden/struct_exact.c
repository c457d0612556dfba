struct pair { short a; long b; char c; };
