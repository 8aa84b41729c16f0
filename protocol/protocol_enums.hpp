#pragma once
// Small enumerations carried in protocol messages.

namespace ramify {

// subtree: the root and everything below it. shallow: the root and its files
// only (containers above the partition level, curated before the fan-out).
enum class AssignmentKind : unsigned char { subtree = 0, shallow = 1 };

enum class WalkOrder : unsigned char { depth = 0, breadth = 1 };

// The broker's view of the run, carried in heartbeats and config replies.
enum class RunState : unsigned char {
  running = 0,   // dispatching
  draining = 1,  // no new dispatch; running assignments finish (on_failure = finish)
  aborted = 2,   // killed: every worker stops now
  finished = 3,  // every assignment has an outcome
};

const char* to_string(AssignmentKind kind);
const char* to_string(WalkOrder order);
const char* to_string(RunState state);

}  // namespace ramify
