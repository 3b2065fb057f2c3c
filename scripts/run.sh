#!/usr/bin/env bash
# `make run`: migrate, load the demo town, start the platform simulator and the app, print where to go.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
SIM_PORT="${CITYMES_SIMULATOR_PORT:-8081}"
export CITYMES_SIMULATOR_URL="${CITYMES_SIMULATOR_URL:-http://127.0.0.1:${SIM_PORT}}"
export CITYMES_TELEGRAM_API_BASE="${CITYMES_TELEGRAM_API_BASE:-$CITYMES_SIMULATOR_URL}"
export CITYMES_WHATSAPP_API_BASE="${CITYMES_WHATSAPP_API_BASE:-$CITYMES_SIMULATOR_URL}"
export REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false REFLEX_CHECK_LATEST_VERSION=false
export PATH="$PWD/.venv/bin:$PATH"
# Reload on code changes only: by default the dev server watches the whole project, and the database in data/
# changes all the time, which would restart the backend in a loop.
export REFLEX_HOT_RELOAD_OVERRIDE_PATHS="$PWD/citymes_app:$PWD/integrations"

# The server's keys (channel credentials are encrypted at rest): from the environment, else the keys file, which is
# created here with fresh random keys the first time (readable by its owner only).
$PY -m citymes_app.cli secrets keys-file

# The first time, the demo town (with its queue of citizens waiting) and a year of its activity (generated, about ten
# seconds), so the statistics have figures and the unanswered-questions report has questions; a town that already has
# messages is left as it is. Before `demo`, whose queue would count as activity.
$PY -m citymes_app.cli demo --history --messages 50000 --only-if-empty
demo_output=$($PY -m citymes_app.cli demo)
echo "$demo_output"

channel_id=$(sed -n 's/.*Telegram channel \([0-9][0-9]*\).*/\1/p' <<<"$demo_output" | head -1)
whatsapp_id=$(sed -n 's/.*WhatsApp channel \([0-9][0-9]*\).*/\1/p' <<<"$demo_output" | head -1)

$PY -m integrations.simulator --port "$SIM_PORT" &
sim_pid=$!
connect_pid=""
trap 'kill $sim_pid $connect_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 50); do
  curl -fs "$CITYMES_SIMULATOR_URL/sim/health" >/dev/null 2>&1 && break
  sleep 0.2
done

# The simulator delivers the demo bot's updates to our webhook on the backend port.
$PY -m citymes_app.cli channel set-webhook "$channel_id" --base-url http://127.0.0.1:8000

# The demo's WhatsApp number: the simulator checks our webhook with Meta's handshake when it is registered, so this
# waits in the background until the backend answers (the first start compiles the front end first).
if [ -n "$whatsapp_id" ]; then
  (
    for _ in $(seq 1 900); do
      if curl -fs http://127.0.0.1:8000/healthz >/dev/null 2>&1; then
        $PY -m citymes_app.cli channel connect-simulator "$whatsapp_id" \
          --simulator-url "$CITYMES_SIMULATOR_URL" --base-url http://127.0.0.1:8000 || true
        exit 0
      fi
      sleep 1
    done
    echo "the backend did not answer on :8000: the WhatsApp number is not connected to the simulator" >&2
  ) &
  connect_pid=$!
fi

cat <<MSG

  CityMes is starting (the first start installs the web front end: about a minute).

    Operator inbox:     http://localhost:3000/inbox
    Citizen's phone:    http://localhost:3000/citizen   (write as a citizen of the demo town)
    Platform simulator: $CITYMES_SIMULATOR_URL

    Demo logins, password 'citymes-demo':
      operator@demo.citymes.local   operator2@demo.citymes.local
      manager@demo.citymes.local    admin@demo.citymes.local

  On the citizen's phone choose Telegram or WhatsApp (the demo number +34 600 000 000).
  Try the keywords HORARIS, HORARIOS, OPENING HOURS, DEIXALLERIA; anything else goes to the inbox.

MSG
.venv/bin/reflex run --frontend-port 3000 --backend-port 8000
