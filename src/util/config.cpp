#include "util/config.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "util/config_toml.hpp"

namespace pgfo {
namespace {

using util::quoted;
using util::TomlValue;
using Kind = TomlValue::Kind;

constexpr std::string_view k_default_config_path = "/etc/pgfo/pgfo.conf";
constexpr off_t k_max_config_size = 1 << 20;

// Applies a value to the config; returns what is wrong with it, or "" when it was applied.
using Apply = std::function<std::string(Config&, const TomlValue&)>;

struct KeySpec {
    std::string_view section;
    std::string_view key;
    Apply apply;
};

enum class Text { any, non_empty, absolute_path, optional_absolute_path, optional_url, url, optional_address, token };

bool valid_port(std::string_view text)
{
    unsigned port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty() && text.size() <= 5 && port >= 1 &&
           port <= 65535;
}

// host, host:port, [v6] or [v6]:port; a bare IPv6 address (several colons) has no port.
bool valid_address(std::string_view address)
{
    for (char c : address)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '/' || c == '@' || c == ',')
            return false;
    std::string_view host = address;
    std::string_view port;
    bool has_port = false;
    if (!address.empty() && address.front() == '[') {
        const auto close = address.find(']');
        if (close == std::string_view::npos)
            return false;
        host = address.substr(1, close - 1);
        const std::string_view rest = address.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return false;
            port = rest.substr(1);
            has_port = true;
        }
    } else if (std::count(address.begin(), address.end(), ':') == 1) {
        const auto colon = address.find(':');
        host = address.substr(0, colon);
        port = address.substr(colon + 1);
        has_port = true;
    }
    return !host.empty() && (!has_port || valid_port(port));
}

