// ConfigClient against a real REP socket over ipc.
#include "net/config_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

#include "net/sockets.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;

// A client that comes before its server: the first try goes unanswered,
// then the server binds and answers every request it gets, the second one
// slowly (300 ms later, as a busy broker might). The answer to the first try
// is stale: REQ_CORRELATE drops it after it woke the client, which must not
// call that silence a malformed reply, but try again and take an answer.
TEST(ConfigClient, AServerThatComesLateAnswersAndAStaleReplyIsNotAnError) {
  testing::TempDir dir;
  const std::string endpoint = "ipc://" + dir.str() + "/config";
  zmq::context_t context(1);
  ConfigClient client(context, endpoint, 200ms, 1);
  std::optional<zmq::socket_t> server;
  std::atomic<bool> done{false};
  std::thread answering;
  auto bind_server = [&] {  // called once the first try went unanswered, before the next is sent
    server.emplace(make_socket(context, zmq::socket_type::rep, SocketOptions{}));
    server->set(zmq::sockopt::rcvtimeo, 100);
    server->bind(endpoint);
    answering = std::thread([&] {
      for (int answer = 1; !done;) {
        zmq::message_t type, body;
        if (!server->recv(type)) continue;
        if (!server->recv(body)) return;
        if (answer == 2) std::this_thread::sleep_for(300ms);  // the slow answer, not a synchronisation
        send_frames(*server, {"OK", "answer " + std::to_string(answer++)}, false);
      }
    });
  };
  std::pair<std::string, std::string> reply;
  try {
    reply = client.request_until("PING", "", std::chrono::steady_clock::now() + 20s, bind_server);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  done = true;
  if (answering.joinable()) answering.join();
  EXPECT_EQ(reply.first, "OK");
  EXPECT_NE(reply.second, "answer 1") << "the first try's answer is stale";
}

}  // namespace
}  // namespace ramify
