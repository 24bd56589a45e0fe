#!/usr/bin/env bash
# A tour of the Zhanqun GraphQL API against the demo city (docs/api.md walks through the same steps).
#
#   ./dev start                        # in another terminal: embedded stack + demo city
#   bash docs/examples/api-tour.sh     # BASE=http://host:port to aim elsewhere
#
# Needs curl and jq. Exits non-zero on any GraphQL error, except the one it provokes on purpose (a township
# site, refused by 2015 §9), whose error it checks. Safe to run more than once: the department site it
# provisions is reused when it already exists, and everything else it creates carries a per-run suffix.
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:4000}
PASSWORD=${DEMO_PASSWORD:-'Zhanqun#Demo2026'}
RUN=${RUN:-$(date +%s)}

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "api-tour: $tool is required" >&2; exit 2; }
done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# post TOKEN QUERY [VARIABLES_JSON]: the raw GraphQL response (whatever the HTTP status).
post() {
  local token=$1 query=$2 variables=${3:-'{}'}
  local auth=()
  [[ -n $token ]] && auth=(-H "authorization: Bearer $token")
  jq -n --arg q "$query" --argjson v "$variables" '{query: $q, variables: $v}' |
    curl -sS -X POST "$BASE/graphql" -H 'content-type: application/json' "${auth[@]}" --data-binary @-
}

# gql TOKEN QUERY [VARIABLES_JSON]: prints .data; any error stops the tour.
gql() {
  local response
  response=$(post "$@")
  if ! jq -e '(.errors // []) | length == 0' >/dev/null <<<"$response"; then
    echo "api-tour: unexpected GraphQL error:" >&2
    jq . <<<"$response" >&2
    exit 1
  fi
  jq '.data' <<<"$response"
}

# expect_error REASON TOKEN QUERY [VARIABLES_JSON]: the request must fail with exactly this reason.
expect_error() {
  local reason=$1 response
  shift
  response=$(post "$@")
  jq '.errors' <<<"$response"
  if ! jq -e --arg r "$reason" '.errors[0].extensions.reason == $r' >/dev/null <<<"$response"; then
    echo "api-tour: expected an error with reason $reason" >&2
    exit 1
  fi
}

login() { # login EMAIL [PASSWORD] -> the whole session as JSON
  gql '' 'mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { accessToken refreshToken expiresIn user { email name } }
  }' "$(jq -n --arg e "$1" --arg p "${2:-$PASSWORD}" '{email: $e, password: $p}')" | jq '.login'
}

# A calendar date N days from today (GNU date, then BSD date).
days_from_now() { date -u -d "+$1 days" +%F 2>/dev/null || date -u -v "+$1d" +%F; }

step "health and readiness"
curl -sS "$BASE/health"
echo
curl -sS --fail "$BASE/ready" || { echo "api-tour: $BASE is not ready" >&2; exit 1; }
echo

step "log in as the platform admin (市电子政务办)"
SESSION=$(login admin@zhanqun.local)
ADMIN=$(jq -r '.accessToken' <<<"$SESSION")
ADMIN_REFRESH=$(jq -r '.refreshToken' <<<"$SESSION")
jq '{user, expiresIn}' <<<"$SESSION"

step "me"
gql "$ADMIN" '{ me { user { email name } platformAdmin memberships { site { code } roles } } }'

step "sites with their column trees (first page of 2, then the next)"
SITES_QUERY='query Sites($after: String) {
  sites(first: 2, after: $after) {
    edges { cursor node { code name kind columns { code path name children { code path } } } }
    pageInfo { hasNextPage endCursor }
  }
}'
PAGE=$(gql "$ADMIN" "$SITES_QUERY")
jq '.sites.edges[].node | {code, name, kind, columns: [.columns[] | {path, name, children: [.children[].path]}][0:3]}' <<<"$PAGE"
AFTER=$(jq -r '.sites.pageInfo.endCursor' <<<"$PAGE")
gql "$ADMIN" "$SITES_QUERY" "$(jq -n --arg a "$AFTER" '{after: $a}')" | jq '[.sites.edges[].node.code], .sites.pageInfo'

