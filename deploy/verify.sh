#!/usr/bin/env bash
# Checks of the deploy files that need tools beyond Node (each used only when installed):
#   docker compose config   the compose file against Docker's schema (Compose v2; Debian's docker-compose 1.29 as a
#                           fallback, which does not know the top-level `name:` and is given the file without it)
#   systemd-analyze verify  the unit files (unknown keys, bad values)
# The same checks that need no extra tool run with the tests: npx vitest run deploy
set -uo pipefail
cd "$(dirname "$0")"
status=0
made=()
for f in live models studio; do
  if [ ! -f "env/$f.env" ]; then cp "env/$f.env.example" "env/$f.env"; made+=("env/$f.env"); fi
done
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config --quiet && echo "docker compose config: ok" || status=1
elif command -v docker-compose >/dev/null; then
  grep -v '^name: ' docker-compose.yml > .compose-v1-check.yml
  docker-compose -f .compose-v1-check.yml config --quiet && echo "docker-compose (v1) config: ok" || status=1
  rm -f .compose-v1-check.yml
else
  echo "no docker compose here: compose file not checked against Docker's schema"
fi
if command -v systemd-analyze >/dev/null; then
  out="$(systemd-analyze verify systemd/xylen-live.service systemd/xylen-model-server.service 2>&1)"
  if [ -n "$out" ]; then echo "$out"; status=1; else echo "systemd-analyze verify: ok"; fi
else
  echo "no systemd-analyze here: unit files not checked"
fi
[ "${#made[@]}" -gt 0 ] && rm -f "${made[@]}"
exit "$status"
