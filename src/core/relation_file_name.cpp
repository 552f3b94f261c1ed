#include "core/relation_file_name.hpp"

namespace pgo::core {
namespace {

// Reads a run of decimal digits at the front of `text` (no sign, no leading '+'), at most `max`. Leaves `text` after
// the digits.
std::optional<std::uint64_t> take_number(std::string_view &text, std::uint64_t max) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (value > max)
      return std::nullopt;
    i++;
  }
  if (i == 0)
    return std::nullopt;
  text.remove_prefix(i);
  return value;
}

// Writes `value` in decimal at `out`; returns the position after it.
char *put_number(char *out, std::uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0)
    *out++ = digits[--n];
  return out;
}

} // namespace

std::size_t format_relation_file_name(const RelationFileName &file, char (&out)[kRelationFileNameSize]) {
  char *at = out;
  if (file.backend >= 0) {
    *at++ = 't';
    at = put_number(at, static_cast<std::uint64_t>(file.backend) & 0x7fffffff);
    *at++ = '_';
  }
  at = put_number(at, file.filenode);
  const char *suffix = "";
  switch (file.fork) {
  case RelationFork::FreeSpaceMap:
    suffix = "_fsm";
    break;
  case RelationFork::VisibilityMap:
    suffix = "_vm";
    break;
  case RelationFork::Init:
    suffix = "_init";
    break;
  case RelationFork::Main:
    break;
  }
  while (*suffix != '\0')
    *at++ = *suffix++;
  if (file.segment > 0) {
    *at++ = '.';
    at = put_number(at, file.segment);
  }
  *at = '\0';
  return static_cast<std::size_t>(at - out);
}

std::optional<RelationFileName> parse_relation_file_name(std::string_view name) {
  RelationFileName file;
  if (!name.empty() && name.front() == 't') {
    name.remove_prefix(1);
    const std::optional<std::uint64_t> backend = take_number(name, 0x7fffffff);
    if (!backend || name.empty() || name.front() != '_')
      return std::nullopt;
    name.remove_prefix(1);
    file.backend = static_cast<std::int64_t>(*backend);
  }
  const std::optional<std::uint64_t> node = take_number(name, 0xffffffffu);
  if (!node || *node == 0)
    return std::nullopt;
  file.filenode = static_cast<std::uint32_t>(*node);
  if (!name.empty() && name.front() == '_') {
    name.remove_prefix(1);
    const std::size_t end = name.find('.');
    const std::string_view fork = name.substr(0, end);
    if (fork == "fsm")
      file.fork = RelationFork::FreeSpaceMap;
    else if (fork == "vm")
      file.fork = RelationFork::VisibilityMap;
    else if (fork == "init")
      file.fork = RelationFork::Init;
    else
      return std::nullopt;
    name.remove_prefix(fork.size());
  }
  if (!name.empty() && name.front() == '.') {
    name.remove_prefix(1);
    const std::optional<std::uint64_t> segment = take_number(name, 0xffffffffu);
    if (!segment || *segment == 0)
      return std::nullopt; // the first segment has no suffix
    file.segment = static_cast<std::uint32_t>(*segment);
  }
  if (!name.empty())
    return std::nullopt;
  return file;
}

} // namespace pgo::core
