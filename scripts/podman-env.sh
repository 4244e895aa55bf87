# Sourced by scripts/container-smoke and scripts/kube-smoke: a rootful podman that works on a bare Debian
# machine without access to a container registry.
#
# - podman and its helpers are installed with apt-get when missing (root only);
# - podman gets a private configuration and storage under $GRADTRACE_CONTAINER_STATE: runc (crun 1.8
#   refuses hybrid cgroups), cgroupfs, file events, and ulimits no higher than this shell's (podman's
#   defaults are higher than what root without CAP_SYS_RESOURCE may set);
# - podman_base_image makes the Debian base image locally with mmdebstrap from the host's own apt sources
#   and CA certificates (no docker.io pull), once per source list;
# - podman_pip_mounts lists -v options that mount the host's pip configuration, and the local wheel
#   directories it points at, read-only into the build's RUN steps (so a CPU torch wheel mirrored on the
#   host is what the image gets).
# One user of the state directory at a time: podman_lock waits for it. The directory holds the images and
# their build cache (~1.3 GB per image built); delete it to reclaim the space.

GRADTRACE_CONTAINER_STATE="${GRADTRACE_CONTAINER_STATE:-/var/tmp/gradtrace-podman}"
SUITE=bookworm

say() { printf '[%s %4ss] %s\n' "$(basename "$0")" "$SECONDS" "$*" >&2; }
die() { say "error: $*"; exit 2; }

podman_install() {
  local need=() tool
  for tool in podman runc slirp4netns mmdebstrap curl; do
    command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
  done
  command -v flock >/dev/null 2>&1 || need+=(util-linux)
  [ -x /usr/libexec/podman/catatonit ] || [ -x /usr/bin/catatonit ] || need+=(catatonit)
  [ ${#need[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || die "missing ${need[*]} (root with apt-get installs them)"
  say "apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

podman_configure() {
  local files procs
  files="$(ulimit -Hn)"; [ "$files" = unlimited ] && files=1048576
  procs="$(ulimit -Hu)"; { [ "$procs" = unlimited ] || [ "$procs" -gt 32768 ]; } && procs=32768
  mkdir -p "$GRADTRACE_CONTAINER_STATE/conf"
  cat >"$GRADTRACE_CONTAINER_STATE/conf/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$files:$files", "nproc=$procs:$procs"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$GRADTRACE_CONTAINER_STATE/t"  # short: slirp4netns socket paths must stay under 108 bytes
EOF
  cat >"$GRADTRACE_CONTAINER_STATE/conf/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$GRADTRACE_CONTAINER_STATE/storage"
runroot = "$GRADTRACE_CONTAINER_STATE/run"
EOF
  export CONTAINERS_CONF="$GRADTRACE_CONTAINER_STATE/conf/containers.conf"
  export CONTAINERS_STORAGE_CONF="$GRADTRACE_CONTAINER_STATE/conf/storage.conf"
}

podman_lock() {
  exec 9>"$GRADTRACE_CONTAINER_STATE/lock"
  flock -w 1200 9 || die "another run holds $GRADTRACE_CONTAINER_STATE/lock"
}

podman_setup() {
  [ "$(id -u)" = 0 ] || die "podman runs rootful here: run as root"
  podman_install
  podman_configure
  podman_lock
}

# The host's active apt sources for $SUITE (Debian's own keyring only) and apt Acquire:: options.
_apt_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] && grep -Eq "^[^#]*\b$SUITE\b" "$file" || continue
    grep -Ei 'signed-by' "$file" | grep -Eqv 'debian-archive-keyring' && continue
    echo "$file"
  done
}

podman_base_image() {
  local sources=() options=() certs=() file key image tarball
  mapfile -t sources < <(_apt_sources)
  for file in /etc/apt/apt.conf.d/*; do
    [ -f "$file" ] && grep -Eq '^[[:space:]]*Acquire::' "$file" && options+=(--aptopt="$file")
  done
  for file in /usr/local/share/ca-certificates/*.crt; do [ -f "$file" ] && certs+=("$file"); done
  key="$(cat "${sources[@]}" "${options[@]#--aptopt=}" "${certs[@]}" /dev/null | sha256sum | cut -c1-12)"
  image="localhost/debian-$SUITE-local:$key"
  if ! podman image exists "$image"; then
    say "making the base image $image (mmdebstrap $SUITE, the host's apt sources)"
    tarball="$(mktemp -d)/base.tar"
    local hook=true
    [ ${#certs[@]} -gt 0 ] && hook='mkdir -p "$1/usr/local/share/ca-certificates" && cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" && chroot "$1" update-ca-certificates --fresh >/dev/null'
    timeout 900 mmdebstrap --quiet --variant=minbase --include=ca-certificates "${options[@]}" \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --customize-hook="$hook" --customize-hook='rm -rf "$1"/var/cache/apt/*.bin "$1"/var/log/apt/*' \
      "$SUITE" "$tarball" "${sources[@]}" >&2
    podman import --quiet --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' "$tarball" "$image" >/dev/null
    rm -rf "$(dirname "$tarball")"
  fi
  echo "$image"
}

# -v options for `podman build`: the host's effective pip configuration (files it names copied next to it)
# at /etc/xdg/pip, and the local directories its indexes and find-links point at, all read-only.
podman_pip_mounts() {
  local into="$1" python
  python="$(command -v python3 || true)"
  mkdir -p "$into"
  : >"$into/pip.conf"
  printf '%s\n' -v "$into:/etc/xdg/pip:ro"
  [ -n "$python" ] && "$python" -m pip --version >/dev/null 2>&1 || return 0
  "$python" - "$into" <<'PY'
import os, re, shutil, subprocess, sys, urllib.parse

into = sys.argv[1]
listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
sections: dict = {}
for line in listed.splitlines():
    found = re.match(r"^(:env:|[^.]+)\.([^=]+)='(.*)'$", line)
    if found:
        section, key, value = found.groups()
        sections.setdefault("global" if section == ":env:" else section, {})[key] = value
mounted = set()
for values in sections.values():
    for key, value in values.items():
        if key in ("cert", "client-cert", "constraint", "requirement") and os.path.isfile(value):
            copy = f"{key}-{os.path.basename(value)}"
            shutil.copyfile(value, os.path.join(into, copy))
            values[key] = f"/etc/xdg/pip/{copy}"
        elif key in ("find-links", "index-url", "extra-index-url"):
            for item in value.split():
                path = urllib.parse.unquote(urllib.parse.urlparse(item).path) if item.startswith("file:") else item
                if path.startswith("/") and os.path.isdir(path):
                    path = os.path.realpath(path)  # a file:// index links to ../files: mount its parent
                    mounted.add(os.path.dirname(path) if key != "find-links" else path)
with open(os.path.join(into, "pip.conf"), "w") as conf:
    for section, values in sections.items():
        conf.write(f"[{section}]\n" + "".join(f"{key} = {value}\n" for key, value in values.items()))
for path in sorted(mounted):
    print("-v")
    print(f"{path}:{path}:ro")
PY
}