step "one site, read publicly (no token)"
gql '' '{ site(code: "miyi") { code name kind status siteIdCode domains { host primary } footer { contactPhone icpRecord }
  parent { code name } columns { path name } } }' | jq '.site | .columns |= .[0:4]'

step "provision a department site: 攀枝花市卫生健康委员会 (health)"
EXISTING=$(gql "$ADMIN" '{ site(code: "health") { code status } }' | jq -c '.site')
if [[ $EXISTING == null ]]; then
  gql "$ADMIN" 'mutation Provision($input: ProvisionSiteInput!) {
    provisionSite(input: $input) { code name kind status siteIdCode parent { code } domains { host primary }
      columns { path name locked visible } }
  }' '{"input": {
        "code": "health", "name": "攀枝花市卫生健康委员会", "kind": "DEPARTMENT", "parentCode": "panzhihua",
        "siteIdCode": "5104000003", "domains": ["health.localhost"],
        "admin": {"email": "admin@health.zhanqun.local", "name": "市卫健委站点管理员", "password": "Zhanqun#Demo2026"}
      }}' | jq '.provisionSite | .columns |= [.[] | .path]'
  step "put it online (site records are managed from above)"
  gql "$ADMIN" 'mutation { setSiteStatus(code: "health", status: ONLINE, reason: "api tour") { code status statusChangedAt } }'
else
  echo "already provisioned by an earlier run: $EXISTING"
fi

step "a township site is refused (2015 §9: township content goes into the county portal)"
expect_error TOWNSHIP_SITE_NOT_ALLOWED "$ADMIN" 'mutation Provision($input: ProvisionSiteInput!) {
  provisionSite(input: $input) { code }
}' '{"input": {
      "code": "panlian", "name": "攀莲镇人民政府", "kind": "TOWNSHIP", "parentCode": "miyi",
      "siteIdCode": "5104219001", "domains": ["panlian.localhost"],
      "admin": {"email": "admin@panlian.zhanqun.local", "name": "攀莲镇管理员", "password": "Zhanqun#Demo2026"}
    }}'

step "log in as the new site's admin"
HEALTH=$(login admin@health.zhanqun.local | jq -r '.accessToken')

step "columns: create a channel and a child, rename, move, reorder, delete"
CHANNEL=$(gql "$HEALTH" 'mutation Create($input: CreateColumnInput!) { createColumn(input: $input) { id path name sortOrder } }' \
  "$(jq -n --arg c "jkkp-$RUN" '{input: {site: "health", code: $c, name: "健康科普", type: "LIST", updateClass: "DYNAMIC_2W"}}')" |
  jq '.createColumn')
echo "$CHANNEL"
CHANNEL_ID=$(jq -r '.id' <<<"$CHANNEL")
CHILD=$(gql "$HEALTH" 'mutation Create($input: CreateColumnInput!) { createColumn(input: $input) { id path name } }' \
  "$(jq -n --arg p "$CHANNEL_ID" '{input: {site: "health", parentId: $p, code: "yyjk", name: "营养健康", updateClass: "NOTICE_6M"}}')" |
  jq '.createColumn')
echo "$CHILD"
CHILD_ID=$(jq -r '.id' <<<"$CHILD")
gql "$HEALTH" 'mutation Update($input: UpdateColumnInput!) { updateColumn(input: $input) { id path name visible } }' \
  "$(jq -n --arg id "$CHILD_ID" '{input: {id: $id, code: "hlys", name: "合理膳食", visible: false}}')"
gql "$HEALTH" 'mutation Move($input: MoveColumnInput!) { moveColumn(input: $input) { id path sortOrder } }' \
  "$(jq -n --arg id "$CHILD_ID" '{input: {id: $id, parentId: null, position: 0}}')"
gql "$HEALTH" 'mutation Move($input: MoveColumnInput!) { moveColumn(input: $input) { id path sortOrder } }' \
  "$(jq -n --arg id "$CHANNEL_ID" '{input: {id: $id, position: 0}}')"
gql "$HEALTH" 'mutation Delete($id: ID!) { deleteColumn(id: $id) }' "$(jq -n --arg id "$CHILD_ID" '{id: $id}')"

