// Security: CURVE with an allowlist, rogue clients, hostile frames on every
// bound socket, hostile names and manifest ids.

#include <gtest/gtest.h>
#include <zmq.hpp>

#include <filesystem>
#include <random>
#include <set>

#include "net/curve_keys.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"
#include "support/zmq_wait.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::TempDir;
using testing::receives_anything;
using testing::ipc;
using testing::make_tree;

SocketOptions rogue_options(const KeyPair& rogue, const std::string& server_key) {
  SocketOptions options;
  options.immediate = false;
  options.curve = CurveSettings{false, rogue.public_key, rogue.secret_key, server_key};
  return options;
}

TEST(Security, ARogueKeyGetsNothingAndInjectsNothingWhileAnAllowedWorkerRuns) {
  TempDir dir;
  const std::string keys = (dir.path() / "keys").string();
  ASSERT_EQ(testing::run_ramify({"keygen", keys}, dir.str()).exit_code, 0);
  const CurveIdentity real = load_identity(keys, "worker");
  const KeyPair rogue = generate_keypair();

  const std::string root = make_tree(dir, 3, 8);
  const std::string report = (dir.path() / "r.jsonl").string();
  Background sink(dir.str(), "sink", {"sink", "--bind", ipc(dir, "sink"), "--broker", ipc(dir, "broker"), "--report",
                                      report, "-q", "--keys", keys});
  Background broker(dir.str(), "broker", {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels",
                                          "project,subject", "--exec", "file=sleep 0.05", "--set", "job.heartbeat=0.2",
                                          "--keys", keys});

  zmq::context_t context(1);
  // A rogue worker: HELLO on the work socket, a spec request, the control topics, forged log rows.
  zmq::socket_t work = make_socket(context, zmq::socket_type::dealer, rogue_options(rogue, real.broker_public));
  work.set(zmq::sockopt::routing_id, "rogue");
  work.connect(ipc(dir, "broker") + ".work");
  send_frames(work, {Hello::kType, encode(Hello{kProtocolVersion, "rogue", "h", 1, 8})}, false);
  zmq::socket_t config = make_socket(context, zmq::socket_type::req, rogue_options(rogue, real.broker_public));
  config.connect(ipc(dir, "broker") + ".config");
  send_frames(config, {SpecRequest::kType, encode(SpecRequest{kProtocolVersion, "rogue"})}, false);
  zmq::socket_t control = make_socket(context, zmq::socket_type::sub, rogue_options(rogue, real.broker_public));
  control.set(zmq::sockopt::subscribe, "");
  control.connect(ipc(dir, "broker") + ".control");
  zmq::socket_t logs = make_socket(context, zmq::socket_type::pub, rogue_options(rogue, real.sink_public));
  logs.connect(ipc(dir, "sink") + ".logs");

  // The allowed worker does the work.
  Background worker(dir.str(), "worker", {"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink"), "-j",
                                          "1", "--keys", keys});
  LogRecord forged;
  forged.kind = RecordKind::outcome;
  forged.container_id = "forged";
  const std::string batch = encode(LogBatch{kProtocolVersion, "", "rogue", 1, 1, encode_records({forged})});
  for (int i = 0; i < 20; ++i) {
    send_frames(logs, {LogBatch::kType, batch});
    EXPECT_FALSE(receives_anything(work, 50ms)) << "the rogue got an assignment";
  }
  EXPECT_FALSE(receives_anything(config, 200ms)) << "the rogue got the job spec";
  EXPECT_FALSE(receives_anything(control, 200ms)) << "the rogue got a control message";

  auto status = broker.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << broker.err();
  EXPECT_EQ(*status, 0) << broker.err();
  ASSERT_TRUE(sink.wait_for(10s).has_value());
  std::set<std::string> ids;
  for (const auto& row : testing::read_report(report)) {
    EXPECT_NE(row.get("worker"), "rogue");
    EXPECT_NE(row.get("container_id"), "forged");
    if (row.get("kind") == "outcome") {
      EXPECT_TRUE(ids.insert(row.get("container_id")).second);
    }
  }
  EXPECT_EQ(ids.size(), 1u + 3u + 24u);
  EXPECT_NE(broker.err().find("rejected a CURVE client"), std::string::npos) << broker.err();
  EXPECT_NE(sink.err().find("rejected a CURVE client"), std::string::npos) << sink.err();
}

