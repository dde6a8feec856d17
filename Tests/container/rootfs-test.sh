#!/usr/bin/env bash
# Checks what the Docker image holds, without a Docker engine:
#
#  1. builds the release binary with the Dockerfile's `swift build` flags
#     (scratch path .build-container), stripped if the build stage strips it;
#  2. builds a minimal root file system of the Dockerfile's runtime release
#     with `debootstrap --variant=minbase` (cached in .build-container/rootfs/);
#  3. checks with ldd that every library the binary loads is in that minimal
#     root file system, and that it asks for no newer glibc than it has;
#  4. assembles the image: the runtime stage's RUN in a copy of the root file
#     system (cached until the RUN changes), then its COPY lines; ldd inside;
#  5. runs the image's entry point in it, as the image's USER, with the image's
#     environment, as PID 1 of its own PID namespace, on a read-only root, with
#     one extra connector pointing at a small upstream on 127.0.0.1 whose token
#     is a mounted secret file;
#  6. from outside: /healthz answers, the Dockerfile's HEALTHCHECK passes inside
#     (and fails against a closed port), tools/list holds the sample tools and
#     the extra one, a tools/call reaches the upstream with the secret, and
#     `gatehouse check` passes on the image's folder;
#  7. SIGTERM: the process exits 0.
#
#   rootfs-test.sh             everything above
#   rootfs-test.sh --prepare   steps 1 to 4 only: fills the caches, so a later
#                              full run takes seconds (./scripts/test does this
#                              before the end-to-end suite and its time limit)
#
# Needs root (debootstrap, chroot, mounts) and a Debian mirror; installs
# debootstrap with apt when it is missing. Prints one "ok: ..." line per check
# and "time: ..." lines; exits non-zero at the first failure.
#
# Environment: GATEHOUSE_DEBIAN_MIRROR overrides the mirror, found otherwise in
# this machine's apt sources (http://deb.debian.org/debian when none matches).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=Tests/container
scratch=.build-container
cache=$scratch/rootfs

prepare_only=false
case "${1:-}" in
    "") ;;
    --prepare) prepare_only=true ;;
    *) echo "usage: $0 [--prepare]" >&2; exit 2 ;;
esac

