#include "util/log_tail.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace pgfo::util {
namespace {

constexpr std::size_t k_follow_chunk = 64 * 1024;
// An appended "line" this long without a newline is shown as it is rather than buffered on.
constexpr std::size_t k_max_partial = 1024 * 1024;

// Reads exactly LENGTH bytes at OFFSET unless the file ends first; returns the count or -1.
ssize_t read_at(int fd, char* buffer, std::size_t length, std::uint64_t offset)
{
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(fd, buffer + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

} // namespace

Result<std::vector<std::string>> read_last_lines(int fd, std::uint64_t end, std::size_t n,
                                                 const LineClassifier& classify, std::size_t block_size)
{
    std::vector<std::string> newest_first;
    if (n == 0 || end == 0)
        return newest_first;
    block_size = std::max<std::size_t>(block_size, 1);

    // The line being assembled from the blocks read so far, its latest part first.
    std::vector<std::string> pieces;
    // Completes the line that starts with HEAD; false when the scan is done.
    auto finish_line = [&](std::string_view head) {
        std::string line(head);
        for (auto it = pieces.rbegin(); it != pieces.rend(); ++it)
            line += *it;
        pieces.clear();
        if (line.empty())
            return true;
        const LineVerdict verdict = classify ? classify(line) : LineVerdict::keep;
        if (verdict == LineVerdict::stop)
            return false;
        if (verdict == LineVerdict::keep)
            newest_first.push_back(std::move(line));
        return newest_first.size() < n;
    };
    auto oldest_first = [&] {
        std::reverse(newest_first.begin(), newest_first.end());
        return std::move(newest_first);
    };

    std::string block;
    std::uint64_t pos = end;
    while (pos > 0) {
        const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(block_size, pos));
        pos -= length;
        block.resize(length);
        const ssize_t got = read_at(fd, block.data(), length, pos);
        if (got < 0)
            return make_error(ErrorKind::failed, std::string("read failed: ") + std::strerror(errno));
        if (static_cast<std::size_t>(got) < length)
            return make_error(ErrorKind::failed, "the file shrank while being read");
        std::size_t segment_end = length;
        for (std::size_t i = length; i-- > 0;) {
            if (block[i] != '\n')
                continue;
            if (pos + i + 1 != end && !finish_line(std::string_view(block).substr(i + 1, segment_end - i - 1)))
                return oldest_first();
            segment_end = i;
        }
        pieces.push_back(block.substr(0, segment_end));
    }
    finish_line({});
    return oldest_first();
}

LogTail::LogTail(std::string path, int fd, const struct stat& st)
    : m_path(std::move(path)), m_fd(fd), m_dev(st.st_dev), m_ino(st.st_ino),
      m_start(static_cast<std::uint64_t>(st.st_size)), m_offset(m_start)
{
}

LogTail::LogTail(LogTail&& other) noexcept
    : m_path(std::move(other.m_path)), m_fd(std::exchange(other.m_fd, -1)), m_dev(other.m_dev), m_ino(other.m_ino),
      m_start(other.m_start), m_offset(other.m_offset), m_partial(std::move(other.m_partial))
{
}

LogTail& LogTail::operator=(LogTail&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_path = std::move(other.m_path);
        m_fd = std::exchange(other.m_fd, -1);
        m_dev = other.m_dev;
        m_ino = other.m_ino;
        m_start = other.m_start;
        m_offset = other.m_offset;
        m_partial = std::move(other.m_partial);
    }
    return *this;
}

LogTail::~LogTail()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<LogTail> LogTail::open(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return make_error(ErrorKind::failed, "log file " + path +
                                                     " does not exist yet; hint: pgfo creates it on the first "
                                                     "event it logs, or set [log] file to where it is");
        return make_error(ErrorKind::failed, "log file " + path + " cannot be read: " + std::strerror(errno) +
                                                 "; hint: run as root or as a member of the file's group");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return make_error(ErrorKind::failed,
                          "log file " + path + " is not a regular file; hint: set [log] file to a file path");
    }
    return LogTail(path, fd, st);
}

Result<std::vector<std::string>> LogTail::last_lines(std::size_t n, const LineClassifier& classify,
                                                     std::size_t block_size) const
{
    auto lines = read_last_lines(m_fd, m_start, n, classify, block_size);
    if (!lines)
        return make_error(ErrorKind::failed, "log file " + m_path + ": " + lines.error().message);
    return lines;
}

std::vector<std::string> LogTail::follow()
{
    std::vector<std::string> lines;
    struct stat st {};
    if (::fstat(m_fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < m_offset) {
        flush_partial(lines);
        m_offset = 0;
    }
    read_appended(lines);
    struct stat now {};
    if (::stat(m_path.c_str(), &now) != 0 || (now.st_dev == m_dev && now.st_ino == m_ino))
        return lines;
    const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lines;
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        return lines;
    }
    flush_partial(lines);
    ::close(m_fd);
    m_fd = fd;
    m_dev = st.st_dev;
    m_ino = st.st_ino;
    m_offset = 0;
    read_appended(lines);
    return lines;
}

void LogTail::read_appended(std::vector<std::string>& lines)
{
    std::string chunk(k_follow_chunk, '\0');
    while (true) {
        const ssize_t got = read_at(m_fd, chunk.data(), chunk.size(), m_offset);
        if (got <= 0)
            return;
        m_offset += static_cast<std::uint64_t>(got);
        std::string_view data(chunk.data(), static_cast<std::size_t>(got));
        std::size_t newline;
        while ((newline = data.find('\n')) != std::string_view::npos) {
            m_partial += data.substr(0, newline);
            flush_partial(lines);
            data.remove_prefix(newline + 1);
        }
        m_partial += data;
        if (m_partial.size() >= k_max_partial)
            flush_partial(lines);
    }
}

void LogTail::flush_partial(std::vector<std::string>& lines)
{
    if (!m_partial.empty())
        lines.push_back(std::move(m_partial));
    m_partial.clear();
}

} // namespace pgfo::util
