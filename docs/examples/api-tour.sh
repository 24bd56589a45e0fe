#!/usr/bin/env bash
# A tour of the Zhanqun GraphQL API against the demo city (docs/api.md walks through the same steps).
#
#   ./dev start                        # in another terminal: embedded stack + demo city
#   bash docs/examples/api-tour.sh     # BASE=http://host:port to aim elsewhere
#
# Needs curl and jq. Exits non-zero on any GraphQL error, except the ones it provokes on purpose (a township
# site, refused by 2015 §9; the refusals of the three-level review, 2015 §12; a pre-publish check; a search
# rebuild by a site admin), whose reasons it checks. Search is delivered by the worker within about a second:
# the tour polls, at most SEARCH_WAIT seconds (default 15), for an item to appear in or leave the index. Safe to
# run more than once on the same database: the department site it provisions is reused when it already exists,
# and everything else it creates (users, columns, tokens, items with their slugs and titles) carries a per-run
# suffix (RUN, default: the current Unix time).
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:4000}
PASSWORD=${DEMO_PASSWORD:-'Zhanqun#Demo2026'}
RUN=${RUN:-$(date +%s)}
SEARCH_WAIT=${SEARCH_WAIT:-15}

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
        "organisation": {"name": "攀枝花市卫生健康委员会", "code": "11510400008851004N"},
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
      "organisation": {"name": "攀莲镇人民政府", "code": "115104210088510132"},
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

#
# Content and the three-level review (三审, 2015 §12; 2017 §1.2): a policy document of 米易县 goes from draft to
# published through three different people. docs/api.md#content-and-the-three-level-review explains each step.
#

# as EMAIL: an access token for one of the demo city's people.
as() { login "$1" | jq -r '.accessToken'; }
# sign_vars ID [EXTRA_INPUT_JSON]: the variables of a signOff of item ID.
sign_vars() { local extra=${2:-'{}'}; jq -n --arg id "$1" --argjson extra "$extra" '{input: ({id: $id} + $extra)}'; }
id_vars() { jq -n --arg id "$1" '{id: $id}'; }
SIGN='mutation Sign($input: SignOffInput!) { signOff(input: $input) { id state live revision publishedAt scheduledAt } }'
SUBMIT='mutation Submit($id: ID!) { submitItem(id: $id) { id state revision } }'
# check JSON JQ_EXPRESSION MESSAGE: the expression must hold of the JSON, or the tour stops.
check() {
  jq -e "$2" >/dev/null <<<"$1" || { echo "api-tour: expected $3" >&2; jq . <<<"$1" >&2; exit 1; }
}

step "content: the four people of 米易县 sign in (信息员 editor, 科室审核人 reviewer, 分管领导 approver, site admin)"
EDITOR=$(as editor@miyi.zhanqun.local)
REVIEWER=$(as reviewer@miyi.zhanqun.local)
APPROVER=$(as approver@miyi.zhanqun.local)
MIYI_ADMIN=$(as admin@miyi.zhanqun.local)
echo "signed in"

step "the working-day calendar (public): 3 working days after a paper document is issued (2015 §2)"
CAL=$(gql '' '{ a: addWorkdays(date: "2024-09-27", days: 20) b: addWorkdays(date: "2024-09-27", days: 7)
  c: addWorkdays(date: "2024-02-08", days: 7) d: addWorkdays(date: "2026-09-30", days: 3)
  year: workdayCalendar(year: 2026) { year covered exceptions { date off name } } }')
jq '{a, b, c, d, covered: .year.covered, october: [.year.exceptions[] | select(.date | startswith("2026-10")) | "\(.date) \(if .off then "off" else "on" end) \(.name)"]}' <<<"$CAL"
check "$CAL" '.a == "2024-10-30" and .b == "2024-10-12" and .c == "2024-02-23" and .d == "2026-10-10"' "the checked working-day examples"

step "create a policy document (规范性文件) in /zc/zcwj, also placed in /zwgk/fdzdgknr/zcwj"
POLICY=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) {
  createItem(input: $input) { id kind state live revision column { path } placements { path }
    docNumber issuingBody issuedAt deadlineAt timeliness publishedAt indexNumber }
}' "$(jq -n --arg run "$RUN" '{input: {
      site: "miyi", column: "/zc/zcwj", alsoIn: ["/zwgk/fdzdgknr/zcwj"], kind: "POLICY_DOCUMENT",
      slug: "tour-\($run)", title: "米易县人民政府关于加强政府网站信息内容建设的通知（导览 \($run)）",
      body: "<p>各乡镇人民政府，县政府各部门：</p><p>现将有关事项通知如下。</p>",
      source: "米易县人民政府办公室", docNumber: "米府发〔2026〕12号", issuingBody: "米易县人民政府",
      writtenAt: "2026-09-25", issuedAt: "2026-09-30", validity: "EFFECTIVE"}}')" | jq '.createItem')
