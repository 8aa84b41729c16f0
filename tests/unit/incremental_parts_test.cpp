// The parts of incremental re-curation, each alone: the state store (what the
// sink keeps, carries over, forgets), the baseline the broker reads from it,
// the worker's scan (which nodes are carried), and the broker's check that
// the sink keeps the job's store.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <set>

#include "broker/sink_watch.hpp"
#include "engine/incremental_scan.hpp"
#include "hierarchy/memory_source.hpp"
#include "sink/report_row.hpp"
#include "state/state_store.hpp"
#include "state/stored_baseline.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using testing::TempDir;

LogRecord outcome(const std::string& id, const std::string& level, Status status = Status::ok,
                  const std::string& stamp = "s#c", std::uint64_t assignment = 1) {
  LogRecord r;
  r.kind = RecordKind::outcome;
  r.status = status;
  r.container_id = id;
  r.container_type = level;
  r.search_key = id == "." ? "p" : "p/" + id;
  r.stamp = stamp;
  r.assignment = assignment;
  r.attempt = 1;
  r.fields.push_back(make_field("bytes", 7));
  return r;
}

void keep(StateStore& store, const std::string& run, const LogRecord& record) {
  store.record(run, record, carried_json_parts(record));
}

LogRecord marker(const std::string& id, const std::string& scope) {
  LogRecord r;
  r.kind = RecordKind::carried;
  r.container_id = id;
  r.search_key = id == "." ? "p" : "p/" + id;
  r.assignment = 9;
  r.attempt = 2;
  r.fields.push_back(Field{"carry", scope, FieldType::text});
  return r;
}

// A store after one whole run over p / s1 {f1, f2} / s2 {f3}.
void first_run(const std::string& path) {
  StateStore store(path);
  for (const auto& [id, level] : std::vector<std::pair<std::string, std::string>>{{".", "project"},
                                                                                  {"s1", "subject"},
                                                                                  {"s1/f1", "file"},
                                                                                  {"s1/f2", "file"},
                                                                                  {"s2", "subject"},
                                                                                  {"s2/f3", "file"}})
    keep(store, "run1", outcome(id, level));
  const auto c = store.conclude("run1", {}, true);
  EXPECT_EQ(c.curated, 6u);
  EXPECT_EQ(c.fresh, 6u);
  EXPECT_TRUE(c.removed.empty());
}

// The rows a marker carries over, read back whole from their JSON as the sink does.
std::vector<LogRecord> carry(StateStore& store, const std::string& run, const LogRecord& marker) {
  std::vector<LogRecord> rows;
  store.carry(run, marker, [&](const CarriedRow& r) {
    std::string line;
    append_carried_row_json(line, r.json, r.record.severity, run, kStateWorker, rows.size() + 1, r.record.assignment,
                            r.record.attempt);
    rows.push_back(report_row_from_json(parse_json(line)).record);
  });
  return rows;
}

std::set<std::string> ids_of(const std::vector<LogRecord>& rows) {
  std::set<std::string> ids;
  for (const LogRecord& r : rows) ids.insert(r.container_id);
  return ids;
}

std::set<std::string> ids_of(const std::vector<BaselineNode>& nodes) {
  std::set<std::string> ids;
  for (const BaselineNode& n : nodes) ids.insert(n.id);
  return ids;
}

