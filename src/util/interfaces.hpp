#pragma once

#include <string>

#include "util/result.hpp"

namespace pgfo::util {

// Whether an interface of this host holds ADDRESS (IPv4 or IPv6, an optional "/prefix" is
// ignored), as getifaddrs reports it. ErrorKind::config when ADDRESS is not an IP address.
Result<bool> host_has_address(const std::string& address);

}  // namespace pgfo::util
