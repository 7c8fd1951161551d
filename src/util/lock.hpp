#pragma once

#include <chrono>
#include <string>

#include "util/result.hpp"

namespace pgfo::util {

// An exclusive flock on a file, released when the object dies. The descriptor is close-on-exec;
// a forked child that does not exec shares it and keeps the lock until that child exits too.
class FileLock {
public:
    FileLock() = default;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    ~FileLock();

    // Waits at most TIMEOUT; ErrorKind::timeout when it could not be had by then.
    static Result<FileLock> acquire(const std::string& path, std::chrono::milliseconds timeout);

    bool held() const { return m_fd >= 0; }
    void release();

private:
    int m_fd = -1;
};

}  // namespace pgfo::util
