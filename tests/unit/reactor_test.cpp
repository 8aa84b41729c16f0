// The reactor without a daemon: inproc sockets, a pipe, timers.
#include "net/reactor.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "net/sockets.hpp"
#include "protocol/message_table.hpp"
#include "util/errors.hpp"
#include "util/logging.hpp"

namespace ramify {
namespace {

using Clock = std::chrono::steady_clock;

struct InprocPair {
  zmq::context_t context{1};
  zmq::socket_t sender{context, zmq::socket_type::pair};
  zmq::socket_t receiver{context, zmq::socket_type::pair};
  explicit InprocPair(const std::string& name) {
    for (auto* s : {&sender, &receiver}) {
      s->set(zmq::sockopt::sndhwm, 0);
      s->set(zmq::sockopt::rcvhwm, 0);
      s->set(zmq::sockopt::linger, 0);
    }
    receiver.bind("inproc://" + name);
    sender.connect("inproc://" + name);
  }
  void send(const std::string& text) { sender.send(zmq::buffer(text), zmq::send_flags::none); }
  std::string receive() {
    zmq::message_t m;
    if (!receiver.recv(m, zmq::recv_flags::dontwait)) return "";
    return m.to_string();
  }
};

const auto kDeadline = std::chrono::seconds(10);

TEST(Reactor, CallsTheSocketHandlerOncePerMessageInOrder) {
  InprocPair pair("reactor-order");
  Reactor reactor(logger("test"));
  std::vector<std::string> got;
  reactor.on(pair.receiver, [&] { got.push_back(pair.receive()); });
  for (const char* m : {"a", "b", "c"}) pair.send(m);
  ASSERT_TRUE(reactor.run_until([&] { return got.size() == 3; }, Clock::now() + kDeadline));
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c"}));
}

// A busy socket gets at most kDrainPerTurn messages before the loop looks at
// everything else again.
TEST(Reactor, DrainsAtMostABoundedNumberOfMessagesPerTurn) {
  InprocPair pair("reactor-drain");
  Reactor reactor(logger("test"));
  int handled = 0;
  int turns = 0;
  reactor.on(pair.receiver, [&] {
    pair.receive();
    ++handled;
  });
  reactor.before_wait([&] { ++turns; });
  const int sent = Reactor::kDrainPerTurn + Reactor::kDrainPerTurn / 2;
  for (int i = 0; i < sent; ++i) pair.send("m");
  ASSERT_TRUE(reactor.run_until([&] { return handled > 0; }, Clock::now() + kDeadline));
  EXPECT_EQ(handled, Reactor::kDrainPerTurn);
  ASSERT_TRUE(reactor.run_until([&] { return handled == sent; }, Clock::now() + kDeadline));
  EXPECT_GE(turns, 3);
}

// A bad message is counted and the loop goes on with the next one.
TEST(Reactor, CountsABadMessageAndGoesOn) {
  InprocPair pair("reactor-bad");
  Reactor reactor(logger("test"));
  MessageTable<void()> table;
  int oks = 0;
  table.on<Ok>([&](const Ok&) { ++oks; });
  reactor.on(pair.receiver, [&] {
    const std::string type = pair.receive();
    table.dispatch(type, encode(Ok{}));
  });
  pair.send("NOT-A-TYPE");
  pair.send(Ok::kType);
  ASSERT_TRUE(reactor.run_until([&] { return oks == 1; }, Clock::now() + kDeadline));
  EXPECT_EQ(reactor.bad_messages(), 1u);
}

// Anything but a bad message leaves the loop.
TEST(Reactor, AnyOtherExceptionLeavesTheLoop) {
  InprocPair pair("reactor-throw");
  Reactor reactor(logger("test"));
  reactor.on(pair.receiver, [&] {
    pair.receive();
    throw ConfigError("broken");
  });
  pair.send("x");
  EXPECT_THROW(reactor.run_until([] { return false; }, Clock::now() + kDeadline), ConfigError);
}

TEST(Reactor, CallsAnFdHandlerWhenItIsReadable) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  Reactor reactor(logger("test"));
  char got = 0;
  reactor.on_fd(fds[0], [&] { ASSERT_EQ(read(fds[0], &got, 1), 1); });
  ASSERT_EQ(write(fds[1], "z", 1), 1);
  EXPECT_TRUE(reactor.run_until([&] { return got == 'z'; }, Clock::now() + kDeadline));
  close(fds[0]);
  close(fds[1]);
}

// A periodic timer runs in the first turn and then at its interval; a
// one-off runs once; fire_soon brings a timer forward.
TEST(Reactor, RunsTimersWhenTheyAreDue) {
  Reactor reactor(logger("test"));
  reactor.set_longest_wait(std::chrono::seconds(60));
  int beats = 0, once = 0, slow = 0;
  reactor.every(std::chrono::milliseconds(5), [&] { ++beats; });
  reactor.at(Clock::now(), [&] { ++once; });
  const auto slow_timer = reactor.every(std::chrono::hours(1), [&] { ++slow; });
  ASSERT_TRUE(reactor.run_until([&] { return beats >= 3; }, Clock::now() + kDeadline));
  EXPECT_EQ(once, 1);
  EXPECT_EQ(slow, 1);  // the first turn only
  reactor.fire_soon(slow_timer);
  ASSERT_TRUE(reactor.run_until([&] { return slow == 2; }, Clock::now() + kDeadline));
}

// With nothing to do, run_until returns false at its deadline, not before.
TEST(Reactor, ReturnsFalseAtTheDeadline) {
  Reactor reactor(logger("test"));
  const auto deadline = Clock::now() + std::chrono::milliseconds(50);
  EXPECT_FALSE(reactor.run_until([] { return false; }, deadline));
  EXPECT_GE(Clock::now(), deadline);
}

// Work asks for an early wake-up: the turn does not wait the longest wait.
TEST(Reactor, WakesWhenTheWorkAsksForIt) {
  Reactor reactor(logger("test"));
  reactor.set_longest_wait(std::chrono::hours(1));
  int turns = 0;
  reactor.before_wait([&] {
    ++turns;
    reactor.wake_by(Clock::now() + std::chrono::milliseconds(5));
  });
  const auto started = Clock::now();
  ASSERT_TRUE(reactor.run_until([&] { return turns >= 3; }, Clock::now() + kDeadline));
  EXPECT_LT(Clock::now() - started, kDeadline);
}

TEST(MessageTable, DecodesTheBodyAsTheRegisteredTypeAndPassesArguments) {
  MessageTable<std::string(const std::string&)> table;
  table.on<Cancel>([](const Cancel& c, const std::string& who) { return who + ":" + std::to_string(c.id); });
  table.on<Kill>("KILL-WORKER", [](const Kill& k, const std::string& who) { return who + " killed: " + k.error; });
  Cancel cancel;
  cancel.id = 7;
  Kill kill;
  kill.error = "boom";
  EXPECT_EQ(table.dispatch(Cancel::kType, encode(cancel), "w1"), "w1:7");
  EXPECT_EQ(table.dispatch("KILL-WORKER", encode(kill), "w2"), "w2 killed: boom");
  EXPECT_THROW(table.dispatch(Cancel::kType, "\xc1", "w1"), DecodeError);
  EXPECT_THROW(table.dispatch("NOPE", encode(cancel), "w1"), DecodeError);
  EXPECT_TRUE(table.handles(Cancel::kType));
  EXPECT_FALSE(table.handles(Kill::kType));
}

}  // namespace
}  // namespace ramify