TEST(StateStore, CarriesANodeItsFilesOrItsSubtreeMarkedCachedUnderTheMarkersAttempt) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  first_run(path);
  StateStore store(path);
  EXPECT_EQ(ids_of(carry(store, "run2", marker("s1", "node"))), (std::set<std::string>{"s1"}));
  EXPECT_EQ(ids_of(carry(store, "run2", marker(".", "files"))), (std::set<std::string>{"."}));
  const auto subtree = carry(store, "run2", marker("s2", "subtree"));
  EXPECT_EQ(ids_of(subtree), (std::set<std::string>{"s2", "s2/f3"}));
  for (const LogRecord& r : subtree) {
    EXPECT_EQ(r.assignment, 9u);
    EXPECT_EQ(r.attempt, 2u);
    EXPECT_EQ(r.fields.back(), make_field("cached", true));
  }
  keep(store, "run2", outcome("s1/f1", "file"));
  keep(store, "run2", outcome("s1/f4", "file"));
  // s1/f2 was neither curated nor carried: gone.
  const auto c = store.conclude("run2", {}, true);
  EXPECT_EQ(c.curated, 2u);
  EXPECT_EQ(c.fresh, 1u);
  EXPECT_EQ(c.carried, 4u);
  ASSERT_EQ(c.removed.size(), 1u);
  EXPECT_EQ(c.removed[0].container_id, "s1/f2");
  EXPECT_EQ(c.removed[0].msg, "removed since the last run");
  EXPECT_EQ(ids_of(StoredBaseline::load(path).below("p", false)),
            (std::set<std::string>{".", "s1", "s1/f1", "s1/f4", "s2", "s2/f3"}));
}

// A folder curated again: the files carried over with it come in one marker
// naming them; a file no marker named is gone, and a subtree carried whole
// hides nothing below it.
TEST(StateStore, CarriesTheFilesAMarkerNamesAndFindsRemovedOnesOnlyWhereNothingWasCarriedWhole) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  first_run(path);
  StateStore store(path);
  keep(store, "run2", outcome(".", "project"));
  keep(store, "run2", outcome("s1", "subject"));
  LogRecord listed = marker("s1", "listed");
  listed.fields.push_back(Field{"names", "f2\nnot-stored\n", FieldType::text});
  EXPECT_EQ(ids_of(carry(store, "run2", listed)), (std::set<std::string>{"s1/f2"}));
  EXPECT_EQ(ids_of(carry(store, "run2", marker("s2", "subtree"))), (std::set<std::string>{"s2", "s2/f3"}));
  const auto c = store.conclude("run2", {}, true);
  EXPECT_EQ(c.curated, 2u);
  EXPECT_EQ(c.carried, 3u);
  ASSERT_EQ(c.removed.size(), 1u);
  EXPECT_EQ(c.removed[0].container_id, "s1/f1");
  EXPECT_EQ(ids_of(StoredBaseline::load(path).below("p", false)),
            (std::set<std::string>{".", "s1", "s1/f2", "s2", "s2/f3"}));
}

// Every row comes back as its JSON parts; a plain outcome (not failed, no
// error text) also with what the run's counts need, so that its JSON can be
// written as it is; any other is read back whole.
TEST(StateStore, GivesEveryRowBackAsItsJsonAndSaysWhichArePlainOutcomes) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  {
    StateStore store(path);
    keep(store, "run1", outcome(".", "project"));
    LogRecord note = outcome(".", "project");
    note.kind = RecordKind::log;
    note.severity = Severity::warning;
    note.msg = "a note";
    keep(store, "run1", note);
    LogRecord declined = outcome("s1", "subject", Status::skipped);
    declined.err = "declined";
    keep(store, "run1", declined);
    store.conclude("run1", {}, true);
  }
  StateStore store(path);
  std::vector<std::pair<CarriedRow, RowJson>> rows;
  store.carry("run2", marker(".", "subtree"), [&](const CarriedRow& row) { rows.emplace_back(row, row.json); });
  ASSERT_EQ(rows.size(), 3u);
  const LogRecord& plain = rows[0].first.record;
  EXPECT_TRUE(rows[0].first.plain);
  EXPECT_EQ(plain.kind, RecordKind::outcome);
  EXPECT_EQ(plain.status, Status::ok);
  EXPECT_EQ(plain.search_key, "p");
  EXPECT_EQ(plain.container_type, "project");
  EXPECT_EQ(plain.assignment, 9u);
  EXPECT_EQ(rows[0].second.head, carried_json_parts(outcome(".", "project")).head);
  EXPECT_FALSE(rows[1].first.plain);
  EXPECT_EQ(rows[1].first.record.severity, Severity::warning);
  EXPECT_NE(rows[1].second.head.find("a note"), std::string::npos);
  EXPECT_FALSE(rows[2].first.plain);
  EXPECT_NE(rows[2].second.head.find("declined"), std::string::npos);
}

