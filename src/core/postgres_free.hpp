// src/core/ is PostgreSQL-free: its code includes no server header, so that it can be unit-tested without a server
// and read on its own. Every header of src/core/ includes this one first.
//
// Both builds compile src/core/ with PGO_CORE_BUILD defined and without the server's include folders (CMake's
// pgo_core target, the Makefile's rule for src/core/*.o), so a server header included in a core file does not
// compile: this check catches one that came before a core header, the missing include folder one that comes after.
// Code outside src/core/ includes core headers after postgres.h, as it must; there PGO_CORE_BUILD is not defined.
#pragma once

#if defined(PGO_CORE_BUILD) && (defined(PG_VERSION_NUM) || defined(POSTGRES_H))
#error "src/core/ is PostgreSQL-free: a server header (postgres.h) was included before this core header"
#endif
