#include "util/user.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "util/units.hpp"

namespace pgfo::util {
namespace {

// "UID" or "UID:GID" (e.g. the uid a container image runs PostgreSQL as, with no host user).
std::optional<UserInfo> numeric_user(const std::string& name)
{
    const auto colon = name.find(':');
    auto uid = parse_number<unsigned>(std::string_view(name).substr(0, colon));
    if (!uid)
        return std::nullopt;
    std::optional<unsigned> gid = *uid;
    if (colon != std::string::npos)
        gid = parse_number<unsigned>(std::string_view(name).substr(colon + 1));
    if (!gid)
        return std::nullopt;
    UserInfo user;
    user.name = name;
    user.uid = static_cast<uid_t>(*uid);
    user.gid = static_cast<gid_t>(*gid);
    user.home = "/";
    user.groups = {user.gid};
    return user;
}

}  // namespace

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
    if (!found) {
        if (auto numeric = numeric_user(name))
            return *numeric;
        return make_error(ErrorKind::failed, "user " + name + " does not exist; hint: create it or fix the config");
    }

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

}  // namespace pgfo::util
