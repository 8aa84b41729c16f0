#pragma once
// A bare HTTP/1.0 client for the tests of the daemons' HTTP endpoints: sends
// `request` (the request line and headers, without the blank line) to
// 127.0.0.1:PORT and returns the whole answer ("connect failed" when nothing
// listens). Reads time out after 10 s.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace ramify {

inline std::string http_request(unsigned port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return "connect failed";
  }
  const std::string whole = request + "\r\nHost: 127.0.0.1\r\n\r\n";
  EXPECT_EQ(::write(fd, whole.data(), whole.size()), static_cast<ssize_t>(whole.size()));
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return reply;
}

// The port of "http://HOST:PORT/...".
inline unsigned port_of(const std::string& url) {
  const auto colon = url.find(':', url.find("//") + 2);
  return static_cast<unsigned>(std::stoul(url.substr(colon + 1)));
}

}  // namespace ramify
