// The cdefc command: everything happens in driver::run_command.
#include "driver/driver.h"

int main(int argc, char** argv) { return cdefc::driver::run_command(argc, argv); }
