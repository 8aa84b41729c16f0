// Keys carry roles: each key is admitted only where its role may go, rows are
// bound to the key their worker joined with, handshake failures say why, and
// a worker joins over a slow link.

#include <gtest/gtest.h>
#include <zmq.hpp>

#include <filesystem>
#include <fstream>

#include "net/curve_keys.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "support/background.hpp"
#include "support/delay_proxy.hpp"
#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"
#include "support/zmq_wait.hpp"
#include "util/json_reader.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::ipc;
using testing::make_tree;
using testing::TempDir;
using testing::receives_anything;

// A socket that speaks CURVE with `own` keys to a server whose public key is `server`.
zmq::socket_t curve_socket(zmq::context_t& context, zmq::socket_type type, const KeyPair& own,
                           const std::string& server) {
  SocketOptions options;
  options.immediate = false;
  options.curve = CurveSettings{false, own.public_key, own.secret_key, server, "ramify"};
  return make_socket(context, type, options);
}

KeyPair keypair_of(const std::string& keys, const std::string& name) {
  const CurveIdentity identity = load_identity(keys, "client", keys + "/" + name + ".key");
  return identity.own;
}

struct KeyedStudy {
  TempDir dir;
  std::string keys, root, report;
  KeyedStudy(int subjects, int files) {
    keys = (dir.path() / "keys").string();
    EXPECT_EQ(testing::run_ramify({"keygen", keys}, dir.str()).exit_code, 0);
    EXPECT_EQ(testing::run_ramify({"keygen", keys, "--name", "hostb", "--role", "worker"}, dir.str()).exit_code, 0);
    root = make_tree(dir, subjects, files);
    report = (dir.path() / "r.jsonl").string();
  }
  std::unique_ptr<Background> broker(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels",
                                  "project,subject", "--exec", "file=sleep 0.05", "--set", "job.heartbeat=0.2",
                                  "--keys", keys};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Background>(dir.str(), "broker", args);
  }
  std::unique_ptr<Background> sink() const {
    return std::make_unique<Background>(dir.str(), "sink",
                                        std::vector<std::string>{"sink", "--bind", ipc(dir, "sink"), "--broker",
                                                                 ipc(dir, "broker"), "--report", report, "-q",
                                                                 "--keys", keys});
  }
  std::unique_ptr<Background> worker(const std::string& name, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink"), "-j", "1",
                                  "--keys", keys};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Background>(dir.str(), name, args);
  }
};

TEST(KeyRoles, TheClientKeyGetsNoAssignmentNoSpecAndWritesNoRow) {
  KeyedStudy study(3, 6);
  auto sink = study.sink();
  auto broker = study.broker();
  const KeyPair client = keypair_of(study.keys, "client");
  const CurveIdentity real = load_identity(study.keys, "worker");

  zmq::context_t context(1);
  zmq::socket_t work = curve_socket(context, zmq::socket_type::dealer, client, real.broker_public);
  work.set(zmq::sockopt::routing_id, "client-as-worker");
  work.connect(ipc(study.dir, "broker") + ".work");
  send_frames(work, {Hello::kType, encode(Hello{kProtocolVersion, "client-as-worker", "h", 1, 8})}, false);
  zmq::socket_t config = curve_socket(context, zmq::socket_type::req, client, real.broker_public);
  config.connect(ipc(study.dir, "broker") + ".config");
  send_frames(config, {SpecRequest::kType, encode(SpecRequest{kProtocolVersion, "client-as-worker"})}, false);
  zmq::socket_t logs = curve_socket(context, zmq::socket_type::pub, client, real.sink_public);
  logs.connect(ipc(study.dir, "sink") + ".logs");

  auto worker = study.worker("worker");
  LogRecord forged;
  forged.kind = RecordKind::outcome;
  forged.container_id = "forged";
  const std::string batch = encode(LogBatch{kProtocolVersion, "", "client-as-worker", 1, 1, encode_records({forged})});
  for (int i = 0; i < 20; ++i) {
    send_frames(logs, {LogBatch::kType, batch});
    EXPECT_FALSE(receives_anything(work, 50ms)) << "the client key got an assignment";
  }
  // The config service answers, but with a refusal, not the spec.
  ASSERT_TRUE(receives_anything(config, 5s));
  auto reply = receive_frames(config);
  ASSERT_TRUE(reply && reply->size() == 2);
  EXPECT_EQ(frame_text((*reply)[0]), ErrorReply::kType);
  EXPECT_NE(decode<ErrorReply>((*reply)[1].to_string_view()).message.find("a client key may not ask for GET_SPEC"),
            std::string::npos);

  auto status = broker->wait_for(60s);
  ASSERT_TRUE(status.has_value()) << broker->err();
  EXPECT_EQ(*status, 0) << broker->err();
  ASSERT_TRUE(sink->wait_for(10s).has_value());
  std::size_t outcomes = 0;
  for (const auto& row : testing::read_report(study.report)) {
    EXPECT_NE(row.get("container_id"), "forged");
    outcomes += row.get("kind") == "outcome";
  }
  EXPECT_EQ(outcomes, 1u + 3u + 18u);
  EXPECT_NE(broker->err().find("a client key, which this socket does not admit"), std::string::npos) << broker->err();
}

