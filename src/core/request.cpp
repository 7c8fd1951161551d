#include "core/request.hpp"

namespace pgfo::core {

std::optional<KeepalivedState> parse_keepalived_state(std::string_view text)
{
    if (text == "MASTER")
        return KeepalivedState::master;
    if (text == "BACKUP")
        return KeepalivedState::backup;
    if (text == "FAULT")
        return KeepalivedState::fault;
    if (text == "STOP")
        return KeepalivedState::stop;
    if (text == "DELETED")
        return KeepalivedState::deleted;
    return std::nullopt;
}

std::string_view to_string(KeepalivedState state)
{
    switch (state) {
    case KeepalivedState::master:
        return "MASTER";
    case KeepalivedState::backup:
        return "BACKUP";
    case KeepalivedState::fault:
        return "FAULT";
    case KeepalivedState::stop:
        return "STOP";
    case KeepalivedState::deleted:
        return "DELETED";
    }
    return "?";
}

Request request_for(KeepalivedState state)
{
    Request request;
    request.label = std::string(to_string(state));
    request.keepalived = state;
    switch (state) {
    case KeepalivedState::master:
        request.intent = Intent::become_primary;
        break;
    case KeepalivedState::backup:
        request.intent = Intent::follow_primary;
        break;
    case KeepalivedState::fault:
    case KeepalivedState::stop:
    case KeepalivedState::deleted:
        request.intent = Intent::fence;
        break;
    }
    return request;
}

}  // namespace pgfo::core