say() { printf '== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
facts() { python3 "$here/dockerfile.py" Dockerfile "$1"; }
now() { date +%s; }

[ "$(id -u)" = 0 ] || fail "run as root: debootstrap, chroot and mount need it"
for tool in swift python3 curl unshare nsenter chroot ldd strip; do
    command -v "$tool" >/dev/null || fail "$tool is not installed"
done
if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

launcher="" upstream="" work=""
cleanup() {
    # The launcher's child is PID 1 of the container's PID namespace: killing
    # it ends everything in there, and the mounts go with the namespace.
    # (unshare --kill-child alone is not enough: a change of user clears it.)
    if [ -n "$launcher" ] && kill -0 "$launcher" 2>/dev/null; then
        for child in $(cat "/proc/$launcher/task/$launcher/children" 2>/dev/null); do kill -KILL "$child" 2>/dev/null || true; done
        kill -KILL "$launcher" 2>/dev/null || true
        wait "$launcher" 2>/dev/null || true
    fi
    if [ -n "$upstream" ] && kill -0 "$upstream" 2>/dev/null; then kill "$upstream" 2>/dev/null || true; fi
    if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- the Dockerfile
runtime_image=$(facts runtime-image)
build_image=$(facts build-image)
[[ "$runtime_image" =~ ^debian:([a-z]+)(-slim)?$ ]] \
    || fail "runtime image $runtime_image: this test knows how to rebuild debian:<release>[-slim] only"
suite=${BASH_REMATCH[1]}
[[ "$build_image" == *-"$suite" ]] \
    || fail "build image $build_image is not on Debian $suite like the runtime image $runtime_image: the binary would need another glibc"
read -r -a build_flags <<<"$(facts swift-build)"
image_user=$(facts user)
[[ "$image_user" =~ ^([0-9]+):([0-9]+)$ ]] || fail "USER $image_user: expected a numeric uid:gid"
uid=${BASH_REMATCH[1]} gid=${BASH_REMATCH[2]}
mapfile -t image_env < <(facts env)
mapfile -t entrypoint < <(facts entrypoint)
mapfile -t healthcheck < <(facts healthcheck)
mapfile -t run_steps < <(facts run)
mapfile -t copy_steps < <(facts copy)
port=$(facts expose)
ok "Dockerfile: build on $build_image, run on $runtime_image (debootstrap $suite), user $uid:$gid, port $port"

# ---------------------------------------------------------------- 1. the binary
say "building: swift build ${build_flags[*]} --scratch-path $scratch"
started=$(now)
build_log=$scratch/rootfs-test-build.log
mkdir -p "$scratch"
if ! swift build "${build_flags[@]}" --scratch-path "$scratch" >"$build_log" 2>&1; then
    tail -n 40 "$build_log" >&2
    fail "release build failed (full log: $build_log)"
fi
binary="$(swift build "${build_flags[@]}" --scratch-path "$scratch" --show-bin-path)/gatehouse"
build_seconds=$(( $(now) - started ))
echo "time: release build ${build_seconds}s"
ok "release binary built: $binary ($(( $(stat -c %s "$binary") / 1048576 )) MiB)"
# What the image gets: stripped too when the build stage strips it.
image_binary=$binary
if facts build-run | grep -Eq '(^|[ &;])strip /out/gatehouse'; then
    image_binary=$scratch/gatehouse.stripped
    strip -o "$image_binary" "$binary"
    ok "stripped like the build stage does: $(( $(stat -c %s "$image_binary") / 1048576 )) MiB in the image"
fi

# ---------------------------------------------------------------- 2. minbase
debian_mirror() {
    if [ -n "${GATEHOUSE_DEBIAN_MIRROR:-}" ]; then echo "$GATEHOUSE_DEBIAN_MIRROR"; return; fi
    python3 - "$suite" <<'PY'
import glob, sys
suite = sys.argv[1]
entries = []  # (uri, suites)
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        words = line.split("#")[0].split()
        if len(words) >= 3 and words[0] == "deb":
            if words[1].startswith("["):
                while not words[1].endswith("]"):
                    words.pop(1)
                words.pop(1)
            entries.append((words[1], [words[2]]))
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    try:
        stanzas = open(path).read().split("\n\n")
    except OSError:
        continue
    for stanza in stanzas:
        fields = {}
        for line in stanza.splitlines():
            if ":" in line and not line.startswith(("#", " ")):
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.split()
        if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"])[0] != "no":
            for uri in fields.get("uris", []):
                entries.append((uri, fields.get("suites", [])))
matches = [uri for uri, suites in entries if suite in suites]
print(matches[0] if matches else "http://deb.debian.org/debian")
PY
}

minbase=$cache/$suite-minbase
started=$(now)
if [ ! -e "$minbase/.complete" ]; then
    mirror=$(debian_mirror)
    say "debootstrap --variant=minbase $suite from $mirror (cached in $minbase)"
    rm -rf "$minbase" "$minbase.partial"
    mkdir -p "$cache"
    # In a private mount namespace: the /proc and /sys debootstrap mounts
    # inside the target cannot outlive it.
    if ! unshare --mount --propagation private -- \
        debootstrap --variant=minbase "$suite" "$minbase.partial" "$mirror" >"$cache/debootstrap.log" 2>&1; then
        tail -n 30 "$cache/debootstrap.log" >&2
        fail "debootstrap failed (full log: $cache/debootstrap.log)"
    fi
    # The libraries of the bare base, before the Dockerfile adds anything.
    (cd "$minbase.partial" && find lib* usr/lib* -name '*.so*' \( -type f -o -type l \) -printf '%f\n' 2>/dev/null | sort -u) \
        >"$minbase.partial/.libraries"
    touch "$minbase.partial/.complete"
    mv "$minbase.partial" "$minbase"
    echo "time: debootstrap $(( $(now) - started ))s"
else
    echo "time: debootstrap 0s (cached)"
fi
base_glibc=$(dpkg-query --admindir="$minbase/var/lib/dpkg" -W -f='${Version}' libc6)
base_glibc=${base_glibc%%-*}
ok "minimal $suite root file system: glibc $base_glibc, $(wc -l <"$minbase/.libraries") shared objects"

# ---------------------------------------------------------------- 3. libraries
needed=()
while read -r line; do
    case "$line" in
        linux-vdso.so.*|linux-gate.so.*|"") ;;
        *"statically linked"*|*"not a dynamic executable"*) ;;
        *"not found"*) fail "ldd on this machine: $line" ;;
        *) name=${line%% *}; needed+=("${name##*/}") ;;
    esac
