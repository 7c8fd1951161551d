#include "alert/utf8.hpp"

namespace pgfo::alert {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";

bool is_continuation(unsigned char byte)
{
    return (byte & 0xC0) == 0x80;
}

// Units of the sequence of LENGTH bytes: 2 for the 4-byte sequences (astral planes), else 1.
std::size_t utf16_units(std::size_t length)
{
    return length == 4 ? 2 : 1;
}

} // namespace

std::size_t utf8_sequence_length(std::string_view text)
{
    if (text.empty())
        return 0;
    const auto lead = static_cast<unsigned char>(text[0]);
    if (lead < 0x80)
        return 1;
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            second_min = 0xA0; // overlong
        else if (lead == 0xED)
            second_max = 0x9F; // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            second_min = 0x90; // overlong
        else if (lead == 0xF4)
            second_max = 0x8F; // above U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;
    const auto second = static_cast<unsigned char>(text[1]);
    if (second < second_min || second > second_max)
        return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (!is_continuation(static_cast<unsigned char>(text[i])))
            return 0;
    return length;
}

bool is_valid_utf8(std::string_view text)
{
    while (!text.empty()) {
        const std::size_t length = utf8_sequence_length(text);
        if (length == 0)
            return false;
        text.remove_prefix(length);
    }
    return true;
}

std::string sanitize_utf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const std::size_t length = utf8_sequence_length(text);
        if (length == 0) {
            out += k_replacement;
            text.remove_prefix(1);
        } else {
            out += text.substr(0, length);
            text.remove_prefix(length);
        }
    }
    return out;
}

std::size_t utf16_length(std::string_view text)
{
    std::size_t units = 0;
    while (!text.empty()) {
        const std::size_t length = utf8_sequence_length(text);
        units += utf16_units(length);
        text.remove_prefix(length == 0 ? 1 : length);
    }
    return units;
}

std::string truncate_utf16(std::string_view text, std::size_t limit, std::string_view marker)
{
    if (utf16_length(text) <= limit)
        return std::string(text);
    const std::size_t marker_units = utf16_length(marker);
    if (marker_units >= limit)
        return truncate_utf16(marker, limit, "");
    const std::size_t room = limit - marker_units;
    std::size_t units = 0;
    std::size_t cut = 0;
    while (cut < text.size()) {
        std::size_t length = utf8_sequence_length(text.substr(cut));
        if (length == 0)
            length = 1;
        const std::size_t next = units + utf16_units(length);
        if (next > room)
            break;
        units = next;
        cut += length;
    }
    return std::string(text.substr(0, cut)) + std::string(marker);
}

} // namespace pgfo::alert
