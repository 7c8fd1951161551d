#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace pgfo::util {

struct UserInfo {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
    std::vector<gid_t> groups;  // supplementary groups, the primary one included
};

// Looks NAME up in the passwd and group databases; ErrorKind::failed when it does not exist.
// A NAME that no entry has and reads "UID" or "UID:GID" (gid defaults to uid) stands for
// those ids, home "/" (container images run PostgreSQL as a uid the host may not name).
Result<UserInfo> lookup_user(const std::string& name);

}  // namespace pgfo::util
