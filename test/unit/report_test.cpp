#include "core/report.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace {

using pgo::core::Cell;
using pgo::core::Fact;
using pgo::core::parse_report_format;
using pgo::core::render_report;
using pgo::core::Report;
using pgo::core::ReportFormat;
using pgo::core::Section;
using pgo::core::Table;

Cell text(std::string s) { return Cell{std::move(s)}; }
Cell integer(std::int64_t i) { return Cell{i}; }

// One section of each kind: facts, note and a table mixing every cell type; an empty table; facts only.
Report sample() {
  Report r;
  r.title = "pg_optimize report";
  r.generated_at = "2026-05-01 12:00:00+00";

  Section tables;
  tables.title = "Tables";
  tables.note = "Largest first.";
  tables.facts = {{"tables", integer(2)}, {"cache hit %", Cell{99.5}}, {"analyzed", Cell{true}}, {"owner", Cell{}}};
  tables.table = Table{{"name", "rows", "ratio", "ok", "comment"},
                       {{text("café"), integer(1200), Cell{12.344}, Cell{true}, Cell{}},
                        {text("orders"), integer(7), Cell{100.0}, Cell{false}, text("big")}}};

  Section empty;
  empty.title = "Missing indexes";
  empty.table = Table{{"table", "columns"}, {}};

  Section facts_only;
  facts_only.title = "Settings";
  facts_only.facts = {{"work_mem", text("4MB")}, {"jit", Cell{false}}};

  r.sections = {tables, empty, facts_only};
  return r;
}

Report one_section(Section s) {
  Report r;
  r.title = "R";
  r.sections.push_back(std::move(s));
  return r;
}

// ---- format names ----

TEST(Report, FormatNamesAreCaseInsensitive) {
  EXPECT_EQ(parse_report_format("text"), ReportFormat::Text);
  EXPECT_EQ(parse_report_format("TEXT"), ReportFormat::Text);
  EXPECT_EQ(parse_report_format("Markdown"), ReportFormat::Markdown);
  EXPECT_EQ(parse_report_format("jSoN"), ReportFormat::Json);
}

TEST(Report, UnknownFormatIsInvalidParameterValueWithHint) {
  for (const char *bad : {"xml", "", " text", "md"}) {
    try {
      parse_report_format(bad);
      FAIL() << "accepted \"" << bad << "\"";
    } catch (const pgo::Error &e) {
      EXPECT_EQ(e.sqlstate(), "22023");
      EXPECT_EQ(e.message(), std::string("unrecognized report format \"") + bad + "\"");
      EXPECT_EQ(e.hint(), "format must be one of: text, markdown, json");
    }
  }
}

// ---- text ----

TEST(Report, TextLaysOutSectionsLikePsql) {
  // "café" is 5 bytes but 4 characters: it pads like "orders" minus two. Headers centred, numbers right-aligned,
  // NULL empty, booleans yes/no, doubles with at most 2 decimals; no line ends in a blank.
  EXPECT_EQ(render_report(sample(), ReportFormat::Text), "pg_optimize report\n"
                                                         "==================\n"
                                                         "generated at: 2026-05-01 12:00:00+00\n"
                                                         "\n"
                                                         "Tables\n"
                                                         "------\n"
                                                         "\n"
                                                         "Largest first.\n"
                                                         "\n"
                                                         "tables:      2\n"
                                                         "cache hit %: 99.5\n"
                                                         "analyzed:    yes\n"
                                                         "owner:\n"
                                                         "\n"
                                                         "  name  | rows | ratio | ok  | comment\n"
                                                         "--------+------+-------+-----+---------\n"
                                                         " café   | 1200 | 12.34 | yes |\n"
                                                         " orders |    7 |   100 | no  | big\n"
                                                         "(2 rows)\n"
                                                         "\n"
                                                         "Missing indexes\n"
                                                         "---------------\n"
                                                         "\n"
                                                         "none\n"
                                                         "\n"
                                                         "Settings\n"
                                                         "--------\n"
                                                         "\n"
                                                         "work_mem: 4MB\n"
                                                         "jit:      no");
}

