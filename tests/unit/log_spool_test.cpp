// LogSpool, the worker's log batches not yet acknowledged by the sink: an
// acknowledgement of seq N drops exactly the batches that end at or before N.
#include "worker/log_spool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ramify {
namespace {

SpooledBatch batch(std::uint64_t first_seq, std::uint32_t count, std::size_t budget_bytes) {
  return SpooledBatch{first_seq, count, "batch " + std::to_string(first_seq), budget_bytes};
}

std::vector<std::uint64_t> first_seqs(const LogSpool& spool) {
  std::vector<std::uint64_t> seqs;
  for (const auto& b : spool.batches()) seqs.push_back(b.first_seq);
  return seqs;
}

// seqs 1-3, 4-5, 6-10, 11: budget bytes 100, 20, 3, 4000.
LogSpool four_batches() {
  LogSpool spool;
  spool.append(batch(1, 3, 100));
  spool.append(batch(4, 2, 20));
  spool.append(batch(6, 5, 3));
  spool.append(batch(11, 1, 4000));
  return spool;
}

// A batch's last seq is the one its last record carries.
TEST(LogSpool, LastSeqIsFirstPlusCountMinusOne) {
  EXPECT_EQ(batch(1, 1, 0).last_seq(), 1u);
  EXPECT_EQ(batch(6, 5, 0).last_seq(), 10u);
}

// A new spool holds nothing and has acknowledged nothing; appended batches
// are kept whole, in the order appended.
TEST(LogSpool, KeepsAppendedBatchesInOrder) {
  LogSpool spool;
  EXPECT_TRUE(spool.empty());
  EXPECT_EQ(spool.acked(), 0u);

  spool = four_batches();
  EXPECT_FALSE(spool.empty());
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{1, 4, 6, 11}));
  EXPECT_EQ(spool.batches()[2].count, 5u);
  EXPECT_EQ(spool.batches()[2].message, "batch 6");
  EXPECT_EQ(spool.batches()[2].budget_bytes, 3u);
}

// An ack at a batch's last seq drops that batch and every one before it,
// returns exactly their budget bytes, and keeps the rest in order.
TEST(LogSpool, AckDropsExactlyTheBatchesEndingAtOrBeforeIt) {
  LogSpool spool = four_batches();
  EXPECT_EQ(spool.acknowledge(5), 120u);
  EXPECT_EQ(spool.acked(), 5u);
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{6, 11}));
}

// An ack inside a batch keeps that batch whole (it is sent again); an ack
// before the first batch ends drops nothing and frees nothing.
TEST(LogSpool, AckInsideABatchKeepsIt) {
  LogSpool spool = four_batches();
  EXPECT_EQ(spool.acknowledge(0), 0u);
  EXPECT_EQ(spool.acknowledge(2), 0u);
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{1, 4, 6, 11}));

  EXPECT_EQ(spool.acknowledge(9), 120u);  // 1-3 and 4-5 end before 9; 6-10 does not
  EXPECT_EQ(spool.acked(), 9u);
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{6, 11}));

  EXPECT_EQ(spool.acknowledge(10), 3u);
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{11}));
}

// An ack older than one already seen (a late or repeated ACK) changes nothing.
TEST(LogSpool, OlderOrRepeatedAckIsIgnored) {
  LogSpool spool = four_batches();
  ASSERT_EQ(spool.acknowledge(7), 120u);
  EXPECT_EQ(spool.acknowledge(3), 0u);
  EXPECT_EQ(spool.acknowledge(7), 0u);
  EXPECT_EQ(spool.acked(), 7u);
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{6, 11}));
}

// An ack at or beyond the last seq empties the spool and frees every byte.
TEST(LogSpool, AckOfTheLastSeqEmptiesTheSpool) {
  LogSpool spool = four_batches();
  EXPECT_EQ(spool.acknowledge(11), 4123u);
  EXPECT_TRUE(spool.empty());
  EXPECT_EQ(spool.acked(), 11u);

  LogSpool beyond = four_batches();
  EXPECT_EQ(beyond.acknowledge(1000), 4123u);
  EXPECT_TRUE(beyond.empty());
}

// Batches appended after an ack are kept until an ack covers them.
TEST(LogSpool, BatchesAppendedAfterAnAckWaitForTheirOwn) {
  LogSpool spool;
  spool.append(batch(1, 2, 10));
  ASSERT_EQ(spool.acknowledge(2), 10u);
  spool.append(batch(3, 2, 7));
  spool.append(batch(5, 1, 1));
  EXPECT_EQ(spool.acknowledge(2), 0u);
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{3, 5}));
  EXPECT_EQ(spool.acknowledge(4), 7u);
  EXPECT_EQ(first_seqs(spool), (std::vector<std::uint64_t>{5}));
}

}  // namespace
}  // namespace ramify
