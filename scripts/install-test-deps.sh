#!/usr/bin/env bash
# Installs the operating-system tools the tests use when they are missing (as root, with apt-get).
set -euo pipefail
needed=()
# command:package pairs; tests that need a tool skip only when it cannot be installed here.
for pair in ${TRELLIS_TEST_TOOLS:-}; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || needed+=("${pair#*:}")
done
if [ ${#needed[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-test-deps: missing ${needed[*]}; run as root or install them" >&2
        exit 1
    fi
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
fi