done < <(ldd "$image_binary")
missing=()
for library in "${needed[@]}"; do
    grep -qxF "$library" "$minbase/.libraries" || missing+=("$library")
done
[ ${#missing[@]} = 0 ] || fail "not in a minimal $suite root file system: ${missing[*]}"
ok "loads ${#needed[@]} shared libraries, all in a minimal $suite root file system: ${needed[*]}"
if command -v objdump >/dev/null; then
    wanted_glibc=$(objdump -T "$image_binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
    [ "$(printf '%s\n%s\n' "$wanted_glibc" "$base_glibc" | sort -V | tail -n 1)" = "$base_glibc" ] \
        || fail "the binary wants glibc $wanted_glibc; $suite has $base_glibc"
    ok "newest glibc symbol version wanted: $wanted_glibc (the base has $base_glibc)"
fi

# ---------------------------------------------------------------- 4. the image
# The runtime stage's RUN lines, cached by their text.
run_key=$(printf '%s\n' "${run_steps[@]}" | sha256sum | cut -c1-12)
layer=$cache/$suite-run-$run_key
started=$(now)
if [ ! -e "$layer/.complete" ]; then
    say "running the runtime stage's RUN in a copy of the base (cached in $layer)"
    rm -rf "$cache/$suite"-run-*
    cp -a "$minbase" "$layer.partial"
    rm -f "$layer.partial/.complete"
    for step in "${run_steps[@]}"; do
        if ! "$here/enter.sh" "$layer.partial" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            -- /bin/sh -c "$step" >"$cache/run.log" 2>&1; then
            tail -n 30 "$cache/run.log" >&2
            fail "RUN failed in the $suite base: $step"
        fi
    done
    mv "$layer.partial" "$layer"
    touch "$layer/.complete"
    echo "time: runtime RUN $(( $(now) - started ))s"
else
    echo "time: runtime RUN 0s (cached)"
fi

image=$cache/image
rm -rf "$image"
cp -a "$layer" "$image"
rm -f "$image/.complete" "$image/.libraries"
for step in "${copy_steps[@]}"; do
    read -r -a words <<<"$step"
    [ ${#words[@]} -ge 2 ] || fail "cannot read COPY $step"
    destination=${words[-1]}
    case "${words[0]}" in
        --from=*)
            [ "${words[1]}" = /out/gatehouse ] || fail "COPY $step: the test only knows the build stage's /out/gatehouse"
            source=$image_binary ;;
        --*) fail "COPY $step: options are not understood by this test" ;;
        *) source=${words[0]} ;;
    esac
    if [ -d "$source" ]; then
        mkdir -p "$image$destination"
        cp -R "$source/." "$image$destination"
    else
        install -D -m 0755 "$source" "$image$destination"
    fi
    chown -R 0:0 "$image$destination"
done
[ -x "$image${entrypoint[0]}" ] || fail "the entry point ${entrypoint[0]} is not in the image"
ok "image assembled: ${#run_steps[@]} RUN, ${#copy_steps[@]} COPY; entry point ${entrypoint[*]}"

in_base_ldd=$("$here/enter.sh" "$image" PATH=/usr/bin:/bin -- ldd "${entrypoint[0]}" 2>&1) \
    || fail "ldd in the image failed: $in_base_ldd"
if grep -q "not found" <<<"$in_base_ldd"; then
    fail "ldd in the image: $(grep "not found" <<<"$in_base_ldd")"
fi
ok "ldd inside the image resolves every library and symbol version"
if $prepare_only; then
    echo "prepared: binary and root file system are cached"
    exit 0
fi

# ---------------------------------------------------------------- 5. run it
work=$(mktemp -d /tmp/gatehouse-rootfs-test.XXXXXX)
python3 "$here/upstream.py" --port-file "$work/upstream-port" &
upstream=$!
for _ in $(seq 100); do [ -s "$work/upstream-port" ] && break; sleep 0.1; done
[ -s "$work/upstream-port" ] || fail "the test upstream did not start"
upstream_port=$(cat "$work/upstream-port")

# What a deployment mounts: one more connector and the secret it reads,
# readable by the image's group only (like a Kubernetes secret with fsGroup).
connectors=$(printf '%s\n' "${image_env[@]}" | sed -n 's/^GATEHOUSE_CONNECTORS=//p')
[ -n "$connectors" ] || fail "the Dockerfile sets no GATEHOUSE_CONNECTORS"
sed "s/@PORT@/$upstream_port/" "$here/connector.yaml" >"$image$connectors/rootfs-check.yaml"
token="rootfs-secret-$RANDOM$RANDOM"
install -d -m 0750 -o 0 -g "$gid" "$image/run/secrets/upstream"
printf '%s\n' "$token" >"$image/run/secrets/upstream/token"
chown "0:$gid" "$image/run/secrets/upstream/token"
chmod 0440 "$image/run/secrets/upstream/token"

gateway_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
home=$(awk -F: -v uid="$uid" '$3 == uid { print $6 }' "$image/etc/passwd")
# Docker's environment for the container: PATH, HOME, the image's ENV, then
# `-e` overrides. It shares this machine's network, so it listens on loopback
# and on a free port instead of the image's 0.0.0.0:$port.
container_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "HOME=${home:-/}" HOSTNAME=rootfs-test
    "${image_env[@]}" GATEHOUSE_HOST=127.0.0.1 "GATEHOUSE_PORT=$gateway_port" GATEHOUSE_LOG_LEVEL=info)

say "starting ${entrypoint[*]} in the image (read-only root, uid $uid, port $gateway_port)"
log=$scratch/rootfs-test-gateway.log
started=$(now)
"$here/enter.sh" --read-only --user "$uid:$gid" "$image" "${container_env[@]}" -- "${entrypoint[@]}" >"$log" 2>&1 &
launcher=$!
show_log() { echo "--- gateway log" >&2; tail -n 40 "$log" >&2; }

gateway=""
for _ in $(seq 200); do
    for child in $(cat "/proc/$launcher/task/$launcher/children" 2>/dev/null); do
        [ "$(cat "/proc/$child/comm" 2>/dev/null)" = gatehouse ] && gateway=$child
    done
    if [ -n "$gateway" ] && curl -fsS -o /dev/null "http://127.0.0.1:$gateway_port/healthz" 2>/dev/null; then break; fi
    kill -0 "$launcher" 2>/dev/null || { show_log; fail "the gateway exited during start-up"; }
    sleep 0.1
done
[ -n "$gateway" ] || { show_log; fail "no gatehouse process appeared"; }

# ---------------------------------------------------------------- 6. checks
health=$(curl -fsS "http://127.0.0.1:$gateway_port/healthz") || { show_log; fail "/healthz does not answer"; }
[ "$health" = '{"status":"ok"}' ] || fail "/healthz answered $health"
ok "/healthz answers $health after $(( $(now) - started ))s"

[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$gateway/status")" = 1 ] || fail "gatehouse is not PID 1 in its namespace"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$gateway/status")" = "$uid" ] || fail "gatehouse does not run as uid $uid"
[ "$(awk '/^Gid:/ { print $2 }' "/proc/$gateway/status")" = "$gid" ] || fail "gatehouse does not run as gid $gid"
ok "gatehouse runs as PID 1 of its PID namespace, uid $uid, gid $gid, on a read-only root"

