// The Debian package: built with cpack from this build tree into a temp dir,
// unpacked and installed with dpkg into a clean root (never the real one), its files and
// fields checked, its Depends resolved by apt in simulation, and the packaged pgfo run.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_dir.hpp"
#include "util/subprocess.hpp"

using namespace pgfo::test;
namespace fs = std::filesystem;

namespace {

pgfo::util::ProcessResult run(const std::vector<std::string>& argv, const std::string& cwd = "/",
                              std::chrono::milliseconds timeout = std::chrono::minutes(5))
{
    pgfo::util::Command command;
    command.argv = argv;
    command.cwd = cwd;
    command.timeout = timeout;
    return pgfo::util::run_process(command);
}

std::string run_checked(const std::vector<std::string>& argv, const std::string& cwd = "/")
{
    const auto result = run(argv, cwd);
    if (!result.succeeded())
        throw std::runtime_error(argv[0] + " " + (argv.size() > 1 ? argv[1] : "") + " " +
                                 result.describe_with_stderr() + "\n" + result.out + result.err);
    return result.out;
}

// The build tree holding the pgfo binary this test was built with.
std::string build_dir()
{
    return fs::path(PGFO_BINARY).parent_path().string();
}

// Builds the .deb once per process into DIR and returns its path.
std::string build_package(const TestDir& dir)
{
    // cpack run directly packages what is built; it does not build the "all" target first.
    run_checked({"cpack", "--config", build_dir() + "/CPackConfig.cmake", "-G", "DEB", "-B", dir / "out"});
    for (const auto& entry : fs::directory_iterator(dir / "out"))
        if (entry.path().extension() == ".deb")
            return entry.path().string();
    throw std::runtime_error("cpack wrote no .deb into " + dir / "out");
}

std::string field(const std::string& deb, const std::string& name)
{
    std::string value = run_checked({"dpkg-deb", "--field", deb, name});
    while (!value.empty() && value.back() == '\n')
        value.pop_back();
    return value;
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        result.push_back(line);
    return result;
}

// "libc6 (>= 2.34), libpq5 (>= 9.0~)" -> {"libc6", "libpq5"}; alternatives count too.
std::set<std::string> package_names(const std::string& relation_list)
{
    std::set<std::string> names;
    static const std::regex name("(^|[,|]) *([a-z0-9][a-z0-9+.-]+)");
    for (auto it = std::sregex_iterator(relation_list.begin(), relation_list.end(), name); it != std::sregex_iterator();
         ++it)
        names.insert((*it)[2].str());
    return names;
}

// The NEEDED entries of an ELF file, as objdump -p prints them.
std::vector<std::string> needed_libraries(const std::string& binary)
{
    std::vector<std::string> sonames;
    static const std::regex needed("^ *NEEDED +(\\S+)$");
    for (const auto& line : lines(run_checked({"objdump", "-p", binary}))) {
        std::smatch match;
        if (std::regex_match(line, match, needed))
            sonames.push_back(match[1]);
    }
    if (sonames.empty())
        throw std::runtime_error("objdump found no NEEDED entry in " + binary);
    return sonames;
}

// The installed package of this machine's architecture that ships SONAME ("libpq5" for
// libpq.so.5), not a foreign one such as libc6-i386.
std::string package_owning(const std::string& soname)
{
    std::string arch = run_checked({"dpkg", "--print-architecture"});
    arch.erase(arch.find_last_not_of('\n') + 1);
    const auto found = lines(run_checked({"dpkg-query", "--search", "*/" + soname}));
    std::string line = found.at(0);
    for (const auto& each : found)
        if (each.find(":" + arch + ":") != std::string::npos) {
            line = each;
            break;
        }
    return line.substr(0, line.find_first_of(":,"));
}

}  // namespace

TEST_CASE("the .deb carries pgfo's name, version, section, Depends and Recommends")
{
    TestDir dir;
    const std::string deb = build_package(dir);
    CHECK(fs::path(deb).filename().string().rfind(std::string("pgfo_") + PGFO_VERSION + "_", 0) == 0);
    CHECK(field(deb, "Package") == "pgfo");
    CHECK(field(deb, "Version") == PGFO_VERSION);
    CHECK(field(deb, "Section") == "admin");
    CHECK_FALSE(field(deb, "Maintainer").empty());
    const std::string description = field(deb, "Description");
    INFO("Description: " << description);
    CHECK(description.rfind("PostgreSQL failover driven by keepalived\n", 0) == 0);
    for (const auto& line : lines(description)) {
        const auto first = line.find_first_not_of(' ');
        CHECK((first == std::string::npos || line[first] != ';'));  // not a CMake list joined by ';'
    }
    const std::set<std::string> depends = package_names(field(deb, "Depends"));
    INFO("Depends: " << field(deb, "Depends"));
    // libcurl is dlopened for alerts, so no NEEDED entry names it.
    for (const char* package : {"libc6", "libpq5", "libcurl4"})
        CHECK(depends.count(package) == 1);

    // Every shared library the packaged binary links comes from a package it depends on.
    const std::string root = dir / "root";
    run_checked({"dpkg-deb", "--extract", deb, root});
    for (const auto& soname : needed_libraries(root + "/usr/bin/pgfo")) {
        const std::string owner = package_owning(soname);
        INFO(soname << " comes from " << owner);
        CHECK(depends.count(owner) == 1);
    }
    const std::string recommends = field(deb, "Recommends");
    CHECK(recommends.find("keepalived") != std::string::npos);
    CHECK(recommends.find("postgresql-client") != std::string::npos);
}

