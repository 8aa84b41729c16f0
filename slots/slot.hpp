#pragma once
// One slot of a worker, as the worker's main thread drives it: a thread
// (ThreadSlot) or a process forked from the fork server (ProcessSlot). It
// reports through the EventQueue and never touches a socket of the worker.

#include "protocol/messages.hpp"

namespace ramify {

class Slot {
 public:
  virtual ~Slot() = default;
  virtual void start() = 0;
  // Gives an idle slot its next assignment.
  virtual void assign(Assign assignment) = 0;
  // Stops the assignment if it is the one running.
  virtual void cancel(const AssignmentRef& ref) = 0;
  // Stops the assignment that runs now (its broker is gone); later ones still run.
  virtual void cancel_running() = 0;
  // Stops whatever runs now and anything handed later (the run is aborted).
  virtual void cancel_all() = 0;
  // The worker drains (`on`): from now on a node cut short by the drain is
  // handed back with the rest of its assignment instead of failing. Off again
  // when the run is aborted (nodes are then marked interrupted).
  virtual void set_draining(bool on) = 0;
  // The drain's deadline: the running assignment ends after its node in
  // progress, and its rest is handed back.
  virtual void hand_back() = 0;
  // No more work: the slot finalizes its curator (when `finalize`) and exits.
  virtual void close(bool finalize) = 0;
  virtual void join() = 0;
};

}  // namespace ramify
