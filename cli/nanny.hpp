#pragma once
// `ramify worker --nanny`: a small supervisor that runs the worker as a child
// and starts it again when it dies (on a signal, or with an unexpected exit
// status), with back-off: 0.5 s, doubling to 30 s, back to 0.5 s after a
// minute of good health. A worker that ends normally (0 finished, 1 aborted,
// 2 configuration error, 3 lost its broker) is not restarted: the nanny exits
// with its status. Each restart is a new process, so the broker sees a new
// worker and dispatches the old one's assignments again.

#include "cli/commands.hpp"

namespace ramify {

int run_nanny(const Arguments& worker_args);

}  // namespace ramify
