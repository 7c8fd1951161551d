#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <set>

#include "support/test_dir.hpp"
#include "util/files.hpp"

using namespace pgfo::util;

namespace {

std::set<std::string> entries(const std::string& dir)
{
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        names.insert(entry.path().filename().string());
    return names;
}

mode_t mode_of(const std::string& path)
{
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// Runs BODY in a forked child and returns its exit code (or -1 when it did not exit).
int in_child(const std::function<int()>& body)
{
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(body());
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

TEST_CASE("write_file_atomic replaces the content and leaves no temp file")
{
    pgfo::test::TestDir dir;
    const std::string path = dir.write("file", "old content that is longer");
    auto written = write_file_atomic(path, "new");
    REQUIRE(written.ok());
    CHECK(read_file(path).value() == "new");
    CHECK(entries(dir.path()) == std::set<std::string>{"file"});

    const std::string fresh = dir / "fresh";
    REQUIRE(write_file_atomic(fresh, "").ok());
    CHECK(path_exists(fresh));
    CHECK(read_file(fresh).value().empty());
}

TEST_CASE("write_file_atomic applies the mode whatever the umask")
{
    pgfo::test::TestDir dir;
    const mode_t old_umask = ::umask(077);
    auto shared = write_file_atomic(dir / "shared", "x", 0644);
    auto secret = write_file_atomic(dir / "secret", "x", 0600);
    ::umask(old_umask);
    REQUIRE(shared.ok());
    REQUIRE(secret.ok());
    CHECK(mode_of(dir / "shared") == 0644);
    CHECK(mode_of(dir / "secret") == 0600);

    REQUIRE(write_file_atomic(dir / "secret", "y", 0640).ok());
    CHECK(mode_of(dir / "secret") == 0640);
}

TEST_CASE("a write into a missing directory fails naming the path")
{
    pgfo::test::TestDir dir;
    const std::string path = dir / "missing/file";
    auto written = write_file_atomic(path, "x");
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().kind == pgfo::ErrorKind::failed);
    CHECK(written.error().message == "could not write " + path + ": No such file or directory");
}

TEST_CASE("a write that fails at rename leaves the target and no temp file")
{
    pgfo::test::TestDir dir;
    const std::string target = dir / "target";
    REQUIRE(::mkdir(target.c_str(), 0755) == 0);
    dir.write("target/inside", "kept");
    auto written = write_file_atomic(target, "x");
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().message.find("could not write " + target + ": ") == 0);
    CHECK(entries(dir.path()) == std::set<std::string>{"target"});
    CHECK(read_file(target + "/inside").value() == "kept");
}

TEST_CASE("a write that fails midway leaves the old file intact and no temp file")
{
    pgfo::test::TestDir dir;
    const std::string path = dir.write("file", "old");
    const int code = in_child([&] {
        struct rlimit limit {
            16, 16
        };
        ::signal(SIGXFSZ, SIG_IGN);
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
            return 3;
        auto written = write_file_atomic(path, std::string(1000, 'n'));
        if (written.ok())
            return 1;
        return written.error().message == "could not write " + path + ": File too large" ? 0 : 2;
    });
    CHECK(code == 0);
    CHECK(read_file(path).value() == "old");
    CHECK(entries(dir.path()) == std::set<std::string>{"file"});
}

TEST_CASE("a write into a directory that is not writable fails and keeps the old file")
{
    pgfo::test::TestDir dir;
    const std::string path = dir.write("file", "old");
    const int code = in_child([&] {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0)
            return 3;
        auto written = write_file_atomic(path, "new");
        if (written.ok())
            return 1;
        return written.error().message == "could not write " + path + ": Permission denied" ? 0 : 2;
    });
    CHECK(code == 0);
    CHECK(read_file(path).value() == "old");
    CHECK(entries(dir.path()) == std::set<std::string>{"file"});
}

TEST_CASE("read_file reads everything or names the path it could not read")
{
    pgfo::test::TestDir dir;
    const std::string big(200000, 'b');
    CHECK(read_file(dir.write("big", big)).value() == big);

    auto missing = read_file(dir / "missing");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "could not read " + dir / "missing" + ": No such file or directory");
}

TEST_CASE("path_exists")
{
    pgfo::test::TestDir dir;
    CHECK(path_exists(dir.path()));
    CHECK(path_exists(dir.write("file", "")));
    CHECK_FALSE(path_exists(dir / "missing"));
}

TEST_CASE("make_dirs creates every missing level with the mode")
{
    pgfo::test::TestDir dir;
    const std::string deep = dir / "a/b/c";
    const mode_t old_umask = ::umask(022);
    auto made = make_dirs(deep, 0770);
    ::umask(old_umask);
    REQUIRE(made.ok());
    CHECK(mode_of(dir / "a") == 0770);
    CHECK(mode_of(deep) == 0770);
    CHECK(mode_of(dir.path()) == 0755);

    CHECK(make_dirs(deep, 0700).ok());
    CHECK(mode_of(deep) == 0770);
    CHECK(make_dirs(deep + "/", 0700).ok());

    const std::string file = dir.write("file", "");
    auto blocked = make_dirs(file + "/sub");
    REQUIRE_FALSE(blocked.ok());
    CHECK(blocked.error().message == "could not create directory " + file + "/sub: " + file + " is not a directory");

    auto over_file = make_dirs(file);
    REQUIRE_FALSE(over_file.ok());
    CHECK(over_file.error().message == "could not create directory " + file + ": " + file + " is not a directory");

    auto denied = make_dirs("/proc/pgfo-test/sub");
    REQUIRE_FALSE(denied.ok());
    CHECK(denied.error().message.find("could not create directory /proc/pgfo-test: ") == 0);
}

TEST_CASE("parent_dir is the directory holding a path, trailing slashes aside")
{
    CHECK(pgfo::util::parent_dir("/var/lib/postgresql/15/main") == "/var/lib/postgresql/15");
    CHECK(pgfo::util::parent_dir("/var/lib/postgresql/15/main/") == "/var/lib/postgresql/15");
    CHECK(pgfo::util::parent_dir("/data") == "/");
    CHECK(pgfo::util::parent_dir("/") == "/");
    CHECK(pgfo::util::parent_dir("primary.yaml") == ".");
    CHECK(pgfo::util::parent_dir("compose/primary.yaml") == "compose");
}
