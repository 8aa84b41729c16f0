#include <gtest/gtest.h>

#include "protocol/codec.hpp"
#include "protocol/msgpack_adaptors.hpp"

namespace ramify {
namespace {

Node sample_node(const std::string& id) {
  Node node;
  node.id = id;
  node.parent = ".";
  node.level = "subject";
  node.label = id;
  node.size = 42;
  node.mtime = 1700000000;
  node.attrs = {{"k", "v"}, {"bytes", std::string("\xff\x00\x01", 3)}};
  return node;
}

LogRecord sample_record() {
  LogRecord r;
  r.kind = RecordKind::outcome;
  r.status = Status::failed;
  r.severity = Severity::error;
  r.ts_us = 1700000000123456;
  r.container_type = "file";
  r.container_id = "sub-01/a b.nii";
  r.label = "a b.nii";
  r.err = "exit code 3";
  r.msg = "m";
  r.resolved = false;
  r.search_key = "proj/sub-01/a b.nii";
  r.assignment = 7;
  r.attempt = 2;
  r.fields = {{"sha256", "abc"}, {"bytes", "109", FieldType::integer}, {"ratio", "0.5", FieldType::real},
              {"ok", "true", FieldType::boolean}};
  return r;
}

template <class T>
void expect_round_trip(const T& message) {
  EXPECT_EQ(decode<T>(encode(message)), message) << T::kType;
}

TEST(Codec, RoundTripsEveryMessageType) {
  Assign assign;
  assign.run_id = "r1";
  assign.id = 3;
  assign.attempt = 2;
  assign.kind = AssignmentKind::shallow;
  assign.root = sample_node("sub-01");
  assign.ancestors = {sample_node(".")};
  assign.order = WalkOrder::breadth;
  assign.spec_version = 1;
  assign.nodes = {sample_node("sub-01/ses-1")};
  assign.data = {{"x", "1"}};
  assign.skip = 4;
  assign.resume_data = {{"sub-01", {{"y", "2"}}}};
  expect_round_trip(assign);
  expect_round_trip(Cancel{kProtocolVersion, 3, 2});
  expect_round_trip(Hello{kProtocolVersion, "w1", "host", 123, 4});
  expect_round_trip(Heartbeat{kProtocolVersion, "w1", 2, {{1, 1}, {4, 2}}, 99, 90, true, {{1, 1, 40, 3}}, true});
  expect_round_trip(Started{kProtocolVersion, 3, 1});
  expect_round_trip(NodeFailed{kProtocolVersion, 3, 1, "sub-01/x", "file", "boom"});
  expect_round_trip(Done{kProtocolVersion, 3, 1, 10, 1, 2, 55, false, {{"files", "3"}}, {{"k", "v"}}, true, 12, {{"sub-01", {{"k", "v"}}}}});
  expect_round_trip(Bye{kProtocolVersion, "w1", 55, "finished"});
  expect_round_trip(ControlHeartbeat{kProtocolVersion, "r1", RunState::draining, 1, 3, 9});
  expect_round_trip(Kill{kProtocolVersion, "r1", "sub-01/x", "boom", true});
  expect_round_trip(Finish{kProtocolVersion, "r1", 1, {{"w1", 55}, {"w2", 3}}, {{3, 1}}, {"w2"}, 4, {sample_record()}, "boom", 2});
  expect_round_trip(SpecRequest{kProtocolVersion, "w1"});
  expect_round_trip(SpecReply{kProtocolVersion, "r1", 1, {{"job.root", "/data"}}, RunState::aborted, true});
  expect_round_trip(StatusRequest{});
  StatusReply status;
  status.run_id = "r1";
  status.first_failure = "x";
  status.exit_status = 1;
  expect_round_trip(status);
  expect_round_trip(ReportDone{kProtocolVersion, "r1", 100, 0, true, ""});
  expect_round_trip(SinkBeat{kProtocolVersion, "r1", "s1", "/r/report.jsonl", 12, "report: disk full", {}, "store1"});
  expect_round_trip(SinkBeat{kProtocolVersion, "r1", "s1", "/r/report.jsonl", 12, "",
                              SinkDigest{{{"file", 3, 1, 0}}, {{1764583200000000, "w1", "warning", "sub-1/a", "odd"}}},
                              ""});
  expect_round_trip(SinkBeatReply{kProtocolVersion, "r1", RunState::aborted, true, {{"w1", "key"}}, true});
  expect_round_trip(InputRequest{kProtocolVersion, "refs", 1 << 20, "w1"});
  expect_round_trip(InputChunk{kProtocolVersion, "refs", 3, "abc", 0, std::string("\0\1\2", 3)});
  expect_round_trip(SinkStatusReply{kProtocolVersion, "r1", 9, {{"w1", 9}}, "r.jsonl", 1, true});
  StatusReply full;
  full.workers = {WorkerInfo{"w1", "h", 3, 2, 1, false, 1500, "it missed its heartbeats"}};
  full.assignments_by_state = {{"done", 4}};
  full.elapsed_seconds = 1.5;
  expect_round_trip(full);
  expect_round_trip(Ok{});
  expect_round_trip(ErrorReply{kProtocolVersion, "nope"});
  expect_round_trip(LogBatch{kProtocolVersion, "r1", "w1", 5, 1, encode_records({sample_record()})});
  expect_round_trip(LogAck{kProtocolVersion, "w1", 5});
  expect_round_trip(TailRecord{kProtocolVersion, "w1", 5, sample_record(), "r1"});
  expect_round_trip(TailEnd{kProtocolVersion, "r1", 1, "summary"});
}

TEST(Codec, RoundTripsRecordsOfABatch) {
  std::vector<LogRecord> records{sample_record(), LogRecord{}};
  EXPECT_EQ(decode_records(encode_records(records), 2), records);
  EXPECT_THROW(decode_records(encode_records(records), 3), DecodeError);
}

TEST(Codec, DecodingIntoReusedRecordsLeavesNothingOfTheOldOnes) {
  std::vector<LogRecord> reused{sample_record(), sample_record()};
  decode_records(encode_records({LogRecord{}}), 1, reused);
  EXPECT_EQ(reused, std::vector<LogRecord>{LogRecord{}});

  // A record from a peer that sends fewer fields: the missing ones are defaults.
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(1);
  packer.pack_array(6);
  packer.pack(RecordKind::outcome);
  packer.pack(Status::failed);
  packer.pack(Severity::error);
  packer.pack(std::int64_t{7});
  packer.pack(std::string("file"));
  packer.pack(std::string("a/b"));
  reused = {sample_record()};
  decode_records(std::string_view(buffer.data(), buffer.size()), 1, reused);
  LogRecord expected;
  expected.kind = RecordKind::outcome;
  expected.status = Status::failed;
  expected.severity = Severity::error;
  expected.ts_us = 7;
  expected.container_type = "file";
  expected.container_id = "a/b";
  EXPECT_EQ(reused.at(0), expected);
}

TEST(Codec, RejectsAnArrayHeaderThatPromisesFourBillionElements) {
  const std::string bomb("\xdd\xff\xff\xff\xff", 5);
  EXPECT_THROW(decode<Hello>(bomb), DecodeError);
  EXPECT_THROW(decode<Assign>(bomb), DecodeError);
  EXPECT_THROW(decode_records(bomb, 1), DecodeError);
}

TEST(Codec, RejectsAMapHeaderThatPromisesMoreThanItHas) {
  EXPECT_THROW(decode<Hello>(std::string("\x91\xdf\x7f\xff\xff\xff", 6)), DecodeError);
}

TEST(Codec, RejectsNestedHeadersThatWouldMultiplyAllocations) {
  // Each header announces 65535 elements; only a few bytes follow.
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += std::string("\xdc\xff\xff", 3);
  EXPECT_THROW(decode<Assign>(nested), DecodeError);
}

TEST(Codec, RejectsTruncatedInputOfEveryLength) {
  Assign assign;
  assign.root = sample_node("sub-01");
  assign.nodes = {sample_node("a"), sample_node("b")};
  const std::string bytes = encode(assign);
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_THROW(decode<Assign>(bytes.substr(0, n)), DecodeError) << "length " << n;
}

TEST(Codec, RejectsGarbage) {
  EXPECT_THROW(decode<Hello>("garbage, not msgpack"), DecodeError);
  EXPECT_THROW(decode<Hello>(std::string("\xc1", 1)), DecodeError);  // a reserved byte
  EXPECT_THROW(decode<Hello>(""), DecodeError);
}

TEST(Codec, RejectsTrailingBytes) {
  EXPECT_THROW(decode<Ok>(encode(Ok{}) + "x"), DecodeError);
}

TEST(Codec, RejectsOversizedInput) {
  Hello hello;
  hello.host = std::string(2u << 20, 'h');  // over the 1 MiB default
  EXPECT_THROW(decode<Hello>(encode(hello)), DecodeError);
}

TEST(Codec, RejectsFieldsOfTheWrongType) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(2);
  packer.pack(1);
  packer.pack(std::vector<int>{1, 2});  // worker_id should be a string
  EXPECT_THROW(decode<Hello>(std::string(buffer.data(), buffer.size())), DecodeError);
}

TEST(Codec, RejectsOutOfRangeEnums) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(3);
  packer.pack(1);
  packer.pack(std::string("r"));
  packer.pack(200);  // RunState has four values
  EXPECT_THROW(decode<ControlHeartbeat>(std::string(buffer.data(), buffer.size())), DecodeError);
}

TEST(Codec, RejectsVersionZero) {
  Ok ok;
  ok.version = 0;
  EXPECT_THROW(decode<Ok>(encode(ok)), DecodeError);
}

TEST(Codec, ToleratesAppendedFieldsAndMissingTrailingOnes) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(7);
  packer.pack(2);
  packer.pack(std::string("w9"));
  packer.pack(std::string("h"));
  packer.pack(77);
  packer.pack(3);
  packer.pack(std::string("a future field"));
  packer.pack(12);
  Hello hello = decode<Hello>(std::string(buffer.data(), buffer.size()));
  EXPECT_EQ(hello.worker_id, "w9");
  EXPECT_EQ(hello.slots, 3u);

  msgpack::sbuffer short_buffer;
  msgpack::packer<msgpack::sbuffer> short_packer(short_buffer);
  short_packer.pack_array(2);
  short_packer.pack(1);
  short_packer.pack(std::string("w1"));
  Hello old = decode<Hello>(std::string(short_buffer.data(), short_buffer.size()));
  EXPECT_EQ(old.worker_id, "w1");
  EXPECT_EQ(old.slots, 0u);
}

}  // namespace
}  // namespace ramify
