#include "cli/app.hpp"

int main(int argc, char** argv) { return pgfo::cli::run(argc, argv); }
