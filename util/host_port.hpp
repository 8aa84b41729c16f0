#pragma once
// "HOST:PORT" addresses of the daemons' HTTP endpoints (--metrics, --http),
// and waking an HTTP listener that is being stopped.

#include <functional>
#include <string>

namespace ramify {

struct HostPort {
  std::string host;  // as written ("*": every interface)
  unsigned port = 0;
};

// Throws ConfigError naming `flag` when `text` is not HOST:PORT with a port
// from 0 to 65535.
HostPort parse_host_port(const std::string& text, const std::string& flag);

// Where a connection from this host reaches a listener bound to `host`
// (127.0.0.1 for "*" and 0.0.0.0).
std::string local_host_for(const std::string& host);

// Opens and closes one TCP connection to HOST:PORT (errors ignored).
// civetweb's listener notices its stop only between polls of 2 s: knocking
// wakes it, so that a daemon does not linger that long at its exit.
void knock(const std::string& host, unsigned port);
// Calls `stop` (which stops the listener on HOST:PORT) while knocking there
// every 20 ms from another thread.
void stop_while_knocking(const std::string& host, unsigned port, const std::function<void()>& stop);

}  // namespace ramify
