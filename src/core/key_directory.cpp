#include "core/key_directory.hpp"

namespace pgo::core {

unsigned KeyDirectory::shift_for(std::uint64_t span, std::size_t count) {
  const std::uint64_t most = count / 4 > 0 ? count / 4 : 1;
  unsigned shift = 0;
  while (bucket_count(span, shift) > most)
    shift++;
  return shift;
}

} // namespace pgo::core
