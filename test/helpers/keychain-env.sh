#!/usr/bin/env bash
# Runs a command in a prepared keychain environment, for test/integration/keychain.test.ts. Each run is isolated:
# its own HOME/XDG folders and its own D-Bus session, never the user's keyring.
#   keychain-env.sh MODE COMMAND...
#   unlocked           gnome-keyring running and unlocked (the happy path)
#   locked             a keyring holding one item, then locked through the Secret Service (no display)
#   locked-display     same, with an X display (Xvfb): gnome-keyring shows an unlock prompt and keytar waits
#   no-secret-service  a D-Bus session whose config lists no service files, so nothing can provide org.freedesktop.secrets
#   no-dbus            no session bus and no display at all
# Prepared items (locked*): service "dev.grantbox.test", account "stored", secret "before-lock".
set -euo pipefail
mode=$1; shift
tmp=$(mktemp -d)
cleanup() {
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/home" "$tmp/data" "$tmp/run"
chmod 700 "$tmp/run"
base=(PATH="$PATH" HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" LANG=C.UTF-8)

# Inside the bus: start gnome-keyring unlocked, optionally store one item and lock the default collection.
inner='
  eval "$(printf "grantbox-test" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  if [ "$KC_LOCK" = 1 ]; then
    printf before-lock | secret-tool store --label=grantbox-test service dev.grantbox.test account stored
    dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
      org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null
  fi
  exec "$@"'

# dbus-daemon warns about fd limits when not allowed to raise them; gnome-keyring/gcr chatter goes to stderr too.
quiet() { grep -v -e 'Failed to set fd limit' -e 'Activating service' -e 'activated service' -e 'Activated service' -e 'cannot open display' -e 'couldn.t initialize prompt' -e '^$' >&2 || true; }

case "$mode" in
  unlocked) env -i "${base[@]}" KC_LOCK=0 dbus-run-session -- bash -c "$inner" bash "$@" 2> >(quiet) ;;
  locked) env -i "${base[@]}" KC_LOCK=1 dbus-run-session -- bash -c "$inner" bash "$@" 2> >(quiet) ;;
  locked-display)
    exec 3> "$tmp/display"
    Xvfb -displayfd 3 -nolisten tcp -screen 0 640x480x24 >/dev/null 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
    display=":$(cat "$tmp/display")"
    env -i "${base[@]}" DISPLAY="$display" KC_LOCK=1 dbus-run-session -- bash -c "$inner" bash "$@" 2> >(quiet)
    ;;
  no-secret-service)
    cat > "$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$tmp/run</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
  </policy>
</busconfig>
CONF
    env -i "${base[@]}" dbus-run-session --config-file="$tmp/bus.conf" -- "$@" 2> >(quiet)
    ;;
  no-dbus) env -i "${base[@]}" "$@" ;;
  *) echo "keychain-env.sh: unknown mode $mode" >&2; exit 2 ;;
esac
