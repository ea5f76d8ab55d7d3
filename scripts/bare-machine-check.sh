#!/usr/bin/env bash
# Bare-machine check: shows that README's two commands work on a fresh clone on a machine with nothing but Node.js
# and apt, as root: `npm test` passes and `npm start` runs the fleet, both installing what they need (npm
# dependencies, redis-server, PostgreSQL, Chromium) themselves. A developer machine already has those, so a run
# there shows nothing; this builds a bare Debian without Docker instead:
#   - a minbase Debian of the host's release (debootstrap), the host's `node` and its npm copied in, and git and
#     ca-certificates from apt (to clone, and to reach the npm registry): the cached "base" system;
#   - for each run a fresh copy of that base, so nothing installed by an earlier run is left;
#   - inside it, as root, with an empty environment: `git clone` of REF, `npm test`, then `npm start` until the
#     ingress answers /healthz, SIGTERM to the npm process, and a check that no process is left in the chroot.
# Services do not start from package scripts inside the chroot (policy-rc.d), as in a container: the chroot shares
# the host's network, and its Postgres and Redis must not take the host's ports. Local CAs the host trusts
# (/usr/local/share/ca-certificates, e.g. a TLS-inspecting proxy's) are trusted in the chroot too, for apt and npm,
# as on any machine on that network.
#
# Usage, as root on a Debian host (needs network access to Debian's mirror and the npm registry):
#   scripts/bare-machine-check.sh [--rebuild] [--skip-test] [--skip-start] [REF]
#     REF           commit or branch of this repository to clone (default HEAD)
#     --rebuild     rebuild the cached base system
#     --skip-test   skip `npm test`;  --skip-start  skip `npm start`
#   BARE_DIR        where base/, run/ and logs/ live (default /var/tmp/kombo-sync-bare)
#   BARE_MIRROR     Debian mirror (default http://deb.debian.org/debian)
#   BARE_START_TIMEOUT_S  how long `npm start` may take to answer /healthz (default 600: the first start runs npm ci
#                         and apt when `npm test` was skipped)
# Prints each step's wall time; logs are in $BARE_DIR/logs. Exits non-zero if any step fails.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BARE_DIR="${BARE_DIR:-/var/tmp/kombo-sync-bare}"
MIRROR="${BARE_MIRROR:-http://deb.debian.org/debian}"
START_TIMEOUT_S="${BARE_START_TIMEOUT_S:-600}"
# Shutdown budget after SIGTERM: the worker's WORKER_SHUTDOWN_TIMEOUT_MS default (30 s) plus the servers' stop.
STOP_TIMEOUT_S=45
REBUILD=0 RUN_TEST=1 RUN_START=1 REF=HEAD
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    --skip-test) RUN_TEST=0 ;;
    --skip-start) RUN_START=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' && exit 0 ;;
    -*) echo "unknown option $arg" >&2 && exit 2 ;;
    *) REF="$arg" ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "bare-machine-check: run as root (debootstrap, chroot, mounts)" >&2; exit 2; }
. /etc/os-release
RELEASE="${VERSION_CODENAME:?bare-machine-check: needs a Debian host (VERSION_CODENAME in /etc/os-release)}"
NODE_BIN="$(command -v node)"
NPM_DIR="$(dirname "$(dirname "$NODE_BIN")")/lib/node_modules/npm"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || { echo "bare-machine-check: npm not found at $NPM_DIR" >&2; exit 2; }
SHA="$(git -C "$REPO" rev-parse --verify "$REF^{commit}")"

