#pragma once

#include <chrono>
#include <functional>

#include "util/config.hpp"
#include "util/result.hpp"

namespace pgfo::runtime {

// Polls until the server behind postgres.conninfo accepts a connection, or DEADLINE passes
// (ErrorKind::timeout naming the last connection error). ALIVE, when given, is asked about
// once a second; an error from it ends the wait at once (e.g. the container exited).
Status wait_until_accepting(const Config& config, std::chrono::steady_clock::time_point deadline,
                            const std::function<Status()>& alive = {});

}  // namespace pgfo::runtime
