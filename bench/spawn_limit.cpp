// The operating system's limit for a command per item: posix_spawn COMMAND
// N times, keeping PARALLEL in flight, and nothing else.
// Usage: spawn-limit N PARALLEL COMMAND [ARGS...]

#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: spawn-limit N PARALLEL COMMAND [ARGS...]\n");
    return 2;
  }
  const long total = std::atol(argv[1]);
  const long parallel = std::atol(argv[2]);
  long started = 0, running = 0, failed = 0;
  while (started < total || running > 0) {
    while (running < parallel && started < total) {
      pid_t pid;
      if (posix_spawnp(&pid, argv[3], nullptr, nullptr, argv + 3, environ) != 0) return 1;
      ++started;
      ++running;
    }
    int status = 0;
    if (wait(&status) > 0) {
      --running;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
  }
  return failed == 0 ? 0 : 1;
}
