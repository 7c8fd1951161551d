#include "util/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd.hpp"

namespace pgfo::util {
namespace {

std::string errno_text(int error)
{
    return std::strerror(error);
}

Error write_error(const std::string& path, int error)
{
    return make_error(ErrorKind::failed, "could not write " + path + ": " + errno_text(error));
}

std::string base_name(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool write_all(int fd, const std::string& content)
{
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Syncs the directory entry of a rename; some file systems refuse fsync on a directory (EINVAL).
int fsync_dir(const std::string& dir)
{
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return errno;
    if (::fsync(fd.get()) != 0 && errno != EINVAL)
        return errno;
    return 0;
}

}  // namespace

std::string parent_dir(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

Status write_file_atomic(const std::string& path, const std::string& content, mode_t mode)
{
    const std::string dir = parent_dir(path);
    std::string temp = dir + "/." + base_name(path) + ".tmp-XXXXXX";
    UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (!fd.valid())
        return write_error(path, errno);

    int error = 0;
    if (!write_all(fd.get(), content) || ::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0)
        error = errno;
    if (error == 0 && ::close(fd.release()) != 0)
        error = errno;
    if (error == 0 && ::rename(temp.c_str(), path.c_str()) != 0)
        error = errno;
    if (error != 0) {
        fd.reset();
        ::unlink(temp.c_str());
        return write_error(path, error);
    }
    if (int dir_error = fsync_dir(dir); dir_error != 0)
        return make_error(ErrorKind::failed, "could not sync directory " + dir + ": " + errno_text(dir_error));
    return ok_status();
}

Result<std::string> read_file(const std::string& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return make_error(ErrorKind::failed, "could not read " + path + ": " + errno_text(errno));
    std::string content;
    char buffer[65536];
    while (true) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return make_error(ErrorKind::failed, "could not read " + path + ": " + errno_text(errno));
        }
        if (n == 0)
            break;
        content.append(buffer, static_cast<std::size_t>(n));
    }
    return content;
}

bool path_exists(const std::string& path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

Status make_dirs(const std::string& path, mode_t mode)
{
    if (path.empty())
        return make_error(ErrorKind::failed, "could not create a directory with an empty path");
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        const std::string prefix = path.substr(0, pos);
        if (prefix.empty() || prefix.back() == '/')
            continue;
        if (::mkdir(prefix.c_str(), mode) == 0) {
            if (::chmod(prefix.c_str(), mode) != 0)
                return make_error(ErrorKind::failed,
                                  "could not set the mode of directory " + prefix + ": " + errno_text(errno));
            continue;
        }
        const int error = errno;
        struct stat info {};
        if (error == EEXIST && ::stat(prefix.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
            continue;
        if (error == EEXIST)
            return make_error(ErrorKind::failed,
                              "could not create directory " + path + ": " + prefix + " is not a directory");
        return make_error(ErrorKind::failed, "could not create directory " + prefix + ": " + errno_text(error));
    }
    return ok_status();
}

}  // namespace pgfo::util
