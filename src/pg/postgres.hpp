// The one place C++ code includes PostgreSQL's server headers: postgres.h first, all inside extern "C".
// Files under src/core/ must never include this header.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"
#include "utils/palloc.h"
}

#include "pg/compat.hpp"