// A wrong server key is named as such (it used to look like a broker that is down).
TEST(Security, AWrongServerKeyIsNamedAndEndsTheWorkerAtOnce) {
  TempDir dir;
  const std::string keys = (dir.path() / "keys").string();
  const std::string other = (dir.path() / "other").string();
  ASSERT_EQ(testing::run_ramify({"keygen", keys}, dir.str()).exit_code, 0);
  ASSERT_EQ(testing::run_ramify({"keygen", other}, dir.str()).exit_code, 0);  // its broker.pub is not our broker's
  const std::string root = make_tree(dir, 1, 1);
  Background broker(dir.str(), "broker", {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--keys", keys,
                                          "--no-sink"});
  const auto started = std::chrono::steady_clock::now();
  auto worker = testing::run_ramify({"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink"), "--keys",
                                     other, "--connect-timeout", "1.5"},
                                    dir.str(), 20s);
  EXPECT_EQ(worker.exit_code, 2);
  EXPECT_NE(worker.err.find("the server key we have for it does not match"), std::string::npos) << worker.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);
  auto status = testing::run_ramify({"status", "--broker", ipc(dir, "broker"), "--keys", other, "--timeout", "0.5"},
                                    dir.str(), 10s);
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.err.find("does not match"), std::string::npos) << status.err;
  broker.signal(SIGTERM);
  EXPECT_TRUE(broker.wait_for(10s).has_value());
}

TEST(Security, AuthenticationCanBeRequiredAndOpenPortsAreNamed) {
  TempDir dir;
  const std::string root = make_tree(dir, 1, 1);
  auto refused = testing::run_ramify({"run", "--root", root, "--require-auth"}, dir.str());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("no keys"), std::string::npos) << refused.err;
  auto sink = testing::run_ramify({"sink", "--bind", ipc(dir, "s"), "--require-auth"}, dir.str());
  EXPECT_EQ(sink.exit_code, 2);

  // Without keys on a non-loopback address: a warning (checked on an address that cannot bind).
  auto open = testing::run_ramify({"broker", "--bind", "192.0.2.1:47000", "--root", root}, dir.str(), 10s);
  EXPECT_NE(open.err.find("without keys"), std::string::npos) << open.err;
}

// Random and malformed frames to one socket.
void hammer(zmq::context_t& context, zmq::socket_type type, const std::string& endpoint, std::mt19937& random,
            int messages) {
  SocketOptions options;
  options.immediate = false;
  options.linger = 200ms;
  zmq::socket_t socket = make_socket(context, type, options);
  socket.connect(endpoint);
  const std::vector<std::string> nasty{std::string("\xdd\xff\xff\xff\xff", 5), "", std::string(1, '\xc1'),
                                       encode(Hello{}).substr(0, 3), std::string(70000, 'x')};
  for (int i = 0; i < messages; ++i) {
    std::vector<std::string> frames;
    const int count = static_cast<int>(random() % 5);
    for (int f = 0; f <= count; ++f) {
      if (random() % 3 == 0) {
        frames.push_back(nasty[random() % nasty.size()]);
      } else {
        std::string bytes(random() % 300, '\0');
        for (char& c : bytes) c = static_cast<char>(random());
        if (f == 0 && random() % 2) bytes = std::vector<std::string>{"HELLO", "DONE", "LOG", "GET_SPEC", "GET_INPUT", "STATUS", "hb"}[random() % 7];
        frames.push_back(bytes);
      }
    }
    if (type == zmq::socket_type::req) {
      send_frames(socket, frames, false);
      receives_anything(socket, 100ms);  // a REQ must take its reply (or give up) before the next
      socket.close();
      socket = make_socket(context, type, options);
      socket.connect(endpoint);
    } else {
      send_frames(socket, frames);
    }
  }
}

