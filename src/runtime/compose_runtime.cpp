#include "runtime/compose_runtime.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <sstream>

#include "runtime/host_tool.hpp"
#include "runtime/server_wait.hpp"
#include "util/clock.hpp"
#include "util/files.hpp"
#include "util/program.hpp"
#include "util/user.hpp"

namespace pgfo::runtime {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Bound of the calls that only look (ps, inspect); v1 docker-compose alone needs about a second.
constexpr auto k_query_timeout = 10s;
// Bound of the cleanup of a one-off container whose tool overran.
constexpr auto k_cleanup_timeout = 10s;

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

bool is_container_id(const std::string& word)
{
    return word.size() >= 12 && word.size() <= 64 && std::all_of(word.begin(), word.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// A signal that makes PostgreSQL's postmaster do a fast shutdown.
bool is_fast_shutdown_signal(const std::string& signal)
{
    return signal == "SIGINT" || signal == "INT" || signal == "2";
}

std::string docker_unreachable_hint(const util::ProcessResult& result)
{
    const std::string& err = result.err;
    for (const char* sign : {"Cannot connect to the Docker daemon", "Couldn't connect to Docker daemon",
                             "Error while fetching server API version", "docker daemon is not running"})
        if (err.find(sign) != std::string::npos)
            return "; hint: is the docker daemon running? (check DOCKER_HOST and `systemctl status docker`)";
    return "";
}

util::ProcessResult failed_to_start(std::string message)
{
    util::ProcessResult result;
    result.status = util::ProcessResult::Status::exec_failed;
    result.err = std::move(message);
    return result;
}

// v1 `run` ends stderr with the container's exit code on a line of its own: keep the tool's last words last.
void drop_exit_code_line(util::ProcessResult& result)
{
    if (result.status != util::ProcessResult::Status::exited || result.code == 0)
        return;
    std::string& err = result.err;
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r'))
        err.pop_back();
    const auto start = err.rfind('\n') + 1;
    if (err.compare(start, std::string::npos, std::to_string(result.code)) == 0)
        err.erase(start);
}

std::string one_off_name()
{
    std::random_device random;
    return fmt::format("pgfo-tool-{}-{:08x}", ::getpid(), random());
}

}  // namespace

ComposeRuntime::ComposeRuntime(const Config& config) : m_config(config)
{
    auto compose = util::resolve_command(config.compose.command, "compose.command");
    if (!compose.ok())
        throw Failure(compose.error());
    m_compose = std::move(compose->argv);
    m_env = std::move(compose->env);
    if (m_compose.front().size() >= 7 && m_compose.front().ends_with("/docker")) {
        m_docker = m_compose.front();
    } else if (auto docker = util::resolve_program("docker")) {
        m_docker = *docker;
    } else {
        throw Failure(ErrorKind::config,
                      std::string("docker CLI not found on PATH or in ") + util::k_default_path +
                          "; hint: the compose runtime inspects and signals containers with it: install docker.io");
    }
}

const std::string& ComposeRuntime::file_of(ServerRole role) const
{
    return role == ServerRole::primary ? m_config.compose.primary_file : m_config.compose.standby_file;
}

std::vector<std::string> ComposeRuntime::compose_argv(ServerRole role, const std::vector<std::string>& args) const
{
    const ComposeConfig& compose = m_config.compose;
    std::vector<std::string> argv = m_compose;
    argv.insert(argv.end(), {"-f", file_of(role)});
    if (!compose.project.empty())
        argv.insert(argv.end(), {"-p", compose.project});
    argv.insert(argv.end(), {"--project-directory", compose.project_directory.empty() ? util::parent_dir(file_of(role))
                                                                                      : compose.project_directory});
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

util::ProcessResult ComposeRuntime::compose(ServerRole role, const std::vector<std::string>& args,
                                            std::chrono::milliseconds timeout,
                                            const std::map<std::string, std::string>& env) const
{
    auto merged = m_env;
    for (const auto& [key, value] : env)
        merged[key] = value;
    return util::run_program(compose_argv(role, args), std::move(merged), timeout);
}

util::ProcessResult ComposeRuntime::docker(const std::vector<std::string>& args,
                                           std::chrono::milliseconds timeout) const
{
    std::vector<std::string> argv = {m_docker};
    argv.insert(argv.end(), args.begin(), args.end());
    return util::run_program(std::move(argv), m_env, timeout);
}

Error ComposeRuntime::compose_error(ServerRole role, const std::string& action, const util::ProcessResult& result) const
{
    Error error = process_error(fmt::format("{} {} of service {} in {}", m_config.compose.command, action,
                                            m_config.compose.service, file_of(role)),
                                result);
    error.message += docker_unreachable_hint(result);
    return error;
}

Error ComposeRuntime::docker_error(const std::string& action, const util::ProcessResult& result) const
{
    Error error = process_error(
        fmt::format("docker {} of service {} ({})", action, m_config.compose.service, m_config.compose.primary_file),
        result);
    error.message += docker_unreachable_hint(result);
    return error;
}

Result<std::vector<ComposeRuntime::Container>> ComposeRuntime::service_containers(Clock::time_point deadline) const
{
    auto listed = compose(ServerRole::primary, {"ps", "-q", m_config.compose.service}, util::time_left(deadline));
    if (!listed.succeeded())
        return compose_error(ServerRole::primary, "ps", listed);
    std::vector<std::string> ids;
    for (const auto& line : lines_of(listed.out))
        if (is_container_id(line))
            ids.push_back(line);
    std::vector<Container> containers;
    if (ids.empty())
        return containers;

    std::vector<std::string> args = {
        "inspect", "-f",
        "{{.Id}} {{.State.Running}} {{index .Config.Labels \"com.docker.compose.oneoff\"}} {{index .Config "
        "\"StopSignal\"}}"};
    args.insert(args.end(), ids.begin(), ids.end());
    auto inspected = docker(args, util::time_left(deadline));
    // A container removed between ps and inspect is simply gone; an engine that fails says nothing at all.
    if (!inspected.succeeded() && lines_of(inspected.out).empty() &&
        inspected.err.find("No such object") == std::string::npos)
        return docker_error("inspect", inspected);
    for (const auto& line : lines_of(inspected.out)) {
        std::istringstream in(line);
        Container container;
        std::string running;
        std::string one_off;
        in >> container.id >> running >> one_off >> std::ws;
        std::getline(in, container.stop_signal);
        if (container.stop_signal == "<no value>")  // an image without STOPSIGNAL
            container.stop_signal.clear();
        if (one_off == "True")
            continue;
        container.running = running == "true";
        containers.push_back(container);
    }
    return containers;
}

Result<bool> ComposeRuntime::is_running()
{
    auto containers = service_containers(
        Clock::now() + std::max<std::chrono::milliseconds>(k_query_timeout, m_config.timeouts.connect));
    if (!containers.ok())
        return containers.error();
    return std::any_of(containers->begin(), containers->end(), [](const Container& c) { return c.running; });
}

Status ComposeRuntime::up(ServerRole role, bool force_recreate, Clock::time_point deadline)
{
    std::vector<std::string> args = {"up", "-d", "--no-deps"};
    if (force_recreate)
        args.emplace_back("--force-recreate");
    args.push_back(m_config.compose.service);
    auto result = compose(role, args, util::time_left(deadline));
    if (!result.succeeded())
        return compose_error(role, force_recreate ? "up --force-recreate" : "up", result);
    return ok_status();
}

Status ComposeRuntime::wait_ready(ServerRole role, Clock::time_point deadline)
{
    std::vector<std::string> ids;  // found at the first look, once compose had time to create them
    auto alive = [&]() -> Status {
        if (ids.empty()) {
            auto containers = service_containers(deadline);
            if (!containers.ok())
                return containers.error();
            for (const auto& container : containers.value())
                ids.push_back(container.id);
            if (ids.empty())
                return make_error(ErrorKind::failed, fmt::format("service {} from {} has no container after up",
                                                                 m_config.compose.service, file_of(role)));
        }
        std::vector<std::string> args = {"inspect", "-f", "{{.State.Running}}"};
        args.insert(args.end(), ids.begin(), ids.end());
        auto inspected = docker(args, util::time_left(deadline));
        if (!inspected.succeeded())
            return docker_error("inspect", inspected);
        const auto states = lines_of(inspected.out);
        if (std::find(states.begin(), states.end(), "true") != states.end())
            return ok_status();
        std::string tail;
        auto logs = docker({"logs", "--tail", "3", ids.front()},
                           std::min<std::chrono::milliseconds>(util::time_left(deadline), 5s));
        for (const auto& line : lines_of(logs.out + logs.err))
            tail += (tail.empty() ? "" : " | ") + line;
        return make_error(ErrorKind::failed,
                          fmt::format("service {} from {} stopped while starting{}{}", m_config.compose.service,
                                      file_of(role), tail.empty() ? "" : "; its last log lines: ", tail));
    };
    auto ready = wait_until_accepting(m_config, deadline, alive);
    if (!ready.ok() && ready.error().kind == ErrorKind::timeout)
        return make_error(ErrorKind::timeout, fmt::format("service {} from {}: {}", m_config.compose.service,
                                                          file_of(role), ready.error().message));
    return ready;
}

Status ComposeRuntime::start(ServerRole role, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    if (auto started = up(role, false, deadline); !started.ok())
        return started;
    return wait_ready(role, deadline);
}

Status ComposeRuntime::stop(StopMode mode, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    auto containers = service_containers(deadline);
    if (!containers.ok())
        return containers.error();
    std::vector<std::string> running;
    for (const auto& container : containers.value()) {
        if (!container.running)
            continue;
        running.push_back(container.id);
        util::ProcessResult sent;
        if (mode == StopMode::immediate)
            sent = docker({"kill", "-s", "SIGKILL", container.id}, util::time_left(deadline));
        else if (container.stop_signal.empty() || is_fast_shutdown_signal(container.stop_signal))
            sent = docker({"kill", "-s", "SIGINT", container.id}, util::time_left(deadline));
        else
            sent =
                docker({"stop", "-t", std::to_string(std::max<long long>(1, util::time_left(deadline).count() / 1000)),
                        container.id},
                       util::time_left(deadline));
        if (!sent.succeeded() && sent.err.find("is not running") == std::string::npos)
            return docker_error(mode == StopMode::immediate ? "kill -s SIGKILL" : "kill -s SIGINT", sent);
    }
    if (running.empty())
        return ok_status();
    std::vector<std::string> args = {"wait"};
    args.insert(args.end(), running.begin(), running.end());
    auto waited = docker(args, util::time_left(deadline));
    if (!waited.succeeded()) {
        Error error = docker_error("wait", waited);
        if (waited.status == util::ProcessResult::Status::timed_out)
            error.message = fmt::format("service {} ({}) still running after {}s of {} stop", m_config.compose.service,
                                        m_config.compose.primary_file, timeout.count() / 1000,
                                        mode == StopMode::fast ? "a fast" : "an immediate");
        return error;
    }
    return ok_status();
}

Status ComposeRuntime::recreate(ServerRole role, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    // compose would stop the old container with the image's StopSignal (SIGTERM: a smart
    // shutdown that waits for clients); a fast stop first keeps that short.
    if (auto stopped = stop(StopMode::fast, util::time_left(deadline)); !stopped.ok())
        return stopped;
    if (auto created = up(role, true, deadline); !created.ok())
        return created;
    return wait_ready(role, deadline);
}

util::ProcessResult ComposeRuntime::run_tool(const std::string& tool, const std::vector<std::string>& args,
                                             const std::map<std::string, std::string>& env,
                                             std::chrono::milliseconds timeout)
{
    if (m_config.compose.tools == "host")
        return run_host_tool(m_config, tool, args, env, timeout);

    const std::string& data_dir = m_config.postgres.data_dir;
    auto user = util::lookup_user(m_config.postgres.os_user);
    if (!user.ok())
        return failed_to_start(user.error().message);
    struct stat st {};
    if (::stat(data_dir.c_str(), &st) == 0 && st.st_uid != user->uid)
        return failed_to_start(fmt::format(
            "data directory {} is owned by uid {}, but postgres.os_user \"{}\" is uid {}; hint: with compose set "
            "os_user to the uid the image runs PostgreSQL as (\"999\" for postgres:15, \"1001\" for bitnami)",
            data_dir, st.st_uid, m_config.postgres.os_user, user->uid));
    const std::string parent = util::parent_dir(data_dir);
    if (parent == "/")
        return failed_to_start("postgres.data_dir " + data_dir +
                               " sits directly under /; hint: the compose runtime mounts its parent directory into "
                               "the tool's container: use a data directory one level deeper");

    const std::string name = one_off_name();
    std::vector<std::string> run = {"run",          "--rm",
                                    "--no-deps",    "-T",
                                    "--name",       name,
                                    "--user",       fmt::format("{}:{}", user->uid, user->gid),
                                    "-v",           parent + ":" + parent,
                                    "--entrypoint", tool};
    // -e NAME without a value: compose takes the value from its own environment, so secrets stay out of argv.
    for (const auto& [key, value] : env)
        run.insert(run.end(), {"-e", key});
    run.push_back(m_config.compose.service);
    run.insert(run.end(), args.begin(), args.end());

    auto result = compose(ServerRole::standby, run, timeout, env);
    drop_exit_code_line(result);
    if (result.status == util::ProcessResult::Status::timed_out) {
        // Killing the compose client leaves its container running: end it, so nothing writes on.
        (void)docker({"rm", "-f", name}, k_cleanup_timeout);
    }
    return result;
}

}  // namespace pgfo::runtime
