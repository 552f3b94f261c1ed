#include "core/chart.hpp"

#include <cmath>
#include <limits>
#include <regex>

#include <gtest/gtest.h>

namespace chart = pgo::core::chart;

namespace {

std::size_t count_of(const std::string &text, const std::string &what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    n++;
  return n;
}

// Every number in a coordinate attribute is finite and inside a sane drawing area.
void expect_sane_coordinates(const std::string &svg) {
  static const std::regex attr(R"re(\b(x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)")re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), attr); it != std::sregex_iterator(); ++it) {
    const double v = std::stod((*it)[2].str());
    EXPECT_TRUE(std::isfinite(v)) << (*it)[0];
    EXPECT_GE(v, -1.0) << (*it)[0];
    EXPECT_LE(v, 5000.0) << (*it)[0];
  }
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf\""), std::string::npos);
}

} // namespace

TEST(Chart, EscapesMarkupAndBadBytes) {
  EXPECT_EQ(chart::escape_xml("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(chart::escape_xml("a\"b&c"), "a&quot;b&amp;c");
  EXPECT_EQ(chart::escape_xml("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
  EXPECT_EQ(chart::escape_xml("bad\xff\xc3("), "bad\xEF\xBF\xBD\xEF\xBF\xBD(");
  EXPECT_EQ(chart::escape_xml(std::string("nul\0bell\x07", 9)), "nulbell");
  EXPECT_EQ(chart::escape_xml("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // a UTF-16 surrogate
}

TEST(Chart, NiceTicks) {
  const chart::Ticks t = chart::nice_ticks(0, 97, 6);
  EXPECT_EQ(t.step, 20);
  EXPECT_EQ(t.values, (std::vector<double>{0, 20, 40, 60, 80, 100}));
  const chart::Ticks small = chart::nice_ticks(0.013, 0.042, 5);
  EXPECT_DOUBLE_EQ(small.step, 0.01);
  EXPECT_LE(small.first, 0.013);
  EXPECT_GE(small.last, 0.042);
  const chart::Ticks quarter = chart::nice_ticks(0, 10, 5);
  EXPECT_DOUBLE_EQ(quarter.step, 2.5);
}

TEST(Chart, NiceTicksDegenerateRanges) {
  const chart::Ticks zero = chart::nice_ticks(0, 0);
  EXPECT_LT(zero.first, zero.last);
  const chart::Ticks one = chart::nice_ticks(42, 42);
  EXPECT_LE(one.first, 42);
  EXPECT_GE(one.last, 42);
  EXPECT_LT(one.first, one.last);
  const chart::Ticks nan = chart::nice_ticks(std::nan(""), 5);
  EXPECT_EQ(nan.first, 0);
  EXPECT_EQ(nan.last, 1);
  const chart::Ticks huge = chart::nice_ticks(-1e308, 1e308);
  EXPECT_TRUE(std::isfinite(huge.step));
  EXPECT_TRUE(std::isfinite(huge.first) && std::isfinite(huge.last));
  EXPECT_LE(huge.values.size(), 30u);
  const chart::Ticks reversed = chart::nice_ticks(10, 0);
  EXPECT_EQ(reversed.first, 0);
}

TEST(Chart, TimeTicksAlignToClockSteps) {
  const double t0 = 1764460800; // 2025-11-30 00:00 UTC
  const chart::Ticks t = chart::time_ticks(t0 + 600, t0 + 4 * 3600 + 60, 6);
  EXPECT_EQ(t.step, 3600);
  EXPECT_EQ(t.first, t0);
  EXPECT_EQ(chart::format_time(t.first, t.step), "11-30 00:00");
  EXPECT_EQ(chart::format_time(t0, 86400), "2025-11-30");
  const chart::Ticks single = chart::time_ticks(t0, t0);
  EXPECT_LT(single.first, single.last);
}

TEST(Chart, FormatsTickNumbers) {
  EXPECT_EQ(chart::format_number(0, 1), "0");
  EXPECT_EQ(chart::format_number(20, 20), "20");
  EXPECT_EQ(chart::format_number(0.25, 0.05), "0.25");
  EXPECT_EQ(chart::format_number(2.5, 2.5), "2.5");
  EXPECT_EQ(chart::format_number(25000, 5000), "25k");
  EXPECT_EQ(chart::format_number(1500000, 500000), "1.5M");
  EXPECT_EQ(chart::format_number(3e9, 1e9), "3G");
  EXPECT_EQ(chart::format_number(2e20, 1e20), "2e+20");
  EXPECT_EQ(chart::format_number(1e-9, 1e-9), "1e-09");
}

TEST(Chart, EmptyChartsSayNoData) {
  for (const std::string &svg :
       {chart::svg(chart::LineChart{"p95", "ms", true, {}, std::nullopt, ""}),
        chart::svg(chart::BarChart{"dead", "tuples", {}}), chart::svg(chart::HistogramChart{"lat", "ms", {}, {}}),
        chart::svg(chart::Timeline{"jobs", {}})}) {
    EXPECT_NE(svg.find("no data"), std::string::npos);
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
  }
  // a series of nothing but NaN is empty too
  chart::LineChart nan{"x", "", false, {{"s", {{std::nan(""), 1}, {1, std::nan("")}}}}, std::nullopt, ""};
  EXPECT_NE(chart::svg(nan).find("no data"), std::string::npos);
}

TEST(Chart, SinglePointIsDrawnAsADot) {
  chart::LineChart c{"p95 over time", "ms", true, {{"p95", {{1764460800, 12.5}}}}, 50.0, "target 50 ms"};
  const std::string svg = chart::svg(c);
  EXPECT_EQ(count_of(svg, "<circle"), 1u);
  EXPECT_EQ(count_of(svg, "<polyline"), 0u);
  EXPECT_NE(svg.find("target 50 ms"), std::string::npos);
  expect_sane_coordinates(svg);
}

TEST(Chart, LinesStayInsideTheirFrame) {
  chart::LineChart c{"t", "", false, {{"a", {{3, 1}, {1, 5}, {2, -2}}}, {"b", {{1, 1e9}, {3, 2e9}}}}, std::nullopt, ""};
  const std::string svg = chart::svg(c);
  EXPECT_EQ(count_of(svg, "<polyline"), 2u);
  expect_sane_coordinates(svg);
  // sorted by x: the first series starts at x = 1
  EXPECT_NE(svg.find("points=\"70.0,"), std::string::npos);
}

TEST(Chart, HugeValuesStayFinite) {
  chart::BarChart bars{
      "b",
      "bytes",
      {{"big", 1e308, ""}, {"inf", std::numeric_limits<double>::infinity(), ""}, {"neg", -5, ""}, {"small", 1, ""}}};
  const std::string svg = chart::svg(bars);
  expect_sane_coordinates(svg);
  EXPECT_EQ(svg.find(">inf<"), std::string::npos); // the infinite bar is left out
  EXPECT_EQ(count_of(svg, "<rect"), 3u);
  chart::LineChart line{"l", "", false, {{"s", {{0, -1e308}, {1, 1e308}}}}, std::nullopt, ""};
  expect_sane_coordinates(chart::svg(line));
}

TEST(Chart, UntrustedNamesCannotInjectMarkup) {
  const std::string evil = "</text><script>alert(1)</script><text x=\"";
  chart::BarChart bars{evil, evil, {{evil, 3, evil}}};
  chart::Timeline tl{evil, {{evil, 1764460800, 1764460860, evil, evil}}};
  chart::HistogramChart h{evil, evil, {{1, 2, 3}}, {{evil, 1.5, true}}};
  chart::LineChart l{evil, evil, true, {{evil, {{1, 1}, {2, 2}}}, {evil, {{1, 2}}}}, 1.0, evil};
  for (const std::string &svg : {chart::svg(bars), chart::svg(tl), chart::svg(h), chart::svg(l)}) {
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_EQ(svg.find("</text><script"), std::string::npos);
    EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  }
}

TEST(Chart, LongLabelsAreCutOnACharacterBoundary) {
  std::string label;
  for (int i = 0; i < 40; i++)
    label += "\xc3\xa9"; // é
  const std::string svg = chart::svg(chart::BarChart{"b", "", {{label, 1, ""}}});
  std::string cut;
  for (int i = 0; i < 34; i++)
    cut += "\xc3\xa9";
  EXPECT_NE(svg.find(">" + cut + "\xE2\x80\xA6<"), std::string::npos);
}

TEST(Chart, HistogramOnALogAxisWithMarkers) {
  chart::HistogramChart h{"latency",
                          "ms",
                          {{0, 0.001, 4}, {0.5, 0.6, 10}, {20, 25, 2}, {3, 4, 0}},
                          {{"p50", 0.55, false}, {"p95", 22, false}, {"target", 50, true}}};
  const std::string svg = chart::svg(h);
  EXPECT_EQ(count_of(svg, "<rect"), 3u); // the empty bin is not drawn
  EXPECT_NE(svg.find("p95 22"), std::string::npos);
  EXPECT_NE(svg.find("target 50"), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"#e53e3e\""), std::string::npos);
  expect_sane_coordinates(svg);
}

TEST(Chart, TimelineColoursByStatus) {
  const double t = 1764460800;
  chart::Timeline tl{"jobs",
                     {{"vacuum", t, t + 30, "succeeded", ""},
                      {"vacuum", t + 3600, t + 3700, "failed", "lock timeout"},
                      {"snapshot", t + 60, t + 59, "running", ""}}};
  const std::string svg = chart::svg(tl);
  EXPECT_NE(svg.find("#38a169"), std::string::npos);
  EXPECT_NE(svg.find("#e53e3e"), std::string::npos);
  EXPECT_NE(svg.find("vacuum: failed (lock timeout)"), std::string::npos);
  expect_sane_coordinates(svg);
}

TEST(Chart, CoarsenMergesIntoDecadeBins) {
  const auto bins = chart::coarsen({{1, 1, 2}, {1.1, 1.2, 3}, {100, 110, 5}, {0, 0.001, 1}, {7, 8, 0}}, 5);
  std::uint64_t total = 0;
  for (const chart::Bin &b : bins) {
    total += b.count;
    EXPECT_LT(b.lower, b.upper);
  }
  EXPECT_EQ(total, 11u);
  EXPECT_EQ(bins.size(), 3u);
  EXPECT_EQ(bins[1].count, 5u); // 1 and 1.15 share the bin [1, 10^0.2)
}