step "members: a new outsourced editor (外包, 2015 §10), limited to one column, then removed"
VENDOR_EMAIL="vendor-$RUN@health.zhanqun.local"
gql "$HEALTH" 'mutation NewUser($input: CreateUserInput!) { createUser(input: $input) { id email name } }' \
  "$(jq -n --arg e "$VENDOR_EMAIL" '{input: {email: $e, name: "运维公司编辑", password: "Vendor#Pass2026", site: "health"}}')"
MEMBER=$(gql "$HEALTH" 'mutation Add($input: AddMemberInput!) {
  addMember(input: $input) { id user { email } roles outsourced outsourcedUntil active }
}' "$(jq -n --arg e "$VENDOR_EMAIL" --arg until "$(days_from_now 90)" \
  '{input: {site: "health", email: $e, roles: ["EDITOR"], outsourced: true, outsourcedUntil: $until}}')" | jq '.addMember')
echo "$MEMBER"
MEMBER_ID=$(jq -r '.id' <<<"$MEMBER")
gql "$HEALTH" 'mutation Update($input: UpdateMemberInput!) {
  updateMember(input: $input) { id roles column { path } outsourcedUntil active }
}' "$(jq -n --arg id "$MEMBER_ID" --arg col "$CHANNEL_ID" --arg until "$(days_from_now 180)" \
  '{input: {id: $id, roles: ["EDITOR", "REVIEWER"], columnId: $col, outsourcedUntil: $until}}')"
gql "$HEALTH" '{ site(code: "health") { members { user { email } roles outsourced outsourcedUntil active } } }'
gql "$HEALTH" 'mutation Remove($id: ID!) { removeMember(id: $id) }' "$(jq -n --arg id "$MEMBER_ID" '{id: $id}')"

step "tidy up the channel"
gql "$HEALTH" 'mutation Delete($id: ID!) { deleteColumn(id: $id) }' "$(jq -n --arg id "$CHANNEL_ID" '{id: $id}')"

step "an API token for a theme: shown once, then used, then revoked"
CREATED=$(gql "$HEALTH" 'mutation Token($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token apiToken { id name scopes expiresAt } }
}' "$(jq -n --arg n "theme-$RUN" --arg exp "$(days_from_now 30)T00:00:00Z" \
  '{input: {site: "health", name: $n, scopes: ["READ_PUBLISHED"], expiresAt: $exp}}')" | jq '.createApiToken')
jq '.apiToken' <<<"$CREATED"
THEME=$(jq -r '.token' <<<"$CREATED")
TOKEN_ID=$(jq -r '.apiToken.id' <<<"$CREATED")
gql "$THEME" '{ me { user { email } } site(code: "health") { code name status } }'
gql "$HEALTH" 'mutation Revoke($id: ID!) { revokeApiToken(id: $id) { id name revokedAt } }' "$(jq -n --arg id "$TOKEN_ID" '{id: $id}')"

step "refresh the platform admin's session (the refresh token rotates), then log out"
ROTATED=$(gql '' 'mutation Refresh($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken expiresIn } }' \
  "$(jq -n --arg t "$ADMIN_REFRESH" '{t: $t}')" | jq '.refreshSession')
ADMIN=$(jq -r '.accessToken' <<<"$ROTATED")
NEW_REFRESH=$(jq -r '.refreshToken' <<<"$ROTATED")
jq '{expiresIn}' <<<"$ROTATED"
gql "$ADMIN" '{ me { user { email } } }'
gql '' 'mutation Logout($t: String!) { logout(refreshToken: $t) }' "$(jq -n --arg t "$NEW_REFRESH" '{t: $t}')"

step "the audit log (存档备查): newest first, and the hash chain verified"
gql "$HEALTH" '{ auditLog(site: "health", first: 5) {
  edges { node { seq at action targetType actor { type name } changes } }
  pageInfo { hasNextPage endCursor } } }' | jq '[.auditLog.edges[].node | {seq, action, actor: .actor.name}]'
gql "$HEALTH" '{ verifyAuditChain(site: "health") { ok checked firstBrokenSeq reason } }'
gql "$ADMIN" '{ verifyAuditChain { ok checked } }'

step "done"
echo "api-tour: every step answered as expected"
