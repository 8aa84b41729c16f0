// NodeRunner, which applies a curator's hooks to every node of a walk and
// emits the rows and failure events, driven through walk() over a tree in
// memory with a scripted curator.
#include "engine/node_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/cancel_token.hpp"
#include "engine/event_queue.hpp"
#include "engine/record_buffer.hpp"
#include "hierarchy/memory_source.hpp"
#include "hierarchy/walker.hpp"
#include "protocol/codec.hpp"
#include "support/nodes.hpp"

namespace ramify {
namespace {

using testing::make_node;

constexpr std::size_t kSlot = 3;
const AssignmentRef kAssignment{42, 2};

// p                 project
// +-- README        file
// +-- a             subject
// |   +-- a/1       session
// |   |   +-- a/1/f.txt   file
// |   +-- a/2       session
// +-- b             subject
//     +-- b/x.dat   file
// Depth-first: p, README, a, a/1, a/1/f.txt, a/2, b, b/x.dat.
MemorySource tree() {
  return MemorySource(make_node("p", "", "project"),
                      {make_node("README", "p", "file"), make_node("a", "p", "subject"), make_node("a/1", "a", "session"),
                       make_node("a/1/f.txt", "a/1", "file"), make_node("a/2", "a", "session"),
                       make_node("b", "p", "subject"), make_node("b/x.dat", "b", "file")});
}
const std::vector<std::string> kAllIds{"p", "README", "a", "a/1", "a/1/f.txt", "a/2", "b", "b/x.dat"};

// A curator that notes every hook call and does what the test scripted for a node.
class ScriptedCurator : public Curator {
 public:
  bool prune(const Node& node, Context& /*ctx*/) override {
    calls.push_back("prune " + node.id);
    if (auto it = throw_in_prune.find(node.id); it != throw_in_prune.end()) throw std::runtime_error(it->second);
    return prune_ids.count(node.id) > 0;
  }
  bool validate(const Node& node, Context& ctx) override {
    calls.push_back("validate " + node.id);
    if (auto it = throw_in_validate.find(node.id); it != throw_in_validate.end())
      throw std::runtime_error(it->second);
    if (auto it = decline_with_reason.find(node.id); it != decline_with_reason.end()) {
      ctx.skip(it->second);
      return false;
    }
    return decline_ids.count(node.id) == 0;
  }
  void curate(const Node& node, Context& ctx) override {
    calls.push_back("curate " + node.id);
    if (on_curate) on_curate(node, ctx);
    if (auto it = fail_in_curate.find(node.id); it != fail_in_curate.end()) ctx.fail(it->second);
    if (auto it = throw_in_curate.find(node.id); it != throw_in_curate.end()) throw std::runtime_error(it->second);
  }
  void leave(const Node& node, Context& ctx) override {
    calls.push_back("leave " + node.id);
    if (on_leave) on_leave(node, ctx);
    if (auto it = throw_in_leave.find(node.id); it != throw_in_leave.end()) throw std::runtime_error(it->second);
  }

  // The ids the given hook ("curate", "leave"...) was called with, in order.
  std::vector<std::string> called(const std::string& hook) const {
    std::vector<std::string> ids;
    for (const auto& call : calls)
      if (call.rfind(hook + " ", 0) == 0) ids.push_back(call.substr(hook.size() + 1));
    return ids;
  }

  std::vector<std::string> calls;
  std::set<std::string> prune_ids, decline_ids;
  std::map<std::string, std::string> decline_with_reason, fail_in_curate, throw_in_curate, throw_in_leave,
      throw_in_prune, throw_in_validate;
  std::function<void(const Node&, Context&)> on_curate, on_leave;
};

// Keeps every event pushed, as the worker's queue would hand them over.
class EventLog : public EventSink {
 public:
  void push(SlotEvent event) override { events.push_back(std::move(event)); }
  std::vector<SlotEvent> events;
};

struct WalkSetup {
  WalkRules rules{};
  WalkHooks hooks{};
  const CancelToken* cancel = nullptr;
  bool shallow = false;
  HierarchySource* source = nullptr;  // null: tree()
  EventLog* sink = nullptr;           // null: one of run()'s own
};

// What one walk left behind.
struct Walked {
  std::vector<SlotEvent> events;
  std::vector<LogRecord> records;  // every records event decoded, in order
  std::size_t pending_after_walk = 0;  // rows still in the buffer when walk() returned
  NodeCounts counts;
  WalkResult result;
  std::uint64_t visits = 0;
  bool recycled = false;
  bool handed_back = false;
  bool cut_short = false;
  bool stopped = false;
  std::vector<std::pair<std::string, std::string>> root_fields;
  Data root_data;
  std::map<std::string, Data> open_data;

