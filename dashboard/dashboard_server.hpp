#pragma once
// The broker's live dashboard over HTTP (`--http HOST:PORT`): civetweb serves
// GET / (the page) and GET /api/run (the latest snapshot, JSON) from threads
// of its own. They never see the broker's state: the broker's loop publishes
// each snapshot as text. With a token, every request must carry it
// (`?token=T` or `Authorization: Bearer T`), or gets 401. Every answer forbids
// the page to load anything but api/run from its own origin
// (Content-Security-Policy).

#include <memory>
#include <string>

namespace ramify {

class DashboardServer {
 public:
  // `bind`: HOST:PORT ("*:PORT": every interface; port 0: one the kernel
  // picks). `token`: "" serves anyone who reaches it. Throws ConfigError when
  // it cannot listen there.
  DashboardServer(const std::string& bind, std::string token);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // What GET /api/run answers from now on (until then: 503).
  void publish(std::string snapshot);
  // http://HOST:PORT/ with the port really bound, and ?token=T when one is needed.
  const std::string& url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// 32 hexadecimal digits from the system's random source (OpenSSL).
std::string random_token();

}  // namespace ramify
