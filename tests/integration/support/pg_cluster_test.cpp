#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <pwd.h>

#include "pg/connection.hpp"
#include "support/pg_cluster.hpp"
#include "support/test_dir.hpp"

using namespace pgfo;
using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

uid_t owner_of(const std::string& path)
{
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_uid;
}

bool can_connect(const std::string& conninfo)
{
    return pg::Connection::open(conninfo, 2s).ok();
}

} // namespace

TEST_CASE("a primary cluster starts, answers SQL and stops")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    CHECK_FALSE(primary.is_running());
    primary.start();
    CHECK(primary.is_running());
    CHECK(primary.address() == "127.0.0.1:" + std::to_string(primary.port()));
    CHECK(primary.conninfo() ==
          "host=127.0.0.1 port=" + std::to_string(primary.port()) + " user=postgres dbname=postgres");

    auto rows = primary.exec("SELECT 1 AS a, NULL AS b, 'x y' AS c UNION ALL SELECT 2, 'z', '' ORDER BY 1");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == std::vector<std::string>{"1", "", "x y"});
    CHECK(rows[1] == std::vector<std::string>{"2", "z", ""});
    CHECK(primary.scalar("SELECT current_user") == "postgres");
    CHECK(primary.scalar("SHOW port") == std::to_string(primary.port()));
    CHECK(primary.scalar("SHOW listen_addresses") == "127.0.0.1");
    CHECK(primary.scalar("SHOW unix_socket_directories") == primary.socket_dir());
    CHECK(primary.scalar("SHOW wal_level") == "replica");
    CHECK(primary.scalar("SHOW fsync") == "off");
    CHECK(primary.scalar("SELECT pg_is_in_recovery()") == "f");
    CHECK(std::filesystem::exists(primary.socket_dir() + "/.s.PGSQL." + std::to_string(primary.port())));
    CHECK_THROWS(primary.exec("SELECT * FROM no_such_table"));

    primary.stop();
    CHECK_FALSE(primary.is_running());
    CHECK_FALSE(can_connect(primary.conninfo()));
    primary.start();
    CHECK(primary.scalar("SELECT 40 + 2") == "42");
    primary.stop(StopMode::immediate);
    CHECK_FALSE(primary.is_running());
}

TEST_CASE("cluster files belong to postgres and the replicator role exists")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    passwd* postgres = ::getpwnam("postgres");
    REQUIRE(postgres);
    CHECK(owner_of(primary.dir()) == postgres->pw_uid);
    CHECK(owner_of(primary.data_dir()) == postgres->pw_uid);
    CHECK(owner_of(primary.log_file()) == postgres->pw_uid);
    CHECK(primary.scalar("SELECT rolreplication AND rolcanlogin FROM pg_roles WHERE rolname = 'replicator'") == "t");
    CHECK(primary.scalar("SELECT count(*) FROM pg_hba_file_rules WHERE database = '{replication}'") == "2");
}

TEST_CASE("cluster options control checksums, wal_log_hints, fsync and extra settings")
{
    TestDir dir;
    PgCluster plain(dir / "plain");
    plain.start();
    CHECK(plain.scalar("SHOW data_checksums") == "off");
    CHECK(plain.scalar("SHOW wal_log_hints") == "off");

    ClusterOptions options;
    options.data_checksums = true;
    options.wal_log_hints = true;
    options.fsync = true;
    options.settings = {"work_mem = '7MB'"};
    PgCluster tuned(dir / "tuned", options);
    tuned.start();
    CHECK(tuned.scalar("SHOW data_checksums") == "on");
    CHECK(tuned.scalar("SHOW wal_log_hints") == "on");
    CHECK(tuned.scalar("SHOW fsync") == "on");
    CHECK(tuned.scalar("SHOW work_mem") == "7MB");
    CHECK(plain.port() != tuned.port());
}

TEST_CASE("append_conf and reload change a setting")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    CHECK(primary.scalar("SHOW work_mem") == "4MB");
    primary.append_conf("work_mem = '9MB'");
    primary.reload();
    primary.wait_until("SELECT current_setting('work_mem') = '9MB'", 10s);
    CHECK(primary.scalar("SHOW work_mem") == "9MB");
}

TEST_CASE("a standby streams from its primary under its application_name")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    auto standby = PgCluster::make_standby_of(primary, dir / "standby", "node-b");
    CHECK(standby.is_running());
    CHECK(standby.port() != primary.port());
    CHECK(standby.scalar("SHOW port") == std::to_string(standby.port()));
    CHECK(standby.scalar("SHOW unix_socket_directories") == standby.socket_dir());
    CHECK(standby.scalar("SELECT pg_is_in_recovery()") == "t");
    CHECK(standby.scalar("SELECT status FROM pg_stat_wal_receiver") == "streaming");
    CHECK(std::filesystem::exists(standby.data_dir() + "/standby.signal"));
    primary.wait_until("SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = 'node-b' "
                       "AND state = 'streaming')");

    primary.exec("CREATE TABLE t AS SELECT 7 AS v");
    standby.wait_for_replay_of(primary);
    CHECK(standby.scalar("SELECT v FROM t") == "7");
}

TEST_CASE("wait_until gives up after its timeout with the last result")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    auto started = std::chrono::steady_clock::now();
    try {
        primary.wait_until("SELECT false", 300ms);
        FAIL("wait_until returned for a condition that never holds");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()).find("SELECT false") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - started < 10s);
}

TEST_CASE("destroying a cluster stops its server")
{
    TestDir dir;
    std::string conninfo;
    int pid = 0;
    {
        PgCluster primary(dir / "primary");
        primary.start();
        conninfo = primary.conninfo();
        pid = primary.postmaster_pid();
        REQUIRE(pid > 0);
        CHECK(process_alive(pid));
        CHECK(can_connect(conninfo));
    }
    CHECK_FALSE(process_alive(pid));
    CHECK_FALSE(can_connect(conninfo));
}

TEST_CASE("a moved cluster is stopped once, by its new owner")
{
    TestDir dir;
    std::string conninfo;
    {
        PgCluster first(dir / "primary");
        first.start();
        conninfo = first.conninfo();
        PgCluster second(std::move(first));
        CHECK(second.is_running());
        CHECK(can_connect(conninfo));
    }
    CHECK_FALSE(can_connect(conninfo));
}

TEST_CASE("servers left running at process exit are shut down")
{
    TestDir dir;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        int pid = 0;
        try {
            auto* leaked = new PgCluster(dir / "leaked"); // never destroyed
            leaked->start();
            pid = leaked->postmaster_pid();
        } catch (...) {
        }
        (void)!::write(fds[1], &pid, sizeof pid);
        std::exit(0);
    }
    ::close(fds[1]);
    int pid = 0;
    REQUIRE(::read(fds[0], &pid, sizeof pid) == sizeof pid);
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(pid > 0);
    CHECK_FALSE(process_alive(pid));
}
