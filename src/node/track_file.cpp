#include "node/track_file.hpp"

#include <string_view>

#include "util/files.hpp"
#include "util/units.hpp"

namespace pgfo::node {

Result<bool> update_track_file(const std::string& path, int weight)
{
    if (read_track_file(path) == weight)
        return false;
    (void)util::make_dirs(util::parent_dir(path), 0755);
    if (auto written = util::write_file_atomic(path, std::to_string(weight) + "\n", 0644); !written.ok())
        return make_error(ErrorKind::failed, "could not write track_file: " + written.error().message);
    return true;
}

std::optional<int> read_track_file(const std::string& path)
{
    auto content = util::read_file(path);
    if (!content.ok())
        return std::nullopt;
    std::string_view text = content.value();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
        text.remove_suffix(1);
    return util::parse_number<int>(text);
}

}  // namespace pgfo::node
