#include "protocol/codec.hpp"

#include <limits>

namespace ramify {

template <>
DecodeLimits limits_for<Assign>() {
  return DecodeLimits{static_cast<std::size_t>(kMaxWorkMessage), 16u << 20, 1u << 20, 1u << 20,
                      1u << 20, 8};
}
template <>
DecodeLimits limits_for<SpecReply>() {
  return DecodeLimits{static_cast<std::size_t>(kMaxConfigMessage), 1u << 16, 1u << 10,
                      static_cast<std::size_t>(kMaxConfigMessage), 1u << 20, 6};
}
template <>
DecodeLimits limits_for<LogBatch>() {
  return DecodeLimits{static_cast<std::size_t>(kMaxLogMessage), 16, 16,
                      static_cast<std::size_t>(kMaxLogMessage), 1u << 20, 4};
}
template <>
DecodeLimits limits_for<TailRecord>() {
  // As a batch, but it holds a LogRecord itself: arrays up to 32 (a record has 18 elements).
  return DecodeLimits{static_cast<std::size_t>(kMaxLogMessage), 32, 16,
                      static_cast<std::size_t>(kMaxLogMessage), 1u << 20, 4};
}

template <>
DecodeLimits limits_for<Finish>() {
  return DecodeLimits{static_cast<std::size_t>(kMaxControlMessage), 1u << 20, 16, 1u << 20, 1u << 10, 5};
}

template <>
DecodeLimits limits_for<InputChunk>() {
  return DecodeLimits{kInputChunkBytes + 4096, 16, 16, kInputChunkBytes, 1024, 2};
}

namespace codec_detail {
namespace {

// Walks the input without building anything and refuses it when its arrays
// and maps announce more elements, in total, than the input has bytes (every
// element takes at least one byte), or when it nests too deep. This bounds what
// the real unpack allocates to a small multiple of the input size.
class SizeCheck : public msgpack::null_visitor {
 public:
  SizeCheck(std::size_t budget, std::size_t max_depth) : budget_(budget), max_depth_(max_depth) {}
  bool start_array(std::uint32_t n) { return claim(n); }
  bool end_array() { return leave(); }
  bool start_map(std::uint32_t n) { return claim(std::uint64_t{n} * 2); }
  bool end_map() { return leave(); }
  void parse_error(std::size_t, std::size_t) { problem_ = "malformed msgpack"; }
  void insufficient_bytes(std::size_t, std::size_t) { problem_ = "truncated"; }
  const char* problem() const { return problem_; }

 private:
  bool claim(std::uint64_t elements) {
    if (elements > budget_) {
      problem_ = "announces more elements than it has bytes";
      return false;
    }
    budget_ -= elements;
    if (++depth_ > max_depth_) {
      problem_ = "nested too deep";
      return false;
    }
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  std::uint64_t budget_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  const char* problem_ = nullptr;
};

}  // namespace

void fail(const char* what, const std::string& why) {
  throw DecodeError(std::string("bad ") + what + " message: " + why);
}

msgpack::object_handle unpack_bounded(std::string_view bytes, const DecodeLimits& limits,
                                      const char* what) {
  if (bytes.empty()) fail(what, "empty");
  if (bytes.size() > limits.max_bytes)
    fail(what, "too large (" + std::to_string(bytes.size()) + " bytes)");

  SizeCheck check(bytes.size(), limits.depth);
  std::size_t offset = 0;
  bool parsed = false;
  try {
    parsed = msgpack::parse(bytes.data(), bytes.size(), offset, check);
  } catch (const std::exception& e) {
    fail(what, e.what());
  }
  if (!parsed) fail(what, check.problem() ? check.problem() : "malformed msgpack");
  if (offset != bytes.size()) fail(what, "trailing bytes after the body");

  try {
    const msgpack::unpack_limit limit(limits.array, limits.map, limits.str, limits.bin, 0,
                                      limits.depth);
    return msgpack::unpack(bytes.data(), bytes.size(), nullptr, nullptr, limit);
  } catch (const msgpack::unpack_error& e) {
    fail(what, e.what());
  } catch (const std::bad_alloc&) {
    fail(what, "out of memory while unpacking");
  }
}

}  // namespace codec_detail

std::string encode_records(const std::vector<LogRecord>& records) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, records);
  return std::string(buffer.data(), buffer.size());
}

void decode_records(std::string_view bytes, std::size_t expected_count, std::vector<LogRecord>& into) {
  const DecodeLimits limits{static_cast<std::size_t>(kMaxLogMessage), 1u << 20, 1u << 12,
                            1u << 24, 1u << 20, 5};
  msgpack::object_handle handle = codec_detail::unpack_bounded(bytes, limits, "LOG records");
  const msgpack::object& object = handle.get();
  if (object.type != msgpack::type::ARRAY || object.via.array.size != expected_count)
    codec_detail::fail("LOG records", "count does not match the batch header");
  try {
    object.convert(into);  // resizes `into`, assigning over the records it holds
  } catch (const std::exception& e) {
    into.clear();
    codec_detail::fail("LOG records", std::string("wrong field type (") + e.what() + ")");
  }
}

std::vector<LogRecord> decode_records(std::string_view bytes, std::size_t expected_count) {
  std::vector<LogRecord> records;
  decode_records(bytes, expected_count, records);
  return records;
}

}  // namespace ramify
