#include "broker/sink_watch.hpp"

namespace ramify {

void SinkWatch::beat(const SinkBeat& beat, Clock::time_point now) {
  if (!beat.run_id.empty() && beat.run_id != run_id_) return;
  last_heard_ = now;
  report_ = beat.report;
  if (!beat.error.empty() && error_.empty()) error_ = beat.error;
  // A sink joins once it knows the run and can write its report.
  if (beat.error.empty() && beat.run_id == run_id_) joined_ = true;
}

bool SinkWatch::report_done(const ReportDone& done) {
  if (done.run_id != run_id_ || done_) return false;
  done_ = done;
  if (!done.complete && error_.empty()) error_ = done.error;
  return true;
}

std::optional<double> SinkWatch::silent_seconds(Clock::time_point now) const {
  if (!last_heard_) return std::nullopt;
  return std::chrono::duration<double>(now - *last_heard_).count();
}

}  // namespace ramify
