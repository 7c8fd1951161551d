#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgfo::util {

struct Command {
    std::vector<std::string> argv;  // argv[0] is an absolute path or found on PATH (execvp)
    // Environment of the child: exactly these variables when replace_env, else the
    // parent's with these set on top.
    std::map<std::string, std::string> env;
    bool replace_env = false;
    std::optional<std::string> user;  // drop to this OS user in the child (setgid, initgroups, setuid)
    std::string cwd;                  // empty: inherit (or the user's home is NOT used)
    std::chrono::milliseconds timeout{60000};
    std::chrono::milliseconds kill_grace{2000};  // TERM to the group, then KILL after this
    std::size_t max_output = 1 << 20;            // per stream; the rest is dropped (noted in truncated)
    std::string stdin_data;                      // fed to stdin; empty: stdin is /dev/null
};

struct ProcessResult {
    enum class Status { exited, signaled, timed_out, exec_failed };
    Status status = Status::exec_failed;
    int code = -1;       // exit code (exited) or signal number (signaled)
    std::string out;     // captured stdout (bounded)
    std::string err;     // captured stderr (bounded); for exec_failed, why
    bool truncated = false;
    std::chrono::milliseconds elapsed{0};
    std::chrono::milliseconds timeout{0};  // the command's, for describe()

    bool succeeded() const { return status == Status::exited && code == 0; }
    // "exited with 3", "killed by signal 9", "timed out after 5s", "could not execute: ..."
    std::string describe() const;
    // describe() plus the last line of stderr when there is one.
    std::string describe_with_stderr() const;
};

// Runs the child in its own process group with stdin from /dev/null (unless stdin_data),
// stdout/stderr captured; on timeout TERM then KILL go to the whole group. Always reaps.
ProcessResult run_process(const Command& command);

// Starts COMMAND fully detached (new session, double fork, stdio on /dev/null, cwd /
// unless set) and returns as soon as it was exec'd; used where keepalived would kill
// us (STOP). Returns false when it could not be started (fork, user or exec failed).
bool spawn_detached(const Command& command);

}  // namespace pgfo::util
