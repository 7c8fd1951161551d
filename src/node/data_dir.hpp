#pragma once

#include <map>
#include <string>

#include "pg/lsn.hpp"
#include "util/result.hpp"

namespace pgfo::node {

// The files that make a node itself (port, sockets, access rules, settings). pg_rewind and
// pg_basebackup copy the source's; pgfo puts this node's own back.
inline constexpr const char* k_node_config_files[] = {"postgresql.conf", "pg_hba.conf", "pg_ident.conf",
                                                      "postgresql.auto.conf"};

using SavedFiles = std::map<std::string, std::string>;

SavedFiles save_config_files(const std::string& data_dir);
Status restore_config_files(const std::string& data_dir, const SavedFiles& files, const std::string& os_user);

// Writes PATH atomically and gives it to OS_USER with MODE.
Status write_owned_file(const std::string& path, const std::string& content, const std::string& os_user,
                        unsigned mode = 0600);
Status chown_to_user(const std::string& path, const std::string& os_user);

// postgresql.auto.conf content with KEY set to VALUE (quoted), replacing earlier settings of KEY.
std::string set_conf_setting(const std::string& content, const std::string& key, const std::string& value);

// "key: value" lines of pg_controldata output.
std::map<std::string, std::string> parse_controldata(const std::string& output);

// "pg_rewind: servers diverged at WAL location 0/3000060 on timeline 1" -> 0x3000060.
std::optional<pg::Lsn> parse_rewind_divergence(const std::string& output);

// "/var/lib/pg/main" + time -> "/var/lib/pg/main.pgfo-20261129T123343Z"
std::string aside_path(const std::string& data_dir);

}  // namespace pgfo::node