  std::vector<const LogRecord*> outcomes() const {
    std::vector<const LogRecord*> rows;
    for (const auto& r : records)
      if (r.kind == RecordKind::outcome) rows.push_back(&r);
    return rows;
  }
  std::vector<std::string> outcome_ids() const {
    std::vector<std::string> ids;
    for (const auto* r : outcomes()) ids.push_back(r->container_id);
    return ids;
  }
  // The outcome row of `id` (the test fails when there is not exactly one).
  LogRecord outcome(const std::string& id) const {
    std::vector<LogRecord> found;
    for (const auto* r : outcomes())
      if (r->container_id == id) found.push_back(*r);
    EXPECT_EQ(found.size(), 1u) << "outcome rows of " << id;
    return found.empty() ? LogRecord{} : found.front();
  }
  std::vector<LogRecord> logs_of(const std::string& id) const {
    std::vector<LogRecord> found;
    for (const auto& r : records)
      if (r.kind == RecordKind::log && r.container_id == id) found.push_back(r);
    return found;
  }
  std::vector<NodeFailed> failures() const {
    std::vector<NodeFailed> found;
    for (const auto& e : events)
      if (e.kind == SlotEvent::Kind::node_failed) found.push_back(e.failed);
    return found;
  }
};

// Walks the tree depth-first with a NodeRunner over `curator`, then flushes
// the record buffer as the slot does at the end of an assignment.
Walked run(Curator& curator, WalkSetup setup = {}) {
  MemorySource own = tree();
  HierarchySource& source = setup.source ? *setup.source : own;
  EventLog own_sink;
  EventLog& sink = setup.sink ? *setup.sink : own_sink;
  RecordBuffer buffer(sink, kSlot);
  const CuratorOptions options;
  const NodeContext::Services services{buffer, options, &source, setup.cancel, nullptr};
  NodeRunner runner(curator, buffer, sink, services, setup.rules, kSlot, kAssignment, setup.shallow,
                    std::move(setup.hooks));
  Walked walked;
  walked.result = walk(source, WalkPlan{source.root(), {}, WalkOrder::depth, setup.shallow, {}}, runner);
  walked.pending_after_walk = buffer.pending();
  buffer.flush();
  walked.counts = runner.counts();
  walked.visits = runner.visits();
  walked.recycled = runner.recycled();
  walked.handed_back = runner.handed_back();
  walked.cut_short = runner.cut_short();
  walked.stopped = runner.stopped();
  walked.root_fields = runner.root_fields();
  walked.root_data = runner.root_data();
  walked.open_data = runner.open_data();
  walked.events = std::move(sink.events);
  for (const auto& e : walked.events) {
    if (e.kind != SlotEvent::Kind::records) continue;
    EXPECT_EQ(e.slot, kSlot);
    auto batch = decode_records(e.records, e.record_count);
    walked.records.insert(walked.records.end(), batch.begin(), batch.end());
  }
  return walked;
}

// prune, validate and curate run on each node in that order, parents before
// children; leave runs on each container once everything below it was
// visited. Every node gets one "ok" outcome row, tagged with the node and the
// assignment, and no failure is reported.
TEST(NodeRunner, RunsHooksInOrderAndEmitsOneOutcomePerNode) {
  ScriptedCurator curator;
  const Walked w = run(curator);

  const std::vector<std::string> expected{
      "prune p",       "validate p",    "curate p",        "prune README",    "validate README", "curate README",
      "prune a",       "validate a",    "curate a",        "prune a/1",       "validate a/1",    "curate a/1",
      "prune a/1/f.txt", "validate a/1/f.txt", "curate a/1/f.txt", "leave a/1",  "prune a/2",       "validate a/2",
      "curate a/2",    "leave a/2",     "leave a",         "prune b",         "validate b",      "curate b",
      "prune b/x.dat", "validate b/x.dat", "curate b/x.dat", "leave b",       "leave p"};
  EXPECT_EQ(curator.calls, expected);

  EXPECT_EQ(w.outcome_ids(), kAllIds);
  for (const auto* r : w.outcomes()) {
    EXPECT_EQ(r->status, Status::ok) << r->container_id;
    EXPECT_EQ(r->assignment, kAssignment.id);
    EXPECT_EQ(r->attempt, kAssignment.attempt);
  }
  const LogRecord session = w.outcome("a/1");
  EXPECT_EQ(session.container_type, "session");
  EXPECT_EQ(session.label, "1");
  EXPECT_EQ(session.search_key, "p/a/1");
  EXPECT_EQ(w.counts.nodes, 8u);
  EXPECT_EQ(w.counts.failures, 0u);
  EXPECT_EQ(w.counts.skipped, 0u);
  EXPECT_TRUE(w.failures().empty());
  EXPECT_TRUE(w.result.finished);
  EXPECT_FALSE(w.stopped);
}

// What the curator logs and records on a node ends up in that node's rows:
// log rows before its outcome row, recorded fields on the outcome row.
TEST(NodeRunner, EmitsTheRecordsTheCuratorMakes) {
  ScriptedCurator curator;
  curator.on_curate = [](const Node& node, Context& ctx) {
    if (node.id != "b/x.dat") return;
    ctx.info("looked at it");
    ctx.finding("odd header");
    ctx.record("digest", "abc");
    ctx.record("bytes", 12);
  };
  const Walked w = run(curator);

  const auto logs = w.logs_of("b/x.dat");
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].msg, "looked at it");
  EXPECT_EQ(logs[0].severity, Severity::info);
  EXPECT_EQ(logs[1].err, "odd header");
  EXPECT_FALSE(logs[1].resolved);

