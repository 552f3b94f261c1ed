#include "core/index_name_label.hpp"

namespace pgo::core {

bool ends_with_index_label(std::string_view name, std::string_view label) {
  std::size_t end = name.size();
  while (end > 0 && name[end - 1] >= '0' && name[end - 1] <= '9')
    end--;
  const std::string_view stem = name.substr(0, end);
  return stem.size() > label.size() && stem.substr(stem.size() - label.size()) == label &&
         stem[stem.size() - label.size() - 1] == '_';
}

} // namespace pgo::core
