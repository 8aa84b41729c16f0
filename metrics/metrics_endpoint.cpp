#include "metrics/metrics_endpoint.hpp"

#include <netdb.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <thread>

#include "util/errors.hpp"

namespace ramify {

namespace {

struct HostPort {
  std::string host;
  unsigned port = 0;
};

HostPort split_host_port(const std::string& bind) {
  const auto colon = bind.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == bind.size())
    throw ConfigError("--metrics '" + bind + "': expected HOST:PORT (for example 127.0.0.1:9464, or *:9464)");
  HostPort out{bind.substr(0, colon), 0};
  const std::string port = bind.substr(colon + 1);
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (error != std::errc{} || end != port.data() + port.size() || out.port > 65535)
    throw ConfigError("--metrics '" + bind + "': the port must be a number from 0 to 65535");
  return out;
}

// Opens and closes one TCP connection to HOST:PORT (errors ignored).
void knock(const std::string& host, unsigned port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    (void)::connect(fd, found->ai_addr, found->ai_addrlen);
    ::close(fd);
  }
  freeaddrinfo(found);
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(const std::string& bind, const std::string& daemon)
    : registry_(std::make_shared<prometheus::Registry>()) {
  const HostPort where = split_host_port(bind);
  const std::string host = where.host == "*" ? "0.0.0.0" : where.host;
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(host + ":" + std::to_string(where.port), 1);
  } catch (const std::exception&) {
    throw ConfigError("--metrics " + bind +
                      ": cannot listen there (the port is in use, or the address is not this host's)");
  }
  exposer_->RegisterCollectable(registry_);
  const auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? where.port : static_cast<unsigned>(ports.front());
  host_ = where.host == "*" ? "127.0.0.1" : where.host;
  url_ =
      "http://" + (where.host == "*" ? std::string("0.0.0.0") : where.host) + ":" + std::to_string(port_) + "/metrics";
  prometheus::BuildGauge()
      .Name("ramify_build_info")
      .Help("ramify's version and which daemon this is (always 1)")
      .Register(*registry_)
      .Add({{"version", RAMIFY_VERSION}, {"daemon", daemon}})
      .Set(1);
}

// civetweb's listener notices its stop only between polls of 2 s: a daemon
// would linger that long at its exit. Connections wake the poll.
MetricsEndpoint::~MetricsEndpoint() {
  std::atomic<bool> stopped{false};
  std::thread wake([&] {
    while (!stopped) {
      knock(host_, port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exposer_.reset();
  stopped = true;
  wake.join();
}

prometheus::Gauge& MetricsEndpoint::gauge(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_).Add({});
}

prometheus::Counter& MetricsEndpoint::counter(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_).Add({});
}

std::vector<double> duration_buckets() {
  return {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400};
}

void advance_to(prometheus::Counter& counter, double total) {
  const double now = counter.Value();
  if (total > now) counter.Increment(total - now);
}

std::string metrics_address_plus(const std::string& bind, unsigned offset) {
  const HostPort where = split_host_port(bind);
  if (where.port == 0) return bind;
  if (where.port + offset > 65535) throw ConfigError("--metrics " + bind + ": the ports above it run past 65535");
  return where.host + ":" + std::to_string(where.port + offset);
}

}  // namespace ramify
