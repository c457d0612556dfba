#include <string>
static int cxx_length(const char *s) { return static_cast<int>(std::string(s).size()); }