TEST(StateStore, ARunThatIsNotWholeForgetsNothingAndOneThatNeverConcludesChangesNothing) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  first_run(path);
  {
    StateStore store(path);
    keep(store, "run2", outcome("s1/f1", "file", Status::failed));
    // The sink died: nothing of run2 stands.
  }
  EXPECT_EQ(StoredBaseline::load(path).size(), 6u);
  {
    StateStore store(path);
    keep(store, "run3", outcome("s1/f1", "file", Status::failed));
    const auto c = store.conclude("run3", {}, false);
    EXPECT_TRUE(c.removed.empty());
  }
  // The failed node is not offered for carrying; the rest stay.
  EXPECT_EQ(ids_of(StoredBaseline::load(path).below("p", false)),
            (std::set<std::string>{".", "s1", "s1/f2", "s2", "s2/f3"}));
}

// An assignment's digest stands until a node it covers changes: one curated
// again (failed or not) or removed forgets the digests of its own key and of
// its ancestors' keys; a run that is not whole keeps none.
TEST(StateStore, KeepsAssignmentDigestsUntilANodeTheyCoverChanges) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  const StateStore::AssignmentDigests digests{{"p", "d-p"}, {"p/s1", "d-s1"}, {"p/s2", "d-s2"}};
  {
    StateStore store(path);
    keep(store, "run1", outcome(".", "project"));
    keep(store, "run1", outcome("s1", "subject"));
    keep(store, "run1", outcome("s2", "subject"));
    store.conclude("run1", {}, false, digests);  // not whole: none kept
  }
  EXPECT_EQ(StoredBaseline::load(path).assignment_digest("p/s1"), "");
  {
    StateStore store(path);
    keep(store, "run2", outcome(".", "project"));
    keep(store, "run2", outcome("s1", "subject"));
    keep(store, "run2", outcome("s2", "subject"));
    store.conclude("run2", {}, true, digests);
  }
  {
    const StoredBaseline stored = StoredBaseline::load(path);
    EXPECT_EQ(stored.assignment_digest("p"), "d-p");
    EXPECT_EQ(stored.assignment_digest("p/s1"), "d-s1");
    EXPECT_EQ(stored.assignment_digest("p/s2"), "d-s2");
    EXPECT_EQ(stored.assignment_digest("p/s"), "");
    ASSERT_TRUE(stored.node("p/s1"));
    EXPECT_EQ(stored.node("p/s1")->id, "s1");
    EXPECT_EQ(stored.node("p/s1")->fields, (std::vector<std::pair<std::string, std::string>>{{"bytes", "7"}}));
    EXPECT_FALSE(stored.node("p/s3"));
  }
  {
    StateStore store(path);  // a file below s1 curated again
    keep(store, "run3", outcome("s1/f9", "file", Status::failed));
    store.conclude("run3", {}, false);
  }
  {
    const StoredBaseline stored = StoredBaseline::load(path);
    EXPECT_EQ(stored.assignment_digest("p"), "");
    EXPECT_EQ(stored.assignment_digest("p/s1"), "");
    EXPECT_EQ(stored.assignment_digest("p/s2"), "d-s2");
  }
  {
    StateStore store(path);  // s2 is gone; the project's assignment is done again without a failure
    keep(store, "run4", outcome(".", "project"));
    keep(store, "run4", outcome("s1", "subject"));
    keep(store, "run4", outcome("s1/f9", "file"));
    const auto c = store.conclude("run4", {}, true, {{"p", "d-p2"}});
    EXPECT_EQ(ids_of(c.removed), (std::set<std::string>{"s2"}));
  }
  const StoredBaseline stored = StoredBaseline::load(path);
  EXPECT_EQ(stored.assignment_digest("p"), "d-p2");
  EXPECT_EQ(stored.assignment_digest("p/s2"), "");
}

