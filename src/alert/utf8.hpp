#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgfo::alert {

// Bytes of the valid UTF-8 sequence that starts TEXT; 0 when TEXT is empty or starts with an invalid one.
std::size_t utf8_sequence_length(std::string_view text);

bool is_valid_utf8(std::string_view text);

// TEXT with every invalid byte replaced by U+FFFD, so APIs that demand UTF-8 accept it.
std::string sanitize_utf8(std::string_view text);

// Length in UTF-16 code units, which is how Telegram counts a message's characters.
std::size_t utf16_length(std::string_view text);

// TEXT when it fits in LIMIT UTF-16 units; else its longest prefix that ends on a character
// boundary and leaves room for MARKER, followed by MARKER.
std::string truncate_utf16(std::string_view text, std::size_t limit, std::string_view marker);

} // namespace pgfo::alert
