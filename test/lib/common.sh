# Shared by test/run, demo/run and bench/*: packages, a staged installation, and clusters run as the postgres user.
# Source it; it defines functions and a few variables, and runs nothing by itself.

PGO_ROOT=${PGO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PG_MAJOR=${PG_MAJOR:-15}

pgo_log() { printf '%s\n' "== $*" >&2; }
pgo_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages needed to build and test; installed with apt-get when running as root and missing. PostgreSQL 15
# comes from Debian 12 itself, and its psql is the client for every version (test/lib/versions.sh).
PGO_PACKAGES=(make g++ cmake pkg-config libfmt-dev googletest libgtest-dev libipc-run-perl perl
              postgresql-15 postgresql-server-dev-15 postgresql-client-15 ca-certificates prometheus prometheus-postgres-exporter chromium)
PGO_PERL_TEST_LIB=/usr/lib/postgresql/15/lib/pgxs/src/test/perl

pgo_install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) != 0 ]]; then
    pgo_die "missing packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})"
  fi
  pgo_log "installing: ${missing[*]}"
  # Installing the server package must not start a system cluster: keep services down while apt runs.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || pgo_die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || pgo_die "apt-get install failed"
  ((added_policy)) && rm -f "$policy"
  return 0
}

source "$PGO_ROOT/test/lib/versions.sh"

# Runs a command as the user that owns the clusters: postgres when we are root (PostgreSQL refuses root), else us.
pgo_as_pg() {
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- env PATH="$PATH" "$@"
  else
    "$@"
  fi
}

# A private copy of the PostgreSQL installation with pg_optimize installed into it, under $1 (the module must be
# built for $PG_MAJOR already). Prints the staged bin folder.
# PostgreSQL finds its share and lib folders relative to its own binary, so for 15 copied binaries beside
# symlinked system files make an installation that needs no write access to /usr and leaves the system untouched;
# for 17 and 18 the cached server tree is copied whole.
pgo_stage() {
  local stage=$1 pg_config bindir libdir sharedir f
  if [[ $PG_MAJOR != 15 ]]; then
    local cache; cache=$(pgo_cache_dir)/pg$PG_MAJOR
    [[ -x $cache/server/bin/postgres ]] || pgo_die "PostgreSQL $PG_MAJOR is not prepared in $cache"
    mkdir -p "$stage" && cp -a "$cache/server/." "$stage/"
    ln -sf /usr/lib/postgresql/15/bin/psql "$stage/bin/psql"
    pgo_write_pg_config "$stage/bin/pg_config" "$stage" "$cache/dev" "$PG_MAJOR"
    make -C "$PGO_ROOT" -s install PG_CONFIG="$stage/bin/pg_config" >/dev/null || pgo_die "make install into $stage failed"
    chmod -R a+rX "$stage"
    echo "$stage/bin"
    return
  fi
  pg_config=$(pgo_pg_config)
  bindir=$("$pg_config" --bindir)
  libdir=$("$pg_config" --pkglibdir)
  sharedir=$("$pg_config" --sharedir)
  # Never copy from an empty path ("$bindir"/. would be the whole file system).
  [[ -n $bindir && -n $libdir && -n $sharedir && -x $bindir/postgres && -d $libdir && -d $sharedir ]] \
    || pgo_die "$pg_config gave no usable installation (bindir '$bindir', pkglibdir '$libdir', sharedir '$sharedir')"
  make -C "$PGO_ROOT" -s install PG_CONFIG="$pg_config" DESTDIR="$stage" >/dev/null || pgo_die "make install into $stage failed"
  mkdir -p "$stage$bindir" "$stage$libdir" "$stage$sharedir/extension"
  cp -a "$bindir"/. "$stage$bindir"/
  for f in "$libdir"/*; do [[ -e $stage$libdir/${f##*/} ]] || ln -s "$f" "$stage$libdir/"; done
  for f in "$sharedir"/*; do [[ -e $stage$sharedir/${f##*/} ]] || ln -s "$f" "$stage$sharedir/"; done
  for f in "$sharedir"/extension/*; do [[ -e $stage$sharedir/extension/${f##*/} ]] || ln -s "$f" "$stage$sharedir/extension/"; done
  chmod -R a+rX "$stage"
  echo "$stage$bindir"
}

# Builds the module for $PG_MAJOR from a clean tree (objects of another version must not be reused).
pgo_build() {
  local log=$1
  make -C "$PGO_ROOT" -s clean PG_CONFIG="$(pgo_pg_config)" >/dev/null 2>&1
  make -C "$PGO_ROOT" -s -j2 PG_CONFIG="$(pgo_pg_config)" >"$log" 2>&1
}

# A TCP port nobody listens on, for a throwaway cluster.
pgo_free_port() {
  local port
  for port in $(seq "${1:-56000}" 56999); do
    if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [[ ! -e /tmp/.s.PGSQL.$port ]]; then
      echo "$port"; return 0
    fi
  done
  return 1
}

# pgo_start_cluster BINDIR DATADIR PORT [extra postgresql.conf lines...]: initdb and start, socket in DATADIR.
pgo_start_cluster() {
  local bindir=$1 data=$2 port=$3; shift 3
  mkdir -p "$data" && chmod 700 "$data"
  [[ $(id -u) == 0 ]] && chown postgres: "$data" "$(dirname "$data")"
  pgo_as_pg "$bindir/initdb" -D "$data" -A trust -U postgres --no-sync >/dev/null || pgo_die "initdb failed"
  {
    echo "port = $port"
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$data'"
    echo "fsync = off"
    local line; for line in "$@"; do echo "$line"; done
  } >>"$data/postgresql.conf"
  pgo_as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null || {
    cat "$data/server.log" >&2; pgo_die "cluster in $data did not start"; }
}

pgo_stop_cluster() {
  local bindir=$1 data=$2
  [[ -f $data/postmaster.pid ]] && pgo_as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1
  return 0
}

# pgo_make_installcheck BINDIR OUTDIR: `make installcheck` (the regression suite, as a DBA runs it) against a cluster
# of the installation in BINDIR that preloads pg_optimize, started in OUTDIR/data and stopped again. The schedulers
# are kept out of the test database: a default job firing at the top of the hour would change the statistics the
# expected outputs show. pg_regress's results and diffs go to OUTDIR (the source tree is only read).
pgo_make_installcheck() {
  local bindir=$1 out=$2 port rc
  port=$(pgo_free_port 56100) || pgo_die "no free port"
  (pgo_start_cluster "$bindir" "$out/data" "$port" "shared_preload_libraries = 'pg_optimize'" \
     "pg_optimize.databases = 'postgres'") || return 1
  (cd "$PGO_ROOT" && pgo_as_pg env PGHOST="$out/data" PGPORT="$port" make -s --no-print-directory installcheck \
     PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config PSQL="$bindir/psql" \
     EXTRA_REGRESS_OPTS="--bindir=$bindir --outputdir=$out")
  rc=$?
  pgo_stop_cluster "$bindir" "$out/data"
  return $rc
}