// A subtree of more rows than are read inline is read on a thread of its own
// (state/piped_rows): every row still comes, once, in key order; a writer
// that fails stops the reading, and the store carries on.
TEST(StateStore, CarriesALargeSubtreeWholeInKeyOrderAndStopsWhenTheWriterFails) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  const int files = 5000;
  {
    StateStore store(path);
    keep(store, "run1", outcome(".", "project"));
    keep(store, "run1", outcome("s1", "subject"));
    for (int i = 0; i < files; ++i) keep(store, "run1", outcome("s1/f" + std::to_string(i), "file"));
    store.conclude("run1", {}, true);
  }
  StateStore store(path);
  std::vector<std::string> keys;
  store.carry("run2", marker("s1", "subtree"), [&](const CarriedRow& row) { keys.push_back(row.record.search_key); });
  ASSERT_EQ(keys.size(), static_cast<std::size_t>(files) + 1);
  EXPECT_EQ(keys.front(), "p/s1");
  EXPECT_TRUE(std::is_sorted(keys.begin() + 1, keys.end()));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());

  std::size_t written = 0;
  EXPECT_THROW(store.carry("run2", marker("s1", "subtree"),
                           [&](const CarriedRow&) {
                             if (++written == 3000) throw WriteError("disk full");
                           }),
               WriteError);
  keys.clear();
  store.carry("run2", marker("s1", "subtree"), [&](const CarriedRow& row) { keys.push_back(row.record.search_key); });
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(files) + 1);
}

TEST(StateStore, RowsOfSupersededAttemptsAreDroppedAndInterruptedNodesCountAsFailed) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  {
    StateStore store(path);
    keep(store, "r", outcome(".", "project"));
    keep(store, "r", outcome("s1", "subject", Status::ok, "s#c", 4));  // attempt 1 of assignment 4: superseded
    LogRecord interrupted = outcome("s2", "subject", Status::skipped);
    interrupted.msg = "interrupted: the run was stopped";
    keep(store, "r", interrupted);
    EXPECT_EQ(store.conclude("r", {AssignmentRef{4, 1}}, false).curated, 2u);
  }
  // s1's node row stays with its stamp, but s2 will be curated again.
  EXPECT_EQ(ids_of(StoredBaseline::load(path).below("p", false)), (std::set<std::string>{".", "s1"}));
}

TEST(StateStore, RefusesADatabaseThatIsNotOne) {
  TempDir dir;
  const std::string path = (dir.path() / "report.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE outcomes(x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  try {
    StateStore store(path);
    FAIL() << "a report taken for a state store";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not a ramify state store"), std::string::npos) << e.what();
  }
}

// A store in the layout of the release before (rows as msgpack records) keeps
// its id, so that the broker still takes its sink, and is started afresh:
// nothing in it is carried over, so every node is curated once.
TEST(StateStore, AStoreOfTheEarlierLayoutKeepsItsIdAndStartsAfresh) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                           "INSERT INTO meta VALUES('store_id', 'feedc0de');"
                           "CREATE TABLE nodes(id TEXT PRIMARY KEY, search_key TEXT, level TEXT, stamp TEXT,"
                           " status INTEGER, pruned INTEGER, fields BLOB, run TEXT, first_run TEXT);"
                           "INSERT INTO nodes VALUES('.', 'p', 'project', 's#c', 0, 0, NULL, 'r0', 'r0');"
                           "CREATE TABLE rows(node TEXT, run TEXT, assignment INTEGER, attempt INTEGER,"
                           " outcome INTEGER, record BLOB);"
                           "INSERT INTO rows VALUES('.', 'r0', 0, 1, 1, x'80');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  {
    StateStore store(path);
    EXPECT_EQ(store.id(), "feedc0de");
    EXPECT_TRUE(carry(store, "run1", marker(".", "subtree")).empty());
    keep(store, "run1", outcome(".", "project"));
    const auto c = store.conclude("run1", {}, true);
    EXPECT_EQ(c.fresh, 1u);
    EXPECT_TRUE(c.removed.empty());
  }
  EXPECT_EQ(StoredBaseline::load(path).store_id(), "feedc0de");
  EXPECT_EQ(ids_of(StoredBaseline::load(path).below("p", false)), (std::set<std::string>{"."}));
}

