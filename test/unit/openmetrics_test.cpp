#include "core/openmetrics.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace om = pgo::core::openmetrics;
using pgo::core::BucketRow;
using pgo::core::FineLatencyScale;

TEST(OpenMetrics, EscapesLabelValues) {
  EXPECT_EQ(om::escape_label_value("plain"), "plain");
  EXPECT_EQ(om::escape_label_value(R"(a"b\c)"), R"(a\"b\\c)");
  EXPECT_EQ(om::escape_label_value("line\nbreak"), "line\\nbreak");
  // a label value that tries to close the label and add a sample of its own stays one value
  EXPECT_EQ(om::escape_label_value("x\"} 1\npg_evil 2"), "x\\\"} 1\\npg_evil 2");
  EXPECT_EQ(om::escape_label_value("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(OpenMetrics, EscapesHelpButNotQuotes) { EXPECT_EQ(om::escape_help("a \"b\" c\\d\ne"), "a \"b\" c\\\\d\\ne"); }

TEST(OpenMetrics, FormatsNumbers) {
  EXPECT_EQ(om::format_value(0), "0");
  EXPECT_EQ(om::format_value(12000), "12000");
  EXPECT_EQ(om::format_value(-3), "-3");
  EXPECT_EQ(om::format_value(0.25), "0.25");
  EXPECT_EQ(om::format_value(0.1), "0.1");
  EXPECT_EQ(om::format_value(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(om::format_value(1e300), "1e+300");
  EXPECT_EQ(om::format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(om::format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(om::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  // round trip
  for (double v : {1.0 / 3, 2.5e-7, 123456.789, 1e-300})
    EXPECT_EQ(std::stod(om::format_value(v)), v);
}

TEST(OpenMetrics, ChecksNames) {
  EXPECT_TRUE(om::valid_metric_name("pg_optimize_dead_tuples"));
  EXPECT_TRUE(om::valid_metric_name("a:b_c9"));
  EXPECT_FALSE(om::valid_metric_name("9abc"));
  EXPECT_FALSE(om::valid_metric_name("a-b"));
  EXPECT_FALSE(om::valid_metric_name(""));
  EXPECT_TRUE(om::valid_label_name("table"));
  EXPECT_FALSE(om::valid_label_name("a:b"));
  EXPECT_FALSE(om::valid_label_name("__name__"));
}

TEST(OpenMetrics, RendersFamiliesWithHelpAndType) {
  om::Family dead{"pg_optimize_table_dead_tuples", om::Type::Gauge, "Dead tuples.\nSecond line", {}};
  dead.add({{"database", "app"}, {"table", "public.\"odd\"\\name"}}, 12000);
  om::Family runs{"pg_optimize_job_runs_total", om::Type::Counter, "Runs.", {}};
  runs.add({{"job", "nightly"}, {"status", "failed"}}, 2);
  om::Family empty{"pg_optimize_alert", om::Type::Gauge, "Alerts.", {}};
  EXPECT_EQ(om::render({dead, runs, empty}),
            "# HELP pg_optimize_table_dead_tuples Dead tuples.\\nSecond line\n"
            "# TYPE pg_optimize_table_dead_tuples gauge\n"
            "pg_optimize_table_dead_tuples{database=\"app\",table=\"public.\\\"odd\\\"\\\\name\"} 12000\n"
            "# HELP pg_optimize_job_runs_total Runs.\n"
            "# TYPE pg_optimize_job_runs_total counter\n"
            "pg_optimize_job_runs_total{job=\"nightly\",status=\"failed\"} 2\n"
            "# HELP pg_optimize_alert Alerts.\n"
            "# TYPE pg_optimize_alert gauge\n");
}

TEST(OpenMetrics, RejectsWhatPrometheusWouldReject) {
  om::Family bad_name{"pg-optimize", om::Type::Gauge, "", {}};
  EXPECT_THROW(om::render({bad_name}), pgo::Error);
  om::Family bad_label{"pg_optimize_x", om::Type::Gauge, "", {}};
  bad_label.add({{"no-dash", "v"}}, 1);
  EXPECT_THROW(om::render({bad_label}), pgo::Error);
  om::Family dup{"pg_optimize_x", om::Type::Gauge, "", {}};
  dup.add({{"a", "1"}}, 1);
  dup.add({{"a", "1"}}, 2);
  EXPECT_THROW(om::render({dup}), pgo::Error);
  om::Family le{"pg_optimize_x", om::Type::Gauge, "", {}};
  le.add({{"le", "1"}}, 1);
  EXPECT_THROW(om::render({le}), pgo::Error);
  om::Family twice{"pg_optimize_x", om::Type::Gauge, "", {}};
  EXPECT_THROW(om::render({twice, twice}), pgo::Error);
}

TEST(OpenMetrics, CumulativeBucketsNeverOverstate) {
  // values in microseconds: 10 at 100 us, 5 at 1000 us, 1 at 3 s
  std::vector<std::uint64_t> counts(FineLatencyScale::kBuckets, 0);
  counts[FineLatencyScale::index(100)] += 10;
  counts[FineLatencyScale::index(1000)] += 5;
  counts[FineLatencyScale::index(3000000)] += 1;
  const auto rows = pgo::core::nonempty_buckets<FineLatencyScale>(counts.data());
  const std::vector<double> bounds{50, 1000, 1100, 5000000};
  const om::Cumulative c = om::cumulative_counts(rows, bounds);
  EXPECT_EQ(c.total, 16u);
  EXPECT_EQ(c.at_bounds[0], 0u);
  // 1000 us shares its log-linear bucket [1000, 1007] with values above the bound: counted at the next bound
  EXPECT_EQ(c.at_bounds[1], 10u);
  EXPECT_EQ(c.at_bounds[2], 15u);
  EXPECT_EQ(c.at_bounds[3], 16u);
  for (std::size_t i = 1; i < bounds.size(); i++)
    EXPECT_LE(c.at_bounds[i - 1], c.at_bounds[i]);
}

TEST(OpenMetrics, CumulativeBucketsEmptyAndBadBounds) {
  const om::Cumulative c = om::cumulative_counts({}, {0.001, 1});
  EXPECT_EQ(c.total, 0u);
  EXPECT_EQ(c.at_bounds, (std::vector<std::uint64_t>{0, 0}));
  EXPECT_THROW(om::cumulative_counts({}, {1, 1}), pgo::Error);
}

TEST(OpenMetrics, RendersAHistogram) {
  om::Family h{"pg_optimize_statement_duration_seconds", om::Type::Histogram, "Statement durations.", {}};
  om::Cumulative c;
  c.at_bounds = {3, 7};
  c.total = 9;
  om::add_histogram(h, {{"database", "app"}}, {0.005, 0.05}, c, 1.25);
  EXPECT_EQ(om::render({h}), "# HELP pg_optimize_statement_duration_seconds Statement durations.\n"
                             "# TYPE pg_optimize_statement_duration_seconds histogram\n"
                             "pg_optimize_statement_duration_seconds_bucket{database=\"app\",le=\"0.005\"} 3\n"
                             "pg_optimize_statement_duration_seconds_bucket{database=\"app\",le=\"0.05\"} 7\n"
                             "pg_optimize_statement_duration_seconds_bucket{database=\"app\",le=\"+Inf\"} 9\n"
                             "pg_optimize_statement_duration_seconds_sum{database=\"app\"} 1.25\n"
                             "pg_optimize_statement_duration_seconds_count{database=\"app\"} 9\n");
  om::Family gauge{"pg_optimize_x", om::Type::Gauge, "", {}};
  EXPECT_THROW(om::add_histogram(gauge, {}, {1}, om::Cumulative{{0}, 0}, 0), pgo::Error);
}
