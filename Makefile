# pg_optimize: PGXS build, the primary one.
#
#   make && make install            build, install into the pg_config's PostgreSQL (PG_CONFIG=... to choose one)
#   make installcheck               the pg_regress suite (sql/, expected/) against a running server that preloads
#                                   pg_optimize (shared_preload_libraries); PGHOST, PGPORT, PGUSER as for psql
#   make prove_installcheck         the TAP suites (test/t/), on throwaway clusters of the pg_config's PostgreSQL
#   make print-sources              the C++ sources of the module, as CMakeLists.txt must also find them
EXTENSION  = pg_optimize
MODULE_big = pg_optimize
EXTVERSION = 0.2

PG_CONFIG ?= pg_config

# Sources: every .cpp in src/ and its first-level folders, found once here. CMakeLists.txt globs the same folders
# and checks its list against `make print-sources` when it configures, so the two builds cannot drift apart.
SRCS = $(sort $(wildcard src/*.cpp src/*/*.cpp))
CORE_SRCS = $(filter src/core/%,$(SRCS))
OBJS = $(SRCS:.cpp=.o)
# Install scripts. Released ones are kept as released (src/sql/pg_optimize--0.1.sql). The current version's install
# script is built from the unversioned source src/sql/install/*.sql, and each upgrade script from the fragments in
# src/sql/update/FROM--TO/, both in file-name order, so that every topic keeps its SQL in a file of its own.
DATA = src/sql/pg_optimize--0.1.sql
INSTALL_SQL = $(sort $(wildcard src/sql/install/*.sql))
UPDATE_0_1_SQL = $(sort $(wildcard src/sql/update/0.1--0.2/*.sql))
DATA_built = src/sql/pg_optimize--$(EXTVERSION).sql src/sql/pg_optimize--0.1--0.2.sql

# The pg_regress suite: every file in sql/, run in name order against the server (inputdir is this folder).
REGRESS = $(sort $(patsubst sql/%.sql,%,$(wildcard sql/*.sql)))
REGRESS_PREP = installcheck-preloaded

# Server headers as system headers: their warnings are theirs, -Werror applies to our code.
PG_INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)
PG_CPPFLAGS = -Isrc -isystem $(PG_INCLUDEDIR_SERVER) -isystem $(shell $(PG_CONFIG) --pkgincludedir)/internal
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-missing-field-initializers -fno-omit-frame-pointer -pthread
# -pthread: src/core/threads.cpp starts threads (that call nothing of PostgreSQL's).
SHLIB_LINK = -lfmt -lstdc++ -pthread

EXTRA_CLEAN = results regression.diffs regression.out tmp_check compile_commands.json $(shlib).debug

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The suite runs in a database named regression (the expected outputs name it), which pg_regress creates afresh.
CONTRIB_TESTDB = regression

# Debian's PGXS also compiles LLVM bitcode for JIT inlining with clang, without PG_CXXFLAGS; give it the language
# level and include paths (not our gcc warning set).
COMPILE.cxx.bc += -std=c++17 -Isrc

src/sql/pg_optimize--$(EXTVERSION).sql: $(INSTALL_SQL)
	cat $^ >$@

src/sql/pg_optimize--0.1--0.2.sql: $(UPDATE_0_1_SQL)
	cat $^ >$@

# Every object depends on every header: the project is small and a stale object is worse than a slow build.
# (HEADERS is PGXS's name for headers to install; ours are private.)
PGO_HEADERS = $(wildcard src/*.hpp src/*/*.hpp)
$(OBJS): $(PGO_HEADERS)

# src/core/ is PostgreSQL-free, and this build keeps it so: its objects are compiled without the server's include
# folders (an #include of a server header fails), and PGO_CORE_BUILD makes src/core/postgres_free.hpp, which every
# core header includes, refuse a translation unit where a server header came first.
CORE_OBJS = $(CORE_SRCS:.cpp=.o)
$(CORE_OBJS): override CPPFLAGS = -Isrc -DPGO_CORE_BUILD
$(CORE_OBJS:.o=.bc): override CPPFLAGS = -Isrc -DPGO_CORE_BUILD

print-sources:
	@printf '%s\n' $(SRCS)

# The library is installed stripped; its debug information goes to pg_optimize.so.debug beside it in the build
# folder (linked with .gnu_debuglink) and is installed into $(debugdir), where gdb looks for it, as Debian's dbgsym
# packages do. STRIP_DEBUG=no keeps it in the library (debian/rules uses that: dh_strip makes the -dbgsym package).
STRIP_DEBUG ?= yes
debugdir ?= $(pkglibdir)/.debug
ifeq ($(STRIP_DEBUG),yes)
all: $(shlib).debug
install: install-debug-symbols
endif

$(shlib).debug: $(shlib)
	objcopy --only-keep-debug $(shlib) $@
	objcopy --strip-unneeded --remove-section=.comment --add-gnu-debuglink=$@ $(shlib)
	touch $@

.PHONY: install-debug-symbols installcheck-preloaded prove_installcheck print-sources
install-debug-symbols: $(shlib).debug
	$(MKDIR_P) '$(DESTDIR)$(debugdir)'
	$(INSTALL_DATA) $(shlib).debug '$(DESTDIR)$(debugdir)/'

uninstall: uninstall-debug-symbols
uninstall-debug-symbols:
	rm -f '$(DESTDIR)$(debugdir)/$(shlib).debug'

# The expected outputs are those of a server that preloads pg_optimize (latency tracking and the automation run
# only then, and CREATE EXTENSION says so in a NOTICE otherwise): say so before running, rather than fail every test.
PSQL ?= $(bindir)/psql
installcheck-preloaded:
	@loaded=$$($(PSQL) -XAtq -d postgres -c "SELECT 'pg_optimize' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))") || { \
	  echo "make installcheck: cannot connect to the server (set PGHOST, PGPORT and PGUSER as for psql)" >&2; exit 1; }; \
	if [ "$$loaded" != t ]; then \
	  echo "make installcheck: the server does not preload pg_optimize; the regression suite expects it." >&2; \
	  echo "  Add  shared_preload_libraries = 'pg_optimize'  to postgresql.conf and restart the server" >&2; \
	  echo "  (see README.md, \"Testing an installation\")." >&2; \
	  exit 1; \
	fi

# The TAP suites (test/t/*.pl) start their own clusters with the binaries in $(bindir) (override bindir= to use
# another installation with pg_optimize installed). They need Perl's IPC::Run and PostgreSQL's Perl test modules
# (PostgreSQL::Test::Cluster: Debian's postgresql-server-dev package ships them in PGXS; PERL_TEST_LIB= elsewhere).
# TAP_DIR is where tmp_check/ with the clusters and logs goes.
PROVE_TESTS ?= $(sort $(wildcard test/t/*.pl))
PERL_TEST_LIB ?= $(top_srcdir)/src/test/perl
PG_REGRESS ?= $(top_builddir)/src/test/regress/pg_regress
TAP_DIR ?= $(CURDIR)
prove_installcheck:
	@test -f '$(PERL_TEST_LIB)/PostgreSQL/Test/Cluster.pm' || { \
	  echo "make prove_installcheck: no PostgreSQL::Test::Cluster in $(PERL_TEST_LIB) (set PERL_TEST_LIB=)" >&2; exit 1; }
	rm -rf '$(TAP_DIR)/tmp_check'
	$(MKDIR_P) '$(TAP_DIR)/tmp_check'
	TESTDIR='$(TAP_DIR)' PATH="$(bindir):$$PATH" PG_REGRESS='$(PG_REGRESS)' PGO_SOURCE_DIR='$(CURDIR)' \
	  $(PROVE) -I '$(PERL_TEST_LIB)' -I test/t $(PROVE_FLAGS) $(PROVE_TESTS)