TEST(KeyRoles, AForgedBatchForAnotherWorkersIdentityChangesNothing) {
  KeyedStudy study(3, 10);
  auto sink = study.sink();
  auto broker = study.broker();
  auto worker = study.worker("worker", {"--id", "real"});
  // The real worker's id, as `ramify status` shows it to a client.
  std::string real_id;
  ASSERT_TRUE(eventually(
      [&] {
        auto answer = testing::run_ramify(
            {"status", "--broker", ipc(study.dir, "broker"), "--keys", study.keys, "--json"}, study.dir.str(), 10s);
        if (answer.exit_code != 0) return false;
        const JsonValue status = parse_json(answer.out);
        for (const auto& w : status.find("workers")->items) real_id = w.get("id");
        return !real_id.empty();
      },
      20s));
  // Another allowed worker key claims to be it: sequence numbers 1..500 of forged rows.
  const KeyPair other = keypair_of(study.keys, "hostb");
  const CurveIdentity real = load_identity(study.keys, "worker");
  zmq::context_t context(1);
  zmq::socket_t logs = curve_socket(context, zmq::socket_type::pub, other, real.sink_public);
  logs.connect(ipc(study.dir, "sink") + ".logs");
  std::vector<LogRecord> records(500);
  for (auto& r : records) {
    r.kind = RecordKind::outcome;
    r.container_id = "forged";
  }
  const std::string batch = encode(LogBatch{kProtocolVersion, "", real_id, 1, 500, encode_records(records)});
  for (int i = 0; i < 20 && !broker->poll(); ++i) {
    send_frames(logs, {LogBatch::kType, batch});
    std::this_thread::sleep_for(50ms);  // the forger's pace, not a synchronisation
  }
  auto status = broker->wait_for(60s);
  ASSERT_TRUE(status.has_value()) << broker->err();
  EXPECT_EQ(*status, 0) << broker->err();
  ASSERT_TRUE(sink->wait_for(10s).has_value());
  std::map<std::string, int> outcomes;
  for (const auto& row : testing::read_report(study.report)) {
    EXPECT_NE(row.get("container_id"), "forged");
    if (row.get("kind") == "outcome") ++outcomes[row.get("container_id")];
  }
  EXPECT_EQ(outcomes.size(), 1u + 3u + 30u);
  for (const auto& [id, count] : outcomes) EXPECT_EQ(count, 1) << id;
  EXPECT_NE(sink->err().find("that id belongs to another key"), std::string::npos) << sink->err();
}

TEST(KeyRoles, ASinkKeyCannotJoinAsAWorker) {
  KeyedStudy study(1, 2);
  auto broker = study.broker({"--no-sink"});
  auto result = testing::run_ramify({"worker", "--broker", ipc(study.dir, "broker"), "--sink", ipc(study.dir, "sink"),
                                     "--keys", study.keys, "--key", study.keys + "/sink.key", "--connect-timeout",
                                     "10"},
                                    study.dir.str(), 30s);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("refused our key"), std::string::npos) << result.err;
  broker->signal(SIGTERM);
  EXPECT_TRUE(broker->wait_for(10s).has_value());
}

