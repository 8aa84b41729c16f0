#include "broker/sink_watch.hpp"

namespace ramify {

void SinkWatch::beat(const SinkBeat& beat, Clock::time_point now) {
  if (!beat.run_id.empty() && beat.run_id != run_id_) return;
  last_heard_ = now;
  report_ = beat.report;
  if (!beat.error.empty() && error_.empty()) error_ = beat.error;
  std::string mismatch;  // a sink that keeps another state store than the job's never joins
  if (!state_ && !beat.state_id.empty())
    mismatch = "the sink keeps a state store, but the job has none: give both the same [job] state (--state)";
  else if (state_ && beat.state_id.empty())
    mismatch = "the job has a state store, but the sink keeps none: start it with --state FILE";
  else if (state_ && !state_->empty() && beat.state_id != *state_)
    mismatch = "the sink keeps another state store than the one the broker read (store " + beat.state_id +
               ", not " + *state_ + ")";
  if (!mismatch.empty() && beat.run_id == run_id_) {
    if (error_.empty()) error_ = mismatch;
    return;
  }
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
