#include "core/chart.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include <fmt/format.h>

namespace pgo::core::chart {
namespace {

constexpr double kLimit = 1e300; // values beyond are clamped: spans of two of them stay finite
constexpr double kWidth = 720;
constexpr const char *kFont = "font-family=\"sans-serif\" font-size=\"11\"";
constexpr const char *kPalette[] = {"#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#b7791f", "#319795"};

double clamp_value(double v) { return std::clamp(v, -kLimit, kLimit); }

// Number of UTF-8 sequence bytes starting at s[i] when valid, else 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80)
    return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    if (c == 0xED)
      hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    if (c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if (i + n > s.size())
    return 0;
  if (b(i + 1) < lo || b(i + 1) > hi)
    return 0;
  for (std::size_t k = 2; k < n; k++)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF)
      return 0;
  return n;
}

// At most max_chars code points, "…" appended when cut; cut on a character boundary.
std::string shorten(std::string_view text, std::size_t max_chars) {
  std::size_t i = 0, chars = 0;
  while (i < text.size() && chars < max_chars) {
    const std::size_t n = utf8_length(text, i);
    i += n == 0 ? 1 : n;
    chars++;
  }
  if (i >= text.size())
    return std::string(text);
  return std::string(text.substr(0, i)) + "\xE2\x80\xA6";
}

std::string num(double v) { return fmt::format("{:.1f}", v); }

std::string with_unit(const std::string &title, const std::string &unit) {
  return unit.empty() ? title : title + " (" + unit + ")";
}

// Three significant digits, for values shown beside a marker.
std::string short_number(double v) { return fmt::format("{:.3g}", v); }

struct Scale {
  double d0, d1, r0, r1;
  double operator()(double v) const { return d1 == d0 ? r0 : r0 + (v - d0) / (d1 - d0) * (r1 - r0); }
};

std::string open_svg(double height, const std::string &title) {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
                     "role=\"img\" aria-label=\"{}\" {}>\n<text x=\"8\" y=\"18\" font-size=\"13\" "
                     "font-weight=\"bold\">{}</text>\n",
                     num(kWidth), num(height), num(kWidth), num(height), escape_xml(title), kFont, escape_xml(title));
}

std::string no_data(const std::string &title) {
  return open_svg(80, title) + "<text x=\"360\" y=\"52\" text-anchor=\"middle\" fill=\"#718096\">no data</text>\n" +
         "</svg>\n";
}

std::string text_at(double x, double y, const std::string &anchor, const std::string &content,
                    const std::string &extra = "") {
  return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", num(x), num(y), anchor,
                     extra.empty() ? "" : " " + extra, escape_xml(content));
}

std::string line(double x1, double y1, double x2, double y2, const std::string &style) {
  return fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {}/>\n", num(x1), num(y1), num(x2), num(y2), style);
}

const char *status_colour(std::string_view status) {
  if (status == "succeeded")
    return "#38a169";
  if (status == "failed")
    return "#e53e3e";
  if (status == "timeout")
    return "#dd6b20";
  if (status == "crashed")
    return "#805ad5";
  if (status == "skipped")
    return "#a0aec0";
  if (status == "running")
    return "#3182ce";
  return "#4a5568";
}

int decimals_for(double step) {
  if (!(step > 0) || !std::isfinite(step))
    return 2;
  int d = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  const double scaled = step * std::pow(10.0, d);
  if (std::fabs(scaled - std::round(scaled)) > 1e-6)
    d++;
  return std::min(d, 10);
}

} // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i++;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    i++;
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    case '\t':
    case '\n':
      out += c;
      break;
    default:
      if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
        out += c;
    }
  }
  return out;
}

Ticks nice_ticks(double lo, double hi, int max_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  lo = clamp_value(lo);
  hi = clamp_value(hi);
  if (hi < lo)
    std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo = lo == 0 ? 0 : lo - pad;
    hi = hi + pad;
  }
  max_ticks = std::max(max_ticks, 2);
  const double raw = (hi - lo) / (max_ticks - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double factor = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  Ticks t;
  t.step = factor * magnitude;
  t.first = std::floor(lo / t.step) * t.step;
  t.last = std::ceil(hi / t.step) * t.step;
  const auto count = static_cast<int>(std::llround((t.last - t.first) / t.step));
  for (int i = 0; i <= std::min(count, 4 * max_ticks); i++) {
    double v = t.first + i * t.step;
    if (std::fabs(v) < t.step * 1e-9)
      v = 0;
    t.values.push_back(v);
  }
  return t;
}