echo "$POLICY"
POLICY_ID=$(jq -r '.id' <<<"$POLICY")
# Issued Wednesday 2026-09-30; 10-1…10-7 are 国庆 (10-3, 10-4 a weekend); 10-8, 10-9, then Saturday 10-10 (调休).
check "$POLICY" '.state == "DRAFT" and .deadlineAt == "2026-10-10T16:00:00.000Z" and ([.placements[].path] == ["/zc/zcwj", "/zwgk/fdzdgknr/zcwj"])' \
  "a draft in two columns, due at the end of 2026-10-10 China time"

step "a draft is not public"
gql '' 'query One($id: ID!) { item(id: $id) { id } }' "$(id_vars "$POLICY_ID")"

step "it cannot be signed before it is submitted"
expect_error INVALID_ITEM_STATE "$EDITOR" "$SIGN" "$(sign_vars "$POLICY_ID")"

step "submit (初审 starts), and the editor signs level 1"
gql "$EDITOR" "$SUBMIT" "$(id_vars "$POLICY_ID")"
gql "$EDITOR" "$SIGN" "$(sign_vars "$POLICY_ID" '{"level": 1, "opinion": "内容准确，同意报审"}')"

step "the editor cannot sign level 2 (审核 is the REVIEWER's)"
expect_error REVIEW_ROLE_REQUIRED "$EDITOR" "$SIGN" "$(sign_vars "$POLICY_ID")"

step "the reviewer signs level 2"
gql "$REVIEWER" "$SIGN" "$(sign_vars "$POLICY_ID" '{"level": 2, "opinion": "同意"}')"

step "one person signs once per review, even holding the next role (三审 by three people)"
MEMBERSHIP=$(gql "$MIYI_ADMIN" '{ site(code: "miyi") { members { id user { email } roles } } }' |
  jq -r '.site.members[] | select(.user.email == "reviewer@miyi.zhanqun.local") | .id')
ROLES='mutation Roles($input: UpdateMemberInput!) { updateMember(input: $input) { user { email } roles } }'
gql "$MIYI_ADMIN" "$ROLES" "$(jq -n --arg id "$MEMBERSHIP" '{input: {id: $id, roles: ["REVIEWER", "APPROVER"]}}')"
RESPONSE=$(post "$REVIEWER" "$SIGN" "$(sign_vars "$POLICY_ID")")
gql "$MIYI_ADMIN" "$ROLES" "$(jq -n --arg id "$MEMBERSHIP" '{input: {id: $id, roles: ["REVIEWER"]}}')"
jq '.errors' <<<"$RESPONSE"
check "$RESPONSE" '.errors[0].extensions.reason == "SIGNER_ALREADY_SIGNED"' "SIGNER_ALREADY_SIGNED"

step "what waits for the approver (reviewQueue)"
gql "$APPROVER" '{ reviewQueue(site: "miyi") { level role items { id title state } } }' |
  jq --arg id "$POLICY_ID" '[.reviewQueue[] | {level, role, waiting: (.items | length), ours: any(.items[]; .id == $id)}]'

step "an edit voids every sign-off and returns the item to draft (一事一审)"
EDITED=$(gql "$EDITOR" 'mutation Edit($input: UpdateItemInput!) {
  updateItem(input: $input) { state revision signOffs { level role voided voidReason } }
}' "$(jq -n --arg id "$POLICY_ID" '{input: {id: $id, baseRevision: 1, summary: "明确信息发布、审核和更新的责任", note: "补充摘要"}}')" |
  jq '.updateItem')
echo "$EDITED"
check "$EDITED" '.state == "DRAFT" and .revision == 2 and all(.signOffs[]; .voided)' "a draft at revision 2 with voided sign-offs"

step "the review starts again: submit, level 1, level 2"
gql "$EDITOR" "$SUBMIT" "$(id_vars "$POLICY_ID")"
gql "$EDITOR" "$SIGN" "$(sign_vars "$POLICY_ID" '{"opinion": "已按意见修改"}')"
gql "$REVIEWER" "$SIGN" "$(sign_vars "$POLICY_ID" '{"opinion": "同意"}')"

step "a publishing date cannot be backdated: publishAt must lie in the future"
expect_error PUBLISH_TIME_IN_PAST "$APPROVER" "$SIGN" "$(sign_vars "$POLICY_ID" '{"publishAt": "2026-09-30T00:00:00Z"}')"

step "the approver signs level 3: published now, with the server's time and an 索引号"
PUBLISHED=$(gql "$APPROVER" 'mutation Sign($input: SignOffInput!) {
  signOff(input: $input) { state live revision publishedRevision publishedAt indexNumber deadlineAt timeliness
    signOffs { level decision user { name } role opinion revision revisionHash voided } }
}' "$(sign_vars "$POLICY_ID" '{"level": 3, "opinion": "同意发布"}')" | jq '.signOff')
jq '. | .signOffs |= map(select(.voided | not) | {level, role, user: .user.name, revision, hash: .revisionHash[0:12]})' <<<"$PUBLISHED"
check "$PUBLISHED" '.state == "PUBLISHED" and .live and .publishedAt != null and (.indexNumber | test("^11510421008851002X/[0-9]{4}-[0-9]{5}$"))' \
  "a published item with an 索引号"

