struct vec { float x; float y; } __attribute__((aligned(16)));
