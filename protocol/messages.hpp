#pragma once
// Every message of the protocol. A message is a type (or topic) frame plus one
// msgpack body: an array whose first field is the protocol version. Fields are
// only ever appended; a decoder ignores fields it does not know.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "protocol/msgpack_adaptors.hpp"

namespace ramify {

// The messages' layout. Daemons of one run must speak the same: the broker
// refuses a worker's or a sink's first request of another
// (protocol_mismatch()), and a worker refuses a broker of another. 2: an
// assignment may be carried whole (Assign::carry_whole). 3: a Done counts its
// records, and the Finish names what a lost worker had not delivered.
inline constexpr std::uint32_t kProtocolVersion = 3;

// Why a peer speaking `theirs` cannot join ("" when it speaks kProtocolVersion).
inline std::string protocol_mismatch(const std::string& peer, std::uint32_t theirs) {
  if (theirs == kProtocolVersion) return "";
  return peer + " speaks protocol " + std::to_string(theirs) + ", this ramify " + std::to_string(kProtocolVersion) +
         ": run the same release of ramify on every host";
}

using SeqByWorker = std::vector<std::pair<std::string, std::uint64_t>>;

// Containers' data by id: what the containers an unfinished walk left open
// had left for their children (a resumed walk starts from it).
using OpenData = std::map<std::string, Data>;

struct AssignmentRef {
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  bool operator==(const AssignmentRef&) const = default;
  MSGPACK_DEFINE(id, attempt)
};

// A done attempt of a worker that was lost before the sink acknowledged all of
// its rows: the sink must hold `records` rows of it, or they are lost.
struct UnconfirmedAttempt {
  std::string worker;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::uint64_t records = 0;
  bool operator==(const UnconfirmedAttempt&) const = default;
  MSGPACK_DEFINE(worker, id, attempt, records)
};

// ---- work channel: broker ROUTER <-> worker DEALER ----

// Incremental runs: what the state store holds of one node whose last
// outcome did not fail (the broker reads the store; workers never do).
struct BaselineNode {
  std::string id;
  std::string stamp;  // "NODE#CURATOR" fingerprints, as its last outcome row carried them
  std::vector<std::pair<std::string, std::string>> fields;  // its last outcome's and subtree summary's fields
  bool pruned = false;  // the curator pruned it: nothing below it was visited
  bool operator==(const BaselineNode&) const = default;
  MSGPACK_DEFINE(id, stamp, fields, pruned)
};

// Broker -> worker: one subtree (or one shallow node) to curate.
struct Assign {
  static constexpr const char* kType = "ASSIGN";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  AssignmentKind kind = AssignmentKind::subtree;
  Node root;
  std::vector<Node> ancestors;  // the hierarchy's root first, the parent last
  WalkOrder order = WalkOrder::depth;
  std::uint32_t spec_version = 0;
  std::vector<Node> nodes;  // manifest sources: the nodes below `root`, parents first
  Data data;                // per-subtree data inherited from above
  // The rest of an assignment a draining worker handed back: its first
  // `skip` visits were curated by an earlier attempt (their rows stand), and
  // `resume_data` is what its open containers had left for their children.
  std::uint64_t skip = 0;
  OpenData resume_data;
  // Incremental runs (a state store): each level's curator fingerprint (empty:
  // not incremental), and the stored nodes of this subtree. A node whose
  // fingerprints match (with rerun_failed_only: one that is stored at all) and
  // below which nothing changed is carried over, not curated again.
  std::map<std::string, std::string> level_stamps;
  std::vector<BaselineNode> baseline;
  bool rerun_failed_only = false;
  // The broker found the assignment as it was when a run last did it without
  // a failure (broker/assignment_digest.hpp): it is carried whole, `nodes`
  // is empty and `baseline` holds only its root.
  bool carry_whole = false;
  bool operator==(const Assign&) const = default;
  MSGPACK_DEFINE(version, run_id, id, attempt, kind, root, ancestors, order, spec_version, nodes, data, skip,
                 resume_data, level_stamps, baseline, rerun_failed_only, carry_whole)
};

// Broker -> worker: stop this attempt (it was re-dispatched elsewhere).
struct Cancel {
  static constexpr const char* kType = "CANCEL";
  std::uint32_t version = kProtocolVersion;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  bool operator==(const Cancel&) const = default;
  MSGPACK_DEFINE(version, id, attempt)
};

// Broker -> worker frame types whose bodies are other messages:
// KILL carries a Kill (below): the run was aborted, stop now;
// STOP carries an Ok: the run is over, say BYE and leave;
// WHO carries an Ok: the broker does not know this worker, which says HELLO again.
inline constexpr const char* kKillWorker = "KILL";
inline constexpr const char* kStopWorker = "STOP";
inline constexpr const char* kWhoAreYou = "WHO";

// Worker -> broker: first message of a worker.
struct Hello {
  static constexpr const char* kType = "HELLO";
  std::uint32_t version = kProtocolVersion;
  std::string worker_id;
  std::string host;
  std::int64_t pid = 0;
  std::uint32_t slots = 0;
  bool operator==(const Hello&) const = default;
  MSGPACK_DEFINE(version, worker_id, host, pid, slots)
};

// How far a worker is with one assignment it runs: nodes curated so far.
struct AssignmentCounts {
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::uint64_t nodes = 0;
  std::uint64_t skipped = 0;
  bool operator==(const AssignmentCounts&) const = default;
  MSGPACK_DEFINE(id, attempt, nodes, skipped)
};

// Worker -> broker, every heartbeat interval.
struct Heartbeat {
  static constexpr const char* kType = "HEARTBEAT";
  std::uint32_t version = kProtocolVersion;
  std::string worker_id;
  std::uint32_t free_slots = 0;
  std::vector<AssignmentRef> running;
  std::uint64_t last_seq = 0;   // highest log sequence number produced
  std::uint64_t acked_seq = 0;  // highest contiguous sequence number the sink acknowledged
  bool aborted = false;         // the worker has seen the abort
  std::vector<AssignmentCounts> counts;  // nodes curated so far in what it runs (progress per node)
  bool draining = false;  // the worker takes no more work (SIGTERM, --max-lifetime)
  bool operator==(const Heartbeat&) const = default;
  MSGPACK_DEFINE(version, worker_id, free_slots, running, last_seq, acked_seq, aborted, counts, draining)
};

struct Started {
  static constexpr const char* kType = "STARTED";
  std::uint32_t version = kProtocolVersion;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  bool operator==(const Started&) const = default;
  MSGPACK_DEFINE(version, id, attempt)
};

// Worker -> broker: a node failed (sent at once, for fail-fast).
struct NodeFailed {
  static constexpr const char* kType = "FAILED";
  std::uint32_t version = kProtocolVersion;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::string node_id;
  std::string container_type;
  std::string error;
  bool operator==(const NodeFailed&) const = default;
  MSGPACK_DEFINE(version, id, attempt, node_id, container_type, error)
};

// Worker -> broker: an assignment was walked to its end (or stopped on abort),
// or handed back by a draining worker: `handed_back`, its counts cover the
// nodes curated so far, and the next attempt resumes after `resume_visits`
// visits with `resume_data` (0 and nothing: it never started).
struct Done {
  static constexpr const char* kType = "DONE";
  std::uint32_t version = kProtocolVersion;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint64_t skipped = 0;
  std::uint64_t last_seq = 0;  // highest log sequence number produced for it
  bool complete = true;        // false: stopped early (abort or cancel)
  std::vector<std::pair<std::string, std::string>> root_fields;  // recorded on the root's outcome
  Data root_data;  // the root's data after it was curated (handed to the assignments below it)
  bool handed_back = false;
  std::uint64_t resume_visits = 0;
  OpenData resume_data;
  std::uint64_t records = 0;  // log records this worker produced for it (all numbered <= last_seq)
  bool operator==(const Done&) const = default;
  MSGPACK_DEFINE(version, id, attempt, nodes, failures, skipped, last_seq, complete, root_fields, root_data,
                 handed_back, resume_visits, resume_data, records)
};

// Worker -> broker: the worker is leaving.
struct Bye {
  static constexpr const char* kType = "BYE";
  std::uint32_t version = kProtocolVersion;
  std::string worker_id;
  std::uint64_t last_seq = 0;
  std::string reason;
  bool operator==(const Bye&) const = default;
  MSGPACK_DEFINE(version, worker_id, last_seq, reason)
};

// ---- control channel: broker PUB -> worker and sink SUB (topic frame) ----

struct ControlHeartbeat {
  static constexpr const char* kType = "hb";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  RunState state = RunState::running;
  std::uint32_t spec_version = 0;
  std::uint32_t idle_slots = 0;
  std::uint64_t queued = 0;
  bool operator==(const ControlHeartbeat&) const = default;
  MSGPACK_DEFINE(version, run_id, state, spec_version, idle_slots, queued)
};

// The first failure: every worker stops its curations and leaves.
// `report_failed`: the sink can no longer write the report, so no worker
// waits for acknowledgements that cannot come.
struct Kill {
  static constexpr const char* kType = "kill";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::string node_id;
  std::string error;
  bool report_failed = false;
  bool operator==(const Kill&) const = default;
  MSGPACK_DEFINE(version, run_id, node_id, error, report_failed)
};

// The run is over: its exit status, the last log sequence number of each
// worker, the attempts whose outcome rows do not count (run again elsewhere),
// the workers that died (what they had not sent of an attempt run again is
// gone with them; of a done attempt, `unconfirmed` says how much there was),
// and how many assignments an earlier run had done (skipped with a journal).
struct Finish {
  static constexpr const char* kType = "finish";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::int32_t status = 0;
  SeqByWorker last_seq;
  std::vector<AssignmentRef> superseded;
  std::vector<std::string> dead_workers;
  std::uint64_t skipped_assignments = 0;
  std::vector<LogRecord> final_records;  // what the curator's finalize_run logged on the broker
  std::string first_failure;             // the broker's account of the first failure
  std::uint64_t handed_back = 0;         // assignments (or their rests) handed back by draining workers
  bool whole = false;  // every assignment was done: what a state store holds and the run did not see is gone
  // A state store from a manifest: the search key and digest of every
  // assignment this run did without a failure (broker/assignment_digest.hpp).
  std::vector<std::pair<std::string, std::string>> assignment_digests = {};
  // The dead workers' done attempts whose rows they had not all seen acknowledged.
  std::vector<UnconfirmedAttempt> unconfirmed = {};
  bool operator==(const Finish&) const = default;
  MSGPACK_DEFINE(version, run_id, status, last_seq, superseded, dead_workers, skipped_assignments, final_records,
                 first_failure, handed_back, whole, assignment_digests, unconfirmed)
};

// ---- config channel: REQ -> broker REP ----

struct SpecRequest {
  static constexpr const char* kType = "GET_SPEC";
  std::uint32_t version = kProtocolVersion;
  std::string worker_id;
  bool operator==(const SpecRequest&) const = default;
  MSGPACK_DEFINE(version, worker_id)
};

struct SpecReply {
  static constexpr const char* kType = "SPEC";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::uint32_t spec_version = 0;
  std::vector<std::pair<std::string, std::string>> entries;  // "section.key" -> value
  RunState state = RunState::running;
  bool no_sink = false;  // the broker runs without a sink: nobody acknowledges records
  bool operator==(const SpecReply&) const = default;
  MSGPACK_DEFINE(version, run_id, spec_version, entries, state, no_sink)
};

struct StatusRequest {
  static constexpr const char* kType = "STATUS";
  std::uint32_t version = kProtocolVersion;
  bool operator==(const StatusRequest&) const = default;
  MSGPACK_DEFINE(version)
};

// One worker as the broker sees it.
struct WorkerInfo {
  std::string id;
  std::string host;
  std::int64_t pid = 0;
  std::uint32_t slots = 0;
  std::uint32_t running = 0;
  bool alive = false;
  std::int64_t last_seen_ms = 0;  // how long ago its last message came
  std::string lost_reason;        // why it was declared dead
  bool operator==(const WorkerInfo&) const = default;
  MSGPACK_DEFINE(id, host, pid, slots, running, alive, last_seen_ms, lost_reason)
};

struct StatusReply {
  static constexpr const char* kType = "STATUS";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  RunState state = RunState::running;
  std::uint64_t assignments = 0;
  std::uint64_t assignments_done = 0;
  std::uint64_t assignments_failed = 0;
  std::uint64_t assignments_running = 0;
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint32_t workers_alive = 0;
  std::string first_failure;
  std::int32_t exit_status = -1;  // -1 while running
  std::vector<std::pair<std::string, std::uint64_t>> assignments_by_state;
  std::uint64_t nodes_skipped = 0;
  std::uint64_t nodes_failed = 0;
  std::vector<WorkerInfo> workers;
  double elapsed_seconds = 0;
  std::uint64_t run_failures = 0;  // failures of no node: failures == nodes_failed + run_failures
  bool operator==(const StatusReply&) const = default;
  MSGPACK_DEFINE(version, run_id, state, assignments, assignments_done, assignments_failed, assignments_running, nodes,
                 failures, workers_alive, first_failure, exit_status, assignments_by_state, nodes_skipped,
                 nodes_failed, workers, elapsed_seconds, run_failures)
};

// A worker's answer to a status request (on its optional status endpoint).
struct WorkerStatusReply {
  static constexpr const char* kType = "WORKER_STATUS";
  std::uint32_t version = kProtocolVersion;
  std::string worker_id;
  std::string run_id;
  std::uint32_t slots = 0;
  std::uint32_t running = 0;
  std::int64_t broker_silent_ms = 0;
  bool orphaned = false;
  std::uint64_t last_seq = 0;
  std::uint64_t acked_seq = 0;
  bool operator==(const WorkerStatusReply&) const = default;
  MSGPACK_DEFINE(version, worker_id, run_id, slots, running, broker_silent_ms, orphaned, last_seq, acked_seq)
};

// The sink's answer to a status request (on its own REP socket).
struct SinkStatusReply {
  static constexpr const char* kType = "SINK_STATUS";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::uint64_t records = 0;
  std::vector<std::pair<std::string, std::uint64_t>> records_by_worker;
  std::string report;
  std::uint64_t tailers = 0;
  bool finished = false;
  bool operator==(const SinkStatusReply&) const = default;
  MSGPACK_DEFINE(version, run_id, records, records_by_worker, report, tailers, finished)
};

// A chunk of a shared input ([inputs] NAME = path), served by the broker.
struct InputRequest {
  static constexpr const char* kType = "GET_INPUT";
  std::uint32_t version = kProtocolVersion;
  std::string name;
  std::uint64_t offset = 0;
  std::string worker_id;
  bool operator==(const InputRequest&) const = default;
  MSGPACK_DEFINE(version, name, offset, worker_id)
};

struct InputChunk {
  static constexpr const char* kType = "INPUT";
  std::uint32_t version = kProtocolVersion;
  std::string name;
  std::uint64_t size = 0;    // of the whole input
  std::string sha256;        // of the whole input
  std::uint64_t offset = 0;  // of this chunk
  std::string bytes;         // at most kInputChunkBytes
  bool operator==(const InputChunk&) const = default;
  MSGPACK_DEFINE(version, name, size, sha256, offset, bytes)
};
inline constexpr std::size_t kInputChunkBytes = 1u << 20;

// What the broker's dashboard shows of the report, when the broker asks for
// it (SinkBeatReply::digest_wanted): outcome rows written so far by level and
// status, and the last log records (at most kDigestRecords, oldest first,
// texts cut to kDigestText bytes). Rows of an attempt that was run again
// count until the report drops them at its end.
struct LevelCounts {
  std::string level;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t skipped = 0;
  bool operator==(const LevelCounts&) const = default;
  MSGPACK_DEFINE(level, ok, failed, skipped)
};

struct RecentRecord {
  std::int64_t ts_us = 0;
  std::string worker;
  std::string severity;
  std::string node;
  std::string message;
  bool operator==(const RecentRecord&) const = default;
  MSGPACK_DEFINE(ts_us, worker, severity, node, message)
};

struct SinkDigest {
  std::vector<LevelCounts> levels;
  std::vector<RecentRecord> recent;
  bool operator==(const SinkDigest&) const = default;
  MSGPACK_DEFINE(levels, recent)
};
inline constexpr std::size_t kDigestRecords = 30;
inline constexpr std::size_t kDigestText = 500;

// Sink -> broker, every heartbeat interval and whenever its state changes:
// the sink is up, which run it writes (empty until it knows) and into which
// report, and the error that stopped the report, if one did. The broker
// dispatches nothing before a sink has said this without an error.
struct SinkBeat {
  static constexpr const char* kType = "SINK_BEAT";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::string sink_id;  // one per sink process
  std::string report;   // the report's path ("" when it writes none)
  std::uint64_t rows = 0;
  std::string error;    // why the report cannot be completed ("" while it can)
  SinkDigest digest;    // empty unless the broker asked for it
  std::string state_id;  // the id of the state store it keeps ("" when none)
  bool operator==(const SinkBeat&) const = default;
  MSGPACK_DEFINE(version, run_id, sink_id, report, rows, error, digest, state_id)
};

// Broker -> sink: the run the broker runs, and its state. With keys, the key
// each worker id joined with (the broker's ZAP admitted it), so that the sink
// takes a worker's rows only from that key.
struct SinkBeatReply {
  static constexpr const char* kType = "SINK_BEAT_OK";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  RunState state = RunState::running;
  bool authenticated = false;  // the broker knows its workers' keys
  std::vector<std::pair<std::string, std::string>> worker_keys;  // worker id -> Z85 public key
  bool digest_wanted = false;  // the broker serves a dashboard: beats carry a SinkDigest
  bool operator==(const SinkBeatReply&) const = default;
  MSGPACK_DEFINE(version, run_id, state, authenticated, worker_keys, digest_wanted)
};

// Sink -> broker: the report of `run_id` is concluded. `complete` only when
// it holds one outcome per node, nothing was lost, and it is durable (written,
// flushed and synced with its folder); otherwise `error` says why not.
struct ReportDone {
  static constexpr const char* kType = "REPORT_DONE";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::uint64_t records = 0;
  std::uint64_t lost = 0;
  bool complete = false;
  std::string error;
  bool operator==(const ReportDone&) const = default;
  MSGPACK_DEFINE(version, run_id, records, lost, complete, error)
};

struct Ok {
  static constexpr const char* kType = "OK";
  std::uint32_t version = kProtocolVersion;
  bool operator==(const Ok&) const = default;
  MSGPACK_DEFINE(version)
};

struct ErrorReply {
  static constexpr const char* kType = "ERROR";
  std::uint32_t version = kProtocolVersion;
  std::string message;
  bool operator==(const ErrorReply&) const = default;
  MSGPACK_DEFINE(version, message)
};

// ---- log stream: worker XPUB -> sink SUB; sink PUB -> workers and tailers ----

// A batch of records from one worker; record i has sequence number first_seq + i.
struct LogBatch {
  static constexpr const char* kType = "LOG";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::string worker_id;
  std::uint64_t first_seq = 0;
  std::uint32_t count = 0;
  std::string records;  // msgpack array of `count` LogRecord (see encode_records)
  bool operator==(const LogBatch&) const = default;
  MSGPACK_DEFINE(version, run_id, worker_id, first_seq, count, records)
};

// Sink -> worker (topic "ack.<worker>"): every record up to `seq` is in the report.
struct LogAck {
  static constexpr const char* kType = "ack.";
  std::uint32_t version = kProtocolVersion;
  std::string worker_id;
  std::uint64_t seq = 0;
  bool operator==(const LogAck&) const = default;
  MSGPACK_DEFINE(version, worker_id, seq)
};

// Sink -> tailers (topic "rec"): one record as written to the report.
struct TailRecord {
  static constexpr const char* kType = "rec";
  std::uint32_t version = kProtocolVersion;
  std::string worker_id;
  std::uint64_t seq = 0;
  LogRecord record;
  std::string run_id;
  bool operator==(const TailRecord&) const = default;
  MSGPACK_DEFINE(version, worker_id, seq, record, run_id)
};

// Sink -> tailers (topic "end"): the run's report is complete.
struct TailEnd {
  static constexpr const char* kType = "end";
  std::uint32_t version = kProtocolVersion;
  std::string run_id;
  std::int32_t status = 0;
  std::string summary;
  bool operator==(const TailEnd&) const = default;
  MSGPACK_DEFINE(version, run_id, status, summary)
};

}  // namespace ramify