TEST(Report, TextUnderlinesAndAlignsInCharactersNotBytes) {
  Section s;
  s.title = "Índices";
  s.facts = {{"größe", text("1")}, {"n", text("2")}};
  s.table = Table{{"naïve"}, {{text("x")}, {text("日本語")}}};
  Report r = one_section(s);
  r.title = "Rapport été";
  EXPECT_EQ(render_report(r, ReportFormat::Text), "Rapport été\n"
                                                  "===========\n"
                                                  "\n"
                                                  "Índices\n"
                                                  "-------\n"
                                                  "\n"
                                                  "größe: 1\n"
                                                  "n:     2\n"
                                                  "\n"
                                                  " naïve\n"
                                                  "-------\n"
                                                  " x\n"
                                                  " 日本語\n"
                                                  "(2 rows)");
}

TEST(Report, TextMultiLineCellsContinueWithPlusLikePsql) {
  Section s;
  s.title = "DDL";
  s.table = Table{{"statement", "n"}, {{text("CREATE a;\nATTACH b;"), integer(1)}}};
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Text), "R\n"
                                                               "=\n"
                                                               "\n"
                                                               "DDL\n"
                                                               "---\n"
                                                               "\n"
                                                               " statement | n\n"
                                                               "-----------+---\n"
                                                               " CREATE a;+| 1\n"
                                                               " ATTACH b; |\n"
                                                               "(1 row)");
}

TEST(Report, TextShowsControlCharactersAsSpaces) {
  Section s;
  s.title = "Tab\there";
  s.table = Table{{"a", "b"}, {{text("x\ty"), text("z\r")}}};
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Text), "R\n"
                                                               "=\n"
                                                               "\n"
                                                               "Tab here\n"
                                                               "--------\n"
                                                               "\n"
                                                               "  a  | b\n"
                                                               "-----+----\n"
                                                               " x y | z\n"
                                                               "(1 row)");
}

TEST(Report, TextColumnOfNumbersAndNullsIsRightAligned) {
  Section s;
  s.title = "T";
  s.table = Table{{"mixed", "numbers"}, {{text("a"), Cell{}}, {integer(12345), Cell{-0.5}}}};
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Text), "R\n"
                                                               "=\n"
                                                               "\n"
                                                               "T\n"
                                                               "-\n"
                                                               "\n"
                                                               " mixed | numbers\n"
                                                               "-------+---------\n"
                                                               " a     |\n"
                                                               " 12345 |    -0.5\n"
                                                               "(2 rows)");
}

TEST(Report, DoublesShowAtMostTwoDecimals) {
  Section s;
  s.title = "D";
  s.facts = {{"a", Cell{99.5}},
             {"b", Cell{12.3449}},
             {"c", Cell{100.0}},
             {"d", Cell{-0.001}},
             {"e", Cell{0.1 + 0.2}},
             {"f", Cell{123456789.126}},
             {"g", Cell{1e16}},
             {"h", Cell{std::numeric_limits<double>::quiet_NaN()}},
             {"i", Cell{-std::numeric_limits<double>::infinity()}}};
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Markdown), "# R\n"
                                                                   "\n"
                                                                   "## D\n"
                                                                   "\n"
                                                                   "- a: 99.5\n"
                                                                   "- b: 12.34\n"
                                                                   "- c: 100\n"
                                                                   "- d: 0\n"
                                                                   "- e: 0.3\n"
                                                                   "- f: 123456789.13\n"
                                                                   "- g: 1e+16\n"
                                                                   "- h: NaN\n"
                                                                   "- i: -Infinity");
}

// ---- Markdown ----

