#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgfo::core {

enum class KeepalivedState { master, backup, fault, stop, deleted };

std::optional<KeepalivedState> parse_keepalived_state(std::string_view text);
std::string_view to_string(KeepalivedState state);

// What was asked of this node, by keepalived or by an operator.
enum class Intent {
    become_primary,  // MASTER, promote
    follow_primary,  // BACKUP: rejoin only once a peer is primary
    demote,          // operator demote: fence now, then rejoin
    fence,           // FAULT, STOP, DELETED: a primary stops; a standby keeps replicating
};

struct Request {
    Intent intent = Intent::follow_primary;
    std::string label;           // MASTER, BACKUP, FAULT, STOP, DELETED, promote, demote, rejoin
    bool force = false;          // promote --force: skip the guards
    bool from_operator = false;  // promote/demote by hand (pause does not stop these)
    std::string primary_hint;    // demote --primary HOST[:PORT]
    // Recorded as the latest requested state, so a newer request supersedes this run between
    // steps. The check's rejoin is not: it is no keepalived state and nothing should stop it.
    bool recorded = true;
    std::optional<KeepalivedState> keepalived;  // set when keepalived asked (its notify)
};

Request request_for(KeepalivedState state);

}  // namespace pgfo::core