step "public reads: the column list (anonymous), the same through the site's host name, and the item itself"
LIST='query List($site: String, $column: String) { items(site: $site, column: $column, first: 5) {
  edges { node { id title docNumber indexNumber publishedAt } } pageInfo { hasNextPage endCursor } } }'
PUBLIC=$(gql '' "$LIST" '{"site": "miyi", "column": "/zwgk/fdzdgknr/zcwj"}')
jq '.items.edges[0].node' <<<"$PUBLIC"
jq -e --arg id "$POLICY_ID" 'any(.items.edges[]; .node.id == $id)' >/dev/null <<<"$PUBLIC" ||
  { echo "api-tour: the published item is missing from the public list" >&2; exit 1; }
BY_HOST=$(jq -n --arg q "$LIST" '{query: $q, variables: {column: "/zc/zcwj"}}' |
  curl -sS "$BASE/graphql" -H 'host: miyi.localhost' -H 'content-type: application/json' --data-binary @-)
jq -e --arg id "$POLICY_ID" 'any(.data.items.edges[]; .node.id == $id)' >/dev/null <<<"$BY_HOST" ||
  { echo "api-tour: the list by host name lacks the item" >&2; jq . <<<"$BY_HOST" >&2; exit 1; }
echo "by host name (Host: miyi.localhost): found"
gql '' 'query One($id: ID!) { item(id: $id) { title state revision indexNumber placements { path } signOffs { level } } }' \
  "$(id_vars "$POLICY_ID")"

step "an interpretation (政策解读), linked to the policy and published by the same three people"
INTERP_ID=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id interprets { id title } } }' \
  "$(jq -n --arg p "$POLICY_ID" --arg run "$RUN" '{input: {
      site: "miyi", column: "/zc/zcjd", kind: "INTERPRETATION", slug: "tour-jd-\($run)",
      title: "《关于加强政府网站信息内容建设的通知》政策解读（导览 \($run)）",
      body: "<p>一、出台背景</p><p>二、主要内容</p>", source: "米易县人民政府办公室", interprets: [$p]}}')" |
  jq -r '.createItem.id')
gql "$EDITOR" "$SUBMIT" "$(id_vars "$INTERP_ID")" >/dev/null
gql "$EDITOR" "$SIGN" "$(sign_vars "$INTERP_ID")" >/dev/null
gql "$REVIEWER" "$SIGN" "$(sign_vars "$INTERP_ID")" >/dev/null
gql "$APPROVER" "$SIGN" "$(sign_vars "$INTERP_ID")" | jq -c '.signOff | {state, publishedAt}'
gql '' 'query One($id: ID!) { item(id: $id) { title interpretations { id title } } }' "$(id_vars "$POLICY_ID")"
MISSING=$(gql "$MIYI_ADMIN" '{ policiesWithoutInterpretation(site: "miyi") { id title } }')
jq -e --arg id "$POLICY_ID" 'all(.policiesWithoutInterpretation[]; .id != $id)' >/dev/null <<<"$MISSING" ||
  { echo "api-tour: the policy still counts as without interpretation" >&2; exit 1; }
echo "policiesWithoutInterpretation no longer lists it"

step "revisions: the list, and what changed from 1 to 2"
gql "$EDITOR" 'query Revs($id: ID!) { itemRevisions(id: $id) { number createdBy note contentHash } }' "$(id_vars "$POLICY_ID")"
gql "$EDITOR" 'query Diff($id: ID!) { itemRevisionDiff(id: $id, from: 1, to: 2) { changedFields { field before after } bodyChanged } }' \
  "$(id_vars "$POLICY_ID")"

step "reject with an opinion: an article goes back to draft at level 2"
ARTICLE_ID=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg run "$RUN" '{input: {site: "miyi", column: "/zwdt/yw", kind: "ARTICLE", slug: "tour-yw-\($run)",
      title: "县政府召开常务会议（导览 \($run)）", body: "<p>正文</p>", source: "米易县融媒体中心"}}')" | jq -r '.createItem.id')
gql "$EDITOR" "$SUBMIT" "$(id_vars "$ARTICLE_ID")" >/dev/null
gql "$EDITOR" "$SIGN" "$(sign_vars "$ARTICLE_ID")" >/dev/null
gql "$REVIEWER" 'mutation Reject($id: ID!, $opinion: String!) {
  rejectItem(id: $id, opinion: $opinion) { state signOffs { level decision opinion voided } }
}' "$(jq -n --arg id "$ARTICLE_ID" '{id: $id, opinion: "会议时间有误，请核实后重报"}')"

