#pragma once
// What a slot process is curating, in a page of memory it shares with its
// worker (a memfd), so that the worker can name the node when the process
// dies on it. Written before each node; read only once the process is dead.

#include <atomic>
#include <cstdint>
#include <string>

#include "ramify/node.hpp"

namespace ramify {

struct SlotProgress {
  std::atomic<std::uint64_t> visits;  // visits started, the current one included
  std::atomic<std::uint32_t> busy;    // 1 while a node is curated
  // Written by the worker, read by the slot process (ThreadSlot's flags):
  std::atomic<std::uint32_t> draining;   // 0: not asked, 1: draining, 2: off for good (aborted)
  std::atomic<std::uint32_t> hand_back;  // 1: end the assignment after this node, hand back the rest
  char id[2048];
  char level[128];
  char label[1024];
  char search_key[4096];

  void begin(std::uint64_t visit_index, const Node& node, const std::string& key);
  void end() { busy.store(0, std::memory_order_release); }
};

// Maps the shared page (creating it when fd is -1); returns the fd through `fd`.
SlotProgress* map_slot_progress(int& fd);
void unmap_slot_progress(SlotProgress* progress);

// A string field of the page, cut to its size.
std::string progress_text(const char* field, std::size_t size);

}  // namespace ramify
