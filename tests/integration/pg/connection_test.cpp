#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include "pg/connection.hpp"
#include "pg/conninfo.hpp"
#include "support/pg_cluster.hpp"
#include "support/shell.hpp"
#include "support/silent_listener.hpp"
#include "support/test_dir.hpp"

using namespace pgfo;
using namespace pgfo::pg;
using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

Connection connect(const PgCluster& cluster, const std::string& extra = "")
{
    auto conn = Connection::open(cluster.conninfo() + " " + extra, 10s);
    INFO((conn.ok() ? "" : conn.error().message));
    REQUIRE(conn.ok());
    return std::move(conn).value();
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("connection runs queries and returns typed rows, NULLs and parameters")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = connect(cluster);
    CHECK(conn.is_open());

    {  // rows and columns
        auto result = conn.query("SELECT g AS n, 'row ' || g AS label, g % 2 = 0 AS even "
                                 "FROM generate_series(1, 3) g ORDER BY g",
                                 5s);
        REQUIRE(result.ok());
        CHECK(result->columns == std::vector<std::string>{"n", "label", "even"});
        REQUIRE(result->rows.size() == 3);
        CHECK(result->rows[0][0] == "1");
        CHECK(result->rows[1][1] == "row 2");
        CHECK(result->rows[1][2] == "t");
        CHECK(result->rows[2][2] == "f");
        CHECK(result->get(2, "label") == "row 3");
        CHECK_FALSE(result->get(0, "nope"));
        CHECK_FALSE(result->get(3, "n"));
        CHECK_FALSE(result->empty());
    }
    {  // NULLs are nullopt, empty strings are not
        auto result = conn.query("SELECT NULL::int AS missing, ''::text AS blank, 0 AS zero", 5s);
        REQUIRE(result.ok());
        REQUIRE(result->rows.size() == 1);
        CHECK_FALSE(result->rows[0][0].has_value());
        CHECK_FALSE(result->get(0, "missing"));
        CHECK(result->get(0, "blank") == "");
        CHECK(result->get(0, "zero") == "0");
    }
    {  // parameters are passed as text, never interpolated
        auto result = conn.query("SELECT $1::int + $2::int AS sum, $3::text AS quoted, length($3) AS len",
                                 {"2", "40", "it's; --"}, 5s);
        REQUIRE(result.ok());
        CHECK(result->get(0, "sum") == "42");
        CHECK(result->get(0, "quoted") == "it's; --");
        CHECK(result->get(0, "len") == "8");
    }
    {  // statements without rows return an empty result
        auto result = conn.query("SET work_mem = '8MB'", 5s);
        REQUIRE(result.ok());
        CHECK(result->empty());
        CHECK(conn.query("SHOW work_mem", 5s)->get(0, "work_mem") == "8MB");
        auto none = conn.query("SELECT 1 AS x WHERE false", 5s);
        REQUIRE(none.ok());
        CHECK(none->columns == std::vector<std::string>{"x"});
        CHECK(none->empty());
    }
    {  // sessions pin search_path to pg_catalog
        CHECK(conn.query("SHOW search_path", 5s)->get(0, "search_path") == "pg_catalog");
    }
    {  // server address and version
        CHECK(conn.server_address() == cluster.address());
        CHECK(conn.server_version() >= 150000);
        CHECK(conn.server_version() < 160000);
    }
}

TEST_CASE("an SQL error fails with the server's message and SQLSTATE and keeps the connection")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = connect(cluster);

    auto missing = conn.query("SELECT * FROM public.no_such_table", 5s);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::failed);
    CHECK(missing.error().message == "relation \"public.no_such_table\" does not exist (SQLSTATE 42P01)");

    auto division = conn.query("SELECT 1 / $1::int", {"0"}, 5s);
    REQUIRE_FALSE(division.ok());
    CHECK(division.error().message.find("22012") != std::string::npos);

    auto syntax = conn.query("SELEC 1", 5s);
    REQUIRE_FALSE(syntax.ok());
    CHECK(syntax.error().message.find("42601") != std::string::npos);

    CHECK(conn.is_open());
    CHECK(conn.query("SELECT 1 AS one", 5s)->get(0, "one") == "1");
}