  const auto last_log = std::find_if(w.records.begin(), w.records.end(),
                                     [](const LogRecord& r) { return r.msg == "odd header" || r.err == "odd header"; });
  const auto outcome_row = std::find_if(w.records.begin(), w.records.end(), [](const LogRecord& r) {
    return r.kind == RecordKind::outcome && r.container_id == "b/x.dat";
  });
  EXPECT_LT(last_log - w.records.begin(), outcome_row - w.records.begin());

  const LogRecord outcome = w.outcome("b/x.dat");
  EXPECT_EQ(outcome.status, Status::ok);
  EXPECT_EQ(outcome.fields, (std::vector<Field>{Field{"digest", "abc", FieldType::text},
                                                 Field{"bytes", "12", FieldType::integer}}));
  EXPECT_TRUE(w.outcome("a").fields.empty());
}

// A curate() that throws fails the node with the exception's message: a
// "failed" outcome row, a node_failed event naming the node and the error
// (sent after the node's rows), and the walk goes on with the other nodes.
TEST(NodeRunner, ThrowingCurateFailsTheNodeWithTheMessage) {
  ScriptedCurator curator;
  curator.throw_in_curate["a/1"] = "disk on fire";
  const Walked w = run(curator);

  const LogRecord failed = w.outcome("a/1");
  EXPECT_EQ(failed.status, Status::failed);
  EXPECT_EQ(failed.err, "disk on fire");
  EXPECT_EQ(failed.severity, Severity::error);
  EXPECT_FALSE(failed.resolved);
  EXPECT_EQ(w.counts.failures, 1u);
  EXPECT_EQ(w.outcome("b").status, Status::ok);
  EXPECT_EQ(w.outcome("b/x.dat").status, Status::ok);

  const auto failures = w.failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].node_id, "a/1");
  EXPECT_EQ(failures[0].container_type, "session");
  EXPECT_EQ(failures[0].error, "disk on fire");
  EXPECT_EQ(failures[0].id, kAssignment.id);
  EXPECT_EQ(failures[0].attempt, kAssignment.attempt);

  // The failed node's outcome row went out in a records event before the node_failed event.
  bool row_sent = false;
  for (const auto& e : w.events) {
    if (e.kind == SlotEvent::Kind::node_failed) {
      EXPECT_EQ(e.slot, kSlot);
      EXPECT_EQ(e.assignment, kAssignment);
      break;
    }
    if (e.kind != SlotEvent::Kind::records) continue;
    for (const auto& r : decode_records(e.records, e.record_count))
      if (r.kind == RecordKind::outcome && r.container_id == "a/1") row_sent = true;
  }
  EXPECT_TRUE(row_sent);
}

// Something thrown that is not a std::exception fails the node too.
TEST(NodeRunner, ThrowingANonExceptionFailsTheNode) {
  ScriptedCurator curator;
  curator.on_curate = [](const Node& node, Context&) {
    if (node.id == "README") throw 42;
  };
  const Walked w = run(curator);
  const LogRecord failed = w.outcome("README");
  EXPECT_EQ(failed.status, Status::failed);
  EXPECT_FALSE(failed.err.empty());
  EXPECT_EQ(w.counts.failures, 1u);
  ASSERT_EQ(w.failures().size(), 1u);
  EXPECT_EQ(w.failures()[0].node_id, "README");
}

