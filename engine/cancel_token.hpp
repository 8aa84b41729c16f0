#pragma once
// A slot's cancellation: a flag for loops plus an eventfd for poll().

#include <atomic>

namespace ramify {

class CancelToken {
 public:
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void cancel();  // thread-safe
  void reset();   // before the next assignment (slot thread only)
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  int fd() const { return fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int fd_;
};

}  // namespace ramify