TEST(Security, HostileFramesOnEveryPortLeaveTheDaemonsWorking) {
  TempDir dir;
  const std::string root = make_tree(dir, 3, 5);
  const std::string report = (dir.path() / "r.jsonl").string();
  Background broker(dir.str(), "broker", {"broker", "--bind", ipc(dir, "broker"), "--root", root});
  Background sink(dir.str(), "sink", {"sink", "--bind", ipc(dir, "sink"), "--broker", ipc(dir, "broker"), "--report",
                                      report, "-q"});
  zmq::context_t context(1);
  std::mt19937 random(20261123);
  const auto until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < until) {
    hammer(context, zmq::socket_type::dealer, ipc(dir, "broker") + ".work", random, 50);
    hammer(context, zmq::socket_type::req, ipc(dir, "broker") + ".config", random, 5);
    hammer(context, zmq::socket_type::dealer, ipc(dir, "broker") + ".config", random, 20);  // no REQ envelope
    hammer(context, zmq::socket_type::xsub, ipc(dir, "broker") + ".control", random, 20);
    hammer(context, zmq::socket_type::pub, ipc(dir, "sink") + ".logs", random, 50);
    hammer(context, zmq::socket_type::xsub, ipc(dir, "sink") + ".tail", random, 20);
    hammer(context, zmq::socket_type::req, ipc(dir, "sink") + ".status", random, 5);
  }
  EXPECT_FALSE(broker.poll().has_value()) << broker.err();
  EXPECT_FALSE(sink.poll().has_value()) << sink.err();

  // A normal run on the same daemons.
  Background worker(dir.str(), "worker", {"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink")});
  auto status = broker.wait_for(60s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << broker.err();
  ASSERT_TRUE(sink.wait_for(10s).has_value());
  std::set<std::string> ids;
  for (const auto& row : testing::outcomes(testing::read_report(report))) {
    EXPECT_EQ(row.get("status"), "ok");
    EXPECT_TRUE(ids.insert(row.get("container_id")).second);
  }
  EXPECT_EQ(ids.size(), 1u + 3u + 15u);
  EXPECT_NE(broker.err().find("dropped a bad message"), std::string::npos);
}

TEST(Security, HostileNamesStayNamesAndManifestIdsCannotEscapeTheRoot) {
  TempDir dir;
  const std::string canary = (dir.path() / "PWNED").string();
  for (const std::string& name : std::vector<std::string>{"$(touch " + canary + ")", "; touch " + canary,
                                                         "`touch " + canary + "`", "-rf", "new\nline", "quote\"'",
                                                         "bad\xff"})
    dir.write("p/s/" + name, "x");
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--root", (dir.path() / "p").string(), "--levels", "project,subject",
                                     "--exec", "file=cat -- {path}", "--exec", "subject=ls {path}", "--report", report},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(std::filesystem::exists(canary)) << "a file name ran as a command";
  std::set<std::string> ids;
  for (const auto& row : testing::outcomes(testing::read_report(report))) ids.insert(row.get("container_id"));
  EXPECT_TRUE(ids.count("s/; touch " + canary));
  EXPECT_TRUE(ids.count("s/bad\xff"));
  EXPECT_TRUE(ids.count("s/new\nline"));

  for (const std::string id : {"../escape", "/etc/passwd", "a/../../b"}) {
    const std::string manifest = dir.write("m.jsonl", "{\"id\":\".\",\"level\":\"project\"}\n{\"id\":\"" + id +
                                                          "\",\"parent\":\".\",\"level\":\"file\"}\n");
    auto refused = testing::run_ramify({"run", "--manifest", manifest, "--root", (dir.path() / "p").string(),
                                        "--curator", "checksum"},
                                       dir.str());
    EXPECT_EQ(refused.exit_code, 2) << id;
    EXPECT_NE(refused.err.find("outside the root"), std::string::npos) << refused.err;
  }
}

}  // namespace
}  // namespace ramify