step "a pre-publish check at level 3: personal data is refused, then published with the approver's reason"
NOTICE_ID=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg run "$RUN" '{input: {site: "miyi", column: "/zwdt/tzgg", kind: "NOTICE", slug: "tour-gs-\($run)",
      title: "获奖名单公示（导览 \($run)）", body: "<p>联系人：张老师 13812345678</p>", source: "米易县教育局"}}')" |
  jq -r '.createItem.id')
gql "$EDITOR" "$SUBMIT" "$(id_vars "$NOTICE_ID")" >/dev/null
gql "$EDITOR" "$SIGN" "$(sign_vars "$NOTICE_ID")" >/dev/null
gql "$REVIEWER" "$SIGN" "$(sign_vars "$NOTICE_ID")" >/dev/null
expect_error PERSONAL_DATA_FOUND "$APPROVER" "$SIGN" "$(sign_vars "$NOTICE_ID")"
gql "$APPROVER" "$SIGN" "$(sign_vars "$NOTICE_ID" '{"personalDataReason": "经本人书面同意公示"}')"

step "schedule publication an hour from now (SCHEDULED; not public until then)"
AT=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:00Z 2>/dev/null || date -u -v +1H +%Y-%m-%dT%H:%M:00Z)
SCHEDULED_ID=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg run "$RUN" '{input: {site: "miyi", column: "/zwdt/tzgg", kind: "NOTICE", slug: "tour-ds-\($run)",
      title: "关于调整办公时间的通知（导览 \($run)）", body: "<p>正文</p>", source: "米易县人民政府办公室"}}')" |
  jq -r '.createItem.id')
gql "$EDITOR" "$SUBMIT" "$(id_vars "$SCHEDULED_ID")" >/dev/null
gql "$EDITOR" "$SIGN" "$(sign_vars "$SCHEDULED_ID")" >/dev/null
gql "$REVIEWER" "$SIGN" "$(sign_vars "$SCHEDULED_ID")" >/dev/null
gql "$APPROVER" "$SIGN" "$(sign_vars "$SCHEDULED_ID" "$(jq -n --arg at "$AT" '{publishAt: $at}')")"
gql '' 'query One($id: ID!) { item(id: $id) { id } }' "$(id_vars "$SCHEDULED_ID")"

step "withdraw (撤稿) the interpretation, with a reason; the record stays"
gql "$APPROVER" 'mutation Withdraw($id: ID!, $reason: String!) {
  withdrawItem(id: $id, reason: $reason) { state live withdrawnAt withdrawnReason }
}' "$(jq -n --arg id "$INTERP_ID" '{id: $id, reason: "解读口径调整，待重新审定"}')"
gql '' 'query One($id: ID!) { item(id: $id) { id } }' "$(id_vars "$INTERP_ID")"

step "timeliness: the policy document was due on 2026-10-10 and published later"
gql "$MIYI_ADMIN" '{ timelinessReport(site: "miyi", from: "2026-10-01", to: "2026-10-31") { total onTime late overdue dueSoon pending onTimeRate } }'
gql "$MIYI_ADMIN" '{ overdueItems(site: "miyi") { id title deadlineAt timeliness } }' | jq '{overdue: (.overdueItems | length)}'

step "columns (2015 §14): merge one into another (its items move), then close it"
COLUMN='mutation Col($input: CreateColumnInput!) { createColumn(input: $input) { id path } }'
FROM_COL=$(gql "$MIYI_ADMIN" "$COLUMN" "$(jq -n --arg c "tour-a-$RUN" '{input: {site: "miyi", code: $c, name: "导览专题甲", visible: true}}')" | jq -r '.createColumn.id')
INTO_COL=$(gql "$MIYI_ADMIN" "$COLUMN" "$(jq -n --arg c "tour-b-$RUN" '{input: {site: "miyi", code: $c, name: "导览专题乙", visible: true}}')" | jq -r '.createColumn.id')
MOVED_ID=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg c "/tour-a-$RUN" '{input: {site: "miyi", column: $c, kind: "ARTICLE", title: "专题稿件"}}')" | jq -r '.createItem.id')
gql "$MIYI_ADMIN" 'mutation Merge($id: ID!, $into: ID!) { mergeColumn(id: $id, into: $into) { path status visible mergedInto { path } } }' \
  "$(jq -n --arg id "$FROM_COL" --arg into "$INTO_COL" '{id: $id, into: $into}')"
gql "$EDITOR" 'query One($id: ID!) { item(id: $id) { column { path } } }' "$(id_vars "$MOVED_ID")"
gql "$MIYI_ADMIN" 'mutation Close($id: ID!, $reason: String) { closeColumn(id: $id, reason: $reason) { path status visible } }' \
  "$(jq -n --arg id "$INTO_COL" '{id: $id, reason: "无法保证更新"}')"
