#include "runtime/server_wait.hpp"

#include <algorithm>
#include <thread>

#include "pg/connection.hpp"
#include "pg/conninfo.hpp"

namespace pgfo::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto k_poll = 100ms;
constexpr auto k_alive_every = 1s;

}  // namespace

Status wait_until_accepting(const Config& config, Clock::time_point deadline, const std::function<Status()>& alive)
{
    auto conninfo = pg::client_conninfo(config.postgres.conninfo, config.timeouts.connect);
    if (!conninfo.ok())
        return conninfo.error();
    std::string last_error = "no attempt made";
    auto next_alive_check = Clock::now() + k_alive_every;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms)
            break;
        auto conn = pg::Connection::open(conninfo.value(), std::min(left, config.timeouts.connect));
        if (conn.ok())
            return ok_status();
        last_error = conn.error().message;
        if (alive && Clock::now() >= next_alive_check) {
            if (auto status = alive(); !status.ok())
                return status;
            next_alive_check = Clock::now() + k_alive_every;
        }
        std::this_thread::sleep_for(
            std::min<Clock::duration>(k_poll, std::max<Clock::duration>(deadline - Clock::now(), 0ms)));
    }
    return make_error(ErrorKind::timeout, "server did not accept connections in time (" + last_error + ")");
}

}  // namespace pgfo::runtime
