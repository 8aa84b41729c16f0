#include "net/address.hpp"

#include <algorithm>

#include "util/errors.hpp"

namespace ramify {

Address Address::parse(const std::string& text, int default_base) {
  Address address;
  for (const char* scheme : {"ipc", "inproc"}) {
    const std::string prefix = std::string(scheme) + "://";
    if (text.rfind(prefix, 0) != 0) continue;
    address.local_scheme_ = scheme;
    address.host_ = text.substr(prefix.size());
    if (address.host_.empty()) throw ConfigError("address '" + text + "' has no path");
    return address;
  }
  if (text.rfind("tcp://", 0) == 0) return parse(text.substr(6), default_base);
  if (text.empty()) throw ConfigError("empty address");
  address.host_ = text;
  address.base_ = default_base;
  auto colon = text.rfind(':');
  if (colon != std::string::npos) {
    std::string port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit))
      throw ConfigError("address '" + text + "': '" + port + "' is not a port number");
    address.base_ = std::stoi(port);
    address.host_ = text.substr(0, colon);
  }
  if (address.host_.empty()) throw ConfigError("address '" + text + "' has no host");
  if (address.base_ < 1 || address.base_ > 65535 - 8)
    throw ConfigError("address '" + text + "': port base out of range");
  return address;
}

std::string Address::endpoint(int offset, const std::string& name) const {
  if (is_ipc()) return local_scheme_ + "://" + host_ + "." + name;
  return "tcp://" + host_ + ":" + std::to_string(base_ + offset);
}

bool Address::is_loopback() const {
  return is_ipc() || host_ == "localhost" || host_.rfind("127.", 0) == 0 || host_ == "::1";
}

std::string Address::text() const {
  return is_ipc() ? local_scheme_ + "://" + host_ : host_ + ":" + std::to_string(base_);
}

}  // namespace ramify
