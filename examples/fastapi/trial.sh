#!/bin/bash
# restaudit in front of a FastAPI app written the tutorial's way (app.py), with a scripted
# sequence of ordinary and faulty requests. Each step prints its status and the rules that
# fired for it ("-" for none). Needs Debian's python3-fastapi and python3-uvicorn (the
# interpreter is /usr/bin/python3). Run from this folder after `npm run build` at the top of
# the repository:   ./trial.sh
set -euo pipefail
cd "$(dirname "$0")"
BACKEND=${BACKEND_PORT:-3121}
PROXY=${PROXY_PORT:-3122}
ADMIN=${ADMIN_PORT:-3123}
P=http://127.0.0.1:$PROXY
A=http://127.0.0.1:$ADMIN

work=$(mktemp -d)
/usr/bin/python3 -m uvicorn app:app --host 127.0.0.1 --port "$BACKEND" >"$work/uvicorn.log" 2>&1 &
backend=$!
node ../../dist/cli.js --target "http://127.0.0.1:$BACKEND" --listen "127.0.0.1:$PROXY" --admin-listen "127.0.0.1:$ADMIN" >"$work/restaudit.log" &
proxy=$!
trap 'kill $proxy $backend 2>/dev/null; wait 2>/dev/null; echo "logs: $work"' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "$P/items/foo" && break; sleep 0.2; done

count() { curl -s "$A/violations?limit=1000" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).violations.length))'; }
step() { # description, curl arguments...
  local name=$1; shift
  local before status fired
  before=$(count)
  status=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  sleep 0.1
  fired=$(curl -s "$A/violations?limit=1000" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s).violations;console.log(v.slice(0,v.length-$before).map(x=>x.rule).join(', ')||'-')})")
  printf '%-56s %s  %s\n' "$name" "$status" "$fired"
}
JSON=(-H 'content-type: application/json')

echo "== ordinary traffic"
step "GET /items/foo" "$P/items/foo"
step "PUT /items/foo (replace)" -X PUT "${JSON[@]}" -d '{"name":"Foo","price":51}' "$P/items/foo"
step "PATCH /items/bar" -X PATCH "${JSON[@]}" -d '{"price":63}' "$P/items/bar"
step "POST /items/ (create)" -X POST "${JSON[@]}" -d '{"name":"Baz","price":3}' "$P/items/"
step "GET /items/1 (the created item)" "$P/items/1"
step "POST /token (login)" -X POST "${JSON[@]}" -d '{"username":"ada","password":"secret"}' "$P/token"
step "POST /token (wrong password)" -X POST "${JSON[@]}" -d '{"username":"ada","password":"nope"}' "$P/token"
step "GET /users/me anonymous" "$P/users/me"
step "GET /items/nope (never existed)" "$P/items/nope"
echo "== an uptime checker, a link checker"
step "HEAD /items/foo" -I "$P/items/foo"
echo "== a method the path does not serve"
step "POST /items/foo" -X POST "${JSON[@]}" -d '{"name":"x"}' "$P/items/foo"
echo "== upsert: PUT of an item that does not exist"
step "GET /items/qux" "$P/items/qux"
step "PUT /items/qux (creates it)" -X PUT "${JSON[@]}" -d '{"name":"Qux","price":1}' "$P/items/qux"
step "PUT /items/qux again (replaces it)" -X PUT "${JSON[@]}" -d '{"name":"Qux","price":2}' "$P/items/qux"
echo "== delete, then use the path again at once (one keep-alive connection)"
curl -s -o /dev/null -w 'DELETE /items/qux %{http_code}\n' -X DELETE "$P/items/qux" --next -s -o /dev/null -w 'GET /items/qux %{http_code}\n' "$P/items/qux" --next -s -o /dev/null -w 'PUT /items/qux %{http_code}\n' -X PUT "${JSON[@]}" -d '{"name":"Qux"}' "$P/items/qux"
sleep 0.2
echo "== faulty input"
step "POST /items/ with malformed JSON" -X POST "${JSON[@]}" -d '{"name":' "$P/items/"
step "PUT /items/foo with a wrong type" -X PUT "${JSON[@]}" -d '{"price":"cheap"}' "$P/items/foo"
step "DELETE /items/nope" -X DELETE "$P/items/nope"

echo
echo "== every finding"
curl -s "$A/violations?limit=1000" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for (const v of JSON.parse(s).violations.reverse()) console.log(`${v.method} ${v.path} ${v.status}  ${v.rule}: ${v.message}`)})'
