#include "cli_runner.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/app.hpp"

namespace pgfo::test {

CliResult run_cli(const std::vector<std::string>& args)
{
    std::vector<std::string> storage = {"pgfo"};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : storage)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::ostringstream out;
    std::ostringstream err;
    CliResult result;
    result.code = cli::run(static_cast<int>(storage.size()), argv.data(), out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
}

std::string write_minimal_config(const std::string& dir, const std::string& extra)
{
    std::filesystem::create_directories(dir + "/data");
    std::ofstream(dir + "/data/PG_VERSION") << "15\n";
    const std::string path = dir + "/pgfo.conf";
    std::ofstream out(path, std::ios::trunc);
    out << "[node]\nname = \"pg-test\"\nstate_dir = \"" << dir << "/state\"\n\n"
        << "[postgres]\ndata_dir = \"" << dir << "/data\"\nbin_dir = \"/usr/lib/postgresql/15/bin\"\n\n"
        << "[log]\nfile = \"" << dir << "/pgfo.log\"\n\n"
        << extra;
    out.close();
    ::chmod(path.c_str(), 0600);
    return path;
}

}  // namespace pgfo::test