TEST_CASE("an overrunning query times out, is cancelled on the server, and the connection stays usable")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = connect(cluster);
    auto pid = conn.query("SELECT pg_backend_pid() AS pid", 5s)->get(0, "pid").value();

    auto started = std::chrono::steady_clock::now();
    auto result = conn.query("SELECT pg_sleep(10)", 300ms);
    auto elapsed = seconds_since(started);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::timeout);
    CHECK(result.error().message == "query timed out after 300ms and was cancelled");
    CHECK(elapsed >= 0.3);
    CHECK(elapsed < 5);

    // Seen from another session, the backend is no longer running pg_sleep.
    CHECK(cluster.scalar("SELECT state || ':' || query FROM pg_stat_activity WHERE pid = " + pid) ==
          "idle:SELECT pg_sleep(10)");
    CHECK(cluster.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(10)%' "
                         "AND state = 'active' AND pid <> pg_backend_pid()") == "0");

    CHECK(conn.is_open());
    CHECK(conn.query("SELECT pg_backend_pid() AS pid", 5s)->get(0, "pid") == pid);
}

TEST_CASE("a cancel request that goes unanswered cannot stall the caller")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = connect(cluster);
    // A stopped postmaster accepts the cancel connection in the kernel but never answers it.
    struct Frozen {
        int pid;
        explicit Frozen(int p) : pid(p) { ::kill(pid, SIGSTOP); }
        ~Frozen() { ::kill(pid, SIGCONT); }
    };
    int postmaster = cluster.postmaster_pid();
    REQUIRE(postmaster > 0);
    {
        Frozen frozen(postmaster);
        auto started = std::chrono::steady_clock::now();
        auto result = conn.query("SELECT pg_sleep(10)", 300ms);
        auto elapsed = seconds_since(started);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().kind == ErrorKind::timeout);
        CHECK(result.error().message ==
              "query timed out after 300ms; it could not be cancelled, so the connection was closed");
        CHECK(elapsed < 5);
        CHECK_FALSE(conn.is_open());
    }
    CHECK(cluster.scalar("SELECT 1") == "1");
}

TEST_CASE("connecting to a closed port fails quickly with libpq's reason")
{
    int port = free_port();
    auto started = std::chrono::steady_clock::now();
    auto conn = Connection::open("host=127.0.0.1 port=" + std::to_string(port) + " user=postgres password=s3cret", 5s);
    REQUIRE_FALSE(conn.ok());
    CHECK(conn.error().kind == ErrorKind::failed);
    CHECK(conn.error().message.find("Connection refused") != std::string::npos);
    CHECK(conn.error().message.find(std::to_string(port)) != std::string::npos);
    CHECK(conn.error().message.find('\n') == std::string::npos);
    CHECK(conn.error().message.find("s3cret") == std::string::npos);
    CHECK(seconds_since(started) < 4);
}

TEST_CASE("connecting to a server that never answers times out at the deadline")
{
    SilentListener listener;
    auto started = std::chrono::steady_clock::now();
    // connect_timeout would allow 10 s; the deadline of open() must win.
    auto conn = Connection::open("host=127.0.0.1 port=" + std::to_string(listener.port()) +
                                     " user=postgres password=s3cret connect_timeout=10",
                                 500ms);
    auto elapsed = seconds_since(started);
    REQUIRE_FALSE(conn.ok());
    CHECK(conn.error().kind == ErrorKind::timeout);
    CHECK(conn.error().message ==
          "could not connect to 127.0.0.1:" + std::to_string(listener.port()) + " within 500ms");
    CHECK(elapsed >= 0.5);
    CHECK(elapsed < 5);
}

TEST_CASE("malformed conninfo is a config error that does not show the password")
{
    auto conn = Connection::open("host=127.0.0.1 password=s3cret part2 user=postgres", 1s);
    REQUIRE_FALSE(conn.ok());
    CHECK(conn.error().kind == ErrorKind::config);
    CHECK(conn.error().message.find("missing \"=\"") != std::string::npos);
    CHECK(conn.error().message.find("s3cret") == std::string::npos);
    CHECK(conn.error().message.find("part2") == std::string::npos);
    CHECK(conn.error().message.find('\n') == std::string::npos);
}

