#include "pg/fmgr_call.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/multixact.h"
#include "access/transam.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
}

namespace pgo::pg {

std::optional<Datum> call_nullable(PGFunction function, Datum arg) {
  struct Result {
    bool isnull;
    Datum value;
  };
  const Result result = guard([&]() -> Result {
    LOCAL_FCINFO(fcinfo, 1);
    InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
    fcinfo->args[0].value = arg;
    fcinfo->args[0].isnull = false;
    const Datum value = (*function)(fcinfo);
    return Result{fcinfo->isnull, value};
  });
  if (result.isnull)
    return std::nullopt;
  return result.value;
}

std::optional<std::int64_t> id_age(PGFunction age_function, std::uint32_t id) {
  // Transaction IDs below 3 are special (invalid, bootstrap, frozen); multixact IDs start at 1.
  const std::uint32_t first = age_function == mxid_age ? FirstMultiXactId : FirstNormalTransactionId;
  if (id < first)
    return std::nullopt;
  const std::optional<Datum> age = call_nullable(age_function, TransactionIdGetDatum(id));
  if (!age)
    return std::nullopt;
  return DatumGetInt32(*age);
}

std::optional<std::string> text_argument(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  char *s = guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
  std::string out(s);
  pfree(s);
  return out;
}

std::optional<std::string> interval_argument(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  const Datum d = PG_GETARG_DATUM(n);
  char *s = guard([&] { return DatumGetCString(DirectFunctionCall1(interval_out, d)); });
  std::string out(s);
  pfree(s);
  return out;
}

} // namespace pgo::pg
