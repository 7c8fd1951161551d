#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "scoped_env.hpp"
#include "test_dir.hpp"
#include "util/config.hpp"

using namespace pgfo;
using namespace std::chrono_literals;
using pgfo::test::TestDir;

namespace {

// Lines 1-3; every malformed case below starts with it unless it tests [postgres] itself.
const std::string k_base = "[postgres]\ndata_dir = \"/d\"\nbin_dir = \"/b\"\n";

std::string all_messages(const LoadedConfig& loaded)
{
    std::string out;
    for (const auto& problem : loaded.problems)
        out += problem.to_string() + "\n";
    return out;
}

std::string hostname()
{
    char buffer[256] = {};
    ::gethostname(buffer, sizeof buffer - 1);
    return buffer;
}

std::string read_text(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("a full config sets every key with its type")
{
    const std::string text = R"(# every key, none at its default
[node]
name = "pg-07"
peers = ["10.0.0.12:5433", "db2", "[fe80::1]:6432", "fe80::2"]
state_dir = "/srv/pgfo/state"
vip = "10.0.0.100"

[postgres]
runtime = "compose"
data_dir = "/srv/pg/data"
bin_dir = "/opt/pg/bin"
os_user = "pgadmin"
conninfo = "host=/run/pg port=5433"
replication_conninfo = "user=repl sslmode=require"
start_options = "-c shared_buffers=1GB"

[failover]
resync = "basebackup"
keep_old_data = false
max_lag = "32MB"
split_brain_guard = false
witness = "10.0.0.1:22"
synchronous = "strict"

[timeouts]
connect = "500ms"
promote = "45s"
stop = "2m"
start = "90s"
resync = "2h"
lock = "1m"

[check]
track_file = "/run/pgfo/weight"

[compose]
command = "docker-compose"
primary_file = "/opt/c/primary.yaml"
standby_file = "/opt/c/standby.yaml"
service = "db"
project = "pgha"
project_directory = "/opt/c"
tools = "host"
recreate_after_promote = false

[systemd]
unit = "postgresql@16-main"

[telegram]
token_file = "/etc/pgfo/tg.token"
chat_id = -1001234567890
api_url = "http://127.0.0.1:8081"
thread_id = 42
silent = true
timeout = "3s"

[webhook]
url = "https://hooks.example.com/x"
header = ["Authorization: Bearer abc", "X-Env: prod"]
timeout = "4s"

[log]
file = "/srv/log/pgfo.log"
level = "debug"
)";
    const LoadedConfig loaded = parse_config(text, "/etc/pgfo/pgfo.conf");
    INFO(all_messages(loaded));
    REQUIRE(loaded.problems.empty());
    const Config& c = loaded.config;
    CHECK(c.path == "/etc/pgfo/pgfo.conf");

    CHECK(c.node.name == "pg-07");
    CHECK(c.node.peers == std::vector<std::string>{"10.0.0.12:5433", "db2", "[fe80::1]:6432", "fe80::2"});
    CHECK(c.node.state_dir == "/srv/pgfo/state");
    CHECK(c.node.vip == "10.0.0.100");

    CHECK(c.postgres.runtime == RuntimeKind::compose);
    CHECK(c.postgres.data_dir == "/srv/pg/data");
    CHECK(c.postgres.bin_dir == "/opt/pg/bin");
    CHECK(c.postgres.os_user == "pgadmin");
    CHECK(c.postgres.conninfo == "host=/run/pg port=5433");
    CHECK(c.postgres.replication_conninfo == "user=repl sslmode=require");
    CHECK(c.postgres.start_options == "-c shared_buffers=1GB");

    CHECK(c.failover.resync == ResyncMode::basebackup);
    CHECK(c.failover.keep_old_data == false);
    CHECK(c.failover.max_lag == 32ull * 1024 * 1024);
    CHECK(c.failover.split_brain_guard == false);
    CHECK(c.failover.witness == "10.0.0.1:22");
    CHECK(c.failover.synchronous == SyncMode::strict);

    CHECK(c.timeouts.connect == 500ms);
    CHECK(c.timeouts.promote == 45s);
    CHECK(c.timeouts.stop == 2min);
    CHECK(c.timeouts.start == 90s);
    CHECK(c.timeouts.resync == 2h);
    CHECK(c.timeouts.lock == 1min);

    CHECK(c.check.track_file == "/run/pgfo/weight");

    CHECK(c.compose.command == "docker-compose");
    CHECK(c.compose.primary_file == "/opt/c/primary.yaml");
    CHECK(c.compose.standby_file == "/opt/c/standby.yaml");
    CHECK(c.compose.service == "db");
    CHECK(c.compose.project == "pgha");
    CHECK(c.compose.project_directory == "/opt/c");
    CHECK(c.compose.tools == "host");
    CHECK(c.compose.recreate_after_promote == false);

    CHECK(c.systemd.unit == "postgresql@16-main");

    CHECK(c.telegram.token_file == "/etc/pgfo/tg.token");
    CHECK(c.telegram.token.empty());
    CHECK(c.telegram.chat_id == "-1001234567890");
    CHECK(c.telegram.api_url == "http://127.0.0.1:8081");
    CHECK(c.telegram.thread_id == "42");
    CHECK(c.telegram.silent == true);
    CHECK(c.telegram.timeout == 3s);
    CHECK(c.telegram.enabled());

    CHECK(c.webhook.url == "https://hooks.example.com/x");
    CHECK(c.webhook.headers == std::vector<std::string>{"Authorization: Bearer abc", "X-Env: prod"});
    CHECK(c.webhook.timeout == 4s);
    CHECK(c.webhook.enabled());

    CHECK(c.log.file == "/srv/log/pgfo.log");
    CHECK(c.log.level == "debug");
}

TEST_CASE("absent keys keep their defaults and node.name defaults to the hostname")
{
    const LoadedConfig loaded = parse_config(k_base, "f.conf");
    INFO(all_messages(loaded));
    REQUIRE(loaded.problems.empty());
    const Config& c = loaded.config;
    CHECK(c.node.name == hostname());
    CHECK_FALSE(c.node.name.empty());
    CHECK(c.node.peers.empty());
    CHECK(c.node.state_dir == "/var/lib/pgfo");
    CHECK(c.node.vip.empty());
    CHECK(c.postgres.runtime == RuntimeKind::pg_ctl);
    CHECK(c.postgres.data_dir == "/d");
    CHECK(c.postgres.bin_dir == "/b");
    CHECK(c.postgres.os_user == "postgres");
    CHECK(c.postgres.conninfo == "host=127.0.0.1 port=5432 user=postgres dbname=postgres");
    CHECK(c.postgres.replication_conninfo == "user=replicator");
    CHECK(c.postgres.start_options.empty());
    CHECK(c.failover.resync == ResyncMode::rewind);
    CHECK(c.failover.keep_old_data);
    CHECK(c.failover.max_lag == 16ull * 1024 * 1024);
    CHECK(c.failover.split_brain_guard);
    CHECK(c.failover.witness.empty());
    CHECK(c.failover.synchronous == SyncMode::off);
    CHECK(c.timeouts.connect == 2s);
    CHECK(c.timeouts.promote == 30s);
    CHECK(c.timeouts.stop == 60s);
    CHECK(c.timeouts.start == 60s);
    CHECK(c.timeouts.resync == 1h);
    CHECK(c.timeouts.lock == 5min);
    CHECK(c.check.track_file.empty());
    CHECK(c.compose.command == "docker compose");
    CHECK(c.compose.service == "postgresql");
    CHECK(c.compose.tools == "container");
    CHECK(c.compose.recreate_after_promote);
    CHECK(c.systemd.unit == "postgresql@15-main");
    CHECK_FALSE(c.telegram.enabled());
    CHECK(c.telegram.api_url == "https://api.telegram.org");
    CHECK(c.telegram.timeout == 10s);
    CHECK_FALSE(c.telegram.silent);
    CHECK_FALSE(c.webhook.enabled());
    CHECK(c.webhook.timeout == 10s);
    CHECK(c.log.file == "/var/log/pgfo/pgfo.log");
    CHECK(c.log.level == "info");
}

TEST_CASE("the example config parses without problems")
{
    const std::string path = std::string(PGFO_SOURCE_DIR) + "/examples/pgfo.conf";
    const std::string text = read_text(path);
    REQUIRE_FALSE(text.empty());
    const LoadedConfig loaded = parse_config(text, path);
    INFO(all_messages(loaded));
    CHECK(loaded.problems.empty());
    CHECK(loaded.config.postgres.data_dir == "/var/lib/postgresql/15/main");
    CHECK(loaded.config.postgres.bin_dir == "/usr/lib/postgresql/15/bin");
    CHECK(loaded.config.node.state_dir == "/var/lib/pgfo");
    CHECK(loaded.config.log.file == "/var/log/pgfo/pgfo.log");
    CHECK(loaded.config.node.peers == std::vector<std::string>{"10.0.0.12:5432"});
}

TEST_CASE("syntax: comments, escapes, CRLF, multi-line arrays, integers for ids")
{
    const std::string text = "\xEF\xBB\xBF# bom and comments\r\n"
                             "[postgres]   # trailing comment\r\n"
                             "data_dir = \"/d # not a comment\"\r\n"
                             "bin_dir=\"/b\"\r\n"
                             "start_options = \"-c a=\\\"b c\\\" \\\\ x\\ty\\nz\"  # escapes\n"
                             "[node]\n"
                             "peers = [\n"
                             "  \"a:1\",  # first\n"
                             "\n"
                             "  \"b:2\",\n"
                             "]\n"
                             "name = \"n\"\n"
                             "[telegram]\n"
                             "token_file = \"/t\"\n"
                             "chat_id = \"@channel\"\n"
                             "thread_id = \"7\"\n";
    const LoadedConfig loaded = parse_config(text, "f");
    INFO(all_messages(loaded));
    REQUIRE(loaded.problems.empty());
    CHECK(loaded.config.postgres.data_dir == "/d # not a comment");
    CHECK(loaded.config.postgres.bin_dir == "/b");
    CHECK(loaded.config.postgres.start_options == "-c a=\"b c\" \\ x\ty\nz");
    CHECK(loaded.config.node.peers == std::vector<std::string>{"a:1", "b:2"});
    CHECK(loaded.config.node.name == "n");
    CHECK(loaded.config.telegram.chat_id == "@channel");
    CHECK(loaded.config.telegram.thread_id == "7");
}

namespace {

struct BadCase {
    std::string text;
    int line;
    std::string message;  // exact, or a prefix ending in "..."
};

}  // namespace

TEST_CASE("malformed configs are reported with their exact line and message")
{
    // clang-format off
    const std::vector<BadCase> cases = {
        // sections
        {k_base + "[nod]\n", 4, "unknown section [nod]; did you mean [node]?"},
        {k_base + "[foo]\nbar = 1\n", 4, "unknown section [foo]; known sections: node, postgres, failover, timeouts, check, compose, systemd, telegram, webhook, log"},
        {k_base + "[node]\n[node]\n", 5, "duplicate section [node]; first opened on line 4"},
        {k_base + "[postgres]\n", 4, "duplicate section [postgres]; first opened on line 1"},
        {k_base + "[node\n", 4, "unterminated section header; hint: close it with ]"},
        {k_base + "[]\n", 4, "empty section name"},
        {k_base + "[a b]\n", 4, "invalid section name \"a b\"; hint: names are letters, digits, _ and -"},
        {k_base + "[[node]]\n", 4, "arrays of tables ([[...]]) are not supported"},
        {k_base + "[node] x\n", 4, "unexpected text after section header [node]"},
        // keys
        {"name = \"x\"\n" + k_base, 1, "key \"name\" is outside any section; hint: put it below a [section] header such as [node]"},
        {k_base + "[failover]\nmax_lagg = \"1MB\"\n", 5, "unknown key \"max_lagg\" in [failover]; did you mean \"max_lag\"?"},
        {k_base + "[timeouts]\nconect = \"1s\"\n", 5, "unknown key \"conect\" in [timeouts]; did you mean \"connect\"?"},
        {k_base + "[node]\ndata_dir = \"/x\"\n", 5, "unknown key \"data_dir\" in [node]; it belongs in [postgres]"},
        {k_base + "[node]\nfoo = 1\n", 5, "unknown key \"foo\" in [node]; known keys: name, peers, state_dir, vip"},
        {k_base + "[node]\nname = \"a\"\nname = \"b\"\n", 6, "duplicate key \"name\" in [node]; first set on line 5"},
        {k_base + "data_dir = \"/e\"\n", 4, "duplicate key \"data_dir\" in [postgres]; first set on line 2"},
        {k_base + "[node]\nname \"x\"\n", 5, "missing \"=\" after key \"name\""},
        {k_base + "[node]\nname\n", 5, "missing \"=\" after key \"name\""},
        {k_base + "[node]\nname: \"x\"\n", 5, "missing \"=\" after key \"name\""},
        {k_base + "[node]\n= \"x\"\n", 5, "empty key before \"=\""},
        {k_base + "[node]\n\"name\" = \"x\"\n", 5, "quoted keys are not supported; hint: write key = \"value\""},
        {k_base + "[node]\nnode.name = \"x\"\n", 5, "dotted key \"node.name\" is not supported; hint: put name below a [node] header"},
        {k_base + "[node]\nna!me = \"x\"\n", 5, "invalid key \"na!me\"; hint: keys are letters, digits, _ and -"},
        // values: syntax
        {k_base + "[node]\nname =\n", 5, "node.name: missing value"},
        {k_base + "[node]\nname = # none\n", 5, "node.name: missing value"},
        {k_base + "[node]\nname = \"pg-01\n", 5, "node.name: unterminated string; hint: close it with \" on the same line"},
        {k_base + "[node]\nname = \"a\" b\n", 5, "node.name: unexpected text after the value; hint: quote the whole value, and start comments with #"},
        {k_base + "[node]\npeers = [\"a\"] x\n", 5, "node.peers: unexpected text after the value..."},
        {k_base + "[node]\nname = \"a\\qb\"\n", 5, "node.name: invalid escape \"\\q\" in string; hint: write \\\\ for a backslash"},
        {k_base + "[node]\nname = \"a\x01\"\n", 5, "node.name: control character in string; hint: write \\n or \\t"},
        {k_base + "[node]\nname = 'x'\n", 5, "node.name: strings must be in double quotes"},
        {k_base + "[node]\nname = \"\"\"x\"\"\"\n", 5, "node.name: multi-line strings (\"\"\") are not supported"},
        {k_base + "[node]\npeers = [\"a:1\", \"b:2\"\nstate_dir = \"/s\"\n", 5, "node.peers: unterminated array; hint: close it with ]"},
        {k_base + "[node]\npeers = [\"a:1\",", 5, "node.peers: unterminated array; hint: close it with ]"},
        {k_base + "[node]\npeers = [\"a\", 5]\n", 5, "node.peers: expected a string in the array, as in [\"a\", \"b\"]"},
        {k_base + "[node]\npeers = [\"a\" \"b\"]\n", 5, "node.peers: expected \",\" or \"]\" in the array"},
        {k_base + "[failover]\nmax_lag = 99999999999999999999\n", 5, "failover.max_lag: integer out of range"},
        // values: types
        {k_base + "[node]\nname = 5\n", 5, "node.name: expected a string in double quotes"},
        {k_base + "[node]\nname = pg-01\n", 5, "node.name: expected a string in double quotes"},
        {k_base + "[node]\nname = \"\"\n", 5, "node.name: must not be empty"},
        {k_base + "[failover]\nkeep_old_data = \"yes\"\n", 5, "failover.keep_old_data: expected true or false"},
        {k_base + "[failover]\nsplit_brain_guard = 1\n", 5, "failover.split_brain_guard: expected true or false"},
        {k_base + "[timeouts]\nconnect = \"5 sec\"\n", 5, "timeouts.connect: expected a duration such as \"5s\"..."},
        {k_base + "[timeouts]\nstop = 5s\n", 5, "timeouts.stop: expected a duration such as \"5s\"..."},
        {k_base + "[timeouts]\nlock = 300\n", 5, "timeouts.lock: expected a duration such as \"5s\"..."},
        {k_base + "[timeouts]\npromote = \"0s\"\n", 5, "timeouts.promote: must be greater than 0"},
        {k_base + "[failover]\nmax_lag = \"16 MB\"\n", 5, "failover.max_lag: expected a size such as \"16MB\" or a number of bytes"},
        {k_base + "[failover]\nmax_lag = -1\n", 5, "failover.max_lag: expected a size such as \"16MB\" or a number of bytes"},
        {k_base + "runtime = \"docker\"\n", 4, "postgres.runtime: invalid value \"docker\"; expected one of: pg_ctl, compose, systemd"},
        {k_base + "[failover]\nresync = \"rsync\"\n", 5, "failover.resync: invalid value \"rsync\"; expected one of: rewind, basebackup"},
        {k_base + "[failover]\nsynchronous = true\n", 5, "failover.synchronous: expected a string, one of: off, on, strict"},
        {k_base + "[log]\nlevel = \"verbose\"\n", 5, "log.level: invalid value \"verbose\"; expected one of: debug, info, warn, error"},
        {k_base + "[compose]\ntools = \"both\"\n", 5, "compose.tools: invalid value \"both\"; expected one of: container, host"},
        {k_base + "[node]\nstate_dir = \"var/lib/pgfo\"\n", 5, "node.state_dir: expected an absolute path, got \"var/lib/pgfo\""},
        {"[postgres]\ndata_dir = \"\"\nbin_dir = \"/b\"\n", 2, "postgres.data_dir: must not be empty"},
        {k_base + "os_user = \"\"\n", 4, "postgres.os_user: must not be empty"},
        {k_base + "[log]\nfile = \"pgfo.log\"\n", 5, "log.file: expected an absolute path, got \"pgfo.log\""},
        // addresses and lists
        {k_base + "[node]\npeers = [\"a:99999\"]\n", 5, "node.peers: invalid address \"a:99999\"; expected host[:port] with a port from 1 to 65535"},
        {k_base + "[node]\npeers = [\"ok:1\", \"a:0\"]\n", 5, "node.peers: invalid address \"a:0\"..."},
        {k_base + "[node]\npeers = [\":5432\"]\n", 5, "node.peers: invalid address \":5432\"..."},
        {k_base + "[node]\npeers = [\"a b:1\"]\n", 5, "node.peers: invalid address \"a b:1\"..."},
        {k_base + "[node]\npeers = \"a:1\"\n", 5, "node.peers: expected an array of strings, as in [\"a\", \"b\"]"},
        {k_base + "[failover]\nwitness = \"w:abc\"\n", 5, "failover.witness: invalid address \"w:abc\"; expected host[:port] with a port from 1 to 65535"},
        {k_base + "[webhook]\nurl = \"http://h\"\nheader = [\"X-A: 1\", \"NoColon\"]\n", 6, "webhook.header: entry 2 is not of the form \"Name: value\""},
        {k_base + "[webhook]\nurl = \"hooks.example.com\"\n", 5, "webhook.url: expected an http:// or https:// URL"},
        // cross-key rules
        {"[postgres]\nbin_dir = \"/b\"\n", 1, "missing required key \"data_dir\" in [postgres]"},
        {"[postgres]\ndata_dir = \"/d\"\n", 1, "missing required key \"bin_dir\" in [postgres]"},
        {k_base + "[telegram]\nchat_id = \"1\"\n", 5, "telegram.chat_id is set but neither telegram.token_file nor telegram.token is"},
        {k_base + "[telegram]\ntoken = \"abc\"\n", 5, "telegram.token is set but telegram.chat_id is not"},
        {k_base + "[telegram]\ntoken_file = \"/t\"\n", 5, "telegram.token_file is set but telegram.chat_id is not"},
        {k_base + "[telegram]\ntoken = \"a\"\ntoken_file = \"/t\"\nchat_id = \"1\"\n", 6, "telegram.token and telegram.token_file are both set; hint: keep only token_file"},
        {k_base + "[telegram]\ntoken = \"a b\"\nchat_id = \"1\"\n", 5, "telegram.token: must not contain spaces or control characters"},
        {k_base + "[telegram]\ntoken_file = \"/t\"\nchat_id = true\n", 6, "telegram.chat_id: expected a string or an integer"},
        {k_base + "[telegram]\ntoken_file = \"/t\"\nchat_id = \"1\"\napi_url = \"ftp://x\"\n", 7, "telegram.api_url: expected an http:// or https:// URL"},
        {k_base + "runtime = \"compose\"\n[compose]\ncommand = \"\"\n", 6, "compose.command must not be empty when postgres.runtime is \"compose\""},
        {k_base + "runtime = \"compose\"\n[compose]\nprimary_file = \"\"\n", 6, "compose.primary_file must not be empty when postgres.runtime is \"compose\""},
        {k_base + "runtime = \"systemd\"\n[systemd]\nunit = \"\"\n", 6, "systemd.unit must not be empty when postgres.runtime is \"systemd\""},
        {k_base + "[compose]\nproject_directory = \"rel\"\n", 5, "compose.project_directory: expected an absolute path, got \"rel\""},
    };
    // clang-format on
    REQUIRE(cases.size() >= 45);
    for (const auto& bad : cases) {
        const LoadedConfig loaded = parse_config(bad.text, "/etc/pgfo/pgfo.conf");
        INFO("config:\n" << bad.text << "\nproblems:\n" << all_messages(loaded));
        REQUIRE(loaded.problems.size() == 1);
        const ConfigProblem& problem = loaded.problems.front();
        CHECK(problem.file == "/etc/pgfo/pgfo.conf");
        CHECK(problem.line == bad.line);
        const bool prefix = bad.message.size() > 3 && bad.message.substr(bad.message.size() - 3) == "...";
        if (prefix)
            CHECK_THAT(problem.message, Catch::StartsWith(bad.message.substr(0, bad.message.size() - 3)));
        else
            CHECK(problem.message == bad.message);
    }
}

TEST_CASE("every problem of a file is reported in one pass")
{
    const std::string text = "[postgres]\n"            // 1
                             "data_dir = \"/d\"\n"     // 2
                             "bin_dir = \"/b\"\n"      // 3
                             "runtime = \"docker\"\n"  // 4
                             "[failover]\n"            // 5
                             "max_lagg = \"1MB\"\n"    // 6
                             "keep_old_data = true\n"  // 7
                             "[timeouts]\n"            // 8
                             "connect = \"soon\"\n";   // 9
    const LoadedConfig loaded = parse_config(text, "c.conf");
    INFO(all_messages(loaded));
    REQUIRE(loaded.problems.size() == 3);
    CHECK(loaded.problems[0].line == 4);
    CHECK(loaded.problems[0].to_string() ==
          "c.conf:4: postgres.runtime: invalid value \"docker\"; expected one of: pg_ctl, compose, systemd");
    CHECK(loaded.problems[1].line == 6);
    CHECK(loaded.problems[1].to_string() ==
          "c.conf:6: unknown key \"max_lagg\" in [failover]; did you mean \"max_lag\"?");
    CHECK(loaded.problems[2].line == 9);
    CHECK_THAT(loaded.problems[2].to_string(), Catch::StartsWith("c.conf:9: timeouts.connect: expected a duration"));
    CHECK(loaded.config.failover.keep_old_data == true);
}

TEST_CASE("syntax errors on several lines do not hide each other")
{
    const std::string text = k_base +                 // 1-3
                             "[node]\n"               // 4
                             "name = \"open\n"        // 5
                             "peers = [\"a\"\n"       // 6
                             "state_dir = nope\n"     // 7
                             "[log\n"                 // 8
                             "[log]\n"                // 9
                             "level = \"info\" x\n";  // 10
    const LoadedConfig loaded = parse_config(text, "f");
    INFO(all_messages(loaded));
    REQUIRE(loaded.problems.size() == 5);
    CHECK(loaded.problems[0].line == 5);
    CHECK(loaded.problems[1].line == 6);
    CHECK(loaded.problems[2].line == 7);
    CHECK(loaded.problems[3].line == 8);
    CHECK(loaded.problems[4].line == 10);
}

TEST_CASE("a config without [postgres] reports both required keys without a line")
{
    const LoadedConfig loaded = parse_config("[node]\nname = \"x\"\n", "f.conf");
    REQUIRE(loaded.problems.size() == 2);
    CHECK(loaded.problems[0].to_string() == "f.conf: missing required key \"data_dir\" in [postgres]");
    CHECK(loaded.problems[1].to_string() == "f.conf: missing required key \"bin_dir\" in [postgres]");
}

TEST_CASE("keys of the runtime not in use are not required")
{
    const LoadedConfig loaded = parse_config(k_base + "[compose]\ncommand = \"\"\n[systemd]\nunit = \"\"\n", "f");
    INFO(all_messages(loaded));
    CHECK(loaded.problems.empty());
}

TEST_CASE("problem text: FILE:LINE: message, or FILE: message for line 0")
{
    CHECK(ConfigProblem{"/etc/pgfo/pgfo.conf", 12, "bad"}.to_string() == "/etc/pgfo/pgfo.conf:12: bad");
    CHECK(ConfigProblem{"/etc/pgfo/pgfo.conf", 0, "bad"}.to_string() == "/etc/pgfo/pgfo.conf: bad");
}

TEST_CASE("enums print as they are written in the config")
{
    CHECK(to_string(RuntimeKind::pg_ctl) == "pg_ctl");
    CHECK(to_string(RuntimeKind::compose) == "compose");
    CHECK(to_string(RuntimeKind::systemd) == "systemd");
    CHECK(to_string(ResyncMode::rewind) == "rewind");
    CHECK(to_string(ResyncMode::basebackup) == "basebackup");
    CHECK(to_string(SyncMode::off) == "off");
    CHECK(to_string(SyncMode::on) == "on");
    CHECK(to_string(SyncMode::strict) == "strict");
}

TEST_CASE("secrets never appear in problems")
{
    const std::string secret = "123456:SECRET-token";
    const std::vector<std::string> texts = {
        k_base + "[telegram]\ntoken = " + secret + "\nchat_id = \"1\"\n",
        k_base + "[telegram]\ntoken = \"" + secret + "\" trailing\nchat_id = \"1\"\n",
        k_base + "[telegram]\ntoken = \"" + secret + "\n",
        k_base + "[telegram]\ntoken = \"" + secret + " x\"\nchat_id = \"1\"\n",
        k_base + "[webhook]\nurl = \"http://h\"\nheader = [\"Bad " + secret + "\"]\n",
        k_base + "[webhook]\nurl = \"h" + secret + "\"\n",
    };
    for (const auto& text : texts) {
        const LoadedConfig loaded = parse_config(text, "f");
        INFO(text);
        CHECK_FALSE(loaded.problems.empty());
        CHECK(all_messages(loaded).find("SECRET") == std::string::npos);
    }
}

TEST_CASE("load_config reads a file and reports a missing one on line 0")
{
    TestDir dir;
    const std::string path = dir.write("pgfo.conf", k_base + "[node]\nname = \"n1\"\n", 0644);
    const LoadedConfig loaded = load_config(path);
    INFO(all_messages(loaded));
    CHECK(loaded.problems.empty());
    CHECK(loaded.config.path == path);
    CHECK(loaded.config.node.name == "n1");

    const LoadedConfig missing = load_config(dir / "absent.conf");
    REQUIRE(missing.problems.size() == 1);
    CHECK(missing.problems[0].line == 0);
    CHECK(missing.problems[0].file == dir / "absent.conf");
    CHECK(missing.problems[0].message ==
          "cannot read the config file: no such file or directory; hint: pass -c FILE or set PGFO_CONFIG");

    const LoadedConfig directory = load_config(dir.path());
    REQUIRE(directory.problems.size() == 1);
    CHECK(directory.problems[0].line == 0);
    CHECK(directory.problems[0].message == "the config file is not a regular file");
}

TEST_CASE("a config file writable by group or others is refused")
{
    TestDir dir;
    for (unsigned mode : {0664u, 0646u, 0666u}) {
        const std::string path = dir.write("pgfo.conf", k_base, mode);
        const LoadedConfig loaded = load_config(path);
        INFO("mode " << std::oct << mode);
        REQUIRE(loaded.problems.size() == 1);
        CHECK(loaded.problems[0].line == 0);
        CHECK(loaded.problems[0].message ==
              "config file " + path + " is writable by group or others; hint: chmod go-w " + path);
    }
    const std::string path = dir.write("pgfo.conf", k_base, 0644);
    CHECK(load_config(path).problems.empty());
}

TEST_CASE("a token file readable or writable by group or others is refused")
{
    TestDir dir;
    const std::string token = dir.write("telegram.token", "123:abc\n", 0644);
    const std::string config =
        dir.write("pgfo.conf", k_base + "[telegram]\ntoken_file = \"" + token + "\"\nchat_id = \"-100\"\n", 0644);
    LoadedConfig loaded = load_config(config);
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].line == 5);
    CHECK(loaded.problems[0].message ==
          "token file " + token + " is readable or writable by group or others; hint: chmod 600 " + token);

    ::chmod(token.c_str(), 0620);
    CHECK(load_config(config).problems.size() == 1);

    ::chmod(token.c_str(), 0600);
    loaded = load_config(config);
    INFO(all_messages(loaded));
    CHECK(loaded.problems.empty());
    CHECK(loaded.config.telegram.token_file == token);

    ::unlink(token.c_str());
    loaded = load_config(config);
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].line == 5);
    CHECK(loaded.problems[0].message == "cannot read token file " + token + ": no such file or directory");
}

