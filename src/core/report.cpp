#include "core/report.hpp"

#include "core/error.hpp"
#include "core/units.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace pgo::core {
namespace {

// ---- UTF-8 ----

bool is_continuation(unsigned char b, unsigned char lo = 0x80, unsigned char hi = 0xBF) { return b >= lo && b <= hi; }

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when the bytes there are not one (stray
// continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  const unsigned char b = at(0);
  if (b < 0x80)
    return 1;
  if (b >= 0xC2 && b <= 0xDF)
    return is_continuation(at(1)) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    const unsigned char lo = b == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b == 0xED ? 0x9F : 0xBF;
    return is_continuation(at(1), lo, hi) && is_continuation(at(2)) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const unsigned char lo = b == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b == 0xF4 ? 0x8F : 0xBF;
    return is_continuation(at(1), lo, hi) && is_continuation(at(2)) && is_continuation(at(3)) ? 4 : 0;
  }
  return 0;
}

// Display width in code points. A byte that starts no valid sequence counts as one, so text in a single-byte encoding
// still lines up.
std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size(); ++width) {
    const std::size_t len = utf8_sequence_length(s, i);
    i += len == 0 ? 1 : len;
  }
  return width;
}

// ---- plain-text helpers shared by text and Markdown ----

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }

// A tab or another control character would break the alignment (and NUL would cut the text datum short): show it as
// a space. Newlines stay where a value may span lines.
std::string printable(std::string_view s, bool keep_newlines) {
  std::string out(s);
  for (char &c : out)
    if (is_control(c) && !(keep_newlines && c == '\n'))
      c = ' ';
  return out;
}

std::string one_line(std::string_view s) { return printable(s, false); }

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.find('\n', start)) != std::string_view::npos; start = nl + 1)
    lines.emplace_back(s.substr(start, nl - start));
  lines.emplace_back(s.substr(start));
  return lines;
}

