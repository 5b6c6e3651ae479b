// What parsing a command line ends with when the program does not go on to run: a usage error
// (one line naming the problem and the fix, exit 2), or text the user asked for (--help,
// --version, --print-config: printed to stdout, exit 0). Kept apart from command_line.h so
// that the programs' option headers need not include CLI11.
#pragma once

#include <string>

namespace confcast::cli {

struct Failure {
  std::string message;   // one line for a usage error; the text itself for exit_ok
  bool exit_ok = false;  // --help, --version, --print-config: print to stdout, exit 0
};

}  // namespace confcast::cli
