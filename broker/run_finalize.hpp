#pragma once
// The curator's run-level finalize, on the broker once every assignment is
// done: it sees each done assignment's root and what was recorded on it.
// What it logs goes into the report with the finish; ctx.fail() fails the run.

#include "broker/broker_run.hpp"

namespace ramify {

void finalize_run(BrokerRun& run);

}  // namespace ramify