TEST(Report, MarkdownUsesHeadingsBulletsAndPipeTables) {
  EXPECT_EQ(render_report(sample(), ReportFormat::Markdown), "# pg_optimize report\n"
                                                             "\n"
                                                             "generated at: 2026-05-01 12:00:00+00\n"
                                                             "\n"
                                                             "## Tables\n"
                                                             "\n"
                                                             "Largest first.\n"
                                                             "\n"
                                                             "- tables: 2\n"
                                                             "- cache hit %: 99.5\n"
                                                             "- analyzed: yes\n"
                                                             "- owner:\n"
                                                             "\n"
                                                             "| name   | rows | ratio | ok  | comment |\n"
                                                             "| ------ | ---: | ----: | --- | ------- |\n"
                                                             "| café   | 1200 | 12.34 | yes |         |\n"
                                                             "| orders |    7 |   100 | no  | big     |\n"
                                                             "\n"
                                                             "## Missing indexes\n"
                                                             "\n"
                                                             "none\n"
                                                             "\n"
                                                             "## Settings\n"
                                                             "\n"
                                                             "- work_mem: 4MB\n"
                                                             "- jit: no");
}

TEST(Report, MarkdownEscapesPipesAndBackslashesAndBreaksLinesInCells) {
  Section s;
  s.title = "Escapes";
  s.table = Table{{"a|b", "n"}, {{text("x|y\\z\nw"), integer(1)}}};
  s.facts = {{"ddl", text("line one\nline two")}};
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Markdown), "# R\n"
                                                                   "\n"
                                                                   "## Escapes\n"
                                                                   "\n"
                                                                   "- ddl: line one\n"
                                                                   "  line two\n"
                                                                   "\n"
                                                                   "| a\\|b         |   n |\n"
                                                                   "| ------------ | --: |\n"
                                                                   "| x\\|y\\\\z<br>w |   1 |");
}

// ---- JSON ----

TEST(Report, JsonKeepsTypesAndEveryKey) {
  EXPECT_EQ(render_report(sample(), ReportFormat::Json),
            R"({"title":"pg_optimize report","generated_at":"2026-05-01 12:00:00+00","sections":[)"
            R"({"title":"Tables","note":"Largest first.",)"
            R"("facts":{"tables":2,"cache hit %":99.5,"analyzed":true,"owner":null},)"
            R"("columns":["name","rows","ratio","ok","comment"],)"
            R"("rows":[["café",1200,12.344,true,null],["orders",7,100,false,"big"]]},)"
            R"({"title":"Missing indexes","note":null,"facts":{},"columns":["table","columns"],"rows":[]},)"
            R"({"title":"Settings","note":null,"facts":{"work_mem":"4MB","jit":false},"columns":[],"rows":[]}]})");
}

TEST(Report, JsonEscapesStringsPerRfc8259) {
  Section s;
  s.title = "say \"hi\"\\now";
  s.note = "line\nnext\ttab\r\x01\x1f\b\f end";
  s.facts = {{"k\"ey", text("naïve 日本 \xF0\x9F\x98\x80 /")}};
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Json),
            R"({"title":"R","generated_at":"","sections":[{"title":"say \"hi\"\\now",)"
            R"("note":"line\nnext\ttab\r\u0001\u001f\b\f end",)"
            "\"facts\":{\"k\\\"ey\":\"naïve 日本 \xF0\x9F\x98\x80 /\"},\"columns\":[],\"rows\":[]}]}");
}

TEST(Report, JsonReplacesNulAndInvalidUtf8) {
  // jsonb refuses \u0000, and bytes that are not UTF-8 would make the document invalid JSON.
  Section s;
  s.title = std::string("a\0b", 3) + "\xE9t\xC3\x28\xED\xA0\x80";
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Json),
            R"({"title":"R","generated_at":"","sections":[{"title":"a\ufffdb\ufffdt\ufffd(\ufffd\ufffd\ufffd",)"
            R"("note":null,"facts":{},"columns":[],"rows":[]}]})");
}

