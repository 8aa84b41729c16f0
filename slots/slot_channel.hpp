#pragma once
// Frames between a worker and one of its slot processes, over a stream
// socket pair: a 4-byte length, a type byte, a msgpack payload.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/messages.hpp"

namespace ramify {

enum class SlotFrame : std::uint8_t {
  // worker -> slot process
  spec = 1,         // JobSpec entries
  assign = 2,       // SlotAssign
  exit = 3,         // bool: finalize the curator first
  input_path = 4,   // the answer to input_request: std::string path, or "" and an error
  // slot process -> worker
  records = 10,     // SlotRecords
  node_failed = 11, // NodeFailed
  done = 12,        // Done
  recycle = 13,     // SlotRecycle: stopped mid-assignment to be replaced; resume from `visits`
  input_request = 14,  // std::string name
  finalized = 15,
  error = 16,       // std::string: the slot process cannot work (its curator failed to build)
};

struct SlotAssign {
  Assign assignment;
  std::uint64_t skip = 0;  // visits made before a restart
  OpenData open_data;      // what the process before the restart left open
  MSGPACK_DEFINE(assignment, skip, open_data)
};

struct SlotRecords {
  std::uint32_t count = 0;
  std::string records;  // encode_records() bytes
  std::uint32_t outcomes = 0;          // outcome rows among them
  std::uint32_t skipped_outcomes = 0;  // skipped ones among those
  MSGPACK_DEFINE(count, records, outcomes, skipped_outcomes)
};

struct SlotRecycle {
  std::uint64_t visits = 0;
  Done partial;
  OpenData open_data;
  bool hand_back = false;  // the worker drains: the rest goes back to the broker, not to a fresh process
  MSGPACK_DEFINE(visits, partial, open_data, hand_back)
};

struct SlotInputPath {
  std::string path;
  std::string error;
  MSGPACK_DEFINE(path, error)
};

// Writes one frame; false when the other side is gone.
bool write_frame(int fd, SlotFrame type, std::string_view payload);
// Reads one frame (blocking); nullopt at end of file or on a cut-short frame.
std::optional<std::pair<SlotFrame, std::string>> read_frame(int fd);

// Unpacks a frame payload written by this binary (the other side is our own process).
template <class T>
T unpack_frame(const std::string& payload) {
  msgpack::object_handle handle = msgpack::unpack(payload.data(), payload.size());
  return handle.get().as<T>();
}
template <class T>
std::string pack_frame(const T& value) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, value);
  return std::string(buffer.data(), buffer.size());
}

}  // namespace ramify
