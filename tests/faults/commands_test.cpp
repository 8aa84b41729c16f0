// No command outlives its worker: a worker killed with SIGKILL while `exec`
// commands run, commands that leave their process group with setsid, slot
// processes (isolation = process), a worker started by a command of another
// worker, and a worker that ends normally. Daemons are started separately;
// the broker needs no sink. Every process a command starts mentions the
// test's tree (the node's path in its command line or its environment), and
// no daemon does, so the tree's path is the marker to look for in /proc.

#include <signal.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "faults/fault_support.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::FaultStudy;
using testing::kSlowdown;

std::string read_proc(pid_t pid, const char* file) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The value of NAME in a process's initial environment, or nullopt.
std::optional<std::string> environment_value(pid_t pid, const std::string& name) {
  std::istringstream entries(read_proc(pid, "environ"));
  for (std::string entry; std::getline(entries, entry, '\0');)
    if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
  return std::nullopt;
}

struct Stat {
  char state = '?';
  pid_t parent = 0, session = 0;
  std::string comm;
};

Stat stat_of(pid_t pid) {
  const std::string line = read_proc(pid, "stat");
  Stat s;
  const auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return s;
  s.comm = line.substr(open + 1, close - open - 1);
  std::istringstream fields(line.substr(close + 2));
  pid_t group = 0;
  fields >> s.state >> s.parent >> group >> s.session;
  return s;
}

// The worker's fork server, or 0.
pid_t fork_server_of(pid_t worker) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const Stat s = stat_of(std::stoi(name));
    if (s.parent == worker && s.comm == "ramify-forksrv") return std::stoi(name);
  }
  return 0;
}

bool alive(pid_t pid) {
  const Stat s = stat_of(pid);
  return s.state != '?' && s.state != 'Z';
}

// A tree, the daemons' endpoints in its folder, and the marker its commands carry.
struct CommandStudy : FaultStudy {
  std::string marker;   // in every process a command of this study starts, in no other
  std::string marks;    // a folder for the commands' own marks
  CommandStudy(int subjects, int files) : FaultStudy(subjects, files), marker(root + "/"), marks(dir.mkdir("marks")) {}
  // Kills what a failing test left behind, so that a regression costs no stray processes.
  ~CommandStudy() {
    for (int pid : testing::processes_mentioning(marker)) kill(pid, SIGKILL);
  }
  std::vector<int> commands() const { return testing::processes_mentioning(marker); }

  // A broker for this tree whose files run `command` and other levels `true`; no sink.
  std::unique_ptr<Background> broker(const std::string& command, const std::vector<std::string>& extra,
                                     const std::string& name = "broker", const std::string& address = "broker") const {
    std::vector<std::string> args{"broker", "--bind", ipc(address), "--root", root, "--levels", "project,subject",
                                  "--exec", "project=true", "--exec", "subject=true", "--exec", "file=" + command};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--no-sink");
    return std::make_unique<Background>(dir.str(), name, args);
  }
  std::vector<std::string> worker_args(const std::string& broker_name = "broker") const {
    return {"worker", "--broker", ipc(broker_name), "--sink", ipc("sink"), "-j", "1", "--flush-timeout", "0.2"};
  }
  std::unique_ptr<Background> worker() const { return std::make_unique<Background>(dir.str(), "worker", worker_args()); }
  std::string script(const std::string& name, const std::string& text) const { return dir.write(name, text); }
};

struct Scenario {
  std::string name;
  std::string command;       // the file level's command; {path} puts the marker in its command line
  std::size_t processes;     // how many processes mention the marker once it is in place
  bool escaped;              // one of them leads a session of its own (it called setsid)
  std::string mark;          // a file (under marks/) the command writes once it is in place, if any
};

