#include "core/gin_size.hpp"

#include <algorithm>
#include <cmath>

namespace pgo::core {
namespace {

constexpr double kBytesPerEntry = 2.0;
constexpr double kPageHeader = 24, kGinSpecial = 8;
// jsonb: a 4-byte header, then per key/value pair two 4-byte JEntries, the key's text and the value (a short string
// or a numeric): about 20 bytes a pair.
constexpr double kJsonbHeader = 4, kJsonbPairBytes = 20;
// English prose: a word of five letters and a space, about two words in five stop words: a lexeme per 10 bytes.
constexpr double kTextBytesPerLexeme = 10;
// A stored tsvector: a 4-byte WordEntry, the lexeme and a position or two per lexeme.
constexpr double kTsVectorBytesPerLexeme = 12;
// An array: a 16 to 24-byte header, then the elements; 6 bytes an element splits the difference between int4 and
// short texts.
constexpr double kArrayHeader = 20, kArrayElementBytes = 6;

} // namespace

double gin_entries_per_row(GinKeys keys, double width) {
  const double w = std::max(width, 0.0);
  double entries = 1;
  switch (keys) {
  case GinKeys::JsonbKeysAndValues:
    entries = 2 * (w - kJsonbHeader) / kJsonbPairBytes;
    break;
  case GinKeys::JsonbPaths:
    entries = (w - kJsonbHeader) / kJsonbPairBytes;
    break;
  case GinKeys::TextWords:
    entries = w / kTextBytesPerLexeme;
    break;
  case GinKeys::TsVector:
    entries = w / kTsVectorBytesPerLexeme;
    break;
  case GinKeys::ArrayElements:
    entries = (w - kArrayHeader) / kArrayElementBytes;
    break;
  case GinKeys::Trigrams:
    entries = w; // about one trigram per character, the padded word ends included
    break;
  case GinKeys::Other:
    break;
  }
  return std::max(entries, 1.0);
}

IndexSize estimate_gin_index_size(double tuples, double entries_per_row, int block_size) {
  IndexSize size;
  const double usable = static_cast<double>(block_size) - kPageHeader - kGinSpecial;
  const double bytes = std::max(tuples, 0.0) * std::max(entries_per_row, 1.0) * kBytesPerEntry;
  size.pages = std::ceil(bytes / usable) + 2; // metapage and the entry tree's root
  size.tree_height = -1;
  return size;
}

} // namespace pgo::core