TEST(KeyRoles, EachHandshakeFailureSaysWhatIsWrong) {
  KeyedStudy study(1, 2);
  auto broker = study.broker({"--no-sink"});
  const std::string other = (study.dir.path() / "other").string();
  ASSERT_EQ(testing::run_ramify({"keygen", other}, study.dir.str()).exit_code, 0);
  // A folder with our worker key but another broker's public key; one with a key the broker does not know.
  auto folder_with = [&](const std::string& name, const std::string& key_from, const std::string& broker_from) {
    const std::string path = study.dir.mkdir(name);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    std::filesystem::copy_file(key_from + "/worker.key", path + "/worker.key");
    std::filesystem::copy_file(broker_from + "/broker.pub", path + "/broker.pub");
    std::filesystem::copy_file(study.keys + "/sink.pub", path + "/sink.pub");
    return path;
  };
  const std::string wrong_server = folder_with("wrong-server", study.keys, other);
  const std::string not_allowed = folder_with("not-allowed", other, study.keys);
  auto join = [&](std::vector<std::string> keys) {
    std::vector<std::string> args{"worker", "--broker", ipc(study.dir, "broker"), "--sink", ipc(study.dir, "sink"),
                                  "--connect-timeout", "5"};
    args.insert(args.end(), keys.begin(), keys.end());
    return testing::run_ramify(args, study.dir.str(), 30s);
  };
  const auto no_keys = join({});
  EXPECT_NE(no_keys.err.find("requires keys (CURVE): give --keys DIR"), std::string::npos) << no_keys.err;
  const auto wrong = join({"--keys", wrong_server});
  EXPECT_NE(wrong.err.find("the server key we have for it does not match"), std::string::npos) << wrong.err;
  const auto refused = join({"--keys", not_allowed});
  EXPECT_NE(refused.err.find("refused our key"), std::string::npos) << refused.err;
  for (const auto* result : {&no_keys, &wrong, &refused}) EXPECT_EQ(result->exit_code, 2) << result->err;
  const auto nobody = testing::run_ramify({"worker", "--broker", ipc(study.dir, "nobody"), "--sink",
                                           ipc(study.dir, "sink"), "--connect-timeout", "1.5"},
                                          study.dir.str(), 30s);
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_NE(nobody.err.find("did not answer within"), std::string::npos) << nobody.err;
  broker->signal(SIGTERM);
  EXPECT_TRUE(broker->wait_for(10s).has_value());
}

TEST(KeyRoles, TailWithNoSinkEndsAfterItsTimeoutWithAClearLine) {
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  auto result = testing::run_ramify({"tail", "--sink", ipc(dir, "nosink"), "--timeout", "1"}, dir.str(), 20s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no answer from the sink at"), std::string::npos) << result.err;
}

TEST(KeyRoles, AWorkerJoinsAndTheRunCompletesThroughA400msRoundTrip) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 3);
  const std::string report = (dir.path() / "r.jsonl").string();
  const std::string keys = (dir.path() / "keys").string();
  ASSERT_EQ(testing::run_ramify({"keygen", keys}, dir.str()).exit_code, 0);
  Background broker(dir.str(), "broker", {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels",
                                          "project,subject", "--keys", keys, "--set", "job.heartbeat=1",
                                          "--set", "job.liveness=5"});
  Background sink(dir.str(), "sink", {"sink", "--bind", ipc(dir, "sink"), "--broker", ipc(dir, "broker"), "--report",
                                      report, "-q", "--keys", keys});
  const std::string prefix = dir.str() + "/broker";
  testing::DelayProxy proxy({{0, prefix + ".work"}, {2, prefix + ".config"}, {3, prefix + ".control"}}, 200ms);
  Background worker(dir.str(), "worker", {"worker", "--broker", proxy.address(), "--sink", ipc(dir, "sink"),
                                          "--keys", keys, "--connect-timeout", "60"});
  auto status = broker.wait_for(90s);
  ASSERT_TRUE(status.has_value()) << broker.err() << worker.err();
  EXPECT_EQ(*status, 0) << broker.err() << worker.err();
  auto worker_status = worker.wait_for(30s);
  ASSERT_TRUE(worker_status.has_value());
  EXPECT_EQ(*worker_status, 0) << worker.err();
  std::size_t outcomes = 0;
  for (const auto& row : testing::read_report(report)) outcomes += row.get("kind") == "outcome";
  EXPECT_EQ(outcomes, 1u + 2u + 6u);
}