Ticks time_ticks(double lo, double hi, int max_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return nice_ticks(lo, hi, max_ticks);
  if (hi < lo)
    std::swap(lo, hi);
  if (hi == lo) {
    lo -= 1800;
    hi += 1800;
  }
  static constexpr double kSteps[] = {60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800, 2592000, 31536000};
  max_ticks = std::max(max_ticks, 2);
  for (double step : kSteps) {
    if ((hi - lo) / step <= max_ticks - 1) {
      Ticks t;
      t.step = step;
      t.first = std::floor(lo / step) * step;
      t.last = std::ceil(hi / step) * step;
      for (double v = t.first; v <= t.last + step / 2; v += step)
        t.values.push_back(v);
      return t;
    }
  }
  return nice_ticks(lo, hi, max_ticks);
}

std::string format_number(double value, double step) {
  if (!std::isfinite(value))
    return value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  if (value == 0 || std::fabs(value) < std::fabs(step) * 1e-9)
    return "0";
  const double a = std::fabs(value);
  if (a >= 1e15 || a < 1e-4)
    return fmt::format("{:.3g}", value);
  static constexpr struct {
    double divisor;
    const char *suffix;
  } kSuffixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  if (a >= 1e4)
    for (const auto &s : kSuffixes)
      if (a >= s.divisor)
        return fmt::format("{:.{}f}{}", value / s.divisor, decimals_for(step / s.divisor), s.suffix);
  return fmt::format("{:.{}f}", value, decimals_for(step));
}

std::string format_time(double epoch_seconds, double step) {
  if (!std::isfinite(epoch_seconds) || std::fabs(epoch_seconds) > 1e12)
    return "?";
  const auto t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, step >= 86400 ? "%Y-%m-%d" : "%m-%d %H:%M", &tm);
  return buf;
}

std::string svg(const LineChart &chart) {
  std::vector<Series> series;
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  bool any = false;
  for (const Series &s : chart.series) {
    Series kept{s.name, {}};
    for (const Point &p : s.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y))
        continue;
      const Point c{clamp_value(p.x), clamp_value(p.y)};
      x0 = any ? std::min(x0, c.x) : c.x;
      x1 = any ? std::max(x1, c.x) : c.x;
      y0 = any ? std::min(y0, c.y) : std::min(0.0, c.y);
      y1 = any ? std::max(y1, c.y) : c.y;
      any = true;
      kept.points.push_back(c);
    }
    std::sort(kept.points.begin(), kept.points.end(), [](const Point &a, const Point &b) { return a.x < b.x; });
    series.push_back(std::move(kept));
  }
  if (!any)
    return no_data(chart.title);
  if (chart.reference && std::isfinite(*chart.reference)) {
    y0 = std::min(y0, clamp_value(*chart.reference));
    y1 = std::max(y1, clamp_value(*chart.reference));
  }
  const double height = 240, left = 70, right = kWidth - 44, top = 34, bottom = height - 30;
  const Ticks xt = chart.time_axis ? time_ticks(x0, x1, 7) : nice_ticks(x0, x1, 7);
  const Ticks yt = nice_ticks(y0, y1, 5);
  const Scale sx{xt.first, xt.last, left, right};
  const Scale sy{yt.first, yt.last, bottom, top};
  std::string out = open_svg(height, with_unit(chart.title, chart.y_unit));
  for (double v : yt.values) {
    out += line(left, sy(v), right, sy(v), "stroke=\"#e2e8f0\"");
    out += text_at(left - 6, sy(v) + 4, "end", format_number(v, yt.step));
  }
  for (double v : xt.values)
    out += text_at(sx(v), bottom + 16, "middle", chart.time_axis ? format_time(v, xt.step) : format_number(v, xt.step));
  out += line(left, bottom, right, bottom, "stroke=\"#4a5568\"");
  if (chart.reference && std::isfinite(*chart.reference)) {
    const double y = sy(clamp_value(*chart.reference));
    out += line(left, y, right, y, "stroke=\"#e53e3e\" stroke-dasharray=\"6 4\"");
    out += text_at(right, y - 4, "end", chart.reference_label, "fill=\"#e53e3e\"");
  }
  for (std::size_t i = 0; i < series.size(); i++) {
    const char *colour = kPalette[i % std::size(kPalette)];
    std::string points;
    for (const Point &p : series[i].points)
      points += num(sx(p.x)) + "," + num(sy(p.y)) + " ";
    if (series[i].points.size() > 1)
      out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", colour, points);
    if (series[i].points.size() <= 60)
      for (const Point &p : series[i].points)
        out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>\n", num(sx(p.x)), num(sy(p.y)), colour);
    if (series.size() > 1)
      out += text_at(right - 150, top + 14.0 * static_cast<double>(i + 1), "start", series[i].name,
                     fmt::format("fill=\"{}\"", colour));
  }
  return out + "</svg>\n";
}

