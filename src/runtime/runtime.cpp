#include "runtime/runtime.hpp"

#include "runtime/compose_runtime.hpp"
#include "runtime/pg_ctl_runtime.hpp"
#include "runtime/systemd_runtime.hpp"

namespace pgfo::runtime {

std::unique_ptr<Runtime> make_runtime(const Config& config)
{
    switch (config.postgres.runtime) {
    case RuntimeKind::pg_ctl:
        return std::make_unique<PgCtlRuntime>(config);
    case RuntimeKind::compose:
        return std::make_unique<ComposeRuntime>(config);
    case RuntimeKind::systemd:
        return std::make_unique<SystemdRuntime>(config);
    }
    throw Failure(ErrorKind::config, "unknown runtime");
}

Error process_error(const std::string& what, const util::ProcessResult& result)
{
    ErrorKind kind = result.status == util::ProcessResult::Status::timed_out ? ErrorKind::timeout : ErrorKind::failed;
    return Error{kind, what + " " + result.describe_with_stderr()};
}

}  // namespace pgfo::runtime
