#pragma once
// The main function of a slot process (isolation = process), forked from the
// fork server: it reads the job spec and its assignments from the channel to
// its worker, curates, and writes records and results back. It never creates
// a ZMQ context: shared inputs come through the channel too.

#include <cstdint>

namespace ramify {

// `channel_fd`: the slot process's end of the socket pair; `progress_fd`: the
// shared SlotProgress page. Never returns.
[[noreturn]] void slot_child_main(int channel_fd, int progress_fd);

// Resident memory of a process in bytes (0 when unknown); pid 0 is this process.
std::uint64_t resident_bytes(int pid = 0);

}  // namespace ramify