TEST(StoredBaseline, GivesAShallowAssignmentItsRootAndFilesAndASubtreeEverythingBelow) {
  TempDir dir;
  const std::string path = (dir.path() / "state.db").string();
  EXPECT_EQ(StoredBaseline::load(path).size(), 0u);  // not made yet: empty
  {
    StateStore store(path);
    for (const auto& [id, level] : std::vector<std::pair<std::string, std::string>>{{".", "project"},
                                                                                    {"a.txt", "file"},
                                                                                    {"s1", "subject"},
                                                                                    {"s1/f1", "file"},
                                                                                    {"s1/ses", "session"},
                                                                                    {"s1/ses/f2", "file"},
                                                                                    {"s1-b", "subject"},
                                                                                    {"s1-b/f", "file"},
                                                                                    {"s10", "subject"},
                                                                                    {"s10/f", "file"},
                                                                                    {"z.txt", "file"}})
      keep(store, "r", outcome(id, level));
    store.conclude("r", {}, true);
  }
  const StoredBaseline baseline = StoredBaseline::load(path);
  EXPECT_FALSE(baseline.store_id().empty());
  EXPECT_EQ(baseline.size(), 11u);
  // The shallow root's files after its folders' subtrees too; "s1-b" (between "s1" and "s1/") is no part of s1.
  EXPECT_EQ(ids_of(baseline.below("p", true)), (std::set<std::string>{".", "a.txt", "z.txt"}));
  EXPECT_EQ(ids_of(baseline.below("p/s1", false)), (std::set<std::string>{"s1", "s1/f1", "s1/ses", "s1/ses/f2"}));
  EXPECT_EQ(ids_of(baseline.below("p/s1", true)), (std::set<std::string>{"s1", "s1/f1"}));
}

// ---- the worker's scan ----

Node node(const std::string& id, const std::string& parent, const std::string& level, std::int64_t size = 1) {
  Node n;
  n.id = id;
  n.parent = parent;
  n.level = level;
  n.label = id.substr(id.rfind('/') + 1);
  n.is_file = level == "file";
  n.size = size;
  return n;
}

struct ScanFixture {
  Node root = node("p", "", "project");
  std::vector<Node> below{node("p/s1", "p", "subject"), node("p/s1/f1", "p/s1", "file"),
                          node("p/s1/f2", "p/s1", "file"), node("p/s2", "p", "subject"),
                          node("p/s2/f3", "p/s2", "file")};
  WalkRules rules;
  std::map<std::string, std::string> levels{{"project", "P"}, {"subject", "S"}, {"file", "F"}};

  // Scans once with no baseline, and returns the assignment with every node stored as that scan stamped it.
  Assign stored() {
    Assign first = assignment({});
    MemorySource source(root, below);
    ListingCache cache(source);
    const WalkPlan plan{root, {}, WalkOrder::depth, false, {}};
    IncrementalScan scan(cache, plan, rules, first, false, nullptr);
    std::vector<BaselineNode> baseline;
    for (const Node& n : all()) baseline.push_back(BaselineNode{n.id, scan.find(n.id)->stamp, {}, false});
    return assignment(baseline);
  }
  Assign assignment(std::vector<BaselineNode> baseline) {
    Assign a;
    a.root = root;
    a.level_stamps = levels;
    a.baseline = std::move(baseline);
    return a;
  }
  std::vector<Node> all() const {
    std::vector<Node> nodes{root};
    nodes.insert(nodes.end(), below.begin(), below.end());
    return nodes;
  }
  // The carried nodes, "*" marking those carried whole.
  std::set<std::string> carried(const Assign& a, const CarryAware* curator) {
    MemorySource source(root, below);
    ListingCache cache(source);
    const WalkPlan plan{root, {}, WalkOrder::depth, false, {}};
    IncrementalScan scan(cache, plan, rules, a, false, curator);
    std::set<std::string> out;
    for (const Node& n : all())
      if (const CarryVerdict* v = scan.find(n.id); v && v->carried) out.insert(n.id + (v->whole ? "*" : ""));
    return out;
  }
};

