#include "broker/config_service.hpp"

#include "broker/dashboard_feed.hpp"
#include "net/security.hpp"
#include "net/sockets.hpp"
#include "util/errors.hpp"

namespace ramify {

namespace {

template <class T>
std::pair<std::string, std::string> reply_with(const T& message) {
  return {T::kType, encode(message)};
}

// What each role may ask for (without keys, anyone may ask anything).
bool may_ask(const Peer& peer, std::string_view type) {
  if (!peer.role) return true;
  switch (*peer.role) {
    case KeyRole::worker: return type == SpecRequest::kType || type == InputRequest::kType;
    case KeyRole::sink:
      return type == SpecRequest::kType || type == InputRequest::kType || type == SinkBeat::kType ||
             type == ReportDone::kType;
    case KeyRole::client: return type == StatusRequest::kType;
  }
  return false;
}

}  // namespace

ConfigService::ConfigService(BrokerRun& run, zmq::context_t& context, Security& security, const Address& address)
    : run_(run), security_(security), inputs_(run.options.spec) {
  SocketOptions options;
  options.max_message = kMaxConfigMessage;
  options.curve = security.server(context, "broker.config", {KeyRole::worker, KeyRole::sink, KeyRole::client});
  socket_ = make_socket(context, zmq::socket_type::rep, options);
  socket_.bind(address.endpoint(kConfigPort, "config"));

  table_.on<SpecRequest>([this](const SpecRequest& request) {
    if (auto why = protocol_mismatch("worker " + request.worker_id, request.version); !why.empty()) {
      run_.log->warn("refused the spec to {}", why);
      return reply_with(ErrorReply{kProtocolVersion, why});
    }
    SpecReply spec;
    spec.run_id = run_.run_id;
    spec.spec_version = BrokerRun::kSpecVersion;
    spec.entries = run_.options.spec.entries();
    spec.state = run_.scheduler->state();
    spec.no_sink = run_.options.no_sink;
    return reply_with(spec);
  });
  table_.on<StatusRequest>([this](const StatusRequest&) { return reply_with(run_.status()); });
  table_.on<InputRequest>([this](const InputRequest& request) { return input(request); });
  table_.on<SinkBeat>([this](const SinkBeat& beat) { return sink_beat(beat); });
  table_.on<ReportDone>([this](const ReportDone& done) { return report_done(done); });
}

void ConfigService::on_request() {
  auto frames = receive_frames(socket_, 2);
  if (!frames) return;
  Reply reply;
  try {
    if (frames->size() != 2) throw DecodeError("config request with " + std::to_string(frames->size()) + " frames");
    reply = answer((*frames)[0], (*frames)[1]);
  } catch (const DecodeError& e) {
    reply = reply_with(ErrorReply{kProtocolVersion, e.what()});
    send_frames(socket_, {reply.first, reply.second});
    throw;  // counted by the reactor, once answered
  }
  send_frames(socket_, {reply.first, reply.second});
}

ConfigService::Reply ConfigService::answer(const zmq::message_t& type_frame, const zmq::message_t& body_frame) {
  const std::string type = frame_text(type_frame);
  const Peer peer = peer_of(type_frame);
  if (!may_ask(peer, type)) {
    run_.refused(peer, "a " + type + " request");
    return reply_with(ErrorReply{kProtocolVersion,
                                 std::string("a ") + to_string(*peer.role) + " key may not ask for " + type});
  }
  return table_.dispatch(type, body_frame.to_string_view());
}

ConfigService::Reply ConfigService::input(const InputRequest& request) {
  try {
    Reply reply = reply_with(inputs_.chunk(request.name, request.offset));
    if (request.offset == 0 && inputs_served_.emplace(request.worker_id, request.name).second)
      run_.log->info("serving input '{}' to worker {}", request.name, request.worker_id);
    return reply;
  } catch (const ConfigError& e) {
    return reply_with(ErrorReply{kProtocolVersion, e.what()});
  }
}

// A sink's report error stops the run (or, once it is over, fails it).
ConfigService::Reply ConfigService::sink_beat(const SinkBeat& beat) {
  if (auto why = protocol_mismatch("the sink " + beat.sink_id, beat.version); !why.empty()) {
    if (!sink_refused_) run_.log->warn("refused the sink's beats: {}", why);
    sink_refused_ = true;
    return reply_with(ErrorReply{kProtocolVersion, why});
  }
  SinkWatch& sink = run_.sink;
  const bool joined = sink.joined();
  const bool had_error = !sink.error().empty();
  sink.beat(beat, BrokerRun::Clock::now());
  if (run_.dashboard) run_.dashboard->sink_beat(beat);
  if (!joined && sink.joined())
    run_.log->info("the sink joined: {}", beat.report.empty() ? "it writes no report file" : "report " + beat.report);
  if (!had_error && !sink.error().empty()) {
    if (!run_.scheduler->complete()) {
      run_.scheduler->abort(sink.error());  // says "run aborted: ..."
    } else {
      run_.log->error("the sink cannot complete the report: {}", sink.error());
    }
  }
  SinkBeatReply reply{kProtocolVersion, run_.run_id, run_.scheduler->state(), security_.enabled(), {}};
  reply.worker_keys.assign(run_.worker_keys.begin(), run_.worker_keys.end());
  reply.digest_wanted = run_.dashboard != nullptr;
  return reply_with(reply);
}

ConfigService::Reply ConfigService::report_done(const ReportDone& done) {
  if (run_.scheduler->complete() && run_.sink.report_done(done)) {
    if (done.complete) {
      run_.log->info("the sink concluded the report: {} record(s), complete", done.records);
    } else if (done.error != run_.sink.error()) {
      run_.log->error("the sink could not complete the report: {}", done.error);
    }
  }
  return reply_with(Ok{});
}

}  // namespace ramify