// A prune() or validate() that throws fails the node with its message, too.
TEST(NodeRunner, ThrowingPruneOrValidateFailsTheNode) {
  ScriptedCurator curator;
  curator.throw_in_prune["a/2"] = "prune blew up";
  curator.throw_in_validate["b/x.dat"] = "validate blew up";
  const Walked w = run(curator);
  EXPECT_EQ(w.outcome("a/2").status, Status::failed);
  EXPECT_EQ(w.outcome("a/2").err, "prune blew up");
  EXPECT_EQ(w.outcome("b/x.dat").status, Status::failed);
  EXPECT_EQ(w.outcome("b/x.dat").err, "validate blew up");
  EXPECT_EQ(curator.called("curate"), (std::vector<std::string>{"p", "README", "a", "a/1", "a/1/f.txt", "b"}));
  EXPECT_EQ(w.counts.failures, 2u);
  ASSERT_EQ(w.failures().size(), 2u);
  EXPECT_EQ(w.failures()[0].error, "prune blew up");
  EXPECT_EQ(w.failures()[1].error, "validate blew up");
}

// ctx.fail() fails the node as a throw does; the first error is kept.
TEST(NodeRunner, CtxFailFailsTheNodeKeepingTheFirstError) {
  ScriptedCurator curator;
  curator.on_curate = [](const Node& node, Context& ctx) {
    if (node.id == "b") ctx.fail("first");
  };
  curator.fail_in_curate["b"] = "second";
  const Walked w = run(curator);
  EXPECT_EQ(w.outcome("b").status, Status::failed);
  EXPECT_EQ(w.outcome("b").err, "first");
  EXPECT_EQ(w.counts.failures, 1u);
  ASSERT_EQ(w.failures().size(), 1u);
  EXPECT_EQ(w.failures()[0].error, "first");
}

// prune() true: the node's outcome is "skipped", validate and curate do not
// run on it, and nothing below it is visited at all (no hook, no row).
TEST(NodeRunner, PruneSkipsTheNodeAndLeavesItsSubtreeOut) {
  ScriptedCurator curator;
  curator.prune_ids = {"a"};
  const Walked w = run(curator);

  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README", "a", "b", "b/x.dat"}));
  const LogRecord pruned = w.outcome("a");
  EXPECT_EQ(pruned.status, Status::skipped);
  EXPECT_FALSE(pruned.msg.empty());
  EXPECT_EQ(curator.called("validate"), (std::vector<std::string>{"p", "README", "b", "b/x.dat"}));
  EXPECT_EQ(curator.called("curate"), (std::vector<std::string>{"p", "README", "b", "b/x.dat"}));
  for (const auto& call : curator.calls) EXPECT_EQ(call.find(" a/"), std::string::npos) << call;
  EXPECT_EQ(w.counts.nodes, 5u);
  EXPECT_EQ(w.counts.skipped, 1u);
  EXPECT_EQ(w.counts.failures, 0u);
}

// validate() false: the node is "skipped" with the generic reason, not
// curated, and its children are still walked and curated.
TEST(NodeRunner, ValidateFalseSkipsTheNodeButWalksItsChildren) {
  ScriptedCurator curator;
  curator.decline_ids = {"a"};
  const Walked w = run(curator);

  EXPECT_EQ(w.outcome_ids(), kAllIds);
  EXPECT_EQ(w.outcome("a").status, Status::skipped);
  EXPECT_EQ(w.outcome("a").msg, "not curated: validate() declined the node");
  for (const char* id : {"a/1", "a/1/f.txt", "a/2"}) EXPECT_EQ(w.outcome(id).status, Status::ok) << id;
  const auto curated = curator.called("curate");
  EXPECT_EQ(std::count(curated.begin(), curated.end(), "a"), 0);
  EXPECT_EQ(std::count(curated.begin(), curated.end(), "a/1"), 1);
  EXPECT_EQ(w.counts.nodes, 8u);
  EXPECT_EQ(w.counts.skipped, 1u);
  EXPECT_TRUE(w.failures().empty());
}

// validate() false after ctx.skip(reason): the reason is the row's message.
TEST(NodeRunner, ValidateFalseKeepsTheCuratorsReason) {
  ScriptedCurator curator;
  curator.decline_with_reason["b/x.dat"] = "no consent on file";
  const Walked w = run(curator);
  EXPECT_EQ(w.outcome("b/x.dat").status, Status::skipped);
  EXPECT_EQ(w.outcome("b/x.dat").msg, "no consent on file");
  EXPECT_EQ(w.counts.skipped, 1u);
}

