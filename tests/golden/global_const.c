extern const int max_level;
