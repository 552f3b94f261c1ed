#include "core/hypothetical_inputs.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/error.hpp"

namespace pgo::core {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

[[noreturn]] void refuse(std::size_t entry, std::string_view text, const std::string &why) {
  throw Error(sqlstate::kInvalidParameterValue,
              "entry " + std::to_string(entry) + " (\"" + std::string(text) + "\") " + why, "",
              "Write PAGES/TREE_HEIGHT or PAGES/TREE_HEIGHT/TUPLES per index, separated by commas; leave an entry "
              "empty for pg_optimize's own estimates.");
}

// A finite number within [low, high], all of `field` (strtod's syntax, so no thousands separators).
double number(std::string_view field, double low, double high, std::size_t entry, std::string_view text,
              const char *what) {
  const std::string s(trimmed(field));
  char *end = nullptr;
  errno = 0;
  const double value = s.empty() ? NAN : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno != 0 || !std::isfinite(value))
    refuse(entry, text, std::string("has no number for ") + what);
  if (value < low || value > high)
    refuse(entry, text, std::string("has ") + what + " out of range");
  return value;
}

IndexInputs parse_entry(std::string_view text, std::size_t entry) {
  IndexInputs in;
  if (trimmed(text).empty())
    return in;
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t slash = text.find('/');; slash = text.find('/', start)) {
    fields.push_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  if (fields.size() != 2 && fields.size() != 3)
    refuse(entry, text, "needs two or three numbers");
  in.given = true;
  in.pages = number(fields[0], 0, 4294967295.0, entry, text, "pages");
  if (in.pages != std::floor(in.pages))
    refuse(entry, text, "has a fraction of a page");
  const double height = number(fields[1], -1, kMaxTreeHeight, entry, text, "the tree height");
  if (height != std::floor(height))
    refuse(entry, text, "has a fractional tree height");
  in.tree_height = static_cast<int>(height);
  if (fields.size() == 3)
    in.tuples = number(fields[2], 0, 1e15, entry, text, "tuples");
  return in;
}

} // namespace

std::vector<IndexInputs> parse_index_inputs(std::string_view text) {
  std::vector<IndexInputs> out;
  if (trimmed(text).empty())
    return out;
  std::size_t start = 0;
  for (std::size_t comma = text.find(',');; comma = text.find(',', start)) {
    if (out.size() == kMaxIndexInputs)
      throw Error(sqlstate::kInvalidParameterValue, "more than " + std::to_string(kMaxIndexInputs) + " entries", "",
                  "Give inputs for at most that many hypothetical indexes.");
    const std::string_view entry =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    out.push_back(parse_entry(entry, out.size() + 1));
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return out;
}

} // namespace pgo::core