// An abort while a node runs: the curator sees ctx.cancelled(); a node cut
// short by it (it failed) is "skipped" as interrupted, not a failure, no
// node_failed is sent, and the walk stops before the next node.
TEST(NodeRunner, CancellationMarksTheCutShortNodeInterruptedAndStopsTheWalk) {
  CancelToken cancel;
  ScriptedCurator curator;
  bool saw_cancelled = false;
  curator.on_curate = [&](const Node& node, Context& ctx) {
    if (node.id != "a/1") return;
    EXPECT_FALSE(ctx.cancelled());
    cancel.cancel();
    saw_cancelled = ctx.cancelled();
    throw std::runtime_error("killed by the abort");
  };
  const Walked w = run(curator, WalkSetup{.cancel = &cancel});

  EXPECT_TRUE(saw_cancelled);
  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README", "a", "a/1"}));
  const LogRecord interrupted = w.outcome("a/1");
  EXPECT_EQ(interrupted.status, Status::skipped);
  EXPECT_EQ(interrupted.msg.rfind("interrupted", 0), 0u) << interrupted.msg;
  EXPECT_TRUE(interrupted.err.empty());
  EXPECT_EQ(w.counts.failures, 0u);
  EXPECT_EQ(w.counts.skipped, 1u);
  EXPECT_TRUE(w.failures().empty());
  EXPECT_TRUE(w.stopped);
  EXPECT_FALSE(w.result.finished);
}

// A node that completes despite the abort keeps its "ok"; the walk still stops after it.
TEST(NodeRunner, NodeFinishedDuringCancellationStaysOk) {
  CancelToken cancel;
  ScriptedCurator curator;
  curator.on_curate = [&](const Node& node, Context&) {
    if (node.id == "a") cancel.cancel();
  };
  const Walked w = run(curator, WalkSetup{.cancel = &cancel});
  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README", "a"}));
  EXPECT_EQ(w.outcome("a").status, Status::ok);
  EXPECT_EQ(w.counts.skipped, 0u);
}

// on_failure = kill: the walk ends at the first failed node.
TEST(NodeRunner, StopAtFailureEndsTheWalkAtTheFirstFailure) {
  ScriptedCurator curator;
  curator.throw_in_curate["a"] = "bad subject";
  WalkRules rules;
  rules.stop_at_failure = true;
  const Walked w = run(curator, WalkSetup{.rules = rules});
  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README", "a"}));
  EXPECT_EQ(w.outcome("a").status, Status::failed);
  EXPECT_TRUE(w.stopped);
  EXPECT_FALSE(w.result.finished);
  ASSERT_EQ(w.failures().size(), 1u);
}

// stop_level: nodes of that level are curated, nothing below them is visited.
TEST(NodeRunner, StopLevelCuratesTheLevelButDoesNotDescend) {
  ScriptedCurator curator;
  WalkRules rules;
  rules.stop_level = "subject";
  const Walked w = run(curator, WalkSetup{.rules = rules});
  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README", "a", "b"}));
  EXPECT_EQ(w.outcome("a").status, Status::ok);
  EXPECT_EQ(w.counts.skipped, 0u);
}

// exclude_files: a file whose label matches a pattern is not visited (no
// hook, no row); containers are never excluded by those patterns.
TEST(NodeRunner, ExcludedFilesAreNotVisited) {
  ScriptedCurator curator;
  WalkRules rules;
  rules.exclude_files = {"*.txt", "a"};
  const Walked w = run(curator, WalkSetup{.rules = rules});
  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README", "a", "a/1", "a/2", "b", "b/x.dat"}));
  for (const auto& call : curator.calls) EXPECT_EQ(call.find("f.txt"), std::string::npos) << call;
  EXPECT_EQ(w.counts.nodes, 7u);
}

// Fields recorded in leave() go out as one row tagged with the container
// (none when it records nothing); on the assignment's root they join what
// curate() recorded there in root_fields(); root_data() is the root's data.
TEST(NodeRunner, LeaveFieldsMakeASummaryRowAndReachRootFields) {
  ScriptedCurator curator;
  curator.on_curate = [](const Node& node, Context& ctx) {
    if (node.id != "p") return;
    ctx.record("owner", "lab");
    ctx.data()["site"] = "north";
  };
  curator.on_leave = [](const Node& node, Context& ctx) {
    if (node.id == "a" || node.id == "p") ctx.record("total", node.id == "a" ? 4 : 8);
  };
  const Walked w = run(curator);

  const auto a_logs = w.logs_of("a");
  ASSERT_EQ(a_logs.size(), 1u);
  EXPECT_EQ(a_logs[0].fields, (std::vector<Field>{Field{"total", "4", FieldType::integer}}));
  EXPECT_EQ(a_logs[0].container_type, "subject");
  EXPECT_TRUE(w.logs_of("b").empty());
  EXPECT_TRUE(w.logs_of("a/1").empty());
  ASSERT_EQ(w.logs_of("p").size(), 1u);

  EXPECT_EQ(w.root_fields, (std::vector<std::pair<std::string, std::string>>{{"owner", "lab"}, {"total", "8"}}));
  EXPECT_EQ(w.root_data, (Data{{"site", "north"}}));
}