expect_error COLUMN_CLOSED "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg c "/tour-b-$RUN" '{input: {site: "miyi", column: $c, kind: "ARTICLE", title: "再发一篇"}}')"

step "the review in the audit log, and 米易县's chain verified"
gql "$MIYI_ADMIN" '{ auditLog(site: "miyi", first: 100) { edges { node { action targetId actor { name } } } } }' |
  jq --arg id "$POLICY_ID" '[.auditLog.edges[].node | select(.targetId == $id) | "\(.action) by \(.actor.name)"] | reverse'
gql "$MIYI_ADMIN" '{ verifyAuditChain(site: "miyi") { ok checked firstBrokenSeq reason } }'

#
# Search (docs/api.md#search): published content only, per site and per cluster, in step with publishing and
# withdrawing through the worker; a tenant token for Meilisearch itself; drafts through the API only.
#

SEARCH='query Search($q: String!, $site: String, $scope: SearchScope, $filters: SearchFilters, $sort: SearchSort, $first: Int, $after: String) {
  search(query: $q, site: $site, scope: $scope, filters: $filters, sort: $sort, first: $first, after: $after) {
    estimatedTotalHits
    edges { cursor node { id kind title titleHighlighted snippet docNumber indexNumber publishedAt site { code } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    facets { kind { value count } year { value count } column { value label count } site { value label count } }
  } }'
# search_vars QUERY SITE [EXTRA_JSON]: the variables of a search.
search_vars() { local extra=${3:-'{}'}; jq -n --arg q "$1" --arg site "$2" --argjson extra "$extra" '{q: $q, site: $site, first: 50} + $extra'; }
# has ID: true when the search result on stdin lists item ID.
has() { jq -e --arg id "$1" 'any(.search.edges[]; .node.id == $id)' >/dev/null; }
# finds ID QUERY SITE [EXTRA_JSON]: true when a public search lists item ID (any GraphQL error stops the tour).
finds() {
  local result
  result=$(gql '' "$SEARCH" "$(search_vars "$2" "$3" "${4:-}")") || exit 1
  has "$1" <<<"$result"
}
# wait_search appear|leave ID QUERY SITE [EXTRA_JSON]: polls the public search until the item is in (or out of)
# the results; at most SEARCH_WAIT seconds, then the tour stops.
wait_search() {
  local want=$1 id=$2 vars result started=$SECONDS
  vars=$(search_vars "$3" "$4" "${5:-}")
  while :; do
    result=$(gql '' "$SEARCH" "$vars") || exit 1
    if has "$id" <<<"$result"; then [[ $want == appear ]] && break; else [[ $want == leave ]] && break; fi
    if ((SECONDS - started >= SEARCH_WAIT)); then
      echo "api-tour: the item did not ${want/appear/appear in} search on $4 within ${SEARCH_WAIT} s (is the worker running?)" >&2
      exit 1
    fi
    sleep 0.2
  done
  if [[ $want == appear ]]; then echo "search on $4: the item appeared after about $((SECONDS - started)) s"
  else echo "search on $4: the item left after about $((SECONDS - started)) s"; fi
}

step "search: publish a notice on 米易县 through the three levels"
SEARCH_ID=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg run "$RUN" '{input: {site: "miyi", column: "/zwdt/tzgg", alsoIn: ["/zwgk/fdzdgknr/zcwj"], kind: "NOTICE",
      slug: "tour-fx-\($run)", title: "关于做好防汛抗旱工作的通知（导览 \($run)）", keywords: ["防汛", "抗旱"],
      body: "<p>汛期水位 &lt; 警戒线时，也要落实防汛值班制度。</p>", source: "米易县应急管理局"}}')" | jq -r '.createItem.id')
gql "$EDITOR" "$SUBMIT" "$(id_vars "$SEARCH_ID")" >/dev/null
gql "$EDITOR" "$SIGN" "$(sign_vars "$SEARCH_ID")" >/dev/null
gql "$REVIEWER" "$SIGN" "$(sign_vars "$SEARCH_ID")" >/dev/null
gql "$APPROVER" "$SIGN" "$(sign_vars "$SEARCH_ID")" | jq -c '.signOff | {state, publishedAt}'

step "search 米易县 (public): the worker indexes the notice within about a second"
wait_search appear "$SEARCH_ID" "防汛 $RUN" miyi
FOUND=$(gql '' "$SEARCH" "$(search_vars "防汛 $RUN" miyi)")
jq --arg id "$SEARCH_ID" '{estimatedTotalHits: .search.estimatedTotalHits, ours: (.search.edges[] | select(.node.id == $id) | .node)}' <<<"$FOUND"
jq -e --arg id "$SEARCH_ID" '.search.edges[] | select(.node.id == $id) | .node |
    (.titleHighlighted | contains("<mark>防汛</mark>")) and (.snippet | contains("&lt;")) and (.snippet | contains("<p>") | not)' \
  >/dev/null <<<"$FOUND" || { echo "api-tour: expected HTML-safe highlights" >&2; jq . <<<"$FOUND" >&2; exit 1; }
