# The Debian package, built and used as a DBA would (sourced by test/run; needs test/lib/common.sh).
#
# pgo_package_build SRC_COPY_PARENT LOG: copies the source tree (tracked and untracked files that git does not
# ignore) to PARENT/pg-optimize-VERSION, makes the upstream tarball beside it, and runs dpkg-buildpackage -us -uc.
# pgo_package_install DEB: apt-get install ./DEB with services kept down (policy-rc.d), as test/lib/common.sh does.
# pgo_package_purge: removes the package again, so that the machine is left as it was.

PGO_PACKAGE_BUILD_DEPS=(build-essential debhelper dpkg-dev postgresql-server-dev-all libfmt-dev git)
PGO_PACKAGE_VERSION=$(sed -n '1s/^[^(]*(\([^)-]*\)-[^)]*).*/\1/p' "$PGO_ROOT/debian/changelog")

pgo_package_build() {
  local parent=$1 log=$2 src
  src=$parent/pg-optimize-$PGO_PACKAGE_VERSION
  rm -rf "$parent" && mkdir -p "$src"
  # The files git would track; outside a checkout (an exported tree), everything but what .gitignore names.
  if git -C "$PGO_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$PGO_ROOT" && git ls-files -z -co --exclude-standard | xargs -0 -I{} cp --parents -a {} "$src/") || return 1
  else
    tar -C "$PGO_ROOT" --exclude-vcs-ignores --exclude-vcs -cf - . | tar -C "$src" -xf - || return 1
  fi
  # The README's steps: the upstream tarball (source format 3.0 (quilt)) is the source without debian/.
  (cd "$src" && tar --exclude=./debian --exclude=./.git -czf "../pg-optimize_$PGO_PACKAGE_VERSION.orig.tar.gz" . &&
     dpkg-buildpackage -us -uc) >"$log" 2>&1
}

pgo_package_install() {
  local deb=$1 policy=/usr/sbin/policy-rc.d added_policy=0 rc
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  (cd "$(dirname "$deb")" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
     --no-install-recommends "./$(basename "$deb")")
  rc=$?
  ((added_policy)) && rm -f "$policy"
  return $rc
}

pgo_package_purge() {
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

# psql (15's, as the postgres user) into a cluster: HOST PORT DB, then psql's arguments.
pgo_package_psql() {
  local host=$1 port=$2 db=$3; shift 3
  pgo_as_pg /usr/lib/postgresql/15/bin/psql -XAtq -v ON_ERROR_STOP=1 -h "$host" -p "$port" -d "$db" "$@"
}

pgo_package_has_files() {
  local files f ext=/usr/share/postgresql/15/extension
  files=$(dpkg-deb -c "$1" | sed 's|.* \./|/|')
  for f in /usr/lib/postgresql/15/lib/pg_optimize.so "$ext/pg_optimize.control" "$ext/pg_optimize--0.1.sql" \
           "$ext/pg_optimize--0.2.sql" "$ext/pg_optimize--0.1--0.2.sql"; do
    grep -qx -- "$f" <<<"$files" || { echo "missing from the package: $f"; return 1; }
  done
}

# pgo_package_stripped DEB DIR: the library unpacked into DIR has no debug information, a -dbgsym package is beside.
pgo_package_stripped() {
  local deb=$1 dir=$2
  rm -rf "$dir" && dpkg-deb -x "$deb" "$dir" || return 1
  ! readelf -S "$dir/usr/lib/postgresql/15/lib/pg_optimize.so" | grep -q '\.debug_info' || return 1
  ls "$(dirname "$deb")"/postgresql-15-pg-optimize-dbgsym_*deb
}

pgo_package_fresh() {
  local out
  pgo_package_psql "$1" "$2" postgres -c 'CREATE DATABASE pkg_fresh' || return 1
  out=$(pgo_package_psql "$1" "$2" pkg_fresh -c 'CREATE EXTENSION pg_optimize' \
          -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_optimize'" \
          -c "SELECT count(*) FROM optimize.health_check()") || return 1
  echo "$out"
  [[ $(head -1 <<<"$out") == 0.2 ]]
}

pgo_package_update() {
  local out
  pgo_package_psql "$1" "$2" postgres -c 'CREATE DATABASE pkg_old' || return 1
  out=$(pgo_package_psql "$1" "$2" pkg_old -c "CREATE EXTENSION pg_optimize VERSION '0.1'" \
          -c 'ALTER EXTENSION pg_optimize UPDATE' -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_optimize'") \
    || return 1
  echo "$out"
  [[ $out == 0.2 ]]
}
