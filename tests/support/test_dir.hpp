#pragma once

#include <string>

namespace pgfo::test {

// A fresh directory for one test under $TMPDIR (default /tmp), world-traversable so
// a server running as the postgres user can use subdirectories of it. Removed when
// the test passed; kept (and its path printed) when any assertion in the test failed.
class TestDir {
public:
    TestDir();
    TestDir(const TestDir&) = delete;
    TestDir& operator=(const TestDir&) = delete;
    ~TestDir();

    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }

    // Writes a file below the directory (creating parents) and returns its path.
    std::string write(const std::string& name, const std::string& content, unsigned mode = 0644) const;

private:
    std::string m_path;
    int m_failures_at_start = 0;
};

// Number of failed assertions so far in this process (a listener counts them).
int failed_assertions();

}  // namespace pgfo::test