// A shallow assignment's root holds only part of its subtree: no summary row
// for it, though its leave() fields still reach root_fields().
TEST(NodeRunner, ShallowRootGetsNoSummaryRow) {
  ScriptedCurator curator;
  curator.on_leave = [](const Node&, Context& ctx) { ctx.record("total", 1); };
  const Walked w = run(curator, WalkSetup{.shallow = true});
  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README"}));
  EXPECT_TRUE(w.logs_of("p").empty());
  EXPECT_EQ(w.root_fields, (std::vector<std::pair<std::string, std::string>>{{"total", "1"}}));
}

// A leave() that throws fails the container: an error row with the
// message, a failure counted, and a node_failed event.
TEST(NodeRunner, ThrowingLeaveFailsTheContainer) {
  ScriptedCurator curator;
  curator.throw_in_leave["a"] = "totals do not add up";
  const Walked w = run(curator);

  EXPECT_EQ(w.counts.failures, 1u);
  const auto logs = w.logs_of("a");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].severity, Severity::error);
  EXPECT_NE(logs[0].msg.find("totals do not add up"), std::string::npos) << logs[0].msg;
  const auto failures = w.failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].node_id, "a");
  EXPECT_EQ(failures[0].error, "totals do not add up");
}

// A container whose children could not be listed fails with the listing's
// error; the listing's warnings become warning rows on it.
TEST(NodeRunner, ListingErrorFailsTheContainer) {
  class BrokenListing : public HierarchySource {
   public:
    Node root() override { return inner.root(); }
    ChildListing children(const Node& container) override {
      ChildListing listing = inner.children(container);
      if (container.id == "a") {
        listing.children.clear();
        listing.error = "permission denied";
        listing.warnings = {"odd entry skipped"};
      }
      return listing;
    }
    std::string local_path(const Node& node) const override { return inner.local_path(node); }
    MemorySource inner = tree();
  } source;
  ScriptedCurator curator;
  const Walked w = run(curator, WalkSetup{.source = &source});

  EXPECT_EQ(w.outcome("a").status, Status::failed);
  EXPECT_EQ(w.outcome("a").err, "permission denied");
  const auto logs = w.logs_of("a");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].severity, Severity::warning);
  EXPECT_EQ(logs[0].msg, "odd entry skipped");
  ASSERT_EQ(w.failures().size(), 1u);
  EXPECT_EQ(w.failures()[0].error, "permission denied");
}

// WalkHooks::skip resumes a walk: the first `skip` visits are not curated
// again (no validate, no curate, no row), but their prune decisions still
// hold; visits() counts them, counts() does not.
TEST(NodeRunner, SkipResumesAfterTheVisitsMadeBeforeARestart) {
  ScriptedCurator curator;
  curator.prune_ids = {"a/1"};
  std::vector<std::uint64_t> indexes;
  WalkHooks hooks;
  hooks.skip = 4;  // p, README, a, a/1
  hooks.on_node = [&](std::uint64_t index, const WalkFrame&) { indexes.push_back(index); };
  const Walked w = run(curator, WalkSetup{.hooks = hooks});

  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"a/2", "b", "b/x.dat"}));
  EXPECT_EQ(curator.called("curate"), (std::vector<std::string>{"a/2", "b", "b/x.dat"}));
  EXPECT_EQ(curator.called("validate"), (std::vector<std::string>{"a/2", "b", "b/x.dat"}));
  for (const auto& call : curator.calls) EXPECT_EQ(call.find("f.txt"), std::string::npos) << call;
  EXPECT_EQ(indexes, (std::vector<std::uint64_t>{4, 5, 6}));
  EXPECT_EQ(w.visits, 7u);
  EXPECT_EQ(w.counts.nodes, 3u);
  // Containers opened before the restart are not left again (README: limits of the resume).
  EXPECT_EQ(curator.called("leave"), (std::vector<std::string>{"a/2", "b"}));
}