TEST_CASE("the .deb unpacked into a clean root holds the binary, man page, completion and examples, and runs")
{
    TestDir dir;
    const std::string deb = build_package(dir);
    const std::string root = dir / "root";
    fs::create_directories(root);
    run_checked({"dpkg-deb", "--extract", deb, root});

    const std::string contents = run_checked({"dpkg-deb", "--contents", deb});
    INFO(contents);
    for (const char* path : {"./usr/bin/pgfo", "./usr/share/man/man1/pgfo.1.gz",
                             "./usr/share/bash-completion/completions/pgfo", "./usr/share/doc/pgfo/pgfo.conf"}) {
        INFO(path);
        CHECK(contents.find(std::string(" ") + path + "\n") != std::string::npos);
    }
    for (const auto& line : lines(contents)) {
        INFO(line);
        CHECK(line.find(" ./usr/") != std::string::npos);  // nothing outside /usr, no /etc conffile
    }

    struct stat binary {};
    REQUIRE(::stat((root + "/usr/bin/pgfo").c_str(), &binary) == 0);
    CHECK((binary.st_mode & 0777) == 0755);
    const auto version = run({root + "/usr/bin/pgfo", "--version"});
    CHECK(version.succeeded());
    CHECK(version.out == std::string("pgfo ") + PGFO_VERSION + "\n");

    // The packaged man page is the checked-in one, gzipped.
    const auto man = run({"gzip", "-dc", root + "/usr/share/man/man1/pgfo.1.gz"});
    REQUIRE(man.succeeded());
    std::ifstream source(std::string(PGFO_SOURCE_DIR) + "/man/pgfo.1");
    std::stringstream source_text;
    source_text << source.rdbuf();
    CHECK(man.out == source_text.str());

    // The packaged completion loads in bash and registers for pgfo.
    const auto completion = run({"/bin/bash", "--norc", "--noprofile", "-c",
                                 "source " + root + "/usr/share/bash-completion/completions/pgfo && complete -p pgfo"});
    CHECK(completion.succeeded());
    CHECK(completion.out.find(" pgfo\n") != std::string::npos);
}

TEST_CASE("dpkg installs the .deb into a clean root, where pgfo runs, and removes it")
{
    TestDir dir;
    const std::string deb = build_package(dir);
    const std::string root = dir / "root";
    fs::create_directories(root + "/var/lib/dpkg/info");
    fs::create_directories(root + "/var/lib/dpkg/updates");
    std::ofstream(root + "/var/lib/dpkg/status").close();
    const bool installed_before = run({"dpkg-query", "-W", "pgfo"}).succeeded();

    // The clean root has none of the Depends (they are this system's libraries): dpkg must
    // name them and install anyway when told to.
    const auto install = run({"dpkg", "--root=" + root, "--log=/dev/null", "--force-depends", "--install", deb});
    INFO(install.out << install.err);
    REQUIRE(install.succeeded());
    CHECK(install.err.find("pgfo depends on libpq5") != std::string::npos);
    CHECK(run_checked({"dpkg-query", "--root=" + root, "-W", "-f", "${db:Status-Abbrev}${Version}", "pgfo"}) ==
          std::string("ii ") + PGFO_VERSION);
    const auto files = lines(run_checked({"dpkg", "--root=" + root, "--listfiles", "pgfo"}));
    CHECK(std::find(files.begin(), files.end(), "/usr/bin/pgfo") != files.end());
    CHECK(std::find(files.begin(), files.end(), "/usr/share/man/man1/pgfo.1.gz") != files.end());

    const auto version = run({root + "/usr/bin/pgfo", "--version"});
    CHECK(version.succeeded());
    CHECK(version.out == std::string("pgfo ") + PGFO_VERSION + "\n");

    const auto remove = run({"dpkg", "--root=" + root, "--log=/dev/null", "--remove", "pgfo"});
    INFO(remove.out << remove.err);
    CHECK(remove.succeeded());
    CHECK_FALSE(fs::exists(root + "/usr/bin/pgfo"));
    CHECK_FALSE(fs::exists(root + "/usr/share/man/man1/pgfo.1.gz"));
    // The machine's own package database never saw it.
    CHECK(run({"dpkg-query", "-W", "pgfo"}).succeeded() == installed_before);
}

TEST_CASE("apt resolves the .deb's Depends on this system (simulated install, nothing installed)")
{
    TestDir dir;
    const std::string deb = build_package(dir);
    const bool installed_before = run({"dpkg-query", "-W", "pgfo"}).succeeded();
    const auto simulated =
        run({"apt-get", "install", "--simulate", "--no-install-recommends", "-o", "Debug::NoLocking=1", deb});
    INFO(simulated.out << simulated.err);
    CHECK(simulated.succeeded());
    bool installs_pgfo = false;
    bool configures_pgfo = false;
    for (const auto& line : lines(simulated.out)) {
        installs_pgfo = installs_pgfo || line.rfind("Inst pgfo ", 0) == 0;
        configures_pgfo = configures_pgfo || line.rfind("Conf pgfo ", 0) == 0;
    }
    if (!installed_before) {
        CHECK(installs_pgfo);
        CHECK(configures_pgfo);
    }
    CHECK(run({"dpkg-query", "-W", "pgfo"}).succeeded() == installed_before);
}
