#pragma once
// A worker's token, and the sweep that kills every process carrying it.
//
// A process group does not hold a command's processes: one that calls setsid
// (or whose parent died with the worker) is out of reach of kill(-pgid). What
// every process a worker starts keeps, though, is the environment it was
// started with, /proc/PID/environ, inherited by its children, grandchildren
// and setsid escapees alike. So each worker process marks the environment its
// commands inherit with a random token, and when the worker goes away its fork
// server kills every process whose initial environment carries that token
// (see fork_server.hpp for when, and for the contract).
//
// The marks, in a command's environment:
//   RAMIFY_WORKER_TOKEN=<hex>            the worker that started it
//   RAMIFY_WORKER_OUTER_TOKENS=<hex>:... the workers above that one, when a
//                                        command started a nested `ramify worker`
// A nested worker marks its own commands with a token of its own (so that its
// sweep never reaches the outer worker's processes), and keeps the outer
// tokens in the second variable (so that the outer worker's sweep reaches the
// nested worker's commands even when it kills the nested fork server first).

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace ramify {

inline constexpr std::string_view kWorkerTokenVariable = "RAMIFY_WORKER_TOKEN";
inline constexpr std::string_view kOuterTokensVariable = "RAMIFY_WORKER_OUTER_TOKENS";

// 32 random hex digits (128 bits).
std::string make_worker_token();

// Marks this process's environment for its future children: RAMIFY_WORKER_TOKEN
// becomes `token`, and a token that was there already moves to the end of
// RAMIFY_WORKER_OUTER_TOKENS. Not thread-safe (setenv): call it while the
// process has one thread. The process's own /proc/PID/environ does not change.
void mark_environment(const std::string& token);

// True when an environment block (NUL-separated NAME=value entries, as in
// /proc/PID/environ) has the entry RAMIFY_WORKER_TOKEN=<token> exactly, or
// `token` as one of the colon-separated items of RAMIFY_WORKER_OUTER_TOKENS.
bool environment_carries_token(std::string_view block, std::string_view token);

// SIGKILLs every process other than this one whose /proc/PID/environ carries
// `token`, pass after pass until a pass finds none it has not signalled yet
// (at most `max_passes`): a process that forked before it was killed leaves a
// child carrying the token for the next pass. Each process is held by a pidfd
// from before its environment is read until it is signalled, so a reused pid
// is never killed by mistake (kill(2) where pidfds are unavailable). Returns
// how many processes were signalled. Processes whose environment cannot be
// read (another user's, without privilege) are left alone.
std::size_t sweep_token(std::string_view token, int max_passes = 20);

}  // namespace ramify