std::string rstrip(std::string s) {
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

std::string pad_right(const std::string &s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + repeat(' ', width - w);
}

std::string pad_left(const std::string &s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : repeat(' ', width - w) + s;
}

// As psql centres column headers: the odd space goes to the right.
std::string centre(const std::string &s, std::size_t width) {
  const std::size_t w = display_width(s);
  if (w >= width)
    return s;
  const std::size_t left = (width - w) / 2;
  return repeat(' ', left) + s + repeat(' ', width - w - left);
}

// At most 2 decimals, trailing zeros dropped (99.5, 12.34, 100). Past 1e15 the fixed form would only show digits
// that are noise, so such magnitudes use the shortest form, exponent included.
std::string display_double(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "Infinity" : "-Infinity";
  if (std::fabs(v) >= 1e15)
    return fmt::format("{}", v);
  std::string s = fmt::format("{:.2f}", v);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.')
    s.pop_back();
  return s == "-0" ? "0" : s;
}

// The value as shown in text and Markdown for a unit: sizes as pg_size_pretty would print them, shares rounded.
std::string display_cell(const Cell &cell, Unit unit);

bool is_number(const Cell &cell) {
  return std::holds_alternative<std::int64_t>(cell) || std::holds_alternative<double>(cell);
}

// The value as shown in text and Markdown, newlines kept.
std::string display_cell(const Cell &cell) {
  struct Visitor {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(bool b) const { return b ? "yes" : "no"; }
    std::string operator()(std::int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const { return display_double(d); }
    std::string operator()(const std::string &s) const { return printable(s, true); }
  };
  return std::visit(Visitor{}, cell);
}

std::string display_cell(const Cell &cell, Unit unit) {
  const auto *i = std::get_if<std::int64_t>(&cell);
  const auto *d = std::get_if<double>(&cell);
  if (unit == Unit::Bytes && (i != nullptr || (d != nullptr && std::isfinite(*d))))
    return pretty_bytes(i != nullptr ? *i : static_cast<std::int64_t>(std::llround(*d)));
  if (unit == Unit::Percent && (i != nullptr || (d != nullptr && std::isfinite(*d))))
    return fmt::format("{:.1f}%", i != nullptr ? static_cast<double>(*i) : *d);
  return display_cell(cell);
}

Unit unit_of(const Table &table, std::size_t column) {
  return column < table.units.size() ? table.units[column] : Unit::None;
}

// A column is right-aligned when it holds numbers and nothing else but NULLs.
std::vector<bool> numeric_columns(const Table &table) {
  std::vector<bool> numeric(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    bool any_number = false, only_numbers = true;
    for (const auto &row : table.rows) {
      if (std::holds_alternative<std::monostate>(row[c]))
        continue;
      any_number = any_number || is_number(row[c]);
      only_numbers = only_numbers && is_number(row[c]);
    }
    numeric[c] = any_number && only_numbers;
  }
  return numeric;
}

std::string rows_footer(std::size_t n) { return n == 1 ? "(1 row)" : fmt::format("({} rows)", n); }

// A short row would make every renderer read past its end: a bug in the code that filled the report, not bad input.
void check_shape(const Report &report) {
  for (const Section &section : report.sections) {
    if (!section.table)
      continue;
    const Table &table = *section.table;
    for (std::size_t r = 0; r < table.rows.size(); ++r)
      if (table.rows[r].size() != table.columns.size())
        throw Error(sqlstate::kInternalError,
                    fmt::format("report section \"{}\": row {} has {} cells for {} columns", section.title, r + 1,
                                table.rows[r].size(), table.columns.size()));
    if (table.columns.empty() && !table.rows.empty())
      throw Error(sqlstate::kInternalError,
                  fmt::format("report section \"{}\": table rows without columns", section.title));
  }
}

// ---- text ----

void text_facts(const std::vector<Fact> &facts, std::vector<std::string> &out) {
  std::size_t key_width = 0;
  for (const Fact &f : facts)
    key_width = std::max(key_width, display_width(one_line(f.key)));
  for (const Fact &f : facts) {
    const std::vector<std::string> lines = split_lines(display_cell(f.value, f.unit));
    out.push_back(pad_right(one_line(f.key) + ":", key_width + 2) + lines[0]);
    for (std::size_t i = 1; i < lines.size(); ++i)
      out.push_back(repeat(' ', key_width + 2) + lines[i]);
  }
}

// psql's aligned format with its default border 1: " a | b ", a rule of '-' and '+', and a '+' in place of the
// space after a cell that goes on to another line.
void text_table(const Table &table, std::vector<std::string> &out) {
  if (table.rows.empty()) {
    out.emplace_back("none");
    return;
  }
  const std::size_t ncols = table.columns.size();
  const std::vector<bool> numeric = numeric_columns(table);
  std::vector<std::string> headers(ncols);
  std::vector<std::size_t> widths(ncols);
  for (std::size_t c = 0; c < ncols; ++c) {
    headers[c] = one_line(table.columns[c]);
    widths[c] = display_width(headers[c]);
  }
  std::vector<std::vector<std::vector<std::string>>> cells; // row, column, line
  for (const auto &row : table.rows) {
    auto &split = cells.emplace_back();
    for (std::size_t c = 0; c < ncols; ++c) {
      split.push_back(split_lines(display_cell(row[c], unit_of(table, c))));
      for (const std::string &line : split.back())
        widths[c] = std::max(widths[c], display_width(line));
    }
  }

  std::string header, rule;
  for (std::size_t c = 0; c < ncols; ++c) {
    header += fmt::format("{} {} ", c == 0 ? "" : "|", centre(headers[c], widths[c]));
    rule += (c == 0 ? "" : "+") + repeat('-', widths[c] + 2);
  }
  out.push_back(header);
  out.push_back(rule);
  for (const auto &row : cells) {
    std::size_t height = 0;
    for (const auto &lines : row)
      height = std::max(height, lines.size());
    for (std::size_t l = 0; l < height; ++l) {
      std::string line;
      for (std::size_t c = 0; c < ncols; ++c) {
        const std::string text = l < row[c].size() ? row[c][l] : std::string();
        const bool more = l + 1 < row[c].size();
        line += fmt::format("{} {}{}", c == 0 ? "" : "|",
                            numeric[c] ? pad_left(text, widths[c]) : pad_right(text, widths[c]), more ? '+' : ' ');
      }
      out.push_back(line);
    }
  }
  out.push_back(rows_footer(table.rows.size()));
}

std::string render_text(const Report &report) {
  std::vector<std::string> out;
  const std::string title = one_line(report.title);
  out.push_back(title);
  out.push_back(repeat('=', display_width(title)));
  if (!report.generated_at.empty())
    out.push_back("generated at: " + one_line(report.generated_at));
  for (const Section &section : report.sections) {
    const std::string section_title = one_line(section.title);
    out.emplace_back();
    out.push_back(section_title);
    out.push_back(repeat('-', display_width(section_title)));
    if (!section.note.empty()) {
      out.emplace_back();
      for (std::string &line : split_lines(printable(section.note, true)))
        out.push_back(std::move(line));
    }
    if (!section.facts.empty()) {
      out.emplace_back();
      text_facts(section.facts, out);
    }
    if (section.table) {
      out.emplace_back();
      text_table(*section.table, out);
    }
  }
  for (std::string &line : out)
    line = rstrip(std::move(line));
  return fmt::format("{}", fmt::join(out, "\n"));
}

// ---- Markdown ----

// A pipe ends the cell unless escaped, and so does a backslash that would escape the escaping one; a newline ends the
// row, so it becomes a <br>, which GitHub renders inside a cell.
std::string markdown_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\')
      out += '\\';
    if (c == '\n')
      out += "<br>";
    else
      out += is_control(c) ? ' ' : c;
  }
  return out;
}