// Starts a broker and a worker on `scenario`, waits until its processes are
// in place, SIGKILLs the worker, and expects every one of them gone.
void expect_a_killed_worker_leaves_nothing(const Scenario& scenario, const std::vector<std::string>& job) {
  SCOPED_TRACE(scenario.name);
  CommandStudy study(1, 2);
  std::string command = scenario.command;
  for (std::string::size_type at; (at = command.find("MARKS")) != std::string::npos;)
    command.replace(at, 5, study.marks);
  auto broker = study.broker(command, job);
  auto worker = study.worker();
  // In place: all its processes started, its mark written, the escapee (if any) in its own session.
  auto escaped = [&] {
    for (int pid : study.commands())
      if (stat_of(pid).session == pid) return true;
    return false;
  };
  ASSERT_TRUE(eventually(
      [&] {
        return study.commands().size() >= scenario.processes && (!scenario.escaped || escaped()) &&
               (scenario.mark.empty() || std::filesystem::exists(study.marks + "/" + scenario.mark));
      },
      20s * kSlowdown))
      << worker->err() << broker->err();
  // (An escapee was required above; a command mid-exec reads as no environment, so only
  // the absence is checked again.)
  if (!scenario.escaped) {
    EXPECT_FALSE(escaped()) << "the command did not run as the scenario needs";
  }
  const auto commands = study.commands();

  // Every command carries the worker's token; the worker and its fork server do not.
  const pid_t server = fork_server_of(worker->pid());
  ASSERT_NE(server, 0);
  std::optional<std::string> token;
  for (int pid : commands)
    if (auto value = environment_value(pid, "RAMIFY_WORKER_TOKEN")) token = value;
  ASSERT_TRUE(token);
  EXPECT_EQ(token->size(), 32u) << *token;
  for (int pid : commands) {
    if (!alive(pid) || read_proc(pid, "environ").empty()) continue;  // one that has just ended
    EXPECT_EQ(environment_value(pid, "RAMIFY_WORKER_TOKEN"), token) << pid;
  }
  for (pid_t pid : {worker->pid(), server, broker->pid(), getpid()})
    EXPECT_EQ(read_proc(pid, "environ").find("RAMIFY_WORKER_TOKEN"), std::string::npos) << pid;

  worker->signal(SIGKILL);
  ASSERT_TRUE(worker->wait_for(10s).has_value());
  EXPECT_TRUE(eventually([&] { return study.commands().empty(); }, 5s * kSlowdown))
      << study.commands().size() << " processes of the worker's commands outlived it";
  EXPECT_TRUE(eventually([&] { return !alive(server); }, 5s * kSlowdown)) << "the fork server outlived the sweep";
  broker->signal(SIGTERM);
  EXPECT_TRUE(broker->wait_for(20s).has_value());
}

// The first file node starts a process that leaves its session and its parent
// (double fork) and ends once that process is in place; the other runs on.
const char* kDoubleForkScript =
    "if mkdir \"$1/claimed\" 2>/dev/null; then\n"
    "  setsid sh -c ': > \"$0\"; exec sleep 60' \"$1/escaped\" &\n"
    "  n=0; while [ ! -e \"$1/escaped\" ] && [ $n -lt 3000 ]; do n=$((n+1)); sleep 0.01; done\n"
    "else\n"
    "  sleep 60; true\n"
    "fi\n";

std::vector<Scenario> scenarios(const CommandStudy& scripts_home) {
  const std::string double_fork = scripts_home.script("double-fork.sh", kDoubleForkScript);
  return {
      {"a command with a child", "sh -c 'sleep 60; echo done' {path}", 2, false, ""},
      {"setsid --wait", "setsid --wait sleep 60", 2, true, ""},
      {"a child that calls setsid", "sh -c 'setsid sleep 60 & wait' {path}", 2, true, ""},
      // The escapee, then the second node's sh and its sleep.
      {"a double fork from a command that ended", "sh " + double_fork + " MARKS {path}", 3, true, "escaped"},
  };
}

TEST(Faults, AWorkerKilledWhileCommandsRunLeavesNoneOfTheirProcesses) {
  CommandStudy scripts(1, 1);
  for (const Scenario& scenario : scenarios(scripts)) expect_a_killed_worker_leaves_nothing(scenario, {});
}