// The data a container's curate left for its children survives a restart:
// open_data() of the stopped walk, given back as resume_data, is where the
// resumed walk's children start from.
TEST(NodeRunner, DataLeftBeforeARestartReachesTheChildrenCuratedAfterIt) {
  auto make_curator = [] {
    ScriptedCurator curator;
    curator.on_curate = [](const Node& node, Context& ctx) {
      auto it = ctx.data().find("from");
      ctx.record("from", it == ctx.data().end() ? "(none)" : it->second);
      if (!node.is_file) ctx.data()["from"] = node.id;
    };
    return curator;
  };
  ScriptedCurator first = make_curator();
  WalkHooks stop;
  stop.stop_after_node = [&] { return first.called("curate").size() == 4; };  // p, README, a, a/1
  const Walked stopped = run(first, WalkSetup{.hooks = stop});
  ASSERT_TRUE(stopped.recycled);
  EXPECT_EQ(stopped.open_data, (std::map<std::string, Data>{
                                   {"p", {{"from", "p"}}}, {"a", {{"from", "a"}}}, {"a/1", {{"from", "a/1"}}}}));

  ScriptedCurator resumed = make_curator();
  WalkHooks hooks;
  hooks.skip = stopped.visits;
  hooks.resume_data = stopped.open_data;
  const Walked w = run(resumed, WalkSetup{.hooks = hooks});
  auto from = [&](const std::string& id) {
    for (const auto& f : w.outcome(id).fields)
      if (f.key == "from") return f.value;
    return std::string("(no field)");
  };
  EXPECT_EQ(from("a/1/f.txt"), "a/1");
  EXPECT_EQ(from("a/2"), "a");
  EXPECT_EQ(from("b"), "p");
  EXPECT_EQ(from("b/x.dat"), "b");
}

// A resumed walk goes on exactly where the first one stopped: after `skip`
// visits it curates what a whole walk curates after its first `skip` visits,
// also when a prune() among the skipped nodes threw.
TEST(NodeRunner, ResumeAfterAThrowingPruneCuratesWhatAWholeWalkWould) {
  ScriptedCurator whole;
  whole.throw_in_prune["a"] = "prune blew up";
  std::vector<std::string> visit_order;
  WalkHooks watch;
  watch.on_node = [&](std::uint64_t, const WalkFrame& frame) { visit_order.push_back(frame.node.id); };
  run(whole, WalkSetup{.hooks = watch});
  const std::uint64_t skip = 4;
  ASSERT_GT(visit_order.size(), skip);
  const std::vector<std::string> after_skip(visit_order.begin() + skip, visit_order.end());

  ScriptedCurator resumed;
  resumed.throw_in_prune["a"] = "prune blew up";
  WalkHooks hooks;
  hooks.skip = skip;
  const Walked w = run(resumed, WalkSetup{.hooks = hooks});
  EXPECT_EQ(resumed.called("curate"), after_skip);
  EXPECT_EQ(w.outcome_ids(), after_skip);
}

// on_node is called before each node is curated, with its visit index.
TEST(NodeRunner, OnNodeRunsBeforeEachNodeWithItsIndex) {
  ScriptedCurator curator;
  std::vector<std::string> seen;
  WalkHooks hooks;
  hooks.on_node = [&](std::uint64_t index, const WalkFrame& frame) {
    seen.push_back(std::to_string(index) + " " + frame.node.id);
    curator.calls.push_back("on_node " + frame.node.id);
  };
  const Walked w = run(curator, WalkSetup{.hooks = hooks});

  EXPECT_EQ(seen, (std::vector<std::string>{"0 p", "1 README", "2 a", "3 a/1", "4 a/1/f.txt", "5 a/2", "6 b",
                                            "7 b/x.dat"}));
  for (const auto& id : kAllIds) {
    const auto on_node = std::find(curator.calls.begin(), curator.calls.end(), "on_node " + id);
    const auto curate = std::find(curator.calls.begin(), curator.calls.end(), "curate " + id);
    EXPECT_LT(on_node - curator.calls.begin(), curate - curator.calls.begin()) << id;
  }
  EXPECT_EQ(w.visits, 8u);
}

// stop_after_node true: the walk ends after that node and the runner says it
// was recycled; visits() tells where a fresh slot resumes.
TEST(NodeRunner, StopAfterNodeEndsTheWalkAsRecycled) {
  ScriptedCurator curator;
  WalkHooks hooks;
  hooks.stop_after_node = [&] { return curator.called("curate").size() == 3; };
  const Walked w = run(curator, WalkSetup{.hooks = hooks});

  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README", "a"}));
  EXPECT_TRUE(w.recycled);
  EXPECT_TRUE(w.stopped);
  EXPECT_EQ(w.visits, 3u);
  EXPECT_FALSE(w.result.finished);

  ScriptedCurator plain;
  EXPECT_FALSE(run(plain).recycled);
}

