// l4d2ctl: thin main; parses the command line and runs one command from the table in commands.h.
#include "cli/commands.h"

int main(int argc, char** argv) { return left4me::cli::run(argc, argv); }
