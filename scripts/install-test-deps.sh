#!/usr/bin/env bash
# Install what the test suite needs beyond pip: the real nginx and haproxy binaries
# (Debian's packages), used by the tests that run real proxies on loopback.
#
# Idempotent and silent when both binaries are already there. Uses apt-get (Debian/Ubuntu),
# with sudo only when not root. Package services are never left running: a policy-rc.d
# keeps the postinst from starting them, and anything the install started anyway is stopped.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

missing=()
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: ${missing[*]} missing and apt-get is not available;" \
        "install them with your package manager (the tests that need them are skipped," \
        "or fail when WSLINT_REQUIRE_PROXIES=1)" >&2
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-test-deps: need root or sudo to install ${missing[*]}" >&2
        exit 1
    fi
    SUDO=(sudo)
fi

APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq)

echo "install-test-deps: installing ${missing[*]} with apt-get" >&2
"${APT[@]}" update >/dev/null

packages=()
for name in "${missing[@]}"; do
    if [ "$name" = nginx ]; then
        # nginx-light (nginx plus the echo module) where it exists, else plain nginx
        if apt-cache policy nginx-light 2>/dev/null | grep -q 'Candidate: [0-9]'; then
            packages+=(nginx-light)
        else
            packages+=(nginx)
        fi
    else
        packages+=("$name")
    fi
done

# Keep the packages' postinst from starting a service on port 80 (policy-rc.d exit 101 =
# "action forbidden"; invoke-rc.d and deb-systemd-invoke both honour it).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    own_policy=1
fi
cleanup() {
    if [ "$own_policy" = 1 ]; then
        "${SUDO[@]}" rm -f "$policy"
    fi
}
trap cleanup EXIT

# Pid files of services running before the install: those are not ours to stop.
before_nginx=0
before_haproxy=0
[ -s /run/nginx.pid ] && before_nginx=1
[ -s /run/haproxy.pid ] && before_haproxy=1

"${APT[@]}" install --no-install-recommends "${packages[@]}" >/dev/null

# Belt and braces: stop a service the install started anyway (by its pid file only).
stop_started() {
    local pidfile=$1 was_running=$2 pid
    [ "$was_running" = 1 ] && return 0
    [ -s "$pidfile" ] || return 0
    pid=$(head -n1 "$pidfile" | tr -dc 0-9)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "install-test-deps: stopping the service the package started (pid $pid)" >&2
        "${SUDO[@]}" kill -TERM "$pid" 2>/dev/null || true
    fi
}
stop_started /run/nginx.pid "$before_nginx"
stop_started /run/haproxy.pid "$before_haproxy"

for name in "${missing[@]}"; do
    if ! command -v "$name" >/dev/null 2>&1; then
        echo "install-test-deps: $name is still missing after apt-get install ${packages[*]}" >&2
        exit 1
    fi
done
echo "install-test-deps: $(nginx -v 2>&1 | head -n1); $(haproxy -v 2>&1 | head -n1)" >&2
