#include "core/report_html.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using namespace pgo::core;

namespace {

Report sample() {
  Report r;
  r.title = "pg_optimize report: database <app>";
  r.generated_at = "2026-11-30 02:00:00+00";
  Section alerts;
  alerts.title = "Alerts";
  alerts.table = Table{{"severity", "kind", "object", "message"}, {}};
  alerts.table->rows.push_back({Cell{std::string("critical")}, Cell{std::string("dead_tuples")},
                                Cell{std::string("public.\"<img src=x onerror=alert(1)>\"")},
                                Cell{std::string("50% dead")}});
  r.sections.push_back(alerts);
  Section fk;
  fk.title = "Foreign keys without an index";
  fk.note = "Each DELETE of a parent row scans the child table.";
  fk.table = Table{{"table", "bytes", "fix"}, {}};
  fk.table->rows.push_back({Cell{std::string("app.bookings")}, Cell{std::int64_t{8192}},
                            Cell{std::string("CREATE INDEX CONCURRENTLY ON app.bookings (user_id);")}});
  r.sections.push_back(fk);
  Section summary;
  summary.title = "Summary";
  summary.facts = {{"p95 ms", Cell{12.345}}, {"meets target", Cell{true}}, {"unknown", Cell{}}};
  summary.table = Table{{"a"}, {}};
  r.sections.push_back(summary);
  return r;
}

} // namespace

TEST(ReportHtml, IsOneSelfContainedPage) {
  const std::string html = render_html(sample(), {});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

TEST(ReportHtml, EscapesEveryReportText) {
  const std::string html = render_html(sample(), {});
  EXPECT_NE(html.find("database &lt;app&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"critical\">"), std::string::npos);
  EXPECT_NE(html.find("<td><code>CREATE INDEX CONCURRENTLY ON app.bookings (user_id);</code></td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">8192</td>"), std::string::npos);
  EXPECT_NE(html.find("<dt>p95 ms</dt><dd>12.35</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dd>yes</dd>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"none\">none</p>"), std::string::npos);
}

TEST(ReportHtml, PlacesFiguresAndExtraSections) {
  Section advice;
  advice.title = "Index advice";
  advice.table = Table{{"sql"}, {{Cell{std::string("CREATE INDEX ...")}}}};
  const std::string html =
      render_html(sample(), {{"Alerts", "<svg id=\"a\"></svg>"}, {"Trends", "<svg id=\"t\"></svg>"}},
                  {{advice, "Foreign keys without an index"}});
  const auto alerts = html.find("<h2>Alerts</h2>");
  const auto figure = html.find("<svg id=\"a\">");
  const auto advice_at = html.find("<h2>Index advice</h2>");
  const auto fk = html.find("<h2>Foreign keys without an index</h2>");
  const auto trends = html.find("<h2>Trends</h2>");
  ASSERT_NE(figure, std::string::npos);
  EXPECT_LT(alerts, figure);
  EXPECT_LT(figure, advice_at);
  EXPECT_LT(advice_at, fk);
  EXPECT_LT(fk, trends);
  EXPECT_NE(html.find("<svg id=\"t\">"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#s2\">Index advice</a>"), std::string::npos);
}

TEST(ReportHtml, RejectsARaggedTable) {
  Report r = sample();
  r.sections[0].table->rows.push_back({Cell{std::string("x")}});
  EXPECT_THROW(render_html(r, {}), pgo::Error);
}

TEST(ReportHtml, ParsesFormatNames) {
  EXPECT_FALSE(parse_report_format_or_html("HTML").has_value());
  EXPECT_EQ(parse_report_format_or_html("json"), ReportFormat::Json);
  try {
    parse_report_format_or_html("xml");
    FAIL();
  } catch (const pgo::Error &e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_EQ(e.hint(), "format must be one of: text, markdown, json, html");
  }
}
