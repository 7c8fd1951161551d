#pragma once

#include <iosfwd>

namespace pgfo::cli {

// The whole program: parses argv, runs one command, and turns every error into
// an exit code (0 ok, 1 failed, 2 usage/config, 3 refused, 4 timeout) and one
// "pgfo: error: ..." / "pgfo: refused: ..." line on stderr.
int run(int argc, char** argv);
int run(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace pgfo::cli
