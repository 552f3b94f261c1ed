// Charts for the HTML report, drawn as inline SVG: a latency histogram on a logarithmic axis with markers, line
// charts of metrics over time, horizontal bar charts and a timeline of job runs.
//
// PostgreSQL-free. Every text that reaches the SVG (titles, labels, object names, statuses) goes through
// escape_xml(), so a table named `<script>` or `"onload="` stays text. Non-finite values are dropped, values beyond
// +-1e300 are clamped, empty inputs draw a frame with "no data", and a single point or equal values still get a
// readable axis.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgo::core::chart {

// Text and attribute values: & < > " ' as entities, control characters (but tab and line feed) dropped, invalid UTF-8
// bytes as U+FFFD.
std::string escape_xml(std::string_view text);

// "Nice" axis ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering [lo, hi] with at most about max_ticks
// ticks: the first tick <= lo, the last >= hi. lo == hi widens the range; non-finite bounds give [0, 1].
struct Ticks {
  double first = 0, last = 1, step = 1;
  std::vector<double> values;
};
Ticks nice_ticks(double lo, double hi, int max_ticks = 6);
// Time axis ticks on epoch seconds (steps of 1, 5, 15, 30 minutes, 1, 3, 6, 12 hours, 1, 7 days, ...).
Ticks time_ticks(double lo, double hi, int max_ticks = 6);

// A tick label: k, M, G, T suffixes from 10 000 on, exponent form from 1e15, decimals as the step needs.
std::string format_number(double value, double step);
// Epoch seconds as UTC "MM-DD HH:MM" (or "YYYY-MM-DD" when the step is a day or more).
std::string format_time(double epoch_seconds, double step);

struct Point {
  double x = 0, y = 0;
};
struct Series {
  std::string name;
  std::vector<Point> points; // any order: drawn sorted by x
};
struct LineChart {
  std::string title;
  std::string y_unit;
  bool time_axis = true; // x in epoch seconds
  std::vector<Series> series;
  std::optional<double> reference; // a horizontal line (a target), labelled reference_label
  std::string reference_label;
};

struct Bar {
  std::string label;
  double value = 0;
  std::string value_text; // shown at the end of the bar; empty: the formatted value
};
struct BarChart {
  std::string title;
  std::string unit;
  std::vector<Bar> bars; // drawn in the given order, top to bottom
};

struct Bin {
  double lower = 0, upper = 0; // the bin's value range, > 0 for the log axis (0 is drawn at the axis' low end)
  std::uint64_t count = 0;
};
struct Marker {
  std::string label;
  double value = 0;
  bool emphasis = false; // drawn in the alert colour (the target)
};
struct HistogramChart {
  std::string title;
  std::string unit; // of the bins' values, e.g. "ms"
  std::vector<Bin> bins;
  std::vector<Marker> markers;
};

struct Span {
  std::string lane;          // one row per lane, in order of first appearance
  double start = 0, end = 0; // epoch seconds; end < start is drawn as a thin mark at start
  std::string status;        // colour: succeeded, failed, timeout, skipped, crashed, running, other
  std::string detail;        // hover text
};
struct Timeline {
  std::string title;
  std::vector<Span> spans;
};

std::string svg(const LineChart &chart);
std::string svg(const BarChart &chart);
std::string svg(const HistogramChart &chart);
std::string svg(const Timeline &chart);

// Merges log-linear histogram rows into at most per_decade bins per power of ten (for drawing: thousands of fine
// buckets would be hairlines). Rows are (lower, upper, count) in any unit; zero-width and zero rows are fine.
std::vector<Bin> coarsen(const std::vector<Bin> &rows, int per_decade = 5);

} // namespace pgo::core::chart
