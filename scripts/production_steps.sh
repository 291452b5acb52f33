#!/usr/bin/env bash
# Follows the README's "Running in production" steps as written, on a fresh copy of the
# committed repository: a new virtual environment, pip, npm, migrate, collectstatic, the
# question bank and gunicorn; then asks /healthz through the headers the TLS proxy would add.
# Only what needs servers is swapped: SQLite for PostgreSQL, local memory for Redis, a free
# port for 8000, no SMTP host. Needs python3 (3.12+), npm and access to PyPI and npm.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        # gunicorn is not this shell's child: wait for it to go before removing its files.
        for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

git -C "$repo" archive HEAD | tar -x -C "$work"
cd "$work"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# The README's block: the first ```sh block after "## Running in production".
awk '/^## Running in production/ {inside = 1} inside && /^```sh/ {block = 1; next}
     block && /^```/ {exit} block {print}' README.md > steps.sh
grep -q 'gunicorn' steps.sh || { echo "No production steps found in README.md"; exit 1; }
sed -i -e "s|DATABASE_URL=postgres://[^ ]*|DATABASE_URL=sqlite:///$work/var/production.sqlite3|" \
       -e 's|REDIS_URL=[^ ]*|REDIS_URL=|' -e 's|EMAIL_HOST=[^ ]*|EMAIL_HOST=|' \
       -e "s|127.0.0.1:8000|127.0.0.1:$port|" \
       -e 's|^\(.*bin/gunicorn .*\)$|\1 \& echo $! > gunicorn.pid|' steps.sh
echo "== Following README.md's production steps in $work"
cat steps.sh
bash -euo pipefail steps.sh
server="$(cat gunicorn.pid)"

for _ in $(seq 60); do
    if answer="$(curl -fsS -H 'Host: prepsite.example' -H 'X-Forwarded-Proto: https' \
                 -H 'X-Forwarded-For: 192.0.2.1' "http://127.0.0.1:$port/healthz" 2>/dev/null)"; then
        echo "/healthz: $answer"
        [ "$answer" = '{"status": "ok"}' ] && exit 0
        exit 1
    fi
    sleep 1
done
echo "gunicorn did not answer /healthz"
exit 1
