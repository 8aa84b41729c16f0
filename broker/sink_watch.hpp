#pragma once
// The sink as the broker sees it, free of sockets. Nothing is dispatched
// before a sink of this run has said it can write the report; a sink's
// report error stops the run; at the end, the run is complete only when a
// sink confirms that its report is complete and durable.

#include <chrono>
#include <optional>
#include <string>

#include "protocol/messages.hpp"

namespace ramify {

class SinkWatch {
 public:
  using Clock = std::chrono::steady_clock;
  // `state`: the state store the sink must keep (nullopt: none; "": any,
  // the broker found none yet; else its id). A sink that keeps another stops the run.
  explicit SinkWatch(std::string run_id, std::optional<std::string> state = std::nullopt)
      : run_id_(std::move(run_id)), state_(std::move(state)) {}

  // Records a sink's beat. A beat of another run (a sink left from an earlier
  // broker) is answered but changes nothing here.
  void beat(const SinkBeat& beat, Clock::time_point now);
  // Records the sink's conclusion; true when it is this run's (the first counts).
  bool report_done(const ReportDone& done);

  // A sink of this run has joined: it knows the run's id and said it can write its report.
  bool joined() const { return joined_; }
  // A sink said the report cannot be completed, then fell silent for `wait`:
  // no confirmation is coming.
  bool gave_up(Clock::time_point now, std::chrono::milliseconds wait) const {
    return !error_.empty() && last_heard_ && now - *last_heard_ > wait;
  }
  // The first error that stops this run's report ("" while there is none).
  const std::string& error() const { return error_; }
  // Seconds since the sink was last heard from (nullopt: never heard).
  std::optional<double> silent_seconds(Clock::time_point now) const;
  const std::string& report() const { return report_; }

  bool confirmed() const { return done_.has_value(); }
  // Valid once confirmed().
  const ReportDone& confirmation() const { return *done_; }

 private:
  std::string run_id_;
  std::optional<std::string> state_;
  bool joined_ = false;
  std::string report_;
  std::string error_;
  std::optional<Clock::time_point> last_heard_;
  std::optional<ReportDone> done_;
};

}  // namespace ramify