# Like `docker exec`: the container's mount and PID namespaces, root and user.
in_container() {
    nsenter --target "$gateway" --mount --pid --root --wd --setuid "$uid" --setgid "$gid" -- /usr/bin/env -i "$@"
}
in_container "${container_env[@]}" "${healthcheck[@]}" || { show_log; fail "the HEALTHCHECK command fails: ${healthcheck[*]}"; }
if in_container "${container_env[@]}" GATEHOUSE_PORT=1 "${healthcheck[@]}" 2>/dev/null; then
    fail "the HEALTHCHECK command passes against a closed port"
fi
ok "the Dockerfile's HEALTHCHECK passes inside the container (and fails against a closed port)"

if in_container "${container_env[@]}" touch /etc/gatehouse/written 2>/dev/null; then
    fail "the root file system is writable"
fi
check_output=$(in_container "${container_env[@]}" "${entrypoint[0]}" check "$connectors") \
    || fail "gatehouse check $connectors: $check_output"
ok "gatehouse check $connectors inside the container: $check_output"

mcp() {  # mcp METHOD NAME PARAMS-JSON: a 2026-07-28 request, no session
    local headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'
        -H 'MCP-Protocol-Version: 2026-07-28' -H "Mcp-Method: $1")
    [ -n "$2" ] && headers+=(-H "Mcp-Name: $2")
    curl -sS --max-time 20 "${headers[@]}" "http://127.0.0.1:$gateway_port/mcp" \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$3}"
}
meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'