bool valid_header(std::string_view header)
{
    const auto colon = header.find(':');
    if (colon == 0 || colon == std::string_view::npos)
        return false;
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = header[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    for (char c : header)
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    return true;
}

bool is_absolute(std::string_view path)
{
    return !path.empty() && path.front() == '/';
}

bool is_url(std::string_view text)
{
    return (text.rfind("http://", 0) == 0 && text.size() > 7) || (text.rfind("https://", 0) == 0 && text.size() > 8);
}

std::string check_text(Text rule, const std::string& value)
{
    switch (rule) {
    case Text::any:
        return {};
    case Text::non_empty:
        return value.empty() ? "must not be empty" : "";
    case Text::absolute_path:
        if (value.empty())
            return "must not be empty";
        [[fallthrough]];
    case Text::optional_absolute_path:
        return value.empty() || is_absolute(value) ? "" : "expected an absolute path, got " + quoted(value);
    case Text::url:
        if (value.empty())
            return "must not be empty";
        [[fallthrough]];
    case Text::optional_url:
        return value.empty() || is_url(value) ? "" : "expected an http:// or https:// URL";
    case Text::optional_address:
        return value.empty() || valid_address(value)
                   ? ""
                   : "invalid address " + quoted(value) + "; expected host[:port] with a port from 1 to 65535";
    case Text::token:
        if (value.empty())
            return "must not be empty";
        for (char c : value)
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
                return "must not contain spaces or control characters";
        return {};
    }
    return {};
}

template <class S> Apply text(S Config::*section, std::string S::*field, Text rule = Text::any)
{
    return [=](Config& cfg, const TomlValue& value) -> std::string {
        if (value.kind != Kind::string)
            return "expected a string in double quotes";
        if (auto problem = check_text(rule, value.text); !problem.empty())
            return problem;
        (cfg.*section).*field = value.text;
        return {};
    };
}

// A Telegram chat or thread id: a string, or an integer written without quotes.
template <class S> Apply identifier(S Config::*section, std::string S::*field)
{
    return [=](Config& cfg, const TomlValue& value) -> std::string {
        if (value.kind == Kind::integer)
            (cfg.*section).*field = std::to_string(value.integer);
        else if (value.kind == Kind::string)
            (cfg.*section).*field = value.text;
        else
            return "expected a string or an integer";
        return {};
    };
}

template <class S> Apply flag(S Config::*section, bool S::*field)
{
    return [=](Config& cfg, const TomlValue& value) -> std::string {
        if (value.kind != Kind::boolean)
            return "expected true or false";
        (cfg.*section).*field = value.boolean;
        return {};
    };
}

template <class S> Apply duration(S Config::*section, util::Millis S::*field)
{
    return [=](Config& cfg, const TomlValue& value) -> std::string {
        std::optional<util::Millis> parsed;
        if (value.kind == Kind::string)
            parsed = util::parse_duration(value.text);
        if (!parsed)
            return "expected a duration such as \"5s\" (units: ms, s, m, h, d)";
        if (parsed->count() == 0)
            return "must be greater than 0";
        (cfg.*section).*field = *parsed;
        return {};
    };
}

template <class S> Apply size(S Config::*section, std::uint64_t S::*field)
{
    return [=](Config& cfg, const TomlValue& value) -> std::string {
        std::optional<std::uint64_t> parsed;
        if (value.kind == Kind::string)
            parsed = util::parse_size(value.text);
        else if (value.kind == Kind::integer && value.integer >= 0)
            parsed = static_cast<std::uint64_t>(value.integer);
        if (!parsed)
            return "expected a size such as \"16MB\" or a number of bytes";
        (cfg.*section).*field = *parsed;
        return {};
    };
}

template <class S, class T>
Apply choice(S Config::*section, T S::*field, std::vector<std::pair<std::string_view, T>> options)
{
    return [=](Config& cfg, const TomlValue& value) -> std::string {
        std::string names;
        for (const auto& option : options)
            names += (names.empty() ? "" : ", ") + std::string(option.first);
        if (value.kind != Kind::string)
            return "expected a string, one of: " + names;
        for (const auto& option : options) {
            if (value.text == option.first) {
                (cfg.*section).*field = option.second;
                return {};
            }
        }
        return "invalid value " + quoted(value.text) + "; expected one of: " + names;
    };
}

enum class Item { address, header };

template <class S> Apply list(S Config::*section, std::vector<std::string> S::*field, Item rule)
{
    return [=](Config& cfg, const TomlValue& value) -> std::string {
        if (value.kind != Kind::array)
            return "expected an array of strings, as in [\"a\", \"b\"]";
        for (std::size_t i = 0; i < value.items.size(); ++i) {
            const std::string& item = value.items[i];
            if (rule == Item::address && !valid_address(item))
                return "invalid address " + quoted(item) + "; expected host[:port] with a port from 1 to 65535";
            if (rule == Item::header && !valid_header(item))
                return fmt::format("entry {} is not of the form \"Name: value\"", i + 1);
        }
        (cfg.*section).*field = value.items;
        return {};
    };
}

const std::vector<KeySpec>& key_specs()
{
    using C = Config;
    static const std::vector<KeySpec> specs = {
        {"node", "name", text(&C::node, &NodeConfig::name, Text::non_empty)},
        {"node", "peers", list(&C::node, &NodeConfig::peers, Item::address)},
        {"node", "state_dir", text(&C::node, &NodeConfig::state_dir, Text::absolute_path)},
        {"node", "vip", text(&C::node, &NodeConfig::vip)},

        {"postgres", "runtime",
         choice<PostgresConfig, RuntimeKind>(
             &C::postgres, &PostgresConfig::runtime,
             {{"pg_ctl", RuntimeKind::pg_ctl}, {"compose", RuntimeKind::compose}, {"systemd", RuntimeKind::systemd}})},
        {"postgres", "data_dir", text(&C::postgres, &PostgresConfig::data_dir, Text::absolute_path)},
        {"postgres", "bin_dir", text(&C::postgres, &PostgresConfig::bin_dir, Text::absolute_path)},
        {"postgres", "os_user", text(&C::postgres, &PostgresConfig::os_user, Text::non_empty)},
        {"postgres", "conninfo", text(&C::postgres, &PostgresConfig::conninfo)},
        {"postgres", "replication_conninfo", text(&C::postgres, &PostgresConfig::replication_conninfo)},
        {"postgres", "start_options", text(&C::postgres, &PostgresConfig::start_options)},
        {"postgres", "server_log", text(&C::postgres, &PostgresConfig::server_log, Text::optional_absolute_path)},

        {"failover", "resync",
         choice<FailoverConfig, ResyncMode>(&C::failover, &FailoverConfig::resync,
                                            {{"rewind", ResyncMode::rewind}, {"basebackup", ResyncMode::basebackup}})},
        {"failover", "keep_old_data", flag(&C::failover, &FailoverConfig::keep_old_data)},
        {"failover", "max_lag", size(&C::failover, &FailoverConfig::max_lag)},
        {"failover", "split_brain_guard", flag(&C::failover, &FailoverConfig::split_brain_guard)},
        {"failover", "witness", text(&C::failover, &FailoverConfig::witness, Text::optional_address)},
        {"failover", "synchronous",
         choice<FailoverConfig, SyncMode>(
             &C::failover, &FailoverConfig::synchronous,
             {{"off", SyncMode::off}, {"on", SyncMode::on}, {"strict", SyncMode::strict}})},
        {"failover", "peer_wait", duration(&C::failover, &FailoverConfig::peer_wait)},

        {"timeouts", "connect", duration(&C::timeouts, &TimeoutsConfig::connect)},
        {"timeouts", "promote", duration(&C::timeouts, &TimeoutsConfig::promote)},
        {"timeouts", "stop", duration(&C::timeouts, &TimeoutsConfig::stop)},
        {"timeouts", "start", duration(&C::timeouts, &TimeoutsConfig::start)},
        {"timeouts", "resync", duration(&C::timeouts, &TimeoutsConfig::resync)},
        {"timeouts", "lock", duration(&C::timeouts, &TimeoutsConfig::lock)},

        {"check", "track_file", text(&C::check, &CheckConfig::track_file, Text::optional_absolute_path)},

        {"compose", "command", text(&C::compose, &ComposeConfig::command)},
        {"compose", "primary_file", text(&C::compose, &ComposeConfig::primary_file, Text::optional_absolute_path)},
        {"compose", "standby_file", text(&C::compose, &ComposeConfig::standby_file, Text::optional_absolute_path)},
        {"compose", "service", text(&C::compose, &ComposeConfig::service)},
        {"compose", "project", text(&C::compose, &ComposeConfig::project)},
        {"compose", "project_directory",
         text(&C::compose, &ComposeConfig::project_directory, Text::optional_absolute_path)},
        {"compose", "tools",
         choice<ComposeConfig, std::string>(&C::compose, &ComposeConfig::tools,
                                            {{"container", "container"}, {"host", "host"}})},
        {"compose", "recreate_after_promote", flag(&C::compose, &ComposeConfig::recreate_after_promote)},

        {"systemd", "unit", text(&C::systemd, &SystemdConfig::unit)},

        {"telegram", "token_file", text(&C::telegram, &TelegramConfig::token_file, Text::optional_absolute_path)},
        {"telegram", "token", text(&C::telegram, &TelegramConfig::token, Text::token)},
        {"telegram", "chat_id", identifier(&C::telegram, &TelegramConfig::chat_id)},
        {"telegram", "api_url", text(&C::telegram, &TelegramConfig::api_url, Text::url)},
        {"telegram", "thread_id", identifier(&C::telegram, &TelegramConfig::thread_id)},
        {"telegram", "silent", flag(&C::telegram, &TelegramConfig::silent)},
        {"telegram", "timeout", duration(&C::telegram, &TelegramConfig::timeout)},

        {"webhook", "url", text(&C::webhook, &WebhookConfig::url, Text::optional_url)},
        {"webhook", "header", list(&C::webhook, &WebhookConfig::headers, Item::header)},
        {"webhook", "timeout", duration(&C::webhook, &WebhookConfig::timeout)},

        {"log", "file", text(&C::log, &LogConfig::file, Text::absolute_path)},
        {"log", "level",
         choice<LogConfig, std::string>(&C::log, &LogConfig::level,
                                        {{"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}})},
    };
    return specs;
}

std::vector<std::string_view> section_names()
{
    std::vector<std::string_view> names;
    for (const auto& spec : key_specs())
        if (std::find(names.begin(), names.end(), spec.section) == names.end())
            names.push_back(spec.section);
    return names;
}

std::vector<std::string_view> keys_of(std::string_view section)
{
    std::vector<std::string_view> keys;
    for (const auto& spec : key_specs())
        if (spec.section == section)
            keys.push_back(spec.key);
    return keys;
}

const KeySpec* find_spec(std::string_view section, std::string_view key)
{
    for (const auto& spec : key_specs())
        if (spec.section == section && spec.key == key)
            return &spec;
    return nullptr;
}

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Optimal string alignment distance, case-insensitive: typos, doubled and swapped letters.
std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::optional<std::string_view> closest(std::string_view word, const std::vector<std::string_view>& candidates)
{
    if (word.size() > 64)
        return std::nullopt;
    const std::size_t limit = word.size() <= 4 ? 1 : 2;
    std::optional<std::string_view> best;
    std::size_t best_distance = limit + 1;
    for (auto candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

std::string join(const std::vector<std::string_view>& words)
{
    std::string out;
    for (auto word : words)
        out += (out.empty() ? "" : ", ") + std::string(word);
    return out;
}

std::string unknown_section_message(const std::string& name)
{
    const auto sections = section_names();
    if (auto suggestion = closest(name, sections))
        return fmt::format("unknown section [{}]; did you mean [{}]?", name, *suggestion);
    return fmt::format("unknown section [{}]; known sections: {}", name, join(sections));
}

std::string unknown_key_message(const std::string& section, const std::string& key)
{
    const auto keys = keys_of(section);
    if (auto suggestion = closest(key, keys))
        return fmt::format("unknown key \"{}\" in [{}]; did you mean \"{}\"?", key, section, *suggestion);
    for (const auto& spec : key_specs())
        if (spec.key == key)
            return fmt::format("unknown key \"{}\" in [{}]; it belongs in [{}]", key, section, spec.section);
    return fmt::format("unknown key \"{}\" in [{}]; known keys: {}", key, section, join(keys));
}

std::string host_name()
{
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0')
        return "localhost";
    return buffer;
}

std::string errno_text(int error)
{
    std::string text = std::strerror(error);
    if (!text.empty())
        text[0] = lower(text[0]);
    return text;
}

struct ParsedConfig {
    LoadedConfig loaded;
    std::map<std::string, int> lines; // "section.key" -> the line that set it
};

class ConfigBuilder {
public:
    ConfigBuilder(std::string_view text, const std::string& path) : m_path(path), m_doc(util::parse_toml(text))
    {
        m_result.loaded.config.path = path;
    }

    ParsedConfig build()
    {
        for (const auto& problem : m_doc.problems)
            report(problem.line, problem.message);
        read_sections();
        read_entries();
        check_required();
        check_telegram();
        check_runtime_keys();
        if (!m_result.lines.count("node.name"))
            config().node.name = host_name();
        // File order; problems not tied to a line last.
        std::stable_sort(m_problems.begin(), m_problems.end(), [](const ConfigProblem& a, const ConfigProblem& b) {
            return (a.line == 0 ? std::numeric_limits<int>::max() : a.line) <
                   (b.line == 0 ? std::numeric_limits<int>::max() : b.line);
        });
        m_result.loaded.problems = std::move(m_problems);
        return std::move(m_result);
    }

private:
    Config& config() { return m_result.loaded.config; }

    void report(int line, std::string message) { m_problems.push_back({m_path, line, std::move(message)}); }

    int line_of(const std::string& key) const
    {
        auto it = m_result.lines.find(key);
        return it == m_result.lines.end() ? 0 : it->second;
    }

    int section_line(const std::string& section) const
    {
        auto it = m_first_header.find(section);
        return it == m_first_header.end() ? 0 : it->second;
    }

    // Set to something: a non-empty value, or a value that was rejected (already reported).
    bool is_set(const std::string& key, const std::string& value) const
    {
        return !value.empty() || m_rejected.count(key) > 0;
    }

    void read_sections()
    {
        const auto known = section_names();
        m_known.assign(m_doc.sections.size(), false);
        for (std::size_t i = 0; i < m_doc.sections.size(); ++i) {
            const auto& section = m_doc.sections[i];
            if (!section.valid)
                continue;
            if (std::find(known.begin(), known.end(), section.name) == known.end()) {
                report(section.line, unknown_section_message(section.name));
                continue;
            }
            m_known[i] = true;
            auto [it, inserted] = m_first_header.emplace(section.name, section.line);
            if (!inserted)
                report(section.line,
                       fmt::format("duplicate section [{}]; first opened on line {}", section.name, it->second));
        }
    }

    void read_entries()
    {
        for (const auto& entry : m_doc.entries) {
            if (entry.section < 0) {
                report(entry.line, fmt::format("key \"{}\" is outside any section; hint: put it below a [section] "
                                               "header such as [node]",
                                               entry.key));
                continue;
            }
            if (!m_known[entry.section])
                continue;
            const std::string& section = m_doc.sections[entry.section].name;
            const KeySpec* spec = find_spec(section, entry.key);
            if (!spec) {
                report(entry.line, unknown_key_message(section, entry.key));
                continue;
            }
            const std::string name = section + "." + entry.key;
            auto [it, inserted] = m_result.lines.emplace(name, entry.line);
            if (!inserted) {
                report(entry.line, fmt::format("duplicate key \"{}\" in [{}]; first set on line {}", entry.key, section,
                                               it->second));
                continue;
            }
            if (entry.value.kind == Kind::invalid) {
                m_rejected.insert(name);
                continue;
            }
            if (auto problem = spec->apply(config(), entry.value); !problem.empty()) {
                m_rejected.insert(name);
                report(entry.line, fmt::format("{}: {}", name, problem));
            }
        }
    }

    void check_required()
    {
        for (const char* key : {"data_dir", "bin_dir"})
            if (!m_result.lines.count(std::string("postgres.") + key))
                report(section_line("postgres"), fmt::format("missing required key \"{}\" in [postgres]", key));
    }

    void check_telegram()
    {
        const TelegramConfig& telegram = config().telegram;
        const bool token = is_set("telegram.token", telegram.token);
        const bool token_file = is_set("telegram.token_file", telegram.token_file);
        const bool chat_id = is_set("telegram.chat_id", telegram.chat_id);
        if (token && token_file)
            report(std::max(line_of("telegram.token"), line_of("telegram.token_file")),
                   "telegram.token and telegram.token_file are both set; hint: keep only token_file");
        if (chat_id && !token && !token_file)
            report(line_of("telegram.chat_id"),
                   "telegram.chat_id is set but neither telegram.token_file nor telegram.token is");
        if ((token || token_file) && !chat_id) {
            const std::string key = token_file ? "telegram.token_file" : "telegram.token";
            report(line_of(key), key + " is set but telegram.chat_id is not");
        }
    }

    // The [compose] and [systemd] keys matter only when postgres.runtime selects them.
    void check_runtime_keys()
    {
        const Config& cfg = config();
        std::vector<std::pair<std::string, const std::string*>> needed;
        std::string runtime;
        if (cfg.postgres.runtime == RuntimeKind::compose) {
            runtime = "compose";
            needed = {{"compose.command", &cfg.compose.command},
                      {"compose.primary_file", &cfg.compose.primary_file},
                      {"compose.standby_file", &cfg.compose.standby_file},
                      {"compose.service", &cfg.compose.service}};
        } else if (cfg.postgres.runtime == RuntimeKind::systemd) {
            runtime = "systemd";
            needed = {{"systemd.unit", &cfg.systemd.unit}};
        }
        for (const auto& [key, value] : needed)
            if (!is_set(key, *value))
                report(line_of(key), fmt::format("{} must not be empty when postgres.runtime is \"{}\"", key, runtime));
    }

    std::string m_path;
    util::TomlDocument m_doc;
    ParsedConfig m_result;
    std::vector<ConfigProblem> m_problems;
    std::vector<bool> m_known; // per header in m_doc.sections: a known section
    std::map<std::string, int> m_first_header;
    std::set<std::string> m_rejected;
};

struct FileText {
    std::string text;
    mode_t mode = 0;
};

std::optional<FileText> read_config_file(const std::string& path, std::vector<ConfigProblem>& problems)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        problems.push_back(
            {path, 0, "cannot read the config file: " + errno_text(errno) + "; hint: pass -c FILE or set PGFO_CONFIG"});
        return std::nullopt;
    }
    FileText file;
    struct stat st {};
    std::string problem;
    if (::fstat(fd, &st) != 0)
        problem = "cannot read the config file: " + errno_text(errno);
    else if (!S_ISREG(st.st_mode))
        problem = "the config file is not a regular file";
    else if (st.st_size > k_max_config_size)
        problem = "the config file is larger than 1MB";
    file.mode = st.st_mode;
    char buffer[8192];
    while (problem.empty()) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            problem = "cannot read the config file: " + errno_text(errno);
        if (n <= 0)
            break;
        file.text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!problem.empty()) {
        problems.push_back({path, 0, problem});
        return std::nullopt;
    }
    return file;
}

void check_token_file(const std::string& path, const std::string& config_path, int line,
                      std::vector<ConfigProblem>& problems)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        problems.push_back({config_path, line, fmt::format("cannot read token file {}: {}", path, errno_text(errno))});
        return;
    }
    struct stat st {};
    const bool stat_ok = ::fstat(fd, &st) == 0;
    ::close(fd);
    if (!stat_ok || !S_ISREG(st.st_mode))
        problems.push_back({config_path, line, fmt::format("token file {} is not a regular file", path)});
    else if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH))
        problems.push_back(
            {config_path, line,
             fmt::format("token file {} is readable or writable by group or others; hint: chmod 600 {}", path, path)});
    else if (st.st_size == 0)
        problems.push_back({config_path, line, fmt::format("token file {} is empty", path)});
}

} // namespace