std::string svg(const BarChart &chart) {
  std::vector<const Bar *> bars;
  double max = 0;
  for (const Bar &b : chart.bars)
    if (std::isfinite(b.value)) {
      bars.push_back(&b);
      max = std::max(max, clamp_value(b.value));
    }
  if (bars.empty())
    return no_data(chart.title);
  const double row = 22, top = 34, left = 230, right = kWidth - 90;
  const double bottom = top + row * static_cast<double>(bars.size());
  const double height = bottom + 30;
  const Ticks xt = nice_ticks(0, max, 6);
  const Scale sx{xt.first, xt.last, left, right};
  std::string out = open_svg(height, with_unit(chart.title, chart.unit));
  for (double v : xt.values) {
    out += line(sx(v), top, sx(v), bottom, "stroke=\"#e2e8f0\"");
    out += text_at(sx(v), bottom + 16, "middle", format_number(v, xt.step));
  }
  for (std::size_t i = 0; i < bars.size(); i++) {
    const Bar &b = *bars[i];
    const double y = top + row * static_cast<double>(i);
    const double w = std::max(0.0, sx(std::max(0.0, clamp_value(b.value))) - left);
    out += text_at(left - 8, y + 15, "end", shorten(b.label, 34));
    out +=
        fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                    num(left), num(y + 3), num(std::max(w, 1.0)), num(row - 6), kPalette[0],
                    escape_xml(b.label + ": " + (b.value_text.empty() ? format_number(b.value, 0.01) : b.value_text)));
    out += text_at(left + w + 6, y + 15, "start", b.value_text.empty() ? format_number(b.value, 0.01) : b.value_text);
  }
  return out + "</svg>\n";
}

std::string svg(const HistogramChart &chart) {
  std::vector<Bin> bins;
  double lo = 0, hi = 0;
  std::uint64_t max_count = 0;
  for (const Bin &b : chart.bins) {
    if (b.count == 0 || !std::isfinite(b.lower) || !std::isfinite(b.upper) || b.upper <= 0)
      continue;
    Bin c{std::max(0.0, clamp_value(b.lower)), clamp_value(b.upper), b.count};
    const double low_end = c.lower > 0 ? c.lower : c.upper / 2;
    lo = bins.empty() ? low_end : std::min(lo, low_end);
    hi = bins.empty() ? c.upper : std::max(hi, c.upper);
    max_count = std::max(max_count, c.count);
    bins.push_back(c);
  }
  if (bins.empty())
    return no_data(chart.title);
  for (const Marker &m : chart.markers)
    if (std::isfinite(m.value) && m.value > 0) {
      lo = std::min(lo, clamp_value(m.value));
      hi = std::max(hi, clamp_value(m.value));
    }
  double d0 = std::floor(std::log10(lo)), d1 = std::ceil(std::log10(hi));
  if (d1 <= d0)
    d1 = d0 + 1;
  const double height = 260, left = 70, right = kWidth - 20, top = 34 + 14.0 * chart.markers.size(),
               bottom = height - 30;
  const double full_height = height + 14.0 * chart.markers.size();
  const Scale sx{d0, d1, left, right};
  const Ticks yt = nice_ticks(0, static_cast<double>(max_count), 5);
  const double plot_bottom = bottom + 14.0 * chart.markers.size();
  const Scale sy{yt.first, yt.last, plot_bottom, top};
  auto x_of = [&](double v) { return sx(std::log10(std::max(v, std::pow(10.0, d0)))); };
  std::string out = open_svg(full_height, chart.title);
  for (double v : yt.values) {
    out += line(left, sy(v), right, sy(v), "stroke=\"#e2e8f0\"");
    out += text_at(left - 6, sy(v) + 4, "end", format_number(v, yt.step));
  }
  const int stride = d1 - d0 > 8 ? 2 : 1;
  for (double d = d0; d <= d1; d += stride) {
    const double v = std::pow(10.0, d);
    out += line(sx(d), plot_bottom, sx(d), plot_bottom + 4, "stroke=\"#4a5568\"");
    out += text_at(sx(d), plot_bottom + 16, "middle", format_number(v, v) + " " + chart.unit);
  }
  out += line(left, plot_bottom, right, plot_bottom, "stroke=\"#4a5568\"");
  for (const Bin &b : bins) {
    const double x0 = x_of(b.lower > 0 ? b.lower : b.upper / 2), x1 = x_of(b.upper);
    const double y = sy(static_cast<double>(b.count));
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                       num(x0), num(y), num(std::max(1.0, x1 - x0 - 0.5)), num(std::max(0.0, plot_bottom - y)),
                       kPalette[0],
                       escape_xml(fmt::format("{} to {} {}: {}", format_number(b.lower, b.lower / 100),
                                              format_number(b.upper, b.upper / 100), chart.unit, b.count)));
  }
  for (std::size_t i = 0; i < chart.markers.size(); i++) {
    const Marker &m = chart.markers[i];
    if (!std::isfinite(m.value) || m.value <= 0)
      continue;
    const double x = x_of(clamp_value(m.value));
    const char *colour = m.emphasis ? "#e53e3e" : "#2d3748";
    const double label_y = 34 + 14.0 * static_cast<double>(i) + 10;
    out += line(x, label_y + 3, x, plot_bottom,
                fmt::format("stroke=\"{}\" stroke-dasharray=\"{}\"", colour, m.emphasis ? "6 3" : "2 3"));
    const std::string text = m.label + " " + short_number(m.value) + " " + chart.unit;
    out += text_at(x, label_y, x > kWidth / 2 ? "end" : "start", text, fmt::format("fill=\"{}\"", colour));
  }
  return out + "</svg>\n";
}

