#include "engine/cancel_token.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ramify {

CancelToken::CancelToken() {
  fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

CancelToken::~CancelToken() { close(fd_); }

void CancelToken::cancel() {
  cancelled_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = write(fd_, &one, sizeof one);
}

void CancelToken::reset() {
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = read(fd_, &count, sizeof count);
  cancelled_ = false;
}

}  // namespace ramify