std::string ConfigProblem::to_string() const
{
    if (line > 0)
        return fmt::format("{}:{}: {}", file, line, message);
    return file.empty() ? message : fmt::format("{}: {}", file, message);
}

LoadedConfig parse_config(std::string_view text, const std::string& path)
{
    return ConfigBuilder(text, path).build().loaded;
}

LoadedConfig load_config(const std::string& path)
{
    LoadedConfig result;
    result.config.path = path;
    auto file = read_config_file(path, result.problems);
    if (!file)
        return result;

    ParsedConfig parsed = ConfigBuilder(file->text, path).build();
    std::vector<ConfigProblem> problems;
    if (file->mode & (S_IWGRP | S_IWOTH))
        problems.push_back(
            {path, 0, fmt::format("config file {} is writable by group or others; hint: chmod go-w {}", path, path)});
    const TelegramConfig& telegram = parsed.loaded.config.telegram;
    if (!telegram.token.empty() && (file->mode & (S_IRGRP | S_IROTH)))
        problems.push_back({path, parsed.lines["telegram.token"],
                            fmt::format("telegram.token is set inline but {} is readable by group or others; hint: "
                                        "chmod 600 {}, or move the token to a token_file",
                                        path, path)});
    if (!telegram.token_file.empty())
        check_token_file(telegram.token_file, path, parsed.lines["telegram.token_file"], problems);

    result.config = std::move(parsed.loaded.config);
    result.problems = std::move(problems);
    result.problems.insert(result.problems.end(), parsed.loaded.problems.begin(), parsed.loaded.problems.end());
    return result;
}

std::string resolve_config_path(const std::string& cli_path)
{
    if (!cli_path.empty())
        return cli_path;
    const char* env = std::getenv("PGFO_CONFIG");
    if (env && *env)
        return env;
    return std::string(k_default_config_path);
}

std::string to_string(RuntimeKind kind)
{
    switch (kind) {
    case RuntimeKind::pg_ctl:
        return "pg_ctl";
    case RuntimeKind::compose:
        return "compose";
    case RuntimeKind::systemd:
        return "systemd";
    }
    return "unknown";
}

std::string to_string(ResyncMode mode)
{
    switch (mode) {
    case ResyncMode::rewind:
        return "rewind";
    case ResyncMode::basebackup:
        return "basebackup";
    }
    return "unknown";
}

std::string to_string(SyncMode mode)
{
    switch (mode) {
    case SyncMode::off:
        return "off";
    case SyncMode::on:
        return "on";
    case SyncMode::strict:
        return "strict";
    }
    return "unknown";
}

std::vector<std::string> config_key_names()
{
    std::vector<std::string> names;
    for (const auto& spec : key_specs())
        names.push_back(std::string(spec.section) + "." + std::string(spec.key));
    return names;
}

} // namespace pgfo