struct Plain : CarryAware {};
struct RollingUp : CarryAware {
  bool rolls_up() const override { return true; }
};

TEST(IncrementalScan, CarriesWhatIsUnchangedAndCuratesAChangedNodeWithItsAncestors) {
  ScanFixture f;
  Plain plain;
  Assign a = f.stored();
  EXPECT_EQ(f.carried(a, &plain), (std::set<std::string>{"p*", "p/s1*", "p/s1/f1*", "p/s1/f2*", "p/s2*", "p/s2/f3*"}));
  f.below[2].size = 2;  // p/s1/f2 changed
  EXPECT_EQ(f.carried(a, &plain), (std::set<std::string>{"p/s1/f1*", "p/s2*", "p/s2/f3*"}));
  f.below.pop_back();  // p/s2/f3 gone: p/s2 is curated again
  EXPECT_EQ(f.carried(a, &plain), (std::set<std::string>{"p/s1/f1*"}));
}

TEST(IncrementalScan, ACuratorChangeCuratesItsLevelAndOnlyARollingUpCuratorItsAncestors) {
  ScanFixture f;
  Plain plain;
  RollingUp rolling;
  Assign a = f.stored();
  a.level_stamps["file"] = "F2";
  // Containers stand, each carried alone: the walk goes on below them.
  EXPECT_EQ(f.carried(a, &plain), (std::set<std::string>{"p", "p/s1", "p/s2"}));
  EXPECT_TRUE(f.carried(a, &rolling).empty());
  // Not a CarryAware (a plugin): all or nothing.
  f.levels = {{"project", "P"}, {"subject", "S"}, {"file", "F"}};
  Assign same = f.stored();
  f.below[1].size = 5;
  EXPECT_TRUE(f.carried(same, nullptr).empty());
}

TEST(IncrementalScan, RerunFailedCarriesEveryStoredNodeWhateverItsStamp) {
  ScanFixture f;
  Plain plain;
  Assign a = f.stored();
  a.baseline.erase(a.baseline.begin() + 2);  // p/s1/f1 failed last time: not stored
  a.rerun_failed_only = true;
  f.below[2].size = 9;  // p/s1/f2 changed, but only failures are curated again
  EXPECT_EQ(f.carried(a, &plain), (std::set<std::string>{"p/s1/f2*", "p/s2*", "p/s2/f3*"}));
}

// ---- the broker's check of the sink ----

SinkBeat beat_with(const std::string& state_id) {
  SinkBeat beat;
  beat.run_id = "r";
  beat.state_id = state_id;
  return beat;
}

TEST(SinkWatch, JoinsOnlyASinkThatKeepsTheJobsStateStore) {
  const auto now = SinkWatch::Clock::now();
  SinkWatch none("r");
  none.beat(beat_with("abc"), now);
  EXPECT_FALSE(none.joined());
  EXPECT_NE(none.error().find("the job has none"), std::string::npos) << none.error();

  SinkWatch fresh("r", std::string());  // the broker found no store yet: any store
  fresh.beat(beat_with("abc"), now);
  EXPECT_TRUE(fresh.joined());

  SinkWatch wants("r", std::string("abc"));
  wants.beat(beat_with(""), now);
  EXPECT_FALSE(wants.joined());
  EXPECT_NE(wants.error().find("start it with --state"), std::string::npos) << wants.error();

  SinkWatch other("r", std::string("abc"));
  other.beat(beat_with("xyz"), now);
  EXPECT_FALSE(other.joined());
  EXPECT_NE(other.error().find("another state store"), std::string::npos) << other.error();

  SinkWatch same("r", std::string("abc"));
  same.beat(beat_with("abc"), now);
  EXPECT_TRUE(same.joined());
}

}  // namespace
}  // namespace ramify