echo "titleHighlighted marks the match; the snippet is escaped"

step "search the whole city from the portal (scope: CLUSTER), but not from 攀枝花市教育局"
finds "$SEARCH_ID" "防汛 $RUN" panzhihua '{"scope": "CLUSTER"}' ||
  { echo "api-tour: the city portal's cluster search lacks the notice" >&2; exit 1; }
echo "panzhihua, CLUSTER: found"
if finds "$SEARCH_ID" "防汛 $RUN" panzhihua; then
  echo "api-tour: the portal's own (SITE) search lists 米易县's notice" >&2; exit 1
fi
echo "panzhihua, SITE: not found (the notice is 米易县's)"
if finds "$SEARCH_ID" "防汛 $RUN" edu '{"scope": "CLUSTER"}'; then
  echo "api-tour: 攀枝花市教育局 finds 米易县's notice" >&2; exit 1
fi
echo "edu, CLUSTER: not found"

step "filters (kind, year, column with its subtree, locale), sort and facets"
ZWGK_ID=$(gql '' '{ site(code: "miyi") { columns { id path } } }' | jq -r '.site.columns[] | select(.path == "/zwgk") | .id')
YEAR=$(TZ=Asia/Shanghai date +%Y)
MATCHING=$(jq -n --arg col "$ZWGK_ID" --argjson y "$YEAR" '{scope: "SITE", sort: "NEWEST", filters: {kind: ["NOTICE"], year: [$y], column: [$col], locale: "zh-CN"}}')
finds "$SEARCH_ID" "防汛 $RUN" miyi "$MATCHING" ||
  { echo "api-tour: the filtered search lacks the notice" >&2; exit 1; }
echo "kind NOTICE, year $YEAR, column /zwgk (it is placed in /zwgk/fdzdgknr/zcwj), zh-CN: found"
if finds "$SEARCH_ID" "防汛 $RUN" miyi '{"filters": {"kind": ["POLICY_DOCUMENT"], "validity": ["EFFECTIVE"]}}'; then
  echo "api-tour: a POLICY_DOCUMENT filter let the notice through" >&2; exit 1
fi
echo "kind POLICY_DOCUMENT, validity EFFECTIVE: not found"
gql '' "$SEARCH" "$(search_vars '' panzhihua '{"scope": "CLUSTER", "first": 0}')" |
  jq -c '.search | {estimatedTotalHits, kinds: .facets.kind, years: .facets.year, sites: [.facets.site[] | {name: .label, count}]}'

step "pages: first 1, then the next page after its cursor"
PAGE=$(gql '' "$SEARCH" "$(search_vars 防汛 miyi '{"first": 1}')")
jq -c '.search | {estimatedTotalHits, titles: [.edges[].node.title], pageInfo}' <<<"$PAGE"
if jq -e '.search.pageInfo.hasNextPage' >/dev/null <<<"$PAGE"; then
  gql '' "$SEARCH" "$(search_vars 防汛 miyi "$(jq -n --arg a "$(jq -r '.search.pageInfo.endCursor' <<<"$PAGE")" '{first: 1, after: $a}')")" |
    jq -c '.search | {titles: [.edges[].node.title], pageInfo}'
fi

step "searchKey: a tenant token, used directly against Meilisearch"
KEY=$(gql '' '{ searchKey(site: "miyi") { token host indexUid expiresAt filter } }' | jq '.searchKey')
jq '.token |= .[0:24] + "…"' <<<"$KEY"
MEILI_HOST=$(jq -r '.host' <<<"$KEY")
MEILI_INDEX=$(jq -r '.indexUid' <<<"$KEY")
MEILI_TOKEN=$(jq -r '.token' <<<"$KEY")
meili() { curl -sS --max-time 10 -X POST "$MEILI_HOST/indexes/$MEILI_INDEX/search" -H "Authorization: Bearer $1" \
  -H 'content-type: application/json' --data-binary "$2"; }
