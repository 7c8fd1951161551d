#include "util/user.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pgfo::util {

Result<UserInfo> lookup_user(const std::string& name)
{
    std::vector<char> buffer(16384);
    struct passwd entry {};
    struct passwd* found = nullptr;
    int error = 0;
    while ((error = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found)) == ERANGE)
        buffer.resize(buffer.size() * 2);
    if (error != 0)
        return make_error(ErrorKind::failed, "could not look up user " + name + ": " + std::strerror(error));
    if (!found)
        return make_error(ErrorKind::failed, "user " + name + " does not exist; hint: create it or fix the config");

    UserInfo user;
    user.name = entry.pw_name;
    user.uid = entry.pw_uid;
    user.gid = entry.pw_gid;
    user.home = entry.pw_dir ? entry.pw_dir : "/";
    int count = 32;
    user.groups.resize(static_cast<std::size_t>(count));
    while (::getgrouplist(name.c_str(), user.gid, user.groups.data(), &count) < 0)
        user.groups.resize(static_cast<std::size_t>(count) * 2);
    user.groups.resize(static_cast<std::size_t>(count));
    return user;
}

} // namespace pgfo::util
