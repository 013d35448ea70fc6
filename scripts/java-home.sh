# Sourced by ./trellis and ./test: sets JAVA_HOME to a Java 25 or newer, or prints one line and exits.
# Order: $JAVA_HOME, the Temurin 25 JDK that machines of this kind carry under /usr/lib/jvm, then `java` on the PATH.

java_major() { # prints the feature version of the java binary given, or nothing
    # A JDK's `release` file names its version: reading it costs nothing, starting a JVM to ask costs ~100 ms on
    # every command. Only a java without that file is asked. Shell built-ins only on the common path: each external
    # command is a fork and an exec on the way to every proxy's start.
    local release="" line
    case "$1" in
        */bin/java) [ -f "${1%/bin/java}/release" ] && release="${1%/bin/java}/release" ;;
    esac
    if [ -z "$release" ]; then
        release="$(dirname "$(dirname "$(readlink -f "$1" 2>/dev/null || echo "$1")")")/release"
    fi
    if [ -f "$release" ]; then
        while IFS= read -r line; do
            case "$line" in
                JAVA_VERSION=\"[0-9]*)
                    line=${line#JAVA_VERSION=\"}
                    echo "${line%%[!0-9]*}"
                    return 0
                    ;;
            esac
        done <"$release"
    else
        "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
    fi
}

trellis_find_java() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/*25*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
        major=$(java_major "$candidate/bin/java")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            export JAVA_HOME="$candidate"
            return 0
        fi
    done
    if command -v java >/dev/null 2>&1; then
        major=$(java_major java)
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
            export JAVA_HOME
            return 0
        fi
    fi
    echo "trellis: needs Java 25 or newer: set JAVA_HOME, or install Temurin 25 in /usr/lib/jvm/temurin-25-jdk-amd64 (found: ${major:+java $major}${major:-no java})" >&2
    exit 1
}

trellis_find_java
