# pg_optimize: PGXS build, the primary one.  make && make install && make installcheck
EXTENSION  = pg_optimize
MODULE_big = pg_optimize
EXTVERSION = 0.2

PG_CONFIG ?= pg_config

SRCS = $(sort $(wildcard src/*.cpp src/pg/*.cpp src/core/*.cpp src/catalog/*.cpp src/health/*.cpp src/scheduler/*.cpp src/latency/*.cpp src/advisor/*.cpp))
OBJS = $(SRCS:.cpp=.o)
# Install scripts. Released ones are kept as released (src/sql/pg_optimize--0.1.sql). The current version's install
# script is built from the unversioned source src/sql/install/*.sql, and each upgrade script from the fragments in
# src/sql/update/FROM--TO/, both in file-name order, so that every topic keeps its SQL in a file of its own.
DATA = src/sql/pg_optimize--0.1.sql
INSTALL_SQL = $(sort $(wildcard src/sql/install/*.sql))
UPDATE_0_1_SQL = $(sort $(wildcard src/sql/update/0.1--0.2/*.sql))
DATA_built = src/sql/pg_optimize--$(EXTVERSION).sql src/sql/pg_optimize--0.1--0.2.sql

REGRESS = selftest missing_fk_indexes
REGRESS_OPTS = --inputdir=test/regress --outputdir=test/regress/out

# Server headers as system headers: their warnings are theirs, -Werror applies to our code.
PG_INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)
PG_CPPFLAGS = -Isrc -isystem $(PG_INCLUDEDIR_SERVER) -isystem $(shell $(PG_CONFIG) --pkgincludedir)/internal
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-missing-field-initializers -fno-omit-frame-pointer
SHLIB_LINK = -lfmt -lstdc++

EXTRA_CLEAN = test/regress/out compile_commands.json

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Debian's PGXS also compiles LLVM bitcode for JIT inlining with clang, without PG_CXXFLAGS; give it the language
# level and include paths (not our gcc warning set).
COMPILE.cxx.bc += -std=c++17 -Isrc

src/sql/pg_optimize--$(EXTVERSION).sql: $(INSTALL_SQL)
	cat $^ >$@

src/sql/pg_optimize--0.1--0.2.sql: $(UPDATE_0_1_SQL)
	cat $^ >$@

# Every object depends on every header: the project is small and a stale object is worse than a slow build.
HEADERS = $(wildcard src/*.hpp src/*/*.hpp)
$(OBJS): $(HEADERS)
