// optimize.report('html'): the report as one self-contained HTML page (inline CSS and SVG; no script, no external
// fetch of any kind), with charts placed in the sections they illustrate.
//
// PostgreSQL-free. Every text of the report (titles, notes, cells: object names and query texts are untrusted) is
// escaped with chart::escape_xml; only the figures' SVG, which chart::svg() builds and escapes itself, goes in as is.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/report.hpp"

namespace pgo::core {

struct Figure {
  std::string section; // title of the report section it illustrates; no such section: one of its own at the end
  std::string svg;     // from chart::svg()
};

// Extra sections that only the HTML page shows (e.g. a view found at run time), placed before `before`, the title of
// a report section (empty or not found: at the end).
struct ExtraSection {
  Section section;
  std::string before;
};

std::string render_html(const Report &report, const std::vector<Figure> &figures,
                        const std::vector<ExtraSection> &extra = {});

// "html" in any letter case: nullopt. Otherwise parse_report_format(name), whose error for an unknown name gets a
// hint that lists html too.
std::optional<ReportFormat> parse_report_format_or_html(std::string_view name);

} // namespace pgo::core
