// The HTML report's figures and pictures: the timeline finds a worker's
// slots from when its nodes ran, many nodes make a bar per assignment, the
// durations' quantiles, and text that cannot break out of the page.

#include <gtest/gtest.h>

#include "html_report/charts_svg.hpp"
#include "html_report/html_report.hpp"
#include "html_report/html_text.hpp"
#include "html_report/run_figures.hpp"
#include "sink/report_row.hpp"

namespace ramify {
namespace {

ReportRow outcome(const std::string& worker, const std::string& id, std::int64_t start_us, std::int64_t duration_us,
                  Status status = Status::ok, std::uint64_t assignment = 1) {
  ReportRow row;
  row.run = "r1";
  row.worker = worker;
  row.record.kind = RecordKind::outcome;
  row.record.status = status;
  row.record.container_type = "file";
  row.record.container_id = id;
  row.record.start_us = start_us;
  row.record.duration_us = duration_us;
  row.record.assignment = assignment;
  return row;
}

TEST(HtmlReport, TheTimelineGivesAWorkerAsManyLanesAsItRanNodesAtOnce) {
  RunFigures f;
  // w1: two slots (a, b overlap; c starts when a ends); w2: one.
  f.add(outcome("w1", "a", 1000, 10));
  f.add(outcome("w1", "b", 1005, 10));
  f.add(outcome("w1", "c", 1010, 10));
  f.add(outcome("w2", "d", 1000, 30));
  f.finish();
  const TimelineLanes lanes = timeline_lanes(f.spans);
  EXPECT_EQ(lanes.worker_of, (std::vector<std::string>{"w1", "w1", "w2"}));
  EXPECT_EQ(lanes.first_of_worker, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(lanes.lane_of, (std::vector<std::size_t>{0, 1, 0, 2}));  // a, b, c (a's lane again), d
}

TEST(HtmlReport, ManyNodesMakeABarPerAssignmentColouredByItsWorstOutcome) {
  RunFigures f;
  for (std::size_t i = 0; i <= RunFigures::kNodeBarsAtMost; ++i)
    f.add(outcome("w1", "n" + std::to_string(i), static_cast<std::int64_t>(1000 + i), 1,
                  i == 7 ? Status::failed : Status::ok, i % 2));
  f.finish();
  ASSERT_TRUE(f.spans_are_assignments);
  ASSERT_EQ(f.spans.size(), 2u);
  EXPECT_EQ(f.nodes(), RunFigures::kNodeBarsAtMost + 1);
  const NodeSpan& odd = f.spans[0].label == "assignment 1" ? f.spans[0] : f.spans[1];
  EXPECT_EQ(odd.status, Status::failed);  // node 7 is in assignment 1
  EXPECT_EQ(odd.start_us, 1001);
}

TEST(HtmlReport, DurationsSkipTheSkippedAndTheSlowestComeFirst) {
  RunFigures f;
  f.add(outcome("w1", "fast", 1, 1'000));
  f.add(outcome("w1", "slow", 1, 9'000'000));
  f.add(outcome("w1", "middle", 1, 2'000'000));
  f.add(outcome("w1", "skipped", 1, 50'000'000, Status::skipped));
  f.finish();
  EXPECT_EQ(f.durations["file"], (std::vector<double>{0.001, 2, 9}));
  ASSERT_EQ(f.slowest.size(), 4u);  // the slowest list is of every timed outcome
  EXPECT_EQ(f.slowest[0].node, "skipped");
  EXPECT_EQ(f.slowest[1].node, "slow");
  EXPECT_EQ(quantile(f.durations["file"], 0.5), 2);
  EXPECT_EQ(quantile(f.durations["file"], 1.0), 9);
}

TEST(HtmlReport, NodeNamesCannotBreakOutOfThePage) {
  RunFigures f;
  ReportRow row = outcome("w1", "<script>alert(1)</script>", 1, 1, Status::failed);
  row.record.err = "</script><b>";
  f.add(row);
  f.finish();
  const std::string page = html_document(f, "r.jsonl");
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // Inside the figures' JSON block, "<" is written \u003c: the block ends once, at its end.
  const auto block = page.find("id=\"ramify-figures\">");
  ASSERT_NE(block, std::string::npos);
  EXPECT_EQ(page.find("</script>", block), page.rfind("</script>"));
  EXPECT_EQ(grouped(1234567), "1,234,567");
  EXPECT_EQ(duration_text(125), "2 m 05 s");
  EXPECT_EQ(bytes_text(1536), "1.5 KiB");
}

}  // namespace
}  // namespace ramify
