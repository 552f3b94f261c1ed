#include "core/openmetrics.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/error.hpp"

namespace pgo::core::openmetrics {
namespace {

bool name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty())
    return false;
  for (std::size_t i = 0; i < name.size(); i++)
    if (!name_char(name[i], i == 0, colon))
      return false;
  return true;
}

[[noreturn]] void bug(const std::string &message) { throw Error(sqlstate::kInternalError, message); }

const char *type_name(Type type) {
  switch (type) {
  case Type::Gauge:
    return "gauge";
  case Type::Counter:
    return "counter";
  case Type::Histogram:
    return "histogram";
  }
  return "untyped";
}

std::string labels_text(const Labels &labels) {
  if (labels.empty())
    return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); i++) {
    if (i > 0)
      out += ',';
    out += labels[i].name;
    out += "=\"";
    out += escape_label_value(labels[i].value);
    out += '"';
  }
  out += '}';
  return out;
}

} // namespace

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }

bool valid_label_name(std::string_view name) { return valid_name(name, false) && name.substr(0, 2) != "__"; }

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) <= 9007199254740992.0)
    return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);
}

Cumulative cumulative_counts(const std::vector<BucketRow> &rows, const std::vector<double> &bounds) {
  Cumulative c;
  c.at_bounds.assign(bounds.size(), 0);
  for (std::size_t b = 1; b < bounds.size(); b++)
    if (!(bounds[b - 1] < bounds[b]))
      bug("histogram bounds must be ascending");
  for (const BucketRow &row : rows) {
    c.total += row.count;
    for (std::size_t b = 0; b < bounds.size(); b++)
      if (static_cast<double>(row.upper) <= bounds[b])
        c.at_bounds[b] += row.count;
  }
  return c;
}

void add_histogram(Family &family, const Labels &labels, const std::vector<double> &bounds, const Cumulative &counts,
                   double sum) {
  if (family.type != Type::Histogram)
    bug("add_histogram on a family that is not a histogram: " + family.name);
  if (counts.at_bounds.size() != bounds.size())
    bug("histogram counts and bounds differ in number");
  for (std::size_t b = 0; b <= bounds.size(); b++) {
    Labels with_le = labels;
    with_le.push_back(Label{"le", b < bounds.size() ? format_value(bounds[b]) : "+Inf"});
    const std::uint64_t n = b < bounds.size() ? counts.at_bounds[b] : counts.total;
    family.samples.push_back(Sample{"_bucket", std::move(with_le), static_cast<double>(n)});
  }
  family.samples.push_back(Sample{"_sum", labels, sum});
  family.samples.push_back(Sample{"_count", labels, static_cast<double>(counts.total)});
}

std::string render(const std::vector<Family> &families) {
  std::string out;
  std::set<std::string> family_names;
  for (const Family &f : families) {
    if (!valid_metric_name(f.name))
      bug("invalid metric name \"" + f.name + "\"");
    if (!family_names.insert(f.name).second)
      bug("metric family \"" + f.name + "\" listed twice");
    out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + f.name + " " + type_name(f.type) + "\n";
    std::set<std::string> seen;
    for (const Sample &s : f.samples) {
      if (!s.suffix.empty() && f.type != Type::Histogram)
        bug("sample suffix \"" + s.suffix + "\" outside a histogram");
      for (const Label &l : s.labels) {
        if (!valid_label_name(l.name))
          bug("invalid label name \"" + l.name + "\" in " + f.name);
        if (l.name == "le" && s.suffix != "_bucket")
          bug("label \"le\" outside histogram buckets in " + f.name);
      }
      const std::string line_key = f.name + s.suffix + labels_text(s.labels);
      if (!seen.insert(line_key).second)
        bug("duplicate sample " + line_key);
      out += line_key + " " + format_value(s.value) + "\n";
    }
  }
  return out;
}

} // namespace pgo::core::openmetrics
