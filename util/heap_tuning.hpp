#pragma once
// The daemons pass large buffers to and fro (an assignment with its stored
// nodes, a batch of records): malloc keeps buffers up to 32 MiB in its heap,
// and up to 64 MiB free at its top, instead of an mmap and munmap (and a page
// fault per fresh page) for each. Called once, at the start of main.

namespace ramify {

void keep_large_buffers_in_heap();

}  // namespace ramify
