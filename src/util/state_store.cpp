#include "util/state_store.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "util/clock.hpp"
#include "util/files.hpp"
#include "util/kv_line.hpp"
#include "util/lock.hpp"
#include "util/units.hpp"

namespace pgfo::util {
namespace {

constexpr mode_t k_dir_mode = 0750;
constexpr mode_t k_file_mode = 0640;
constexpr std::chrono::milliseconds k_request_lock_timeout{30000};

std::string now_timestamp()
{
    return utc_timestamp(std::chrono::system_clock::now());
}

std::string trim(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::string value_of(const std::map<std::string, std::string>& fields, const std::string& key)
{
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
}

// The key=value pairs of the one-line file PATH; nullopt when it is missing, unreadable or garbled.
std::optional<std::map<std::string, std::string>> read_fields(const std::string& path)
{
    auto content = read_file(path);
    if (!content)
        return std::nullopt;
    return parse_kv_line(*content);
}

}  // namespace

Result<RequestedState> StateStore::record_request(const std::string& state, const std::string& tx)
{
    if (auto made = make_dirs(m_dir, k_dir_mode); !made)
        return made.error();
    auto lock = FileLock::acquire(m_dir + "/requested.lock", k_request_lock_timeout);
    if (!lock)
        return lock.error();

    RequestedState request;
    request.seq = latest_request().value_or(RequestedState{}).seq + 1;
    request.state = state;
    request.ts = now_timestamp();
    request.tx = tx;
    if (auto written = write_line("requested", format_kv_line({{"seq", std::to_string(request.seq)},
                                                               {"state", request.state},
                                                               {"ts", request.ts},
                                                               {"tx", request.tx}}));
        !written)
        return written.error();
    return request;
}

std::optional<RequestedState> StateStore::latest_request() const
{
    auto fields = read_fields(m_dir + "/requested");
    if (!fields)
        return std::nullopt;
    auto seq = parse_number<std::uint64_t>(value_of(*fields, "seq"));
    if (!seq)
        return std::nullopt;
    RequestedState request;
    request.seq = *seq;
    request.state = value_of(*fields, "state");
    request.ts = value_of(*fields, "ts");
    request.tx = value_of(*fields, "tx");
    if (request.state.empty())
        return std::nullopt;
    return request;
}

Status StateStore::pause(const std::string& reason)
{
    return write_line("paused", format_kv_line({{"reason", reason}, {"ts", now_timestamp()}}));
}

Status StateStore::resume()
{
    const std::string path = m_dir + "/paused";
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return make_error(ErrorKind::failed, "could not remove pause flag " + path + ": " + std::strerror(errno));
    return ok_status();
}

std::optional<PauseInfo> StateStore::paused() const
{
    const std::string path = m_dir + "/paused";
    auto content = read_file(path);
    if (!content) {
        if (!path_exists(path))
            return std::nullopt;
        return PauseInfo{"(pause flag " + path + " is unreadable)", ""};
    }
    auto fields = parse_kv_line(*content);
    if (!fields || !fields->count("reason"))
        return PauseInfo{trim(*content), ""};
    return PauseInfo{value_of(*fields, "reason"), value_of(*fields, "ts")};
}

Status StateStore::begin_planned_restart(const PlannedRestart& restart)
{
    return write_line(
        "restarting",
        format_kv_line({{"what", restart.what}, {"tx", restart.tx}, {"until_ms", std::to_string(restart.until_ms)}}));
}

void StateStore::end_planned_restart()
{
    (void)::unlink((m_dir + "/restarting").c_str());
}

std::optional<PlannedRestart> StateStore::planned_restart(std::int64_t now_ms) const
{
    auto fields = read_fields(m_dir + "/restarting");
    if (!fields)
        return std::nullopt;
    const auto until_ms = parse_number<std::int64_t>(value_of(*fields, "until_ms"));
    if (!until_ms || *until_ms <= now_ms)
        return std::nullopt;
    return PlannedRestart{value_of(*fields, "what"), value_of(*fields, "tx"), *until_ms};
}

Status StateStore::mark_rejoin_started(const std::string& reason, std::int64_t now_ms)
{
    return write_line("rejoin.started",
                      format_kv_line({{"at_ms", std::to_string(now_ms)}, {"ts", now_timestamp()}, {"reason", reason}}));
}

std::optional<std::int64_t> StateStore::rejoin_started_ms() const
{
    auto fields = read_fields(m_dir + "/rejoin.started");
    if (!fields)
        return std::nullopt;
    return parse_number<std::int64_t>(value_of(*fields, "at_ms"));
}

Status StateStore::mark_resync_failed(const std::string& why)
{
    return write_line("resync.failed", format_kv_line({{"why", why}, {"ts", now_timestamp()}}));
}

void StateStore::clear_resync_failed()
{
    (void)::unlink((m_dir + "/resync.failed").c_str());
}

bool StateStore::resync_failed() const
{
    return path_exists(m_dir + "/resync.failed");
}

Status StateStore::write_last_transition(const std::string& line)
{
    return write_line("last", line);
}

std::optional<std::string> StateStore::last_transition() const
{
    auto content = read_file(m_dir + "/last");
    if (!content)
        return std::nullopt;
    std::string line = trim(*content);
    if (line.empty())
        return std::nullopt;
    return line;
}

std::optional<HealthRecord> StateStore::health() const
{
    auto fields = read_fields(m_dir + "/health");
    if (!fields || !fields->count("healthy"))
        return std::nullopt;
    return HealthRecord{value_of(*fields, "healthy") == "true", value_of(*fields, "reason"), value_of(*fields, "ts")};
}

Result<bool> StateStore::record_health_change(bool healthy, const std::string& reason)
{
    auto last = health();
    if (last && last->healthy == healthy)
        return false;
    if (auto written = write_line(
            "health",
            format_kv_line({{"healthy", healthy ? "true" : "false"}, {"reason", reason}, {"ts", now_timestamp()}}));
        !written)
        return written.error();
    return true;
}

Status StateStore::write_line(const std::string& name, const std::string& line) const
{
    if (auto made = make_dirs(m_dir, k_dir_mode); !made)
        return made;
    return write_file_atomic(m_dir + "/" + name, line + "\n", k_file_mode);
}

}  // namespace pgfo::util
