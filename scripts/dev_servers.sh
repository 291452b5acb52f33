#!/usr/bin/env bash
# `make run`'s processes: the development server, the task worker (it sends email) and the
# reminder sender, all stopped by one Ctrl-C.
#
# They run in a session of their own (setsid), so one signal to its process group reaches
# every one of them, the autoreloaders' child processes included, and never make or this
# script. (A `kill 0` trap in the Makefile signalled make and the trap's own shell, whose
# trap then ran again until bash crashed: "Segmentation fault" on every stop.)
# Usage: scripts/dev_servers.sh BIN PORT
set -u
bin="$1"
port="$2"

# shellcheck disable=SC2016  # the inner script expands its own arguments
setsid bash -c '
    "$0/python" manage.py db_worker &
    "$0/python" manage.py send_reminders --every 900 &
    "$0/python" manage.py runserver "127.0.0.1:$1"
    status=$?
    # The server stopped by itself (its port taken, say): stop the other two with it.
    trap "" TERM
    kill 0
    exit "$status"' "$bin" "$port" &
group=$!

stopped=""
# HUP too: a closed terminal no longer reaches processes in a session of their own.
trap 'stopped=1; kill -TERM -- "-$group" 2>/dev/null' INT TERM HUP
# A trapped signal ends a wait early: wait again until the group's leader is gone.
status=0
while kill -0 "$group" 2>/dev/null; do
    wait "$group"
    status=$?
done
# Then for the rest of the group (the server's reloaded child lets go of the port last),
# ten seconds at most.
for _ in $(seq 100); do
    kill -0 -- "-$group" 2>/dev/null || break
    sleep 0.1
done
if [ -n "$stopped" ]; then
    echo "PrepSite stopped."
    exit 0
fi
exit "$status"
