#include "cli/context.hpp"

#include <fmt/format.h>

#include <ostream>

#include "util/error.hpp"
#include "util/files.hpp"

namespace pgfo::cli {

const Config& Context::config()
{
    if (!m_config) {
        const std::string path = resolve_config_path(options.config_path);
        LoadedConfig loaded = load_config(path);
        if (!loaded.problems.empty()) {
            std::string message = loaded.problems.front().to_string();
            if (loaded.problems.size() > 1)
                message += fmt::format(" (and {} more; run 'pgfo config check')", loaded.problems.size() - 1);
            throw Failure(ErrorKind::config, message);
        }
        m_config = std::move(loaded.config);
    }
    return *m_config;
}

const std::string& Context::tx()
{
    if (m_tx.empty())
        m_tx = util::new_tx_id();
    return m_tx;
}

util::Logger& Context::logger()
{
    if (!m_logger) {
        const Config& cfg = config();
        auto level = util::parse_log_level(cfg.log.level).value_or(util::LogLevel::info);
        if (options.verbose)
            level = util::LogLevel::debug;
        auto opened = util::Logger::open(cfg.log.file, cfg.node.name, tx(), level);
        if (opened.ok()) {
            m_logger = std::make_unique<util::Logger>(std::move(opened.value()));
        } else {
            m_err << "pgfo: warning: " << opened.error().message << "\n";
            m_logger = std::make_unique<util::Logger>();
        }
        if (!cfg.telegram.token.empty())
            m_logger->add_secret(cfg.telegram.token);
        if (!cfg.telegram.token_file.empty()) {
            if (auto token = util::read_file(cfg.telegram.token_file); token.ok()) {
                std::string secret = token.value();
                while (!secret.empty() && (secret.back() == '\n' || secret.back() == ' ' || secret.back() == '\r'))
                    secret.pop_back();
                m_logger->add_secret(secret);
            }
        }
        m_logger->set_echo(options.verbose);
    }
    return *m_logger;
}

}  // namespace pgfo::cli
