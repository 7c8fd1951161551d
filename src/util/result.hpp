#pragma once

#include <utility>
#include <variant>

#include "util/error.hpp"

namespace pgfo {

// A value or an Error. Low-level wrappers return this; policy code decides.
// (Debian 12 packages no std::expected backport; this is the small subset we use.)
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Error error) : m_state(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return get_or_throw(); }
    const T& value() const& { return const_cast<Result*>(this)->get_or_throw(); }
    T&& value() && { return std::move(get_or_throw()); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(m_state); }

    template <class U>
    T value_or(U&& fallback) const { return ok() ? std::get<0>(m_state) : T(std::forward<U>(fallback)); }

private:
    T& get_or_throw()
    {
        if (!ok())
            throw Failure(std::get<1>(m_state));
        return std::get<0>(m_state);
    }
    std::variant<T, Error> m_state;
};

struct Ok {};

// Result of an operation with no value.
using Status = Result<Ok>;

inline Status ok_status() { return Ok{}; }

inline Error make_error(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

}  // namespace pgfo
