#include "util/interfaces.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace pgfo::util {

Result<bool> host_has_address(const std::string& address)
{
    std::string bare = address.substr(0, address.find('/'));
    if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']')
        bare = bare.substr(1, bare.size() - 2);
    in_addr v4{};
    in6_addr v6{};
    int family = AF_UNSPEC;
    if (::inet_pton(AF_INET, bare.c_str(), &v4) == 1)
        family = AF_INET;
    else if (::inet_pton(AF_INET6, bare.c_str(), &v6) == 1)
        family = AF_INET6;
    else
        return make_error(ErrorKind::config,
                          "\"" + address + "\" is not an IP address; hint: set node.vip to the VIP, e.g. 10.0.0.100");

    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return make_error(ErrorKind::failed,
                          std::string("could not list the network interfaces: ") + std::strerror(errno));
    bool found = false;
    for (const ifaddrs* entry = list; entry && !found; entry = entry->ifa_next) {
        if (!entry->ifa_addr || entry->ifa_addr->sa_family != family)
            continue;
        if (family == AF_INET) {
            const auto* in = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
            found = in->sin_addr.s_addr == v4.s_addr;
        } else {
            const auto* in = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
            found = std::memcmp(&in->sin6_addr, &v6, sizeof v6) == 0;
        }
    }
    ::freeifaddrs(list);
    return found;
}

}  // namespace pgfo::util
