#include "util/log.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>
#include <utility>

#include "util/logfmt.hpp"

namespace pgfo::util {
namespace {

constexpr std::size_t k_min_secret_length = 4;
constexpr std::string_view k_redacted = "[redacted]";
constexpr std::string_view k_reserved_keys[] = {"ts", "level", "node", "tx", "event", "msg"};

// Secrets that qualify, longest first, so a secret that contains another is replaced whole.
std::vector<std::string_view> usable_secrets(const std::vector<std::string>& secrets)
{
    std::vector<std::string_view> usable;
    for (const auto& secret : secrets)
        if (secret.size() >= k_min_secret_length)
            usable.push_back(secret);
    std::sort(usable.begin(), usable.end(), [](auto a, auto b) { return a.size() > b.size(); });
    return usable;
}

std::string redact(std::string_view value, const std::vector<std::string_view>& secrets)
{
    std::string text(value);
    for (auto secret : secrets) {
        std::size_t pos = 0;
        while ((pos = text.find(secret, pos)) != std::string::npos) {
            text.replace(pos, secret.size(), k_redacted);
            pos += k_redacted.size();
        }
    }
    return text;
}

std::string field_key(std::string_view key, const std::vector<std::string_view>& secrets)
{
    std::string clean = sanitize_logfmt_key(redact(key, secrets));
    for (auto reserved : k_reserved_keys)
        if (clean == reserved)
            return clean + "_";
    return clean;
}

// mkdir -p; only the directories it creates get MODE.
bool make_parent_dirs(const std::string& dir, mode_t mode)
{
    if (dir.empty())
        return true;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return true;
        errno = ENOTDIR;
        return false;
    }
    const auto slash = dir.find_last_of('/');
    if (slash != std::string::npos && slash > 0 && !make_parent_dirs(dir.substr(0, slash), mode))
        return false;
    return ::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST;
}

std::string parent_dir(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return {};
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

// Writes all of DATA; retries on EINTR and continues after a short write.
void write_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (n == 0)
            return;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

} // namespace

std::string_view to_string(LogLevel level)
{
    switch (level) {
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warn:
        return "warn";
    case LogLevel::error:
        return "error";
    }
    return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text)
{
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "debug")
        return LogLevel::debug;
    if (lower == "info")
        return LogLevel::info;
    if (lower == "warn" || lower == "warning")
        return LogLevel::warn;
    if (lower == "error")
        return LogLevel::error;
    return std::nullopt;
}

std::string format_log_line(std::string_view ts, LogLevel level, std::string_view node, std::string_view tx,
                            std::string_view event, const std::vector<LogField>& fields, std::string_view msg,
                            const std::vector<std::string>& secrets)
{
    const auto usable = usable_secrets(secrets);
    std::string line;
    line.reserve(96 + msg.size());
    append_logfmt_pair(line, "ts", redact(ts, usable));
    append_logfmt_pair(line, "level", to_string(level));
    append_logfmt_pair(line, "node", redact(node, usable));
    append_logfmt_pair(line, "tx", redact(tx, usable));
    append_logfmt_pair(line, "event", redact(event, usable));
    for (const auto& field : fields)
        append_logfmt_pair(line, field_key(field.key, usable), redact(field.value, usable));
    append_logfmt_pair(line, "msg", redact(msg, usable));
    return line;
}

std::string utc_timestamp_now()
{
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    tm utc{};
    ::gmtime_r(&now.tv_sec, &utc);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec, now.tv_nsec / 1'000'000);
}

std::string new_tx_id()
{
    unsigned char bytes[3] = {};
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        std::random_device device;
        for (auto& byte : bytes)
            byte = static_cast<unsigned char>(device());
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string id;
    for (auto byte : bytes) {
        id += k_hex[byte >> 4];
        id += k_hex[byte & 0xf];
    }
    return id;
}

Logger::Logger(Logger&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_node(std::move(other.m_node)), m_tx(std::move(other.m_tx)),
      m_min_level(other.m_min_level), m_secrets(std::move(other.m_secrets)), m_echo(other.m_echo)
{
}

Logger& Logger::operator=(Logger&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_node = std::move(other.m_node);
        m_tx = std::move(other.m_tx);
        m_min_level = other.m_min_level;
        m_secrets = std::move(other.m_secrets);
        m_echo = other.m_echo;
    }
    return *this;
}

Logger::~Logger()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<Logger> Logger::open(const std::string& path, std::string node, std::string tx, LogLevel min_level)
{
    const std::string dir = parent_dir(path);
    if (!make_parent_dirs(dir, 0750))
        return make_error(ErrorKind::failed, "log directory " + dir + " cannot be created: " + std::strerror(errno) +
                                                 "; hint: create it or set [log] file to a writable path");
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return make_error(ErrorKind::failed, "log file " + path +
                                                 " cannot be opened for writing: " + std::strerror(errno) +
                                                 "; hint: check its permissions or set [log] file");
    Logger logger;
    logger.m_fd = fd;
    logger.m_node = std::move(node);
    logger.m_tx = std::move(tx);
    logger.m_min_level = min_level;
    return logger;
}

void Logger::log(LogLevel level, std::string_view event, std::string_view msg, const std::vector<LogField>& fields)
{
    if (level < m_min_level || (m_fd < 0 && !m_echo))
        return;
    try {
        std::string line = format_log_line(utc_timestamp_now(), level, m_node, m_tx, event, fields, msg, m_secrets);
        line += '\n';
        if (m_fd >= 0)
            write_all(m_fd, line);
        if (m_echo)
            write_all(STDERR_FILENO, line);
    } catch (...) {
        // Logging never fails an operation, not even when memory runs out.
    }
}

void Logger::add_secret(std::string secret)
{
    if (secret.size() >= k_min_secret_length)
        m_secrets.push_back(std::move(secret));
}

} // namespace pgfo::util
