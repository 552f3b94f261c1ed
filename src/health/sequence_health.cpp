#include "health/sequence_health.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "catalog/catalog_scan.hpp"
#include "catalog/names.hpp"
#include "pg/barrier.hpp"
#include "pg/compat.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xlog.h"
#include "catalog/dependency.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace pgo::health {
namespace {

struct Owner {
  bool found;
  Oid table;
  int32 column;
};

Owner owner_of(Oid sequence) {
  return pg::guard([&]() -> Owner {
    Owner o{false, InvalidOid, 0};
    // serial columns own their sequence with an auto dependency, identity columns with an internal one
    if (sequenceIsOwned(sequence, DEPENDENCY_AUTO, &o.table, &o.column) ||
        sequenceIsOwned(sequence, DEPENDENCY_INTERNAL, &o.table, &o.column))
      o.found = true;
    return o;
  });
}

// The sequence's last value, when the caller may see it (the rule of the pg_sequences view), read from the
// sequence's single page the way nextval() reads it, through the buffer manager but without building a relcache
// entry for each sequence (that is most of the cost with thousands of them). The sequence is locked in nextval()'s
// mode, RowExclusiveLock, which ALTER SEQUENCE (the statement that gives a sequence a new file) conflicts with, so
// the file named by pg_class, read after the lock, is the sequence's; the lock is released at once, so a database
// with thousands of sequences does not fill the lock table. Never waits: a sequence locked by DDL reads as unknown
// this time. Unknown too when never used. This session's temporary sequences live in local buffers: those are opened
// the ordinary way.
struct LastValue {
  bool exists;
  bool known;
  std::int64_t value;
};

void read_sequence_page(Buffer buffer, LastValue &r) {
  LockBuffer(buffer, BUFFER_LOCK_SHARE);
  Page page = BufferGetPage(buffer);
  const ItemId item = PageGetItemId(page, FirstOffsetNumber);
  if (PageGetMaxOffsetNumber(page) >= FirstOffsetNumber && ItemIdIsNormal(item)) {
    const auto header = reinterpret_cast<HeapTupleHeader>(PageGetItem(page, item));
    const auto *data =
        reinterpret_cast<const FormData_pg_sequence_data *>(reinterpret_cast<const char *>(header) + header->t_hoff);
    r.known = data->is_called;
    r.value = data->last_value;
  }
  UnlockReleaseBuffer(buffer);
}

// The privilege check is the caller's (may_read): a value the role may not see must be discarded.
LastValue last_value_of(Oid sequence, const catalog::ClassCatalog &classes) {
  return pg::guard([&]() -> LastValue {
    LastValue r{true, false, 0};
    if (!ConditionalLockRelationOid(sequence, RowExclusiveLock))
      return r;
    char relkind, persistence;
    Oid tablespace, filenode;
    // Taking the lock processed every invalidation committed before it: when there was none since the pg_class
    // scan, the scanned row is still the sequence's, and no syscache lookup is needed.
    const catalog::ClassRow *row = classes.find(sequence);
    if (row != nullptr && classes.unchanged_since_scan()) {
      relkind = row->relkind;
      persistence = row->persistence;
      tablespace = row->tablespace;
      filenode = row->filenode;
    } else {
      HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(sequence));
      if (!HeapTupleIsValid(tuple)) {
        UnlockRelationOid(sequence, RowExclusiveLock);
        r.exists = false;
        return r;
      }
      const auto *rel = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
      relkind = rel->relkind;
      persistence = rel->relpersistence;
      tablespace = rel->reltablespace;
      filenode = rel->relfilenode;
      ReleaseSysCache(tuple);
    }
    if (!OidIsValid(tablespace))
      tablespace = MyDatabaseTableSpace;
    const bool readable = relkind == RELKIND_SEQUENCE && OidIsValid(filenode) &&
                          !(RecoveryInProgress() && persistence == RELPERSISTENCE_UNLOGGED);
    if (readable && persistence == RELPERSISTENCE_TEMP) {
      Relation seqrel = relation_open(sequence, NoLock);
      read_sequence_page(ReadBuffer(seqrel, 0), r);
      relation_close(seqrel, NoLock);
    } else if (readable) {
      read_sequence_page(ReadBufferWithoutRelcache(pg::compat::make_locator(tablespace, MyDatabaseId, filenode),
                                                   MAIN_FORKNUM, 0, RBM_NORMAL, nullptr,
                                                   persistence == RELPERSISTENCE_PERMANENT),
                         r);
    }
    UnlockRelationOid(sequence, RowExclusiveLock);
    return r;
  });
}

bool may_read(Oid sequence) {
  return pg::guard([&] { return pg_class_aclcheck(sequence, GetUserId(), ACL_SELECT | ACL_USAGE) == ACLCHECK_OK; });
}

} // namespace

// The used share of [start, end] at value, clamped to 0..100; nullopt for an empty range.
std::optional<double> share_used(double value, double start, double end) {
  if (end == start)
    return std::nullopt;
  return std::clamp(100.0 * (value - start) / (end - start), 0.0, 100.0);
}

