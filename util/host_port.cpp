#include "util/host_port.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <thread>

#include "util/errors.hpp"

namespace ramify {

HostPort parse_host_port(const std::string& text, const std::string& flag) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw ConfigError(flag + " '" + text + "': expected HOST:PORT (for example 127.0.0.1:9464, or *:9464)");
  HostPort out{text.substr(0, colon), 0};
  const std::string port = text.substr(colon + 1);
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (error != std::errc{} || end != port.data() + port.size() || out.port > 65535)
    throw ConfigError(flag + " '" + text + "': the port must be a number from 0 to 65535");
  return out;
}

std::string local_host_for(const std::string& host) { return host == "*" || host == "0.0.0.0" ? "127.0.0.1" : host; }

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

void stop_while_knocking(const std::string& host, unsigned port, const std::function<void()>& stop) {
  std::atomic<bool> stopped{false};
  std::thread wake([&] {
    while (!stopped) {
      knock(host, port);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  stop();
  stopped = true;
  wake.join();
}

}  // namespace ramify