void markdown_table(const Table &table, std::vector<std::string> &out) {
  if (table.rows.empty()) {
    out.emplace_back("none");
    return;
  }
  const std::size_t ncols = table.columns.size();
  const std::vector<bool> numeric = numeric_columns(table);
  std::vector<std::vector<std::string>> grid; // header row first
  grid.emplace_back();
  for (const std::string &column : table.columns)
    grid[0].push_back(markdown_cell(one_line(column)));
  for (const auto &row : table.rows) {
    auto &cells = grid.emplace_back();
    for (std::size_t c = 0; c < row.size(); ++c)
      cells.push_back(markdown_cell(display_cell(row[c], unit_of(table, c))));
  }
  // Padded so the source reads as a table too; three is the shortest delimiter cell.
  std::vector<std::size_t> widths(ncols, 3);
  for (const auto &cells : grid)
    for (std::size_t c = 0; c < ncols; ++c)
      widths[c] = std::max(widths[c], display_width(cells[c]));

  const auto line = [&](const std::vector<std::string> &cells) {
    std::vector<std::string> padded;
    for (std::size_t c = 0; c < ncols; ++c)
      padded.push_back(numeric[c] ? pad_left(cells[c], widths[c]) : pad_right(cells[c], widths[c]));
    return fmt::format("| {} |", fmt::join(padded, " | "));
  };
  out.push_back(line(grid[0]));
  std::vector<std::string> delimiters;
  for (std::size_t c = 0; c < ncols; ++c)
    delimiters.push_back(numeric[c] ? repeat('-', widths[c] - 1) + ":" : repeat('-', widths[c]));
  out.push_back(line(delimiters));
  for (std::size_t r = 1; r < grid.size(); ++r)
    out.push_back(line(grid[r]));
}

std::string render_markdown(const Report &report) {
  std::vector<std::string> out;
  out.push_back("# " + one_line(report.title));
  if (!report.generated_at.empty()) {
    out.emplace_back();
    out.push_back("generated at: " + one_line(report.generated_at));
  }
  for (const Section &section : report.sections) {
    out.emplace_back();
    out.push_back("## " + one_line(section.title));
    if (!section.note.empty()) {
      out.emplace_back();
      for (std::string &line : split_lines(printable(section.note, true)))
        out.push_back(std::move(line));
    }
    if (!section.facts.empty()) {
      out.emplace_back();
      for (const Fact &f : section.facts) {
        // Continuation lines indented to stay inside the list item.
        const std::vector<std::string> lines = split_lines(display_cell(f.value, f.unit));
        out.push_back(fmt::format("- {}: {}", one_line(f.key), lines[0]));
        for (std::size_t i = 1; i < lines.size(); ++i)
          out.push_back("  " + lines[i]);
      }
    }
    if (section.table) {
      out.emplace_back();
      markdown_table(*section.table, out);
    }
  }
  for (std::string &line : out)
    line = rstrip(std::move(line));
  return fmt::format("{}", fmt::join(out, "\n"));
}

