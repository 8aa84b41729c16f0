#include "state/piped_rows.hpp"

#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace ramify {
namespace {

constexpr std::size_t kBatchRows = 256;
constexpr std::size_t kBatches = 4;  // the reader is at most three batches ahead

struct Batch {
  std::vector<CarriedRow> rows = std::vector<CarriedRow>(kBatchRows);  // their storage is reused
  std::size_t used = 0;
};

// Batches go from `free` to the reader, which fills them and hands them on
// (`full`); the caller empties them and gives them back.
struct Pipe {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Batch*> free, full;
  bool read_all = false;  // the reader stopped: `full` holds all there is
  bool stop = false;      // the caller gave up: the reader ends at its next batch
  int last_step = SQLITE_DONE;
};

}  // namespace

int read_piped(sqlite3_stmt* stmt, const std::function<void(sqlite3_stmt*, CarriedRow&)>& fill,
               const std::function<void(const CarriedRow&)>& each) {
  std::array<Batch, kBatches> batches;
  Pipe pipe;
  for (Batch& batch : batches) pipe.free.push_back(&batch);

  std::thread reader([&] {
    int rc = SQLITE_ROW;
    while (rc == SQLITE_ROW) {
      Batch* batch = nullptr;
      {
        std::unique_lock lock(pipe.mutex);
        pipe.changed.wait(lock, [&] { return pipe.stop || !pipe.free.empty(); });
        if (pipe.stop) break;
        batch = pipe.free.front();
        pipe.free.pop_front();
      }
      batch->used = 0;
      while (batch->used < kBatchRows && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
        fill(stmt, batch->rows[batch->used++]);
      std::lock_guard lock(pipe.mutex);
      pipe.full.push_back(batch);
      pipe.changed.notify_all();
    }
    std::lock_guard lock(pipe.mutex);
    pipe.last_step = rc;
    pipe.read_all = true;
    pipe.changed.notify_all();
  });

  const auto stop_reader = [&] {
    {
      std::lock_guard lock(pipe.mutex);
      pipe.stop = true;
      pipe.changed.notify_all();
    }
    reader.join();
  };
  try {
    for (;;) {
      Batch* batch = nullptr;
      {
        std::unique_lock lock(pipe.mutex);
        pipe.changed.wait(lock, [&] { return !pipe.full.empty() || pipe.read_all; });
        if (pipe.full.empty()) break;  // read_all, and everything handled
        batch = pipe.full.front();
        pipe.full.pop_front();
      }
      for (std::size_t i = 0; i < batch->used; ++i) each(batch->rows[i]);
      std::lock_guard lock(pipe.mutex);
      pipe.free.push_back(batch);
      pipe.changed.notify_all();
    }
  } catch (...) {
    stop_reader();
    throw;
  }
  reader.join();
  return pipe.last_step;
}

}  // namespace ramify
