#pragma once

#include <stdexcept>
#include <string>

namespace pgfo {

// What went wrong, as far as the exit code is concerned.
enum class ErrorKind {
    failed,   // exit 1: an operation failed or the node is unhealthy
    usage,    // exit 2: bad command line
    config,   // exit 2: bad configuration
    refused,  // exit 3: a safety guard said no
    timeout,  // exit 4: a step overran its deadline
};

int exit_code(ErrorKind kind);

struct Error {
    ErrorKind kind = ErrorKind::failed;
    std::string message;
};

// Thrown by policy code; turned into an exit code only in cli::run.
class Failure : public std::runtime_error {
public:
    Failure(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    explicit Failure(const Error& error) : Failure(error.kind, error.message) {}
    ErrorKind kind() const { return m_kind; }

private:
    ErrorKind m_kind;
};

}  // namespace pgfo
