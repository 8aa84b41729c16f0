#include "slots/slot_channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ramify {
namespace {

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool read_all(int fd, char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

bool write_frame(int fd, SlotFrame type, std::string_view payload) {
  const auto length = static_cast<std::uint32_t>(payload.size() + 1);
  char head[5];
  std::memcpy(head, &length, 4);
  head[4] = static_cast<char>(type);
  return write_all(fd, head, sizeof head) && write_all(fd, payload.data(), payload.size());
}

std::optional<std::pair<SlotFrame, std::string>> read_frame(int fd) {
  char head[5];
  if (!read_all(fd, head, sizeof head)) return std::nullopt;
  std::uint32_t length = 0;
  std::memcpy(&length, head, 4);
  if (length == 0 || length > (1u << 30)) return std::nullopt;
  std::string payload(length - 1, '\0');
  if (!read_all(fd, payload.data(), payload.size())) return std::nullopt;
  return std::make_pair(static_cast<SlotFrame>(static_cast<unsigned char>(head[4])), std::move(payload));
}

}  // namespace ramify
