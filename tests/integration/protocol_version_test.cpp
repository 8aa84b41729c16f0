// Daemons of one run speak one protocol (kProtocolVersion): the broker
// refuses a worker's spec request and a sink's beat of another version, and
// says why, so that a host left on an older release cannot join and curate
// with messages it reads otherwise.

#include <gtest/gtest.h>

#include <zmq.hpp>

#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "support/background.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"
#include "support/zmq_wait.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::ipc;
using testing::receives_anything;
using testing::TempDir;

// Sends one request to the broker's config service; the reply's type and body.
std::pair<std::string, std::string> ask(zmq::context_t& context, const std::string& endpoint, const std::string& type,
                                        const std::string& body) {
  SocketOptions options;
  options.immediate = false;
  zmq::socket_t config = make_socket(context, zmq::socket_type::req, options);
  config.connect(endpoint);
  send_frames(config, {type, body}, false);
  EXPECT_TRUE(receives_anything(config, 10s)) << "the broker did not answer " << type;
  auto reply = receive_frames(config);
  if (!reply || reply->size() != 2) return {};
  return {frame_text((*reply)[0]), std::string((*reply)[1].to_string_view())};
}

TEST(ProtocolVersion, TheBrokerRefusesAWorkerOrASinkOfAnotherVersionAndSaysWhy) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 1, 1);
  Background broker(dir.str(), "broker",
                    {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels", "project,subject", "--curator",
                     "noop", "--sink-timeout", "30"});
  zmq::context_t context(1);
  const std::string config = ipc(dir, "broker") + ".config";

  const auto spec = ask(context, config, SpecRequest::kType, encode(SpecRequest{kProtocolVersion - 1, "old-worker"}));
  EXPECT_EQ(spec.first, ErrorReply::kType);
  EXPECT_EQ(decode<ErrorReply>(spec.second).message,
            "worker old-worker speaks protocol " + std::to_string(kProtocolVersion - 1) + ", this ramify " +
                std::to_string(kProtocolVersion) + ": run the same release of ramify on every host");

  SinkBeat beat;
  beat.version = kProtocolVersion + 1;
  beat.sink_id = "new-sink";
  const auto refused = ask(context, config, SinkBeat::kType, encode(beat));
  EXPECT_EQ(refused.first, ErrorReply::kType);
  EXPECT_NE(decode<ErrorReply>(refused.second).message.find("the sink new-sink speaks protocol"), std::string::npos);

  // One of this version gets the spec.
  const auto same = ask(context, config, SpecRequest::kType, encode(SpecRequest{kProtocolVersion, "worker"}));
  EXPECT_EQ(same.first, SpecReply::kType);
  EXPECT_EQ(decode<SpecReply>(same.second).version, kProtocolVersion);
  broker.signal(SIGTERM);
  EXPECT_TRUE(broker.wait_for(30s).has_value());
  EXPECT_NE(broker.err().find("refused the sink's beats: the sink new-sink speaks protocol"), std::string::npos)
      << broker.err();
}

}  // namespace
}  // namespace ramify
