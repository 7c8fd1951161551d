#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/log_query.hpp"
#include "util/result.hpp"

namespace pgfo::util {

using LineClassifier = std::function<LineVerdict(std::string_view line)>;

inline constexpr std::size_t k_tail_block_size = 64 * 1024;

// The last N lines in the first END bytes of FD that CLASSIFY keeps (all when it is empty),
// oldest first. Reads backwards in blocks of BLOCK_SIZE and stops at N lines or at a stop
// verdict, so the tail of a large file costs only its last blocks. A last line without a
// newline counts; empty lines are skipped.
Result<std::vector<std::string>> read_last_lines(int fd, std::uint64_t end, std::size_t n,
                                                 const LineClassifier& classify = {},
                                                 std::size_t block_size = k_tail_block_size);

// The log file as `pgfo log` reads it: its tail when opened, then what is appended.
class LogTail {
public:
    LogTail(const LogTail&) = delete;
    LogTail& operator=(const LogTail&) = delete;
    LogTail(LogTail&& other) noexcept;
    LogTail& operator=(LogTail&& other) noexcept;
    ~LogTail();

    // ErrorKind::failed naming PATH when it does not exist or cannot be read.
    static Result<LogTail> open(const std::string& path);

    // The last N lines that CLASSIFY keeps, up to the size the file had when opened.
    Result<std::vector<std::string>> last_lines(std::size_t n, const LineClassifier& classify = {},
                                                std::size_t block_size = k_tail_block_size) const;

    // Whole lines appended since the open or the last call. When PATH names another file
    // (rotation by rename), the rest of the old one is read, then the new one from its
    // start; when the file shrank (truncation), reading starts again at its start.
    std::vector<std::string> follow();

private:
    LogTail(std::string path, int fd, const struct stat& st);
    void read_appended(std::vector<std::string>& lines);
    void flush_partial(std::vector<std::string>& lines);

    std::string m_path;
    int m_fd = -1;
    dev_t m_dev = 0;
    ino_t m_ino = 0;
    std::uint64_t m_start = 0;  // size when opened: where last_lines reads back from
    std::uint64_t m_offset = 0; // where follow reads on
    std::string m_partial;      // an appended line still waiting for its newline
};

} // namespace pgfo::util
