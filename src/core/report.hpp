// The full performance report, optimize.report(format), rendered from a plain data model as text, Markdown or JSON.
//
// PostgreSQL-free: the health readers fill a Report; this file only lays it out. Cells keep their type so JSON gets
// numbers as numbers, null as null and booleans as true/false, and so text and Markdown can right-align numbers.
// Strings are taken as UTF-8 (widths are counted in code points); invalid bytes count as one character each.
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pgo::core {

// std::monostate is SQL NULL. Construct from the exact type wanted: Cell{std::int64_t{n}}, Cell{2.5},
// Cell{std::string(...)}; unsigned sizes need a cast, since a narrowing conversion does not pick an alternative.
using Cell = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

// How text and Markdown show a number for people: Bytes as "1.5 MB", Percent rounded to one decimal with "%".
// JSON always keeps the number itself.
enum class Unit { None, Bytes, Percent };

struct Fact {
  std::string key; // should be unique within its section: JSON makes the facts one object
  Cell value;
  Unit unit = Unit::None;
};

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows; // every row has one cell per column
  std::vector<Unit> units;             // per column; empty, or shorter than columns: Unit::None for the rest
};

struct Section {
  std::string title;
  std::string note;           // one paragraph; empty for none
  std::vector<Fact> facts;    // in display order
  std::optional<Table> table; // an empty table renders as "none" (JSON: []), no table renders nothing
};

struct Report {
  std::string title;
  std::string generated_at; // shown as given; empty to leave it out of text and Markdown
  std::vector<Section> sections;
};

enum class ReportFormat { Text, Markdown, Json };

// "text", "markdown" or "json", in any letter case. Anything else throws pgo::Error with SQLSTATE 22023. Separate
// from rendering so the SQL function can reject a bad format before it gathers any data.
ReportFormat parse_report_format(std::string_view name);

// Text: for psql, tables laid out like psql's aligned format (headers centred, text left, numbers right, NULL empty,
// "(n rows)" footer), titles underlined, no trailing blanks on any line. Markdown: GitHub flavour, pipe tables.
// Both show booleans as yes/no, doubles with at most 2 decimals, and numbers with a Unit in human form. JSON: {"title",
// "generated_at", "sections":
// [{"title", "note", "facts", "columns", "rows"}]} with every key always present (note null when empty, facts {} and
// columns/rows [] when absent), doubles that round-trip, NaN and infinities as null. No format ends with a newline.
// Throws pgo::Error (XX000) when a table row's cell count differs from its column count.
std::string render_report(const Report &report, ReportFormat format);

// Appends `text` as a JSON string (quoted and escaped; NUL and invalid UTF-8 become U+FFFD, so jsonb accepts it).
void append_json_string(std::string_view text, std::string &out);

} // namespace pgo::core
