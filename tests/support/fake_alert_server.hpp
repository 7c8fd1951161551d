#pragma once

#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "alert/json.hpp"
#include "test_dir.hpp"

namespace pgfo::test {

// One request as tests/support/fake_alert_server.py recorded it.
struct RecordedRequest {
    double time = 0; // seconds since the epoch, when it arrived
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool body_valid_utf8 = false;

    // The value of header NAME (case-insensitive); empty when absent.
    std::string header(const std::string& name) const;
    // The body parsed as JSON; throws when it is not JSON.
    alert::json::Value json() const;
};

// The python fake alert server on 127.0.0.1, a free port, for the lifetime of this object.
class FakeAlertServer {
public:
    struct Options {
        std::vector<std::string> responses{"200"}; // 200, 400, 401, 429, 500, hang; the last repeats
        std::string token;                         // when set, only /bot<token>/sendMessage is served
        int retry_after = 1;
    };

    FakeAlertServer(const TestDir& dir, Options options);
    FakeAlertServer(const FakeAlertServer&) = delete;
    FakeAlertServer& operator=(const FakeAlertServer&) = delete;
    ~FakeAlertServer();

    int port() const { return m_port; }
    std::string url() const; // http://127.0.0.1:PORT
    std::vector<RecordedRequest> requests() const;

private:
    std::string m_record_file;
    pid_t m_pid = -1;
    int m_port = 0;
};

} // namespace pgfo::test
