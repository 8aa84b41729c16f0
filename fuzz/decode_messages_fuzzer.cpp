// Every decoder of the protocol, fed arbitrary bytes: the first byte picks the
// message type. A decoder may only return a message or throw DecodeError.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/codec.hpp"

namespace {

template <class T>
void try_decode(std::string_view bytes) {
  try {
    T message = ramify::decode<T>(bytes);
    (void)ramify::encode(message);  // what decodes must encode again
  } catch (const ramify::DecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace ramify;
  switch (data[0] % 26) {
    case 0: try_decode<Assign>(bytes); break;
    case 1: try_decode<Cancel>(bytes); break;
    case 2: try_decode<Hello>(bytes); break;
    case 3: try_decode<Heartbeat>(bytes); break;
    case 4: try_decode<Started>(bytes); break;
    case 5: try_decode<NodeFailed>(bytes); break;
    case 6: try_decode<Done>(bytes); break;
    case 7: try_decode<Bye>(bytes); break;
    case 8: try_decode<ControlHeartbeat>(bytes); break;
    case 9: try_decode<Kill>(bytes); break;
    case 10: try_decode<Finish>(bytes); break;
    case 11: try_decode<SpecRequest>(bytes); break;
    case 12: try_decode<SpecReply>(bytes); break;
    case 13: try_decode<StatusReply>(bytes); break;
    case 14: try_decode<ReportDone>(bytes); break;
    case 15: try_decode<LogBatch>(bytes); break;
    case 16: try_decode<LogAck>(bytes); break;
    case 17: try_decode<TailRecord>(bytes); break;
    case 18: try_decode<InputRequest>(bytes); break;
    case 19: try_decode<InputChunk>(bytes); break;
    case 20: try_decode<SinkStatusReply>(bytes); break;
    case 21: try_decode<WorkerStatusReply>(bytes); break;
    case 22: try_decode<TailEnd>(bytes); break;
    case 23: try_decode<SinkBeat>(bytes); break;
    case 24: try_decode<SinkBeatReply>(bytes); break;
    default:
      try {
        (void)decode_records(bytes, data[0] % 4);
      } catch (const DecodeError&) {
      }
  }
  return 0;
}