TEST_CASE("pgfo connections show application_name pgfo unless one is given")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    const std::string sql = "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()";

    auto conninfo = client_conninfo(cluster.conninfo(), 2s);
    REQUIRE(conninfo.ok());
    auto conn = Connection::open(*conninfo, 2s);
    REQUIRE(conn.ok());
    CHECK(conn->query(sql, 5s)->get(0, "application_name") == "pgfo");

    auto bare = Connection::open(cluster.conninfo(), 2s);
    REQUIRE(bare.ok());
    CHECK(bare->query(sql, 5s)->get(0, "application_name") == "pgfo");

    auto named = Connection::open(client_conninfo(cluster.conninfo() + " application_name=pg-01", 2s).value(), 2s);
    REQUIRE(named.ok());
    CHECK(named->query(sql, 5s)->get(0, "application_name") == "pg-01");

    auto redirected = client_conninfo("host=127.0.0.1 port=1 user=postgres dbname=postgres", 2s, cluster.address());
    REQUIRE(redirected.ok());
    auto via_address = Connection::open(*redirected, 2s);
    REQUIRE(via_address.ok());
    CHECK(via_address->server_address() == cluster.address());
}

TEST_CASE("a connection whose backend was terminated fails and closes")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = connect(cluster);
    auto pid = conn.query("SELECT pg_backend_pid() AS pid", 5s)->get(0, "pid").value();
    CHECK(cluster.scalar("SELECT pg_terminate_backend(" + pid + ", 5000)") == "t");

    auto result = conn.query("SELECT 1", 5s);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::failed);
    CHECK_FALSE(result.error().message.empty());
    CHECK_FALSE(conn.is_open());

    auto again = conn.query("SELECT 1", 5s);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message == "connection is closed");
}

TEST_CASE("a stopped server makes queries fail instead of hang")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = connect(cluster);
    cluster.stop(StopMode::immediate);
    auto started = std::chrono::steady_clock::now();
    auto result = conn.query("SELECT 1", 2s);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::failed);
    CHECK(seconds_since(started) < 5);
}

TEST_CASE("moving a connection transfers it")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto first = connect(cluster);
    Connection second(std::move(first));
    CHECK_FALSE(first.is_open());  // NOLINT(bugprone-use-after-move)
    CHECK(second.is_open());
    CHECK(second.query("SELECT 1 AS one", 5s)->get(0, "one") == "1");
    Connection third;
    CHECK_FALSE(third.is_open());
    third = std::move(second);
    CHECK(third.query("SELECT 2 AS two", 5s)->get(0, "two") == "2");
    third.close();
    CHECK_FALSE(third.is_open());
}

TEST_CASE("SessionSetup::startup pins search_path in the startup packet and keeps the user's options")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = Connection::open(cluster.conninfo() + " options='-c work_mem=9MB'", 10s, SessionSetup::startup);
    INFO((conn.ok() ? "" : conn.error().message));
    REQUIRE(conn.ok());
    CHECK(conn->query("SHOW search_path", 5s)->get(0, "search_path") == "pg_catalog");
    CHECK(conn->query("SHOW work_mem", 5s)->get(0, "work_mem") == "9MB");
    // Set at startup, it is the session's default: RESET keeps it.
    REQUIRE(conn->query("RESET search_path", 5s).ok());
    CHECK(conn->query("SHOW search_path", 5s)->get(0, "search_path") == "pg_catalog");
    CHECK(conn->parameter_status("in_hot_standby") == std::optional<std::string>("off"));
    CHECK(conn->parameter_status("server_version").value_or("").rfind("15.", 0) == 0);
    CHECK_FALSE(conn->parameter_status("no_such_parameter"));

    auto standby = PgCluster::make_standby_of(cluster, dir / "standby");
    auto on_standby = Connection::open(standby.conninfo(), 10s, SessionSetup::startup);
    REQUIRE(on_standby.ok());
    CHECK(on_standby->parameter_status("in_hot_standby") == std::optional<std::string>("on"));

    auto query_setup = Connection::open(cluster.conninfo(), 10s);
    REQUIRE(query_setup.ok());
    REQUIRE(query_setup->query("RESET search_path", 5s).ok());
    CHECK(query_setup->query("SHOW search_path", 5s)->get(0, "search_path") != "pg_catalog");
}

TEST_CASE("abandon_on_timeout closes an overrunning query's connection instead of cancelling it")
{
    TestDir dir;
    PgCluster cluster(dir / "pg");
    cluster.start();
    auto conn = connect(cluster);
    conn.abandon_on_timeout();
    auto slept = conn.query("SELECT pg_sleep(5)", 200ms);
    REQUIRE_FALSE(slept.ok());
    CHECK(slept.error().kind == ErrorKind::timeout);
    CHECK(slept.error().message == "query timed out after 200ms; the connection was closed");
    CHECK_FALSE(conn.is_open());
    // The server ends that backend on its own once it notices the client is gone.
    cluster.wait_until("SELECT count(*) = 0 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)'", 30s);
}
