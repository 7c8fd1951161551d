#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgfo::pg {

// A WAL position as a byte offset ("16/B374D848" <-> 0x16B374D848).
using Lsn = std::uint64_t;

std::optional<Lsn> parse_lsn(std::string_view text);
std::string format_lsn(Lsn lsn);

}  // namespace pgfo::pg
