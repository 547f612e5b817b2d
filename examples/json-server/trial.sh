#!/bin/bash
# restaudit in front of json-server (a REST backend this project did not write), with
# flaws.js adding the kind of bugs a deploy brings. Each step prints its status and the
# rules that fired for it ("-" for none). Run from this folder after `npm run build` at the
# top of the repository:   ./trial.sh
set -euo pipefail
cd "$(dirname "$0")"
BACKEND=${BACKEND_PORT:-3111}
PROXY=${PROXY_PORT:-3112}
ADMIN=${ADMIN_PORT:-3113}
P=http://127.0.0.1:$PROXY
A=http://127.0.0.1:$ADMIN

work=$(mktemp -d)
cp db.json "$work/db.json"
# Its own process group: npx starts json-server as a child, and both must go at the end.
setsid npx --yes json-server@0.17.4 --port "$BACKEND" --host 127.0.0.1 --quiet --middlewares flaws.cjs -- "$work/db.json" >"$work/json-server.log" 2>&1 &
backend=$!
node ../../dist/cli.js --target "http://127.0.0.1:$BACKEND" --listen "127.0.0.1:$PROXY" --admin-listen "127.0.0.1:$ADMIN" >"$work/restaudit.log" &
proxy=$!
trap 'kill $proxy 2>/dev/null; kill -- -$backend 2>/dev/null; wait 2>/dev/null; echo "logs: $work"' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "$P/books" && break; sleep 0.2; done

count() { curl -s "$A/violations?limit=1000" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).violations.length))'; }
step() { # description, curl arguments...
  local name=$1; shift
  local before status fired
  before=$(count)
  status=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  sleep 0.1
  fired=$(curl -s "$A/violations?limit=1000" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s).violations;console.log(v.slice(0,v.length-$before).map(x=>x.rule).join(', ')||'-')})")
  printf '%-52s %s  %s\n' "$name" "$status" "$fired"
}
JSON=(-H 'content-type: application/json')

echo "== not-found-masks-auth"
step "GET /accounts/1 with credentials" -H 'Authorization: Bearer good' "$P/accounts/1"
step "GET /accounts/1 anonymous" "$P/accounts/1"
step "guard: GET /accounts/9 anonymous, never seen" "$P/accounts/9"
echo "== protected-route-served-anonymously"
step "GET /orders anonymous" "$P/orders"
step "HEAD /orders anonymous (HEAD forgotten)" -I "$P/orders"
step "guard: GET /payments with a bad token" -H 'Authorization: Bearer bad' "$P/payments"
step "guard: GET /payments anonymous (public)" "$P/payments"
echo "== created-resource-not-found"
step "POST /magazines (Location /magazine/1)" -X POST "${JSON[@]}" -d '{"title":"Wired"}' "$P/magazines"
step "GET /magazine/1" "$P/magazine/1"
step "guard: POST /books (Location /books/3)" -X POST "${JSON[@]}" -d '{"title":"Ulysses"}' "$P/books"
step "guard: DELETE /books/3" -X DELETE "$P/books/3"
step "guard: GET /books/3 after its DELETE" "$P/books/3"
echo "== deleted-resource-still-served"
step "GET /books/1 (now cached)" "$P/books/1"
step "DELETE /books/1" -X DELETE "$P/books/1"
step "GET /books/1 (from the stale cache)" "$P/books/1"
step "guard: POST /books id 7 (Location /books/7)" -X POST "${JSON[@]}" -d '{"id":7,"title":"Kim"}' "$P/books"
step "guard: GET /books/7 (now cached)" "$P/books/7"
step "guard: DELETE /books/7" -X DELETE "$P/books/7"
step "guard: POST /books id 7 again (re-created)" -X POST "${JSON[@]}" -d '{"id":7,"title":"Kim"}' "$P/books"
step "guard: GET /books/7" "$P/books/7"
echo "== single exchanges"
step "POST /books with malformed JSON" -X POST "${JSON[@]}" -d '{"title":' "$P/books"
step "GET /books" "$P/books"
step "PATCH /books/2" -X PATCH "${JSON[@]}" -d '{"title":"Emma."}' "$P/books/2"
step "PUT /books/2" -X PUT "${JSON[@]}" -d '{"title":"Emma"}' "$P/books/2"
step "GET /books?title=Emma" "$P/books?title=Emma"
echo "== json-server itself (no flaw of flaws.cjs involved)"
step "HEAD /books/2" -I "$P/books/2"
step "POST /books/2 (a method the item does not serve)" -X POST "${JSON[@]}" -d '{"title":"x"}' "$P/books/2"
step "GET /books/42 (absent)" "$P/books/42"
step "PUT /books/42 (absent)" -X PUT "${JSON[@]}" -d '{"title":"Nana"}' "$P/books/42"
curl -s -o /dev/null -w 'DELETE /books/2 %{http_code}\n' -X DELETE "$P/books/2" --next -s -o /dev/null -w 'GET /books/2 at once, same connection %{http_code}\n' "$P/books/2"
sleep 0.2
