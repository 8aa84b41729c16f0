#include "broker/work_channel.hpp"

#include "broker/assignment_digest.hpp"
#include "broker/dashboard_feed.hpp"
#include "broker/partitioner.hpp"
#include "net/security.hpp"
#include "net/sockets.hpp"

namespace ramify {

WorkChannel::WorkChannel(BrokerRun& run, zmq::context_t& context, Security& security, const Address& address)
    : run_(run) {
  SocketOptions options;
  options.curve = security.server(context, "broker.work", {KeyRole::worker});
  options.max_message = kMaxConfigMessage;
  options.linger = std::chrono::milliseconds(200);
  socket_ = make_socket(context, zmq::socket_type::router, options);
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.set(zmq::sockopt::router_handover, 1);
  socket_.bind(address.endpoint(kWorkPort, "work"));

  table_.on<Hello>([this](const Hello& hello, const std::string& worker) { handle_hello(hello, worker); });
  table_.on<Heartbeat>([this](const Heartbeat& beat, const std::string& worker) {
    bool known = false;
    for (const AssignmentRef& ref : run_.scheduler->heartbeat(beat, BrokerRun::Clock::now(), known))
      send(worker, Cancel::kType, encode(Cancel{kProtocolVersion, ref.id, ref.attempt}));
    if (!known) send(worker, kWhoAreYou, encode(Ok{}));
  });
  table_.on<Started>([this](const Started& started, const std::string& worker) {
    run_.scheduler->started(worker, started);
  });
  table_.on<NodeFailed>([this](const NodeFailed& failed, const std::string& worker) {
    // The sink prints the node's failure once, with its log; this is the daemon's own account.
    if (run_.scheduler->node_failed(worker, failed)) {
      run_.log->info("node {} failed on {}: {}", failed.node_id, worker, failed.error);
      if (run_.dashboard) run_.dashboard->node_failed(worker, failed);
    }
  });
  table_.on<Done>([this](const Done& done, const std::string& worker) {
    if (run_.scheduler->done(worker, done) && done.handed_back)
      run_.log->info("worker {} drains: assignment {} handed back after {} node(s); dispatched again from visit {}",
                     worker, done.id, done.nodes, done.resume_visits);
  });
  table_.on<Bye>([this](const Bye& bye, const std::string& worker) {
    if (bye.worker_id != worker) throw DecodeError("BYE from " + worker + " names " + bye.worker_id);
    run_.scheduler->bye(bye);
    run_.log->info("worker {} left ({})", worker, bye.reason);
  });
}

void WorkChannel::handle_hello(const Hello& hello, const std::string& worker) {
  if (hello.worker_id != worker) throw DecodeError("HELLO from " + worker + " names " + hello.worker_id);
  run_.scheduler->hello(hello, BrokerRun::Clock::now());
  run_.log->info("worker {} joined ({} slot(s), host {}, pid {})", worker, hello.slots, hello.host, hello.pid);
  if (run_.scheduler->state() == RunState::aborted) send(worker, kKillWorker, encode(run_.kill_message()));
}

void WorkChannel::on_message() {
  auto frames = receive_frames(socket_, 3);
  if (!frames) return;
  if (frames->size() != 3) throw DecodeError("work message with " + std::to_string(frames->size()) + " frames");
  const std::string worker = frame_text((*frames)[0]);
  const Peer peer = peer_of((*frames)[1]);
  if (peer.role) {
    const auto [bound, fresh] = run_.worker_keys.emplace(worker, peer.key);
    if (!fresh && bound->second != peer.key)
      return run_.refused(peer, "a message for worker " + worker + ", whose id belongs to another key");
  }
  table_.dispatch((*frames)[1].to_string_view(), (*frames)[2].to_string_view(), worker);
}

void WorkChannel::send(const std::string& worker, const std::string& type, const std::string& body) {
  try {
    if (!send_frames(socket_, {worker, type, body})) run_.log->warn("worker {} is not reading; {} dropped", worker, type);
  } catch (const zmq::error_t& e) {
    if (e.num() != EHOSTUNREACH) throw;
    run_.log->warn("worker {} is unreachable", worker);
    run_.scheduler->worker_lost(worker, "it is unreachable");
  }
}

void WorkChannel::dispatch() {
  for (const Dispatch& d : run_.scheduler->next_dispatches(BrokerRun::Clock::now())) {
    const AssignmentStatus& a = run_.scheduler->assignments()[d.assignment];
    Assign message;
    message.run_id = run_.run_id;
    message.id = d.assignment;
    message.attempt = d.attempt;
    message.kind = a.spec.kind;
    message.root = a.spec.root;
    message.ancestors = a.spec.ancestors;
    message.order = run_.options.spec.order();
    message.spec_version = BrokerRun::kSpecVersion;
    message.data = run_.scheduler->data_for(d.assignment);
    message.skip = a.skip;
    message.resume_data = a.resume_data;
    if (!run_.level_stamps.empty()) {
      message.level_stamps = run_.level_stamps;
      message.rerun_failed_only = run_.rerun_failed_only;
      const std::string key = search_key_of(a.spec.ancestors, a.spec.root);
      if (auto whole = carried_whole(d.assignment, a, key)) {
        message.carry_whole = true;
        message.baseline.push_back(std::move(*whole));
      } else {
        message.baseline =
            run_.baseline.below(key, a.spec.kind == AssignmentKind::shallow, run_.options.carried_fields);
      }
    }
    if (run_.source.manifest && !message.carry_whole) message.nodes = assignment_nodes(a.spec, *run_.source.manifest);
    run_.log->debug("assignment {} attempt {} ({}) -> {}", d.assignment, d.attempt, a.spec.root.id, d.worker);
    send(d.worker, Assign::kType, encode(message));
  }
}

std::optional<BaselineNode> WorkChannel::carried_whole(std::uint64_t id, const AssignmentStatus& a,
                                                       const std::string& key) {
  if (!run_.source.manifest || a.skip > 0) return std::nullopt;
  auto [digest, fresh] = run_.assignment_digests.try_emplace(id);
  if (fresh)
    digest->second = assignment_digest(a.spec, *run_.source.manifest, run_.level_stamps, run_.options.spec);
  const std::string stored = run_.baseline.assignment_digest(key);
  if (digest->second.empty() || stored != digest->second) return std::nullopt;
  std::optional<BaselineNode> root = run_.baseline.node(key);
  if (root && fresh) ++run_.carried_whole;
  return root;
}

void WorkChannel::kill_every_worker(const Kill& kill) {
  const std::string body = encode(kill);
  for (const auto& worker : run_.scheduler->live_workers()) send(worker, kKillWorker, body);
}

void WorkChannel::stop_every_worker() {
  const std::string body = encode(Ok{});
  for (const auto& worker : run_.scheduler->live_workers()) send(worker, kStopWorker, body);
}

}  // namespace ramify
