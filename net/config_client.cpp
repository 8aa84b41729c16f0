#include "net/config_client.hpp"

#include <spdlog/fmt/fmt.h>

#include "net/sockets.hpp"

namespace ramify {
namespace {
constexpr std::chrono::milliseconds kLongestTry{8000};
}  // namespace

ConfigClient::ConfigClient(zmq::context_t& context, std::string endpoint, std::chrono::milliseconds timeout,
                           int tries, std::optional<CurveSettings> curve, std::string server)
    : context_(context),
      endpoint_(std::move(endpoint)),
      timeout_(timeout),
      tries_(tries),
      curve_(std::move(curve)),
      server_(std::move(server)) {}

ConfigClient::~ConfigClient() {
  watch_.reset();  // before its socket
}

void ConfigClient::reconnect() {
  watch_.reset();
  socket_.reset();  // linger 0: a pending request is dropped
  SocketOptions options;
  options.max_message = kMaxConfigMessage;
  options.immediate = false;
  options.curve = curve_;
  socket_.emplace(make_socket(context_, zmq::socket_type::req, options));
  socket_->set(zmq::sockopt::req_relaxed, 1);
  socket_->set(zmq::sockopt::req_correlate, 1);
  watch_ = std::make_unique<HandshakeWatch>(context_, *socket_, describe(), curve_.has_value());
  socket_->connect(endpoint_);
}

std::optional<std::pair<std::string, std::string>> ConfigClient::try_once(const std::string& type,
                                                                         const std::string& body,
                                                                         Clock::time_point deadline) {
  if (!socket_) reconnect();
  send_frames(*socket_, {type, body}, /*dont_wait=*/false);
  while (true) {
    std::vector<zmq::pollitem_t> items{{socket_->handle(), 0, ZMQ_POLLIN, 0}};
    poll_items(items, std::min(until(deadline), std::chrono::milliseconds(50)));
    if (interrupt_ && interrupt_->load() != 0) {
      reconnect();
      throw TimeoutError("interrupted while waiting for " + describe());
    }
    if (items[0].revents & ZMQ_POLLIN) {
      auto frames = receive_frames(*socket_);
      if (frames && frames->size() == 2) return std::make_pair(frame_text((*frames)[0]), frame_text((*frames)[1]));
      // Nothing to read after a wake-up: the reply was to an earlier try,
      // which REQ_CORRELATE dropped, and this socket may not deliver the
      // next one. This try ends unanswered; the next starts afresh.
      const bool stale = !frames;
      socket_.reset();
      watch_.reset();
      if (stale) return std::nullopt;
      throw DecodeError("malformed reply from " + describe());
    }
    if (auto failure = watch_->failure()) throw ConfigError(*failure);
    if (Clock::now() >= deadline) return std::nullopt;
  }
}

std::pair<std::string, std::string> ConfigClient::request(const std::string& type, const std::string& body) {
  auto wait = timeout_;
  auto total = std::chrono::milliseconds(0);
  for (int attempt = 0; attempt < tries_; ++attempt) {
    if (auto reply = try_once(type, body, Clock::now() + wait)) return *reply;
    total += wait;
    wait = std::min(wait * 2, std::max(kLongestTry, timeout_));
  }
  throw_if_dropped();
  throw TimeoutError(fmt::format("no answer from {} within {:.1f} s ({} {})", describe(),
                                 std::chrono::duration<double>(total).count(), tries_, tries_ == 1 ? "try" : "tries"));
}

std::pair<std::string, std::string> ConfigClient::request_until(const std::string& type, const std::string& body,
                                                                Clock::time_point deadline,
                                                                const std::function<void()>& on_slow) {
  auto wait = timeout_;
  bool said = false;
  while (true) {
    const auto try_deadline = std::min(deadline, Clock::now() + wait);
    if (auto reply = try_once(type, body, try_deadline)) return *reply;
    if (Clock::now() >= deadline) break;
    if (!said && on_slow) on_slow();
    said = true;
    wait = std::min(wait * 2, std::max(kLongestTry, timeout_));
  }
  throw_if_dropped();
  throw TimeoutError("no answer from " + describe());
}

void ConfigClient::throw_if_dropped() {
  if (!watch_) return;
  if (auto dropped = watch_->dropped()) throw ConfigError(*dropped);
}

}  // namespace ramify