// ---- JSON ----

// RFC 8259 string, with the short escapes PostgreSQL's escape_json uses. Two substitutions keep the document
// loadable as jsonb: NUL, which jsonb refuses even as \u0000, and bytes that are not UTF-8 become U+FFFD.
void json_string(std::string_view s, std::string &out) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s, i, len);
      i += len;
      continue;
    }
    const char c = s[i++];
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\0':
      out += "\\ufffd";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20)
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
      else
        out += c;
    }
  }
  out += '"';
}

void json_cell(const Cell &cell, std::string &out) {
  struct Visitor {
    std::string &out;
    void operator()(std::monostate) const { out += "null"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(std::int64_t i) const { out += fmt::format("{}", i); }
    // Shortest form that reads back as the same double; JSON has no NaN or Infinity.
    void operator()(double d) const { out += std::isfinite(d) ? fmt::format("{}", d) : "null"; }
    void operator()(const std::string &s) const { json_string(s, out); }
  };
  std::visit(Visitor{out}, cell);
}

std::string render_json(const Report &report) {
  std::string out = "{\"title\":";
  json_string(report.title, out);
  out += ",\"generated_at\":";
  json_string(report.generated_at, out);
  out += ",\"sections\":[";
  for (std::size_t s = 0; s < report.sections.size(); ++s) {
    const Section &section = report.sections[s];
    out += s == 0 ? "{\"title\":" : ",{\"title\":";
    json_string(section.title, out);
    out += ",\"note\":";
    if (section.note.empty())
      out += "null";
    else
      json_string(section.note, out);
    out += ",\"facts\":{";
    for (std::size_t f = 0; f < section.facts.size(); ++f) {
      if (f > 0)
        out += ',';
      json_string(section.facts[f].key, out);
      out += ':';
      json_cell(section.facts[f].value, out);
    }
    out += "},\"columns\":[";
    if (section.table)
      for (std::size_t c = 0; c < section.table->columns.size(); ++c) {
        if (c > 0)
          out += ',';
        json_string(section.table->columns[c], out);
      }
    out += "],\"rows\":[";
    if (section.table)
      for (std::size_t r = 0; r < section.table->rows.size(); ++r) {
        out += r == 0 ? "[" : ",[";
        const auto &row = section.table->rows[r];
        for (std::size_t c = 0; c < row.size(); ++c) {
          if (c > 0)
            out += ',';
          json_cell(row[c], out);
        }
        out += ']';
      }
    out += "]}";
  }
  out += "]}";
  return out;
}

} // namespace

ReportFormat parse_report_format(std::string_view name) {
  // ASCII folding only: the accepted names are ASCII, and the server's locale has no say here.
  std::string folded(name);
  for (char &c : folded)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  if (folded == "text")
    return ReportFormat::Text;
  if (folded == "markdown")
    return ReportFormat::Markdown;
  if (folded == "json")
    return ReportFormat::Json;
  throw Error(sqlstate::kInvalidParameterValue, fmt::format("unrecognized report format \"{}\"", name), {},
              "format must be one of: text, markdown, json");
}

std::string render_report(const Report &report, ReportFormat format) {
  check_shape(report);
  switch (format) {
  case ReportFormat::Text:
    return render_text(report);
  case ReportFormat::Markdown:
    return render_markdown(report);
  case ReportFormat::Json:
    return render_json(report);
  }
  throw Error(sqlstate::kInternalError, "unknown report format");
}

void append_json_string(std::string_view text, std::string &out) { json_string(text, out); }

} // namespace pgo::core
