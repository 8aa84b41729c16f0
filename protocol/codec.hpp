#pragma once
// Encoding and bounded decoding of protocol messages.
//
// Every decode is bounded: the input's size, the size of each array, map,
// string and binary, and the nesting depth are limited per message type, and
// a pre-pass refuses inputs that announce more elements than they have bytes
// (so `dd ff ff ff ff` costs nothing). Any problem raises DecodeError.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/messages.hpp"
#include "util/errors.hpp"

namespace ramify {

struct DecodeLimits {
  std::size_t max_bytes = 1 << 20;
  std::size_t array = 4096;
  std::size_t map = 4096;
  std::size_t str = 1 << 20;
  std::size_t bin = 1 << 20;
  std::size_t depth = 8;
};

// Limits for a message type; the default suits small control messages.
template <class T>
DecodeLimits limits_for() {
  return DecodeLimits{};
}
// Assignments carry a manifest subtree; batches carry many records.
template <>
DecodeLimits limits_for<Assign>();
template <>
DecodeLimits limits_for<SpecReply>();
template <>
DecodeLimits limits_for<LogBatch>();
template <>
DecodeLimits limits_for<TailRecord>();
template <>
DecodeLimits limits_for<Finish>();
template <>
DecodeLimits limits_for<InputChunk>();

// Largest message a socket accepts (ZMQ_MAXMSGSIZE), per channel.
inline constexpr std::int64_t kMaxWorkMessage = 256LL << 20;
inline constexpr std::int64_t kMaxConfigMessage = 16LL << 20;
inline constexpr std::int64_t kMaxControlMessage = 16LL << 20;
inline constexpr std::int64_t kMaxLogMessage = 64LL << 20;

namespace codec_detail {
// Unpacks `bytes` into an object owned by `handle`, within `limits`.
msgpack::object_handle unpack_bounded(std::string_view bytes, const DecodeLimits& limits,
                                      const char* what);
[[noreturn]] void fail(const char* what, const std::string& why);
}  // namespace codec_detail

template <class T>
std::string encode(const T& message) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, message);
  return std::string(buffer.data(), buffer.size());
}

template <class T>
T decode(std::string_view bytes, const DecodeLimits& limits = limits_for<T>()) {
  msgpack::object_handle handle = codec_detail::unpack_bounded(bytes, limits, T::kType);
  const msgpack::object& object = handle.get();
  if (object.type != msgpack::type::ARRAY || object.via.array.size == 0)
    codec_detail::fail(T::kType, "not an array with a version field");
  T message;
  try {
    object.convert(message);
  } catch (const std::exception& e) {
    codec_detail::fail(T::kType, std::string("wrong field type (") + e.what() + ")");
  }
  if (message.version < 1) codec_detail::fail(T::kType, "unsupported protocol version 0");
  return message;
}

// Records of a LogBatch: a msgpack array of LogRecord.
std::string encode_records(const std::vector<LogRecord>& records);
std::vector<LogRecord> decode_records(std::string_view bytes, std::size_t expected_count);
// The same into `into`, whose records (and their strings' storage) are reused.
void decode_records(std::string_view bytes, std::size_t expected_count, std::vector<LogRecord>& into);

}  // namespace ramify
