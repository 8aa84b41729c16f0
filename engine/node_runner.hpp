#pragma once
// Applies the curator's hooks to every node the walker visits and emits one
// outcome row per visited node: prune (the subtree is left out, the node's
// outcome is "skipped"), validate (false: "skipped", children still walked),
// curate (an exception or ctx.fail() makes it "failed").

#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "engine/cancel_token.hpp"
#include "engine/event_queue.hpp"
#include "engine/node_context.hpp"
#include "engine/record_buffer.hpp"
#include "hierarchy/walker.hpp"
#include "ramify/carry.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

struct NodeCounts {
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint64_t skipped = 0;
};

// The job options that shape a walk beyond the curator's own hooks.
struct WalkRules {
  std::string stop_level;                  // do not descend below nodes of this level
  std::vector<std::string> exclude_files;  // glob patterns of file labels that are not visited
  bool stop_at_failure = false;            // on_failure = kill: the walk ends at the first failed node
  static WalkRules from(const JobSpec& spec);
};

// How a walk is resumed (in a fresh slot process, or by another worker after
// a drain), and watched.
struct WalkHooks {
  std::uint64_t skip = 0;  // the first `skip` visits were made before a restart: not curated again
  // The data of containers visited before the restart whose subtrees were
  // not finished (open_data() of the walk that stopped): their children start from it.
  std::map<std::string, Data> resume_data;
  std::function<void(std::uint64_t index, const WalkFrame& frame)> on_node;  // before each node is curated
  std::function<bool()> stop_after_node;  // true: end the walk after this node (the slot is recycled)
  // The worker drains. hand_back_now: end the walk after this node and hand
  // the rest back (the drain's deadline). draining: a node that failed or was
  // interrupted was cut short by the drain (a scheduler's SIGTERM reaches the
  // commands too): it gets no row and is handed back with the rest.
  std::function<bool()> hand_back_now;
  std::function<bool()> draining;
  bool flush_each_node = false;  // hand over each node's rows at once (a slot process may die on the next)
};

class IncrementalScan;
struct CarryVerdict;

class NodeRunner : public WalkVisitor {
 public:
  NodeRunner(Curator& curator, RecordBuffer& records, EventSink& events, const NodeContext::Services& services,
             WalkRules rules, std::size_t slot, AssignmentRef assignment, bool shallow, WalkHooks hooks = {});

  // Incremental runs: the nodes the scan found carried over are not curated;
  // each gets a `carried` marker instead (the sink brings back its rows).
  void carry_over(const IncrementalScan* scan) { scan_ = scan; }

  bool visit(WalkFrame& frame, const ChildListing& listing) override;
  // Emits the marker of the carried files batched so far: before any other
  // row, when a folder is left, and when the walk ends.
  void flush_carried_files();
  void leave(WalkFrame& frame) override;
  bool stopped() const override {
    return (services_.cancel && services_.cancel->cancelled()) || (rules_.stop_at_failure && counts_.failures > 0) ||
           recycled_ || handed_back_;
  }
  // The walk ended early because stop_after_node asked for it.
  bool recycled() const { return recycled_; }
  // The walk ended early for a drain: the rest, from visits(), goes back to the broker.
  bool handed_back() const { return handed_back_; }
  // The last node visited was cut short (it is part of the rest).
  bool cut_short() const { return cut_short_; }
  // Visits made so far (skipped ones included): where a restart resumes.
  std::uint64_t visits() const { return visits_; }
  const NodeCounts& counts() const { return counts_; }
  // What the curator recorded on the assignment's root, and its data afterwards.
  const std::vector<std::pair<std::string, std::string>>& root_fields() const { return root_fields_; }
  const Data& root_data() const { return root_data_; }
  // The data of every container visited whose subtree is not finished, by id
  // (containers with empty data left out): what a restart needs (WalkHooks::resume_data).
  const std::map<std::string, Data>& open_data() const { return open_data_; }

 private:
  bool excluded(const Node& node) const;
  void carry(WalkFrame& frame, const CarryVerdict& verdict, bool is_root);
  // A `carried` marker of this assignment: the sink brings back what `scope` covers of the node at `search_key`.
  LogRecord carried_marker(const std::string& id, const std::string& search_key, const char* scope) const;
  void emit_marker(LogRecord&& marker);
  void await_drain() const;
  void report_failure(const Node& node, const std::string& error);

  Curator& curator_;
  RecordBuffer& records_;
  EventSink& events_;
  NodeContext::Services services_;
  WalkRules rules_;
  std::size_t slot_;
  AssignmentRef assignment_;
  bool shallow_;
  NodeCounts counts_;
  const WalkFrame* root_frame_ = nullptr;
  WalkHooks hooks_;
  std::uint64_t visits_ = 0;
  bool recycled_ = false;
  bool handed_back_ = false;
  bool cut_short_ = false;  // the last node was cut short: no leave() from now on
  const IncrementalScan* scan_ = nullptr;
  std::set<const WalkFrame*> carried_frames_;  // carried over: left without the curator
  // Files carried over one after another in one folder: one marker (carry =
  // listed: the folder's files named in `names`, a label per line) instead of one each.
  struct CarriedFiles {
    std::string parent_key;  // the folder's search key
    std::string parent_id;
    std::string names;  // labels, one per line
    std::size_t count = 0;
  } carried_files_;
  std::set<const WalkFrame*> resumed_frames_;  // visited before the restart: left without the curator
  std::vector<std::pair<std::string, std::string>> root_fields_;
  Data root_data_;
  std::map<std::string, Data> open_data_;
};

}  // namespace ramify