std::vector<SequenceHealth> sequence_health(const catalog::ClassCatalog &classes, std::optional<double> min_pct) {
  struct Raw {
    Oid sequence;
    std::int64_t min, max, increment;
    bool cycles;
    Oid type;
  };
  std::vector<Raw> raw;
  {
    catalog::CatalogScan scan(SequenceRelationId);
    while (HeapTuple tuple = scan.next()) {
      const auto *seq = reinterpret_cast<Form_pg_sequence>(GETSTRUCT(tuple));
      const catalog::ClassRow *row = classes.find(seq->seqrelid);
      if (row == nullptr || row->excluded)
        continue;
      raw.push_back(Raw{seq->seqrelid, seq->seqmin, seq->seqmax, seq->seqincrement, seq->seqcycle, seq->seqtypid});
    }
    scan.close();
  }

  std::vector<SequenceHealth> result;
  for (const Raw &r : raw) {
    SequenceHealth h;
    h.sequence = r.sequence;
    h.min_value = r.min;
    h.max_value = r.max;
    h.increment = r.increment;
    h.cycles = r.cycles;
    h.sequence_type = r.type == INT2OID ? "smallint" : r.type == INT4OID ? "integer" : "bigint";
    // Without a threshold the privilege is checked before the page is read. With one, most sequences are far from
    // it: their privilege is checked only once they pass it (a value the role may not see is dropped unused, and
    // such a sequence counts as unknown, i.e. 0% used).
    const LastValue last =
        min_pct || may_read(r.sequence) ? last_value_of(r.sequence, classes) : LastValue{true, false, 0};
    if (!last.exists)
      continue; // dropped since the pg_sequence scan
    if (last.known)
      h.last_value = last.value;
    const double start = static_cast<double>(r.increment > 0 ? r.min : r.max);
    if (min_pct) {
      // The most it can have used: measured against the narrowest column type whose range holds its start.
      double narrowest = static_cast<double>(r.increment > 0 ? r.max : r.min);
      for (const double limit : {32767.0, 2147483647.0})
        if (r.increment > 0 && limit > start && limit < narrowest)
          narrowest = limit;
        else if (r.increment < 0 && -limit - 1 < start && -limit - 1 > narrowest)
          narrowest = -limit - 1;
      const double most =
          h.last_value ? share_used(static_cast<double>(*h.last_value), start, narrowest).value_or(100) : 0.0;
      if (most < *min_pct)
        continue;
      if (h.last_value && !may_read(r.sequence)) {
        h.last_value.reset(); // unknown to this role: 0% used, as for a sequence never used
        if (0.0 < *min_pct)
          continue;
      }
    }
    std::int64_t type_max = std::numeric_limits<std::int64_t>::max();
    std::int64_t type_min = std::numeric_limits<std::int64_t>::min();
    const Owner owner = owner_of(r.sequence);
    if (owner.found) {
      const Oid type = pg::guard([&] { return get_atttype(owner.table, static_cast<AttrNumber>(owner.column)); });
      std::optional<std::string> column =
          catalog::attribute_name(owner.table, static_cast<core::AttrNumber>(owner.column));
      std::optional<std::string> table = catalog::qualified_name(classes, owner.table);
      if (column && table) {
        h.owner_table = *table;
        h.owner_column = catalog::quote_identifier(*column);
        h.owned_by = h.owner_table + "." + h.owner_column;
      }
      if (type == INT2OID) {
        h.column_type = "smallint";
        type_max = INT16_MAX;
        type_min = INT16_MIN;
      } else if (type == INT4OID) {
        h.column_type = "integer";
        type_max = INT32_MAX;
        type_min = INT32_MIN;
      } else if (type == INT8OID) {
        h.column_type = "bigint";
      }
    }
    // Used share of the range the sequence can still move through before it (or its column) runs out.
    const double end = r.increment > 0 ? static_cast<double>(std::min(r.max, type_max))
                                       : static_cast<double>(std::max(r.min, type_min));
    h.column_is_limit = r.increment > 0 ? type_max < r.max : type_min > r.min;
    h.pct_used = h.last_value ? share_used(static_cast<double>(*h.last_value), start, end) : 0.0;
    if (min_pct && h.pct_used && *h.pct_used < *min_pct)
      continue;
    result.push_back(std::move(h));
  }
  std::sort(result.begin(), result.end(), [](const SequenceHealth &a, const SequenceHealth &b) {
    return a.pct_used.value_or(0) != b.pct_used.value_or(0) ? a.pct_used.value_or(0) > b.pct_used.value_or(0)
                                                            : a.sequence < b.sequence;
  });
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_sequence_health) {
  using namespace pgo;
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read(catalog::kTablesAndSequences);
  pg::ResultSet out(fcinfo);
  for (const health::SequenceHealth &h : health::sequence_health(classes)) {
    out.begin_row();
    out.add_oid(h.sequence);
    if (h.owned_by.empty())
      out.add_null();
    else
      out.add_text(h.owned_by);
    if (h.column_type.empty())
      out.add_null();
    else
      out.add_text(h.column_type);
    out.add_optional(h.last_value, &pg::ResultSet::add_int64);
    out.add_int64(h.min_value);
    out.add_int64(h.max_value);
    out.add_int64(h.increment);
    out.add_bool(h.cycles);
    out.add_optional(h.pct_used, &pg::ResultSet::add_float8);
    out.end_row();
  }
  return out.done();
}