TEST_CASE("an inline token needs a config file that group and others cannot read")
{
    TestDir dir;
    const std::string text = k_base + "[telegram]\ntoken = \"123:abc\"\nchat_id = \"-100\"\n";
    const std::string path = dir.write("pgfo.conf", text, 0644);
    LoadedConfig loaded = load_config(path);
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].line == 5);
    CHECK(loaded.problems[0].message == "telegram.token is set inline but " + path +
                                            " is readable by group or others; hint: chmod 600 " + path +
                                            ", or move the token to a token_file");
    CHECK(loaded.problems[0].message.find("123:abc") == std::string::npos);

    ::chmod(path.c_str(), 0640);
    CHECK(load_config(path).problems.size() == 1);

    ::chmod(path.c_str(), 0600);
    loaded = load_config(path);
    INFO(all_messages(loaded));
    CHECK(loaded.problems.empty());
    CHECK(loaded.config.telegram.token == "123:abc");
}

TEST_CASE("permission and content problems are reported together")
{
    TestDir dir;
    const std::string path = dir.write("pgfo.conf", k_base + "[nod]\n", 0666);
    const LoadedConfig loaded = load_config(path);
    INFO(all_messages(loaded));
    REQUIRE(loaded.problems.size() == 2);
    CHECK(loaded.problems[0].line == 0);
    CHECK(loaded.problems[1].line == 4);
}

TEST_CASE("the config path comes from -c, then $PGFO_CONFIG, then /etc/pgfo/pgfo.conf")
{
    pgfo::test::ScopedEnv guard("PGFO_CONFIG", "/env/pgfo.conf");
    CHECK(resolve_config_path("/cli/pgfo.conf") == "/cli/pgfo.conf");
    CHECK(resolve_config_path("") == "/env/pgfo.conf");
    ::setenv("PGFO_CONFIG", "", 1);
    CHECK(resolve_config_path("") == "/etc/pgfo/pgfo.conf");
    ::unsetenv("PGFO_CONFIG");
    CHECK(resolve_config_path("") == "/etc/pgfo/pgfo.conf");
    CHECK(resolve_config_path("rel.conf") == "rel.conf");
}