listing=$(mcp tools/list "" "{$meta}") || { show_log; fail "tools/list failed"; }
tools=$(python3 -c 'import json, sys; print(" ".join(sorted(t["name"] for t in json.loads(sys.argv[1])["result"]["tools"])))' "$listing") \
    || fail "tools/list answered $listing"
for tool in find_place get_forecast rootfs_get_item; do
    [[ " $tools " == *" $tool "* ]] || fail "tools/list lacks $tool: $tools"
done
ok "tools/list: $tools"

answer=$(mcp tools/call rootfs_get_item "{\"name\":\"rootfs_get_item\",\"arguments\":{},$meta}") || { show_log; fail "tools/call failed"; }
python3 - "$answer" "$token" <<'PY' || { show_log; fail "tools/call answered $answer"; }
import hashlib, json, sys
answer, token = json.loads(sys.argv[1]), sys.argv[2]
result = answer["result"]
assert not result.get("isError"), result
text = "".join(part.get("text", "") for part in result["content"])
item = json.loads(text)
assert item["id"] == "42", item
# The upstream proves what it got by a digest: the token itself, echoed
# back, would be redacted by the gateway.
assert item["authorization_sha256"] == hashlib.sha256(("Bearer " + token).encode()).hexdigest(), item
assert token not in text
PY
ok "tools/call rootfs_get_item reached the upstream on 127.0.0.1 with the bearer token from the secret file"

rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$gateway/status")
echo "memory: resident ${rss_kib} KiB after the checks"

# ---------------------------------------------------------------- 7. SIGTERM
stopping=$(now)
kill -TERM "$gateway"
status=0
for _ in $(seq 150); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
kill -0 "$launcher" 2>/dev/null && { show_log; fail "still running 15 s after SIGTERM"; }
wait "$launcher" || status=$?
launcher=""
[ "$status" = 0 ] || { show_log; fail "exit status $status after SIGTERM"; }
ok "SIGTERM: exited 0 after $(( $(now) - stopping ))s"
grep -q "serving MCP at" "$log" || { show_log; fail "the log lacks the start-up line"; }
echo "time: run and checks $(( $(now) - started ))s"
echo "rootfs test passed"
