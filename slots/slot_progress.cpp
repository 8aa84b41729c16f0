#include "slots/slot_progress.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace ramify {
namespace {

void copy_field(char* field, std::size_t size, const std::string& text) {
  const std::size_t n = std::min(text.size(), size - 1);
  std::memcpy(field, text.data(), n);
  field[n] = '\0';
}

}  // namespace

void SlotProgress::begin(std::uint64_t visit_index, const Node& node, const std::string& key) {
  copy_field(id, sizeof id, node.id);
  copy_field(level, sizeof level, node.level);
  copy_field(label, sizeof label, node.label);
  copy_field(search_key, sizeof search_key, key);
  busy.store(1, std::memory_order_release);
  visits.store(visit_index + 1, std::memory_order_release);
}

SlotProgress* map_slot_progress(int& fd) {
  if (fd < 0) {
    fd = memfd_create("ramify-slot-progress", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, sizeof(SlotProgress)) != 0) throw std::runtime_error("cannot make a slot progress page");
  }
  void* page = mmap(nullptr, sizeof(SlotProgress), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (page == MAP_FAILED) throw std::runtime_error("cannot map the slot progress page");
  return static_cast<SlotProgress*>(page);
}

void unmap_slot_progress(SlotProgress* progress) {
  if (progress) munmap(progress, sizeof(SlotProgress));
}

std::string progress_text(const char* field, std::size_t size) { return std::string(field, strnlen(field, size)); }

}  // namespace ramify