if curl -sS --max-time 5 -o /dev/null "$MEILI_HOST/health"; then
  DIRECT=$(meili "$MEILI_TOKEN" "$(jq -n --arg q "防汛 $RUN" '{q: $q, attributesToRetrieve: ["id", "siteCode", "title"]}')")
  jq -c '{hits: [.hits[] | {siteCode, title}], estimatedTotalHits}' <<<"$DIRECT"
  check "$DIRECT" "any(.hits[]; .id == \"$SEARCH_ID\") and all(.hits[]; .siteCode == \"miyi\")" "the notice, found with the token"
  MIYI_ID=$(gql '' '{ site(code: "miyi") { id } }' | jq -r '.site.id')
  ESCAPE=$(meili "$MEILI_TOKEN" "$(jq -n --arg f "siteId != \"$MIYI_ID\" OR kind = \"NOTICE\"" '{q: "", filter: $f, attributesToRetrieve: ["siteCode"]}')")
  jq -c '{filter: "siteId != <米易县> OR kind = NOTICE", sites: ([.hits[].siteCode] | unique)}' <<<"$ESCAPE"
  check "$ESCAPE" 'all(.hits[]; .siteCode == "miyi")' "the token's filter to hold whatever filter the client adds"
  PZH_ID=$(gql '' '{ site(code: "panzhihua") { id } }' | jq -r '.site.id')
  WHOLE_CITY=$(jq -n --arg q "防汛 $RUN" --arg f "siteAncestors = \"$PZH_ID\"" '{q: $q, filter: $f, attributesToRetrieve: ["id"]}')
  CITY_SITE=$(meili "$(gql '' '{ searchKey(site: "panzhihua") { token } }' | jq -r '.searchKey.token')" "$WHOLE_CITY")
  CITY_CLUSTER=$(meili "$(gql '' '{ searchKey(site: "panzhihua", scope: CLUSTER) { token } }' | jq -r '.searchKey.token')" "$WHOLE_CITY")
  check "$CITY_SITE" "all(.hits[]; .id != \"$SEARCH_ID\")" "the portal's SITE token not to reach 米易县"
  check "$CITY_CLUSTER" "any(.hits[]; .id == \"$SEARCH_ID\")" "the portal's CLUSTER token to reach 米易县"
  echo "the portal's SITE token asking for the whole city: not found; its CLUSTER token: found"
  DOCS_STATUS=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$MEILI_HOST/indexes/$MEILI_INDEX/documents" -H "Authorization: Bearer $MEILI_TOKEN")
  [[ $DOCS_STATUS == 4* ]] || { echo "api-tour: the token read documents (HTTP $DOCS_STATUS)" >&2; exit 1; }
  echo "reading documents with the token: HTTP $DOCS_STATUS (search only)"
else
  echo "Meilisearch at $MEILI_HOST is not reachable from here; skipping the direct search"
fi

step "searchDrafts: the site's people find drafts through the API; the public index never has them"
DRAFT_ID=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg run "$RUN" '{input: {site: "miyi", column: "/zwdt/tzgg", kind: "NOTICE", slug: "tour-cg-\($run)",
      title: "防汛物资储备工作方案（征求意见稿，导览 \($run)）", body: "<p>草稿</p>", source: "米易县应急管理局"}}')" | jq -r '.createItem.id')
DRAFTS=$(gql "$EDITOR" 'query Drafts($q: String!) { searchDrafts(site: "miyi", query: $q) { id title state } }' \
  "$(jq -n --arg q "导览 $RUN" '{q: $q}')")
jq -c '[.searchDrafts[] | {title, state}]' <<<"$DRAFTS"
check "$DRAFTS" "any(.searchDrafts[]; .id == \"$DRAFT_ID\" and .state == \"DRAFT\")" "the draft in searchDrafts"
if finds "$DRAFT_ID" "防汛 $RUN" miyi; then
  echo "api-tour: a draft reached the public search" >&2; exit 1
fi
echo "public search: the draft is not there"
expect_error UNAUTHENTICATED '' 'query Drafts($q: String!) { searchDrafts(site: "miyi", query: $q) { id } }' '{"q": "防汛"}'

step "withdraw the notice: it leaves the index within about a second"
gql "$APPROVER" 'mutation Withdraw($id: ID!, $reason: String!) { withdrawItem(id: $id, reason: $reason) { state live } }' \
  "$(jq -n --arg id "$SEARCH_ID" '{id: $id, reason: "导览结束"}')"
wait_search leave "$SEARCH_ID" "防汛 $RUN" miyi
wait_search leave "$SEARCH_ID" "防汛 $RUN" panzhihua '{"scope": "CLUSTER"}'

