#pragma once
// Walks one assignment with a curator: the part of a slot's work that is the
// same in a thread and in a slot process.

#include "engine/cancel_token.hpp"
#include "engine/context_services.hpp"
#include "engine/event_queue.hpp"
#include "engine/node_runner.hpp"
#include "protocol/messages.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

struct WalkOutcome {
  Done done;              // counts, completeness, the root's fields and data (last_seq is the worker's)
  bool recycled = false;  // ended early because WalkHooks::stop_after_node said so
  std::uint64_t visits = 0;
  OpenData open_data;  // with recycled or a hand-back: NodeRunner::open_data(), for the restart
};

// Walks `assignment` (from its `skip` and `resume_data` unless `hooks` say
// otherwise); records and node failures go to `events` as they come (the
// caller reports started and done). A walk handed back for a drain returns a
// Done with `handed_back`, its resume point and open data.
WalkOutcome walk_assignment(const Assign& assignment, const JobSpec& spec, Curator& curator, EventSink& events,
                            std::size_t slot, const CancelToken& cancel, InputProvider* inputs,
                            const CuratorOptions& options, WalkHooks hooks = {});

// Runs the curator's finalize(); its records go to `events`.
void finalize_curator(Curator& curator, EventSink& events, std::size_t slot, const CancelToken& cancel,
                      InputProvider* inputs, const CuratorOptions& options);

}  // namespace ramify
