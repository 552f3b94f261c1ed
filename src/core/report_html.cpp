#include "core/report_html.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/chart.hpp"
#include "core/error.hpp"

namespace pgo::core {
namespace {

using chart::escape_xml;

constexpr const char *kStyle = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a202c; margin: 0;
       background: #f7fafc; }
header { background: #2a4365; color: #fff; padding: 16px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; opacity: .8; }
nav { padding: 8px 32px; background: #ebf4ff; font-size: 13px; }
nav a { margin-right: 12px; color: #2b6cb0; text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1100px; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; margin: 16px 0; padding: 12px 20px; }
h2 { font-size: 17px; margin: 4px 0 10px; color: #2a4365; }
p.note { color: #4a5568; font-size: 13px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 14px; }
dt { color: #4a5568; } dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th { text-align: left; background: #edf2f7; padding: 4px 8px; }
td { border-top: 1px solid #e2e8f0; padding: 4px 8px; vertical-align: top; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { font-size: 12px; white-space: pre-wrap; }
tr.critical td { background: #fff5f5; } tr.warning td { background: #fffff0; }
p.none { color: #718096; font-style: italic; }
div.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 0 16px; }
figure { margin: 8px 0 16px; } figure svg { width: 100%; max-width: 720px; height: auto; }
)";

// Whole numbers without decimals (most metrics are counts), others with two; NaN and infinities empty.
std::string number_text(double d) {
  if (!std::isfinite(d))
    return "";
  if (d == std::floor(d) && std::fabs(d) < 1e15)
    return fmt::format("{:.0f}", d);
  return fmt::format("{:.2f}", d);
}

bool is_code_column(const std::string &name) {
  return name == "sql" || name == "fix" || name == "query" || name == "ddl" || name == "statement";
}

std::string cell_html(const Cell &cell, bool code) {
  if (std::holds_alternative<std::monostate>(cell))
    return "<td></td>";
  if (const bool *b = std::get_if<bool>(&cell))
    return std::string("<td>") + (*b ? "yes" : "no") + "</td>";
  if (const std::int64_t *i = std::get_if<std::int64_t>(&cell))
    return fmt::format("<td class=\"num\">{}</td>", *i);
  if (const double *d = std::get_if<double>(&cell))
    return "<td class=\"num\">" + number_text(*d) + "</td>";
  const std::string text = escape_xml(std::get<std::string>(cell));
  return code ? "<td><code>" + text + "</code></td>" : "<td>" + text + "</td>";
}

std::string fact_value(const Cell &cell) {
  if (std::holds_alternative<std::monostate>(cell))
    return "";
  if (const bool *b = std::get_if<bool>(&cell))
    return *b ? "yes" : "no";
  if (const std::int64_t *i = std::get_if<std::int64_t>(&cell))
    return std::to_string(*i);
  if (const double *d = std::get_if<double>(&cell))
    return number_text(*d);
  return escape_xml(std::get<std::string>(cell));
}

std::string anchor(std::size_t i) { return "s" + std::to_string(i + 1); }

std::string section_html(const Section &s, const std::string &id, const std::vector<const Figure *> &figures) {
  std::string out = "<section id=\"" + id + "\">\n<h2>" + escape_xml(s.title) + "</h2>\n";
  if (!s.note.empty())
    out += "<p class=\"note\">" + escape_xml(s.note) + "</p>\n";
  if (!figures.empty()) {
    out += figures.size() > 1 ? "<div class=\"figures\">\n" : "<div>\n"; // several: side by side
    for (const Figure *f : figures)
      out += "<figure>\n" + f->svg + "</figure>\n";
    out += "</div>\n";
  }
  if (!s.facts.empty()) {
    out += "<dl>\n";
    for (const Fact &f : s.facts)
      out += "<dt>" + escape_xml(f.key) + "</dt><dd>" + fact_value(f.value) + "</dd>\n";
    out += "</dl>\n";
  }
  if (s.table) {
    const Table &t = *s.table;
    if (t.rows.empty()) {
      out += "<p class=\"none\">none</p>\n";
    } else {
      std::size_t severity = t.columns.size();
      out += "<table>\n<tr>";
      for (std::size_t c = 0; c < t.columns.size(); c++) {
        out += "<th>" + escape_xml(t.columns[c]) + "</th>";
        if (t.columns[c] == "severity")
          severity = c;
      }
      out += "</tr>\n";
      for (const auto &row : t.rows) {
        if (row.size() != t.columns.size())
          throw Error(sqlstate::kInternalError, "report table row with " + std::to_string(row.size()) +
                                                    " cells under " + std::to_string(t.columns.size()) + " columns");
        std::string cls;
        if (severity < row.size())
          if (const auto *v = std::get_if<std::string>(&row[severity]); v && (*v == "critical" || *v == "warning"))
            cls = " class=\"" + *v + "\"";
        out += "<tr" + cls + ">";
        for (std::size_t c = 0; c < row.size(); c++)
          out += cell_html(row[c], is_code_column(t.columns[c]));
        out += "</tr>\n";
      }
      out += "</table>\n";
    }
  }
  return out + "</section>\n";
}

} // namespace

std::string render_html(const Report &report, const std::vector<Figure> &figures,
                        const std::vector<ExtraSection> &extra) {
  // The page's sections in order: the report's, with the extra ones inserted, then figures without a section.
  std::vector<Section> sections;
  std::vector<bool> placed(extra.size(), false);
  for (const Section &s : report.sections) {
    for (std::size_t e = 0; e < extra.size(); e++)
      if (!placed[e] && extra[e].before == s.title) {
        sections.push_back(extra[e].section);
        placed[e] = true;
      }
    sections.push_back(s);
  }
  for (std::size_t e = 0; e < extra.size(); e++)
    if (!placed[e])
      sections.push_back(extra[e].section);
  std::vector<const Figure *> orphans;
  for (const Figure &f : figures) {
    bool found = false;
    for (const Section &s : sections)
      found = found || s.title == f.section;
    if (!found)
      orphans.push_back(&f);
  }
  for (const Figure *f : orphans) {
    bool listed = false;
    for (const Section &s : sections)
      listed = listed || s.title == f->section;
    if (!listed) {
      Section s;
      s.title = f->section;
      sections.push_back(std::move(s));
    }
  }

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'; img-src data:\">\n<title>" +
                    escape_xml(report.title) + "</title>\n<style>" + kStyle +
                    "</style>\n</head>\n<body>\n<header>\n<h1>" + escape_xml(report.title) + "</h1>\n";
  if (!report.generated_at.empty())
    out += "<p>generated " + escape_xml(report.generated_at) + "</p>\n";
  out += "</header>\n<nav>";
  for (std::size_t i = 0; i < sections.size(); i++)
    out += "<a href=\"#" + anchor(i) + "\">" + escape_xml(sections[i].title) + "</a>";
  out += "</nav>\n<main>\n";
  for (std::size_t i = 0; i < sections.size(); i++) {
    std::vector<const Figure *> mine;
    for (const Figure &f : figures)
      if (f.section == sections[i].title)
        mine.push_back(&f);
    out += section_html(sections[i], anchor(i), mine);
  }
  return out + "</main>\n</body>\n</html>\n";
}

std::optional<ReportFormat> parse_report_format_or_html(std::string_view name) {
  std::string folded(name);
  for (char &c : folded)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  if (folded == "html")
    return std::nullopt;
  try {
    return parse_report_format(name);
  } catch (const Error &e) {
    throw Error(e.sqlstate(), e.message(), e.detail(), "format must be one of: text, markdown, json, html");
  }
}

} // namespace pgo::core
