// The Prometheus text exposition format, version 0.0.4, for optimize.openmetrics().
//
// PostgreSQL-free: the health readers fill metric families; this file checks names, escapes label values and help
// texts, formats numbers the way Prometheus parses them, and turns log-linear latency buckets into the cumulative
// `le` buckets of a Prometheus histogram.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/latency_histogram.hpp"

namespace pgo::core::openmetrics {

enum class Type { Gauge, Counter, Histogram };

struct Label {
  std::string name;
  std::string value; // any bytes: escaped on output
};
using Labels = std::vector<Label>;

struct Sample {
  std::string suffix; // "" or, in histograms, "_bucket", "_sum", "_count"
  Labels labels;
  double value = 0;
};

// One metric family: a HELP and a TYPE line, then its samples. Counters are named with their "_total" suffix (the
// 0.0.4 format puts the full sample name on the TYPE line).
struct Family {
  std::string name;
  Type type = Type::Gauge;
  std::string help;
  std::vector<Sample> samples;

  void add(Labels labels, double value) { samples.push_back(Sample{"", std::move(labels), value}); }
};

// [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]* (label names starting with "__" are reserved).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

// Label values: backslash, double quote and line feed escaped (\\, \", \n); every other byte as it is.
std::string escape_label_value(std::string_view value);
// HELP texts: backslash and line feed escaped.
std::string escape_help(std::string_view help);
// Shortest text that reads back as the same double; integers without exponent up to 2^53; NaN, +Inf, -Inf.
std::string format_value(double value);

// A Prometheus histogram's cumulative buckets from log-linear bucket rows (values in the rows' unit, e.g.
// microseconds): cumulative[i] counts the values of the rows whose upper end is <= bounds[i] (bounds ascending, same
// unit). A row straddling a bound counts only towards the next bound, so a bucket never overstates: it may miss at
// most the values of one log-linear bucket (1/64 of the bound on the fine scale). The +Inf bucket is the total.
struct Cumulative {
  std::vector<std::uint64_t> at_bounds; // one per bound
  std::uint64_t total = 0;
};
Cumulative cumulative_counts(const std::vector<BucketRow> &rows, const std::vector<double> &bounds);

// Adds the _bucket samples (le= bounds, then +Inf), _sum and _count of one labelled series to a histogram family.
// bounds are in the family's unit (seconds); `labels` must not contain "le".
void add_histogram(Family &family, const Labels &labels, const std::vector<double> &bounds, const Cumulative &counts,
                   double sum);

// The exposition text of all families, in order, ending with a line feed. Throws pgo::Error (XX000) on an invalid
// metric or label name, a label "le" outside histograms, or two samples of a family with the same name and labels:
// those are bugs of the caller, and Prometheus would reject the whole scrape.
std::string render(const std::vector<Family> &families);

} // namespace pgo::core::openmetrics