TEST(Faults, AWorkerKilledWhileSlotProcessesRunCommandsLeavesNoneOfTheirProcesses) {
  CommandStudy scripts(1, 1);
  for (const Scenario& scenario : scenarios(scripts))
    expect_a_killed_worker_leaves_nothing(scenario, {"--set", "job.isolation=process"});
}

// Every file node leaves a setsid'd process behind, whose mark says it was born;
// the run completes, the worker exits 0, and none of them is left.
TEST(Faults, AWorkerThatEndsNormallyLeavesNoEscapedProcess) {
  for (const std::string isolation : {"thread", "process"}) {
    SCOPED_TRACE(isolation);
    CommandStudy study(1, 2);
    const std::string escape = study.script(
        "escape.sh",
        "setsid sh -c ': > \"$0\"; exec sleep 60' \"$1/$RAMIFY_LABEL\" &\n"
        "n=0; while [ ! -e \"$1/$RAMIFY_LABEL\" ] && [ $n -lt 3000 ]; do n=$((n+1)); sleep 0.01; done\n");
    auto broker = study.broker("sh " + escape + " " + study.marks + " {path}", {"--set", "job.isolation=" + isolation});
    auto worker = study.worker();
    const auto status = worker->wait_for(60s);
    ASSERT_TRUE(status.has_value()) << worker->err();
    EXPECT_EQ(*status, 0) << worker->err();
    EXPECT_EQ(testing::count_files(study.marks), 2u) << "the escapees were not born";
    EXPECT_TRUE(eventually([&] { return study.commands().empty(); }, 5s * kSlowdown))
        << study.commands().size() << " escaped processes outlived the worker";
    const auto broker_status = broker->wait_for(20s);
    ASSERT_TRUE(broker_status.has_value()) << broker->err();
    EXPECT_EQ(*broker_status, 0) << broker->err();
  }
}

// A command of the outer worker runs a worker of another run, whose command
// leaves its session. Killing the outer worker ends all of it: the nested
// worker, its fork server, and its command's processes (which carry the
// nested worker's token, and the outer one among the outer tokens).
TEST(Faults, AKilledWorkerTakesANestedWorkerAndItsCommandsWithIt) {
  CommandStudy outer(1, 1);
  CommandStudy inner(1, 1);
  // Both trees live in their own folders; the nested run's endpoints are in the inner one.
  auto inner_broker = inner.broker("sh -c 'setsid sleep 60 & wait' {path}", {});
  std::string nested = testing::ramify_binary();
  for (const auto& arg : inner.worker_args()) nested += " " + arg;
  auto outer_broker = outer.broker(nested, {});
  auto outer_worker = outer.worker();
  ASSERT_TRUE(eventually([&] { return inner.commands().size() >= 2 && !outer.commands().empty(); }, 30s * kSlowdown))
      << outer_worker->err() << inner_broker->err();

  std::optional<std::string> outer_token;
  for (int pid : outer.commands())
    if (stat_of(pid).comm == "ramify") outer_token = environment_value(pid, "RAMIFY_WORKER_TOKEN");
  ASSERT_TRUE(outer_token);
  for (int pid : inner.commands()) {
    const auto token = environment_value(pid, "RAMIFY_WORKER_TOKEN");
    ASSERT_TRUE(token);
    EXPECT_NE(*token, *outer_token) << "the nested worker must mark its commands with its own token";
    EXPECT_EQ(environment_value(pid, "RAMIFY_WORKER_OUTER_TOKENS"), outer_token);
  }

  outer_worker->signal(SIGKILL);
  ASSERT_TRUE(outer_worker->wait_for(10s).has_value());
  EXPECT_TRUE(eventually([&] { return outer.commands().empty() && inner.commands().empty(); }, 5s * kSlowdown))
      << outer.commands().size() << " + " << inner.commands().size() << " processes outlived the outer worker";
  EXPECT_TRUE(alive(inner_broker->pid())) << "the nested run's broker is not the worker's to kill";
  for (auto* broker : {inner_broker.get(), outer_broker.get()}) {
    broker->signal(SIGTERM);
    EXPECT_TRUE(broker->wait_for(20s).has_value());
  }
}

}  // namespace
}  // namespace ramify