// flush_each_node: each node's rows are handed over when it is done: no
// records event mixes two nodes, each ends with its node's outcome row, and
// nothing is left waiting in the buffer when the walk returns.
TEST(NodeRunner, FlushEachNodeHandsOverEveryNodesRowsAtOnce) {
  ScriptedCurator curator;
  curator.on_curate = [](const Node&, Context& ctx) { ctx.info("working"); };
  WalkHooks hooks;
  hooks.flush_each_node = true;
  const Walked w = run(curator, WalkSetup{.hooks = hooks});

  EXPECT_EQ(w.pending_after_walk, 0u);
  std::vector<std::string> outcome_order;
  for (const auto& e : w.events) {
    if (e.kind != SlotEvent::Kind::records) continue;
    const auto rows = decode_records(e.records, e.record_count);
    ASSERT_FALSE(rows.empty());
    for (const auto& r : rows) EXPECT_EQ(r.container_id, rows.front().container_id);
    EXPECT_LE(e.outcomes, 1u);
    if (rows.back().kind == RecordKind::outcome) outcome_order.push_back(rows.back().container_id);
  }
  EXPECT_EQ(outcome_order, kAllIds);
}

// flush_each_node exists because a slot process may die on the next node: a
// container's leave() rows (its subtree summary) must therefore be handed
// over before the next node is curated, as its visit rows are.
TEST(NodeRunner, FlushEachNodeHandsOverLeaveRowsBeforeTheNextNode) {
  ScriptedCurator curator;
  curator.on_leave = [](const Node& node, Context& ctx) {
    if (node.id == "a") ctx.record("total", 4);
  };
  EventLog sink;
  bool summary_out_before_b = false;
  WalkHooks hooks;
  hooks.flush_each_node = true;
  hooks.on_node = [&](std::uint64_t, const WalkFrame& frame) {
    if (frame.node.id != "b") return;
    for (const auto& e : sink.events) {
      if (e.kind != SlotEvent::Kind::records) continue;
      for (const auto& r : decode_records(e.records, e.record_count))
        if (r.kind == RecordKind::log && r.container_id == "a" && !r.fields.empty()) summary_out_before_b = true;
    }
  };
  const Walked w = run(curator, WalkSetup{.hooks = hooks, .sink = &sink});
  ASSERT_EQ(w.logs_of("a").size(), 1u);  // the summary row is made
  EXPECT_TRUE(summary_out_before_b);
}

}  // namespace
}  // namespace ramify

namespace ramify {
namespace {

// A drain: a node that fails while the worker drains (its command killed by
// the scheduler's SIGTERM) gets no row and no failure; the walk stops there
// and whoever resumes at its visit curates it and the rest, so that the two
// walks together give every node one row.
TEST(NodeRunner, ANodeCutShortByADrainIsHandedBackWithTheRest) {
  ScriptedCurator first;
  first.throw_in_curate["a/2"] = "killed by signal SIGTERM";
  WalkHooks drain;
  drain.draining = [] { return true; };
  const Walked stopped = run(first, WalkSetup{.hooks = drain});
  ASSERT_TRUE(stopped.handed_back);
  EXPECT_TRUE(stopped.cut_short);
  EXPECT_FALSE(stopped.result.finished);
  EXPECT_EQ(stopped.visits, 5u) << "p, README, a, a/1, a/1/f.txt came before a/2";
  EXPECT_TRUE(stopped.failures().empty());
  EXPECT_EQ(stopped.counts.failures, 0u);
  const std::vector<std::string> before{"p", "README", "a", "a/1", "a/1/f.txt"};
  EXPECT_EQ(stopped.outcome_ids(), before);
  const auto& calls = first.calls;
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "leave a"), 0) << "a's subtree is not finished";

  ScriptedCurator resumed;
  WalkHooks hooks;
  hooks.skip = stopped.visits;
  hooks.resume_data = stopped.open_data;
  const Walked rest = run(resumed, WalkSetup{.hooks = hooks});
  EXPECT_TRUE(rest.result.finished);
  std::vector<std::string> all = stopped.outcome_ids();
  for (const auto& id : rest.outcome_ids()) all.push_back(id);
  EXPECT_EQ(all, kAllIds);
}

// The drain's deadline: the walk ends after the node in progress, which keeps its row.
TEST(NodeRunner, HandBackNowEndsTheWalkAfterTheNodeInProgress) {
  ScriptedCurator curator;
  WalkHooks hooks;
  hooks.hand_back_now = [&] { return curator.called("curate").size() == 2; };
  // A slot process worn out on the same node: the hand-back wins (the rest goes to the broker).
  hooks.stop_after_node = [&] { return curator.called("curate").size() == 2; };
  const Walked w = run(curator, WalkSetup{.hooks = hooks});
  EXPECT_TRUE(w.handed_back);
  EXPECT_FALSE(w.recycled);
  EXPECT_FALSE(w.cut_short);
  EXPECT_EQ(w.visits, 2u);
  EXPECT_EQ(w.outcome_ids(), (std::vector<std::string>{"p", "README"}));
}

}  // namespace
}  // namespace ramify