BASE="$BARE_DIR/base" RUN="$BARE_DIR/run" LOGS="$BARE_DIR/logs"
mkdir -p "$LOGS"
exec 3>&1 # say() writes here even where a step's output goes to a log
say() { printf 'bare-machine-check: %s\n' "$*" >&3; }
# Runs a command inside the chroot as a newcomer's root shell: empty environment but HOME, PATH and TERM.
in_chroot() {
  chroot "$1" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$2"
}
# Pids of processes whose root directory is inside $RUN (everything started in the chroot, and only that).
chroot_pids() {
  local link pid
  for link in /proc/[0-9]*/root; do
    pid="${link#/proc/}" pid="${pid%/root}"
    case "$(readlink "$link" 2>/dev/null)" in "$RUN" | "$RUN"/*) echo "$pid" ;; esac
  done
}
mounted=()
mount_chroot() {
  local root="$1"
  mount -t proc proc "$root/proc" && mounted=("$root/proc" "${mounted[@]}")
  mount -t sysfs sysfs "$root/sys" && mounted=("$root/sys" "${mounted[@]}")
  mount --bind /dev "$root/dev" && mounted=("$root/dev" "${mounted[@]}")
  mount --bind /dev/pts "$root/dev/pts" && mounted=("$root/dev/pts" "${mounted[@]}")
  mount -t tmpfs -o mode=1777,size=1g shm "$root/dev/shm" && mounted=("$root/dev/shm" "${mounted[@]}")
  cp /etc/resolv.conf "$root/etc/resolv.conf"
}
unmount_chroot() {
  local m
  for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  mounted=()
}
cleanup() {
  local left
  left="$(chroot_pids | tr '\n' ' ')"
  if [ -n "$left" ]; then
    say "killing processes left in the chroot: $left"
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  fi
  unmount_chroot
}
trap cleanup EXIT

timed() { # timed NAME COMMAND...: runs COMMAND, prints its wall time
  local name="$1" start rc=0
  shift
  start=$(date +%s)
  "$@" || rc=$?
  say "$name: $(($(date +%s) - start)) s (exit $rc)"
  return $rc
}

build_base() {
  rm -rf "$BASE.tmp"
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  debootstrap --variant=minbase "$RELEASE" "$BASE.tmp" "$MIRROR" >"$LOGS/debootstrap.log" 2>&1
  # The host's update and security suites too, as on an installed Debian.
  cat >"$BASE.tmp/etc/apt/sources.list" <<EOF
deb $MIRROR $RELEASE main
deb $MIRROR $RELEASE-updates main
deb http://deb.debian.org/debian-security $RELEASE-security main
EOF
  printf '#!/bin/sh\nexit 101\n' >"$BASE.tmp/usr/sbin/policy-rc.d"
  chmod +x "$BASE.tmp/usr/sbin/policy-rc.d"
  cp "$NODE_BIN" "$BASE.tmp/usr/bin/node"
  mkdir -p "$BASE.tmp/usr/lib/node_modules"
  cp -a "$NPM_DIR" "$BASE.tmp/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$BASE.tmp/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$BASE.tmp/usr/bin/npx"
  mkdir -p "$BASE.tmp/usr/local/share/ca-certificates"
  cp -r /usr/local/share/ca-certificates/. "$BASE.tmp/usr/local/share/ca-certificates/" 2>/dev/null || true
  if [ -n "$(ls -A "$BASE.tmp/usr/local/share/ca-certificates")" ]; then
    # npm trusts Node's bundled CAs only, unless told to use the system's (which now include the local ones).
    mkdir -p "$BASE.tmp/usr/etc"
    echo 'cafile=/etc/ssl/certs/ca-certificates.crt' >"$BASE.tmp/usr/etc/npmrc"
  fi
  mount_chroot "$BASE.tmp"
  in_chroot "$BASE.tmp" 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
    apt-get install -y -qq --no-install-recommends git ca-certificates && apt-get clean &&
    update-ca-certificates' >"$LOGS/base-apt.log" 2>&1
  unmount_chroot
  mv "$BASE.tmp" "$BASE"
}

if [ "$REBUILD" = 1 ] || [ ! -x "$BASE/usr/bin/node" ]; then
  rm -rf "$BASE"
  timed "build the base system ($RELEASE minbase, node $("$NODE_BIN" --version), git, ca-certificates)" build_base
fi

rm -rf "$RUN"
cp -a "$BASE" "$RUN"
# The clone's origin: a bare repository holding just REF, as `main`.
git init -q --bare -b main "$RUN/srv/kombo-sync.git"
git -C "$RUN/srv/kombo-sync.git" fetch -q "$REPO" "$SHA"
git -C "$RUN/srv/kombo-sync.git" update-ref refs/heads/main "$SHA"
mount_chroot "$RUN"
say "commit $SHA ($(git -C "$REPO" log -1 --format=%s "$SHA"))"
timed "git clone" in_chroot "$RUN" 'git clone -q /srv/kombo-sync.git /root/kombo-sync'

status=0
if [ "$RUN_TEST" = 1 ]; then
  say "npm test (log: $LOGS/npm-test.log)"
  timed "npm test" in_chroot "$RUN" 'cd /root/kombo-sync && npm test' >"$LOGS/npm-test.log" 2>&1 || status=1
  grep -E '^(Tests|Test Suites):|^kombo-sync:' "$LOGS/npm-test.log" || true
  grep -E '^FAIL ' "$LOGS/npm-test.log" | sort -u || true
  say "installed by npm test: $(grep -ho 'installing .* with apt-get' "$LOGS/npm-test.log" | tr '\n' ' ')"
fi

if [ "$RUN_START" = 1 ]; then
  ports="$("$NODE_BIN" -e 'const n=require("net");const f=()=>new Promise(r=>{const s=n.createServer();
    s.listen(0,"127.0.0.1",()=>{const p=s.address().port;s.close(()=>r(p))})});
    Promise.all([f(),f()]).then(p=>console.log(p.join(" ")))')"
  read -r ingress_port dashboard_port <<<"$ports"
  say "npm start (INGRESS_PORT=$ingress_port DASHBOARD_PORT=$dashboard_port; log: $LOGS/npm-start.log)"
  # chroot, env and bash exec one another, so $! is the npm process itself: the one a supervisor signals.
  chroot "$RUN" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" INGRESS_PORT="$ingress_port" \
    DASHBOARD_PORT="$dashboard_port" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c 'cd /root/kombo-sync && exec npm start' >"$LOGS/npm-start.log" 2>&1 &
  npm_pid=$!
  start=$(date +%s)
  up=0
  while [ $(($(date +%s) - start)) -lt "$START_TIMEOUT_S" ] && kill -0 "$npm_pid" 2>/dev/null; do
    if "$NODE_BIN" -e "fetch('http://127.0.0.1:$ingress_port/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
      up=1
      break
    fi
    sleep 1
  done
  if [ "$up" = 1 ]; then
    say "npm start: ingress /healthz answered after $(($(date +%s) - start)) s"
    sleep 15 # let the sandbox send webhooks and the workers sync, so SIGTERM meets a fleet at work
    say "processes in the chroot before SIGTERM: $(chroot_pids | wc -l)"
    grep -E '^kombo-sync: integrations' "$LOGS/npm-start.log" | tail -1 || true
  elif kill -0 "$npm_pid" 2>/dev/null; then
    say "npm start: ingress /healthz did not answer within $START_TIMEOUT_S s"
    status=1
  else
    say "npm start exited before the ingress answered /healthz"
    status=1
  fi
  stop_start=$(date +%s)
  kill -TERM "$npm_pid" 2>/dev/null || true
  while [ -n "$(chroot_pids)" ] && [ $(($(date +%s) - stop_start)) -lt "$STOP_TIMEOUT_S" ]; do sleep 0.5; done
  left="$(chroot_pids | tr '\n' ' ')"
  wait "$npm_pid" && npm_rc=0 || npm_rc=$?
  if [ -z "$left" ]; then
    say "npm start: SIGTERM to npm (pid $npm_pid) left no process behind after $(($(date +%s) - stop_start)) s (npm exit $npm_rc)"
  else
    say "npm start: processes left $STOP_TIMEOUT_S s after SIGTERM to npm:"
    # shellcheck disable=SC2086
    for pid in $left; do printf '  %s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"; done
    status=1
  fi
  grep -E '^kombo-sync: (stopp|.*did not stop)' "$LOGS/npm-start.log" || true
fi

[ "$status" = 0 ] && say "PASS" || say "FAIL (logs in $LOGS)"
exit "$status"
