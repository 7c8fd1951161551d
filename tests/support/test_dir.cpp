#include "test_dir.hpp"

#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace pgfo::test {
namespace {

int g_failed_assertions = 0;

struct FailureCounter : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    bool assertionEnded(const Catch::AssertionStats& stats) override
    {
        if (!stats.assertionResult.isOk())
            ++g_failed_assertions;
        return true;
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(FailureCounter)

int failed_assertions() { return g_failed_assertions; }

TestDir::TestDir() : m_failures_at_start(g_failed_assertions)
{
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/pgfo-test-XXXXXX";
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed for " + pattern);
    m_path = pattern;
    ::chmod(m_path.c_str(), 0755);
}

TestDir::~TestDir()
{
    bool failed = g_failed_assertions > m_failures_at_start || std::uncaught_exceptions() > 0;
    if (failed || std::getenv("PGFO_KEEP_TEST_DIRS")) {
        std::cerr << "test directory kept: " << m_path << "\n";
        return;
    }
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::string TestDir::write(const std::string& name, const std::string& content, unsigned mode) const
{
    std::string file = m_path + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path());
    {
        std::ofstream stream(file, std::ios::binary | std::ios::trunc);
        stream << content;
    }
    ::chmod(file.c_str(), mode);
    return file;
}

}  // namespace pgfo::test