TEST(Report, JsonNumbersRoundTripAndNonFiniteIsNull) {
  Section s;
  s.title = "N";
  s.table = Table{{"v"},
                  {{Cell{0.1 + 0.2}},
                   {Cell{1e-7}},
                   {Cell{1e21}},
                   {Cell{-0.0}},
                   {Cell{std::numeric_limits<double>::quiet_NaN()}},
                   {Cell{std::numeric_limits<double>::infinity()}},
                   {integer(std::numeric_limits<std::int64_t>::min())},
                   {integer(std::numeric_limits<std::int64_t>::max())}}};
  EXPECT_EQ(render_report(one_section(s), ReportFormat::Json),
            R"({"title":"R","generated_at":"","sections":[{"title":"N","note":null,"facts":{},"columns":["v"],)"
            R"("rows":[[0.30000000000000004],[1e-07],[1e+21],[-0],[null],[null],)"
            R"([-9223372036854775808],[9223372036854775807]]}]})");
}

TEST(Report, EmptyReportInEveryFormat) {
  Report r;
  r.title = "Empty";
  EXPECT_EQ(render_report(r, ReportFormat::Text), "Empty\n=====");
  EXPECT_EQ(render_report(r, ReportFormat::Markdown), "# Empty");
  EXPECT_EQ(render_report(r, ReportFormat::Json), R"({"title":"Empty","generated_at":"","sections":[]})");
}

// ---- shape ----

TEST(Report, RowWithWrongCellCountIsAnInternalError) {
  Section s;
  s.title = "Bad";
  s.table = Table{{"a", "b"}, {{integer(1), integer(2)}, {integer(3)}}};
  for (ReportFormat f : {ReportFormat::Text, ReportFormat::Markdown, ReportFormat::Json}) {
    try {
      render_report(one_section(s), f);
      FAIL() << "rendered a short row";
    } catch (const pgo::Error &e) {
      EXPECT_EQ(e.sqlstate(), pgo::sqlstate::kInternalError);
      EXPECT_EQ(e.message(), "report section \"Bad\": row 2 has 1 cells for 2 columns");
    }
  }
}

} // namespace

// Sizes and shares read as people write them in text and Markdown; JSON keeps the numbers.
TEST(Report, UnitsShowHumanSizesAndRoundedPercentages) {
  Report report;
  report.title = "t";
  Section s;
  s.title = "s";
  s.facts = {Fact{"database_bytes", Cell{std::int64_t{1536 * 1024}}, pgo::core::Unit::Bytes},
             Fact{"cache_hit_pct", Cell{99.87654321012345}, pgo::core::Unit::Percent},
             Fact{"plain", Cell{99.87654321012345}}};
  s.table = Table{{"index", "bytes", "dead %"},
                  {{Cell{std::string("i")}, Cell{std::int64_t{8192}}, Cell{12.345678}}},
                  {pgo::core::Unit::None, pgo::core::Unit::Bytes, pgo::core::Unit::Percent}};
  report.sections.push_back(s);
  const std::string text = render_report(report, ReportFormat::Text);
  EXPECT_NE(text.find("database_bytes: 1.5 MB"), std::string::npos) << text;
  EXPECT_NE(text.find("cache_hit_pct:  99.9%"), std::string::npos) << text;
  EXPECT_NE(text.find("plain:          99.88"), std::string::npos) << text;
  EXPECT_NE(text.find("8 kB"), std::string::npos) << text;
  EXPECT_NE(text.find("12.3%"), std::string::npos) << text;
  const std::string markdown = render_report(report, ReportFormat::Markdown);
  EXPECT_NE(markdown.find("12.3%"), std::string::npos) << markdown;
  const std::string json = render_report(report, ReportFormat::Json);
  EXPECT_NE(json.find("1572864"), std::string::npos) << json;
  EXPECT_EQ(json.find("kB"), std::string::npos) << json;
}
