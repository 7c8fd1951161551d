#include "node/health_record.hpp"

#include "util/files.hpp"
#include "util/kv_line.hpp"
#include "util/log.hpp"

namespace pgfo::node {
namespace {

std::string record_path(const std::string& state_dir)
{
    return state_dir + "/health";
}

}  // namespace

std::optional<HealthRecord> read_health_record(const std::string& state_dir)
{
    auto content = util::read_file(record_path(state_dir));
    if (!content.ok())
        return std::nullopt;
    std::string line = content.value();
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    auto fields = util::parse_kv_line(line);
    if (!fields || !fields->count("healthy"))
        return std::nullopt;
    HealthRecord record;
    record.healthy = (*fields)["healthy"] == "true";
    record.reason = (*fields)["reason"];
    record.ts = (*fields)["ts"];
    return record;
}

Result<bool> record_health_change(const std::string& state_dir, bool healthy, const std::string& reason)
{
    auto last = read_health_record(state_dir);
    if (last && last->healthy == healthy)
        return false;
    if (auto made = util::make_dirs(state_dir, 0750); !made.ok())
        return made.error();
    const std::string line = util::format_kv_line(
        {{"healthy", healthy ? "true" : "false"}, {"reason", reason}, {"ts", util::utc_timestamp_now()}});
    if (auto written = util::write_file_atomic(record_path(state_dir), line + "\n", 0640); !written.ok())
        return written.error();
    return true;
}

}  // namespace pgfo::node
