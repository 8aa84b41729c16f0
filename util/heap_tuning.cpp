#include "util/heap_tuning.hpp"

#include <malloc.h>

namespace ramify {

void keep_large_buffers_in_heap() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace ramify