# Media (issue 8; docs/api.md#media-images-and-attachments): files are uploaded with POST /media (multipart),
# used in items by id, public once a published version uses them. The files are made here: a small PNG and a
# one-page PDF whose text carries the run's suffix, so that search can find the item by a word inside it.
MEDIA_TMP=$(mktemp -d)
trap 'rm -rf "$MEDIA_TMP"' EXIT
# make_pdf TEXT FILE: a valid one-page PDF showing TEXT (ASCII), with a correct cross-reference table.
make_pdf() {
  local stream="BT /F1 18 Tf 72 720 Td ($1) Tj ET" out=$'%PDF-1.4\n' offs=() i xref
  local objs=('<< /Type /Catalog /Pages 2 0 R >>' '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>'
    "<< /Length ${#stream} >>"$'\nstream\n'"$stream"$'\nendstream'
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>')
  for i in "${!objs[@]}"; do offs+=("${#out}"); out+="$((i + 1)) 0 obj"$'\n'"${objs[$i]}"$'\nendobj\n'; done
  xref=${#out}
  out+=$'xref\n0 6\n0000000000 65535 f \n'
  for i in "${offs[@]}"; do out+="$(printf '%010d' "$i") 00000 n "$'\n'; done
  out+=$'trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n'"$xref"$'\n%%EOF\n'
  printf '%s' "$out" >"$2"
}
# upload CURL_ARGS…: POST /media to 米易县 as its editor; prints the JSON answer.
upload() { curl -sS "$BASE/media" -H "authorization: Bearer $EDITOR" -F site=miyi "$@"; }

step "media: upload a photo and a PDF to 米易县; an SVG is refused"
base64 -d >"$MEDIA_TMP/photo.png" <<<'iVBORw0KGgoAAAANSUhEUgAAArwAAAGQAQMAAAB28iHQAAAAA1BMVEXIKChQLvxyAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAOElEQVR42u3BAQEAAACCIP+vbkhAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPBsixAAATRs6xUAAAAASUVORK5CYII='
LC_ALL=C make_pdf "Ertan reservoir plan $RUN" "$MEDIA_TMP/plan.pdf"
printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' >"$MEDIA_TMP/logo.svg"
PHOTO_ID=$(upload -F "file=@$MEDIA_TMP/photo.png;filename=会议现场.png" | jq -r .media.id)
PDF_UP=$(upload -F "title=米易县工作要点 $RUN" -F "file=@$MEDIA_TMP/plan.pdf;filename=米易县工作要点$RUN.pdf")
jq -c '.media | {url, mediaType, kind, size}' <<<"$PDF_UP"
PDF_ID=$(jq -r .media.id <<<"$PDF_UP")
SVG=$(upload -F "file=@$MEDIA_TMP/logo.svg;filename=logo.svg")
check "$SVG" '.error.reason == "MEDIA_TYPE_NOT_ALLOWED"' "an SVG refused (MEDIA_TYPE_NOT_ALLOWED)"
echo "SVG: $(jq -c .error <<<"$SVG")"

step "media: use both in a news item, publish it through the three levels"
MEDIA_ITEM=$(gql "$EDITOR" 'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }' \
  "$(jq -n --arg run "$RUN" --arg p "$PHOTO_ID" --arg f "$PDF_ID" '{input: {site: "miyi", column: "/zwdt/yw",
      kind: "ARTICLE", slug: "tour-media-\($run)", title: "米易县召开工作会议（导览 \($run)）", source: "米易县人民政府办公室",
      body: "<p>会议部署全年工作。</p>", images: [{mediaId: $p, alt: "会议现场"}], attachments: [{mediaId: $f}]}}')" |
  jq -r '.createItem.id')
gql "$EDITOR" "$SUBMIT" "$(id_vars "$MEDIA_ITEM")" >/dev/null
gql "$EDITOR" "$SIGN" "$(sign_vars "$MEDIA_ITEM")" >/dev/null
gql "$REVIEWER" "$SIGN" "$(sign_vars "$MEDIA_ITEM")" >/dev/null
gql "$APPROVER" "$SIGN" "$(sign_vars "$MEDIA_ITEM")" | jq -c '.signOff | {state}'

step "media: the public gets the renditions (immutable) and the PDF by its URL, on the site's host"
curl -sS -o /dev/null -D "$MEDIA_TMP/headers" -H 'host: miyi.localhost' "$BASE/media/$PHOTO_ID/w320.webp"
grep -i -E '^(HTTP/|content-type|cache-control)' "$MEDIA_TMP/headers" | tr -d '\r'
grep -qi '^cache-control: public, max-age=31536000, immutable' "$MEDIA_TMP/headers" ||
  { echo "api-tour: the rendition is not public and immutable" >&2; exit 1; }
curl -sSf -H 'host: miyi.localhost' "$BASE/media/$PDF_ID/original" -o "$MEDIA_TMP/back.pdf"
cmp -s "$MEDIA_TMP/plan.pdf" "$MEDIA_TMP/back.pdf" || { echo "api-tour: the PDF came back changed" >&2; exit 1; }
echo "the PDF: the same bytes as uploaded"

step "media: search finds the item by a word that is only inside its PDF"
wait_search appear "$MEDIA_ITEM" "Ertan $RUN" miyi

step "rebuild the index (platform admins only): a new index, swapped in"
expect_error FORBIDDEN "$MIYI_ADMIN" 'mutation { reindexSearch { documents replayed } }'
PLATFORM=$(as admin@zhanqun.local)
gql "$PLATFORM" 'mutation { reindexSearch { documents replayed } }'
gql '' "$SEARCH" "$(search_vars '' panzhihua '{"scope": "CLUSTER", "first": 0}')" | jq -c '{estimatedTotalHits: .search.estimatedTotalHits}'

step "done"
echo "api-tour: every step answered as expected"
