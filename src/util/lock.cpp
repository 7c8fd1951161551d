#include "util/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "util/fd.hpp"
#include "util/units.hpp"

namespace pgfo::util {
namespace {

constexpr std::chrono::milliseconds k_first_retry{1};
constexpr std::chrono::milliseconds k_max_retry{20};

} // namespace

FileLock::FileLock(FileLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept
{
    if (this != &other) {
        release();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

FileLock::~FileLock()
{
    release();
}

// Closing (not LOCK_UN) releases it: a forked child that still shares the descriptor
// and dies must not unlock the parent's lock.
void FileLock::release()
{
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
}

Result<FileLock> FileLock::acquire(const std::string& path, std::chrono::milliseconds timeout)
{
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.valid())
        return make_error(ErrorKind::failed, "could not open lock file " + path + ": " + std::strerror(errno));

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto retry = k_first_retry;
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            return make_error(ErrorKind::failed, "could not lock " + path + ": " + std::strerror(errno));
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            return make_error(ErrorKind::timeout, "could not take lock " + path + " within " +
                                                      format_duration(timeout) + "; another pgfo run holds it");
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(retry, deadline - now));
        retry = std::min(retry * 2, k_max_retry);
    }
    FileLock lock;
    lock.m_fd = fd.release();
    return lock;
}

} // namespace pgfo::util