std::string svg(const Timeline &chart) {
  std::vector<std::string> lanes;
  std::vector<const Span *> spans;
  double lo = 0, hi = 0;
  for (const Span &s : chart.spans) {
    if (!std::isfinite(s.start) || std::fabs(s.start) > 1e12)
      continue;
    const double end = std::isfinite(s.end) && s.end > s.start && s.end < 1e12 ? s.end : s.start;
    lo = spans.empty() ? s.start : std::min(lo, s.start);
    hi = spans.empty() ? end : std::max(hi, end);
    spans.push_back(&s);
    if (std::find(lanes.begin(), lanes.end(), s.lane) == lanes.end())
      lanes.push_back(s.lane);
  }
  if (spans.empty())
    return no_data(chart.title);
  const double row = 22, top = 34, left = 170, right = kWidth - 44;
  const double bottom = top + row * static_cast<double>(lanes.size());
  const double height = bottom + 48;
  const Ticks xt = time_ticks(lo, hi, 6);
  const Scale sx{xt.first, xt.last, left, right};
  std::string out = open_svg(height, chart.title);
  for (double v : xt.values) {
    out += line(sx(v), top, sx(v), bottom, "stroke=\"#e2e8f0\"");
    out += text_at(sx(v), bottom + 16, "middle", format_time(v, xt.step));
  }
  for (std::size_t i = 0; i < lanes.size(); i++)
    out += text_at(left - 8, top + row * static_cast<double>(i) + 15, "end", shorten(lanes[i], 24));
  std::vector<std::string> statuses;
  for (const Span *s : spans) {
    const auto lane = static_cast<double>(std::find(lanes.begin(), lanes.end(), s->lane) - lanes.begin());
    const double end = std::isfinite(s->end) && s->end > s->start && s->end < 1e12 ? s->end : s->start;
    const double x0 = sx(s->start), x1 = sx(end);
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                       num(x0), num(top + row * lane + 3), num(std::max(3.0, x1 - x0)), num(row - 6),
                       status_colour(s->status),
                       escape_xml(s->lane + ": " + s->status + (s->detail.empty() ? "" : " (" + s->detail + ")")));
    if (std::find(statuses.begin(), statuses.end(), s->status) == statuses.end())
      statuses.push_back(s->status);
  }
  double x = left;
  for (const std::string &s : statuses) {
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>\n", num(x), num(bottom + 28),
                       status_colour(s));
    out += text_at(x + 14, bottom + 37, "start", shorten(s, 16));
    x += 100;
  }
  return out + "</svg>\n";
}

std::vector<Bin> coarsen(const std::vector<Bin> &rows, int per_decade) {
  per_decade = std::max(per_decade, 1);
  std::map<long, std::uint64_t> merged;
  for (const Bin &r : rows) {
    if (r.count == 0 || !std::isfinite(r.upper) || r.upper <= 0)
      continue;
    const double mid = r.lower > 0 ? (r.lower + r.upper) / 2 : r.upper;
    const auto key = static_cast<long>(std::floor(std::log10(clamp_value(mid)) * per_decade));
    merged[key] += r.count;
  }
  std::vector<Bin> out;
  for (const auto &[key, count] : merged)
    out.push_back(Bin{std::pow(10.0, static_cast<double>(key) / per_decade),
                      std::pow(10.0, static_cast<double>(key + 1) / per_decade), count});
  return out;
}

} // namespace pgo::core::chart