// A port proxy whose broker is not up yet accepts and closes, as Docker's
// does: with keys that looks like a dropped handshake, which must not make a
// worker that came early give up.
TEST(KeyRoles, AWorkerThatComesBeforeTheBrokerBehindAProxyWaitsForIt) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 2);
  const std::string report = (dir.path() / "r.jsonl").string();
  const std::string keys = (dir.path() / "keys").string();
  ASSERT_EQ(testing::run_ramify({"keygen", keys}, dir.str()).exit_code, 0);
  const std::string prefix = dir.str() + "/broker";
  testing::DelayProxy proxy({{0, prefix + ".work"}, {2, prefix + ".config"}, {3, prefix + ".control"}}, 0ms);
  Background worker(dir.str(), "worker", {"worker", "--broker", proxy.address(), "--sink", ipc(dir, "sink"),
                                          "--keys", keys, "--connect-timeout", "60"});
  ASSERT_TRUE(eventually([&] { return proxy.accepted() >= 3; }, 20s)) << worker.err();
  Background broker(dir.str(), "broker", {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels",
                                          "project,subject", "--keys", keys});
  Background sink(dir.str(), "sink", {"sink", "--bind", ipc(dir, "sink"), "--broker", ipc(dir, "broker"), "--report",
                                      report, "-q", "--keys", keys});
  auto status = broker.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << broker.err() << worker.err();
  EXPECT_EQ(*status, 0) << broker.err() << worker.err();
  auto worker_status = worker.wait_for(30s);
  ASSERT_TRUE(worker_status.has_value());
  EXPECT_EQ(*worker_status, 0) << worker.err();
}

TEST(KeyRoles, AnOldKeysFolderStillWorksAndKeygenUpgradesIt) {
  TempDir dir;
  const std::string keys = (dir.path() / "keys").string();
  ASSERT_EQ(testing::run_ramify({"keygen", keys}, dir.str()).exit_code, 0);
  // The layout of earlier versions: every allowed key straight in allowed/.
  for (const char* folder : {"workers", "sinks", "clients"}) {
    for (const auto& entry : std::filesystem::directory_iterator(keys + "/allowed/" + folder))
      std::filesystem::rename(entry.path(), keys + "/allowed/" + entry.path().filename().string());
    std::filesystem::remove(keys + "/allowed/" + folder);
  }
  const std::string root = make_tree(dir, 2, 2);
  const std::string report = (dir.path() / "r.jsonl").string();
  auto old = testing::run_ramify({"run", "--root", root, "--keys", keys, "--report", report}, dir.str());
  EXPECT_EQ(old.exit_code, 0) << old.err;
  EXPECT_NE(old.err.find("--upgrade"), std::string::npos) << "no hint about the old layout: " << old.err;
  auto upgrade = testing::run_ramify({"keygen", keys, "--upgrade"}, dir.str());
  EXPECT_EQ(upgrade.exit_code, 0) << upgrade.err;
  EXPECT_TRUE(std::filesystem::exists(keys + "/allowed/workers/worker.pub"));
  EXPECT_TRUE(std::filesystem::exists(keys + "/allowed/clients/client.pub"));
  auto upgraded = testing::run_ramify({"run", "--root", root, "--keys", keys, "--report", report, "--force"}, dir.str());
  EXPECT_EQ(upgraded.exit_code, 0) << upgraded.err;
  EXPECT_EQ(upgraded.err.find("--upgrade"), std::string::npos) << upgraded.err;
}

}  // namespace
}  // namespace ramify
