/**
 * The error catalogue. `kind` is the stable `extensions.code` clients branch on; `reason` is the specific,
 * equally stable cause. docs/errors.md is generated from this file (pnpm generate) and CI fails on drift.
 */
export const errorKinds = {
  UNAUTHENTICATED: { http: 401, description: 'No valid credentials, or they expired. Sign in again.' },
  FORBIDDEN: { http: 403, description: 'Signed in, but this actor may not do this here.' },
  NOT_FOUND: {
    http: 404,
    description:
      'No such record in your reach. Records of sites you cannot see are reported exactly like missing ones.',
  },
  BAD_USER_INPUT: { http: 400, description: 'The input is invalid; `extensions.field` names the offending field.' },
  CONFLICT: { http: 409, description: 'The change clashes with existing data (a unique name, code or host).' },
  PRECONDITION_FAILED: { http: 412, description: 'The record is not in a state that allows this operation.' },
  PAYLOAD_TOO_LARGE: {
    http: 413,
    description: 'The upload is larger than allowed (a file, a picture, or the site’s quota).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    http: 415,
    description: 'The file’s content is not an accepted type, or does not match its extension.',
  },
  RATE_LIMITED: { http: 429, description: 'Too many attempts; wait before trying again.' },
  INTERNAL: { http: 500, description: 'An unexpected failure. The message is hidden; quote the request id.' },
} as const;

export type ErrorKind = keyof typeof errorKinds;

const r = (kind: ErrorKind, message: string, rule?: string) => ({ kind, message, rule });

export const errorReasons = {
  UNAUTHENTICATED: r('UNAUTHENTICATED', 'Authentication required'),
  INVALID_CREDENTIALS: r('UNAUTHENTICATED', 'E-mail or password is wrong'),
  TOKEN_EXPIRED: r('UNAUTHENTICATED', 'The token has expired'),
  TOKEN_INVALID: r('UNAUTHENTICATED', 'The token is not valid'),
  REFRESH_TOKEN_REUSED: r(
    'UNAUTHENTICATED',
    'This refresh token was already used; every session of its family is revoked',
  ),
  FORBIDDEN: r('FORBIDDEN', 'You may not do this'),
  API_TOKEN_SCOPE: r('FORBIDDEN', 'The API token lacks the scope for this operation'),
  NOT_FOUND: r('NOT_FOUND', 'Not found'),
  INVALID_INPUT: r('BAD_USER_INPUT', 'Invalid input'),
  QUERY_TOO_COMPLEX: r('BAD_USER_INPUT', 'The query asks for too much at once: fewer fields or smaller pages'),
  QUERY_TOO_LARGE: r(
    'BAD_USER_INPUT',
    'The query document is too large: too many tokens, root fields or aliases in one operation',
  ),
  REQUEST_TOO_LARGE: r('BAD_USER_INPUT', 'The request body is over the size limit (HTTP 413)'),
  UNSUPPORTED_MEDIA_TYPE: r(
    'BAD_USER_INPUT',
    'Send GraphQL requests as application/json (or application/graphql), in UTF-8 (HTTP 415)',
  ),
  METHOD_NOT_ALLOWED: r('BAD_USER_INPUT', 'Mutations are sent with POST, not GET (HTTP 405)'),
  NOT_ACCEPTABLE: r(
    'BAD_USER_INPUT',
    'The Accept header allows neither application/graphql-response+json nor application/json (HTTP 406)',
  ),
  TOWNSHIP_SITE_NOT_ALLOWED: r(
    'BAD_USER_INPUT',
    'Township (乡镇) sites are not allowed: publish township content as columns of the county portal',
    '2015 §9',
  ),
  COUNTY_DEPARTMENT_SITE_NOT_ALLOWED: r(
    'BAD_USER_INPUT',
    'County departments have no sites of their own: their content goes into the county portal as columns',
    '2015 §9',
  ),
  INVALID_PARENT_SITE: r('BAD_USER_INPUT', 'This kind of site cannot have that parent'),
  WEAK_PASSWORD: r('BAD_USER_INPUT', 'The password is too weak'),
  COLUMN_CYCLE: r('BAD_USER_INPUT', 'A column cannot be moved under itself or its own descendants'),
  CONFLICT: r('CONFLICT', 'Already exists'),
  ONE_SITE_PER_ORGANISATION: r(
    'CONFLICT',
    'This organisation already has a site: one site per organisation',
    '2015 §9',
  ),
  SITE_ARCHIVED: r('PRECONDITION_FAILED', 'The site is archived and read-only'),
  INVALID_STATUS_TRANSITION: r('PRECONDITION_FAILED', 'The site cannot move from its current status to that one'),
  CLOSING_NOTICE_PERIOD: r(
    'PRECONDITION_FAILED',
    'A closing site must show its closing notice for at least 30 days before it is archived',
    'gov-standards ARC-02',
  ),
  COLUMN_LOCKED: r('PRECONDITION_FAILED', 'Template columns are locked: they may not be deleted, renamed or moved'),
  COLUMN_NOT_EMPTY: r('PRECONDITION_FAILED', 'Only an empty column can be deleted: move or delete what it holds first'),
  USER_DISABLED: r('PRECONDITION_FAILED', 'The user is disabled'),
  LAST_SITE_ADMIN: r('PRECONDITION_FAILED', 'A site must keep at least one site admin'),
  CALENDAR_YEAR_MISSING: r(
    'PRECONDITION_FAILED',
    'The working-day calendar has no data for that year: a platform admin must add its exceptions first',
    'gov-standards §d.4',
  ),
  INVALID_ITEM_STATE: r('PRECONDITION_FAILED', 'The item is not in a state that allows this'),
  REVIEW_ROLE_REQUIRED: r(
    'FORBIDDEN',
    'This review level needs a different role on the item’s site and column',
    '2015 §12',
  ),
  SIGNER_ALREADY_SIGNED: r(
    'FORBIDDEN',
    'The three levels are signed by three different people: you already signed this item in this review',
    '2015 §12',
  ),
  SELF_REVIEW_NOT_ALLOWED: r(
    'FORBIDDEN',
    'Whoever wrote the item, or a revision of it since its last publication, may sign the first review only',
    '2015 §12',
  ),
  COLUMN_OUT_OF_SCOPE: r('FORBIDDEN', 'Your membership is limited to another part of the column tree'),
  OPINION_REQUIRED: r('BAD_USER_INPUT', 'A rejection needs an opinion', '2015 §12'),
  REASON_REQUIRED: r('BAD_USER_INPUT', 'This needs a reason that will be kept with the record'),
  REQUIRED_FIELDS_MISSING: r('PRECONDITION_FAILED', 'Required fields are missing for publication', '2015 §12'),
  IMAGE_ALT_MISSING: r('PRECONDITION_FAILED', 'Every image needs alternative text (GB/T 37668)'),
  PERSONAL_DATA_FOUND: r(
    'PRECONDITION_FAILED',
    'The item seems to contain personal data (an ID number or a mobile number); remove it, or confirm with a reason',
  ),
  COLUMN_CLOSED: r(
    'PRECONDITION_FAILED',
    'The column is closed or merged: nothing more is published there',
    '2015 §14',
  ),
  INTERPRETATION_WITHOUT_POLICY: r(
    'PRECONDITION_FAILED',
    'An interpretation must be linked to the policy document it explains',
  ),
  PUBLISH_TIME_IN_PAST: r(
    'BAD_USER_INPUT',
    'A scheduled time must be in the future; publishing dates are set by the server',
    'veto: 伪造发稿日期',
  ),
  SEARCH_UNAVAILABLE: r(
    'INTERNAL',
    'Search is temporarily unavailable; published content is safe and will be searchable again',
  ),
  // Media (issue 8): uploads are judged by their content; names are never paths.
  MEDIA_TOO_LARGE: r('PAYLOAD_TOO_LARGE', 'The file is larger than the upload limit (MEDIA_MAX_BYTES)'),
  MEDIA_QUOTA_EXCEEDED: r('PAYLOAD_TOO_LARGE', 'The site’s storage quota for media would be exceeded'),
  MEDIA_TOO_MANY_PIXELS: r(
    'PAYLOAD_TOO_LARGE',
    'The image has more pixels than allowed (MEDIA_MAX_PIXELS): a decompression bomb is refused',
  ),
  MEDIA_TYPE_NOT_ALLOWED: r('UNSUPPORTED_MEDIA_TYPE', 'This type of file is not accepted'),
  MEDIA_TYPE_MISMATCH: r('UNSUPPORTED_MEDIA_TYPE', 'The file’s content does not match its extension'),
  MEDIA_POLYGLOT: r('UNSUPPORTED_MEDIA_TYPE', 'The file carries content of another type (markup, script, archive)'),
  MEDIA_IMAGE_INVALID: r('BAD_USER_INPUT', 'The image is truncated or corrupt'),
  MEDIA_NAME_INVALID: r('BAD_USER_INPUT', 'The file name must be a plain name, not a path'),
  MEDIA_IN_USE: r(
    'PRECONDITION_FAILED',
    'The file is used by an item (its current version or a version that was published) and is kept',
    '2017 §1.2 存档备查',
  ),
  MEDIA_CAPTION_MISSING: r(
    'PRECONDITION_FAILED',
    'Audio and video need a caption or a transcript file (accessibility)',
    '2015 §11',
  ),
  PREVIEW_TOKEN_INVALID: r('UNAUTHENTICATED', 'The preview link is not valid or has expired; ask for a new one'),
  // Issue 7 (part A): content input, dates, placements and the seeds' rules.
  DATE_IN_FUTURE: r(
    'BAD_USER_INPUT',
    'This date drives a publishing deadline and cannot lie in the future',
    '2015 §2; 2017 §1.1',
  ),
  ACTIVITY_TIME_REQUIRED: r(
    'BAD_USER_INPUT',
    'The deadline rule of this column counts from the activity: give its time (occurredAt)',
    '2015 §2',
  ),
  MEDIA_TEXT_PENDING: r(
    'PRECONDITION_FAILED',
    'An attached document is still being read for the personal-data check: sign again in a moment (details.files)',
    '2015 §12',
  ),
  MEDIA_TEXT_UNREADABLE: r(
    'PRECONDITION_FAILED',
    'The text of an attached document could not be read, so it was not checked for personal data: replace the file, or give personalDataReason after reading it',
    '2015 §12',
  ),
  PLACEMENT_COLUMN_CLOSED: r(
    'PRECONDITION_FAILED',
    'The version to publish places the item in a column closed since: remove it from alsoIn (details.columns)',
    '2015 §14',
  ),
  ISSUE_DATE_REQUIRED: r(
    'BAD_USER_INPUT',
    'The deadline rule of this column counts working days from the paper issue: give its date (issuedAt)',
    '2015 §2; 2017 §1.1',
  ),
  INVALID_ACTIVITY_TIME: r('BAD_USER_INPUT', 'An activity cannot end before it starts'),
  BODY_TOO_DEEP: r('BAD_USER_INPUT', 'The body nests its HTML elements too deeply (at most 100 levels)'),
  UNSAFE_URL: r('BAD_USER_INPUT', 'Links and images may use http(s), mailto, tel or platform media (media:) only'),
  INVALID_CREDIT_CODE: r(
    'BAD_USER_INPUT',
    'Not a valid 统一社会信用代码: 18 characters whose last is the check character of GB 32100-2015',
    'GB 32100-2015',
  ),
  ALTCHA_INVALID: r(
    'BAD_USER_INPUT',
    'The proof-of-work solution is missing, wrong or expired: solve a new altchaChallenge',
  ),
  ALTCHA_REPLAYED: r('BAD_USER_INPUT', 'This proof-of-work challenge was already used: solve a new altchaChallenge'),
  INVALID_LETTER_STATE: r('PRECONDITION_FAILED', 'The letter is not in a state that allows this', '2015 §4'),
  LETTER_ALREADY_EXTENDED: r(
    'PRECONDITION_FAILED',
    'A letter’s deadline is extended once only, to 15 working days after receipt',
    '2015 §4',
  ),
  LETTER_NOT_PUBLISHABLE: r(
    'PRECONDITION_FAILED',
    'Only an answered letter whose writer allowed publication can have its reply published',
    '2015 §4',
  ),
  // Issue 11: one-click migration of legacy sites.
  IMPORT_SOURCE_UNREADABLE: r(
    'BAD_USER_INPUT',
    'The legacy source cannot be read (no adapter recognises it, or it is malformed throughout)',
    '2015 §9',
  ),
  IMPORT_PATH_OUTSIDE: r('FORBIDDEN', 'Import sources must lie inside the server’s import directory (IMPORT_DIR)'),
  IMPORT_UPLOAD_TOO_LARGE: r(
    'PAYLOAD_TOO_LARGE',
    'The export is larger than the upload limit (IMPORT_UPLOAD_MAX_BYTES)',
  ),
  INVALID_IMPORT_STATE: r('PRECONDITION_FAILED', 'The import run is not in a state that allows this'),
  IMPORT_CHANGED: r(
    'CONFLICT',
    'The run’s content changed since it was signed: its report and hash must be signed again',
    '2015 §12',
  ),
  INVALID_DISCLOSURE_STATE: r(
    'PRECONDITION_FAILED',
    'The disclosure request is not in a state that allows this',
    '条例 2019 §30–§36',
  ),
  DISCLOSURE_ALREADY_EXTENDED: r(
    'PRECONDITION_FAILED',
    'A disclosure request is extended once only, by at most 20 working days',
    '条例 2019 §33',
  ),
  INVALID_INTERVIEW_STATE: r(
    'PRECONDITION_FAILED',
    'The interview is not in a state that allows this (ANNOUNCED → LIVE → ENDED → PUBLISHED)',
    '2015 §4',
  ),
  INTERVIEW_NOT_TAKING_QUESTIONS: r(
    'PRECONDITION_FAILED',
    'Questions are taken once the interview’s announcement is published, until the interview ends',
    '2015 §4',
  ),
  INTERVIEW_NOT_ANNOUNCED: r(
    'PRECONDITION_FAILED',
    'An interview goes live only after its announcement (预告) is published',
    '2015 §4: 提前做好预告',
  ),
  TRANSCRIPT_NOT_PUBLISHED: r(
    'PRECONDITION_FAILED',
    'The transcript has not passed the three-level review and been published yet',
    '2015 §4, §12',
  ),
  SURVEY_ANSWER_INVALID: r('BAD_USER_INPUT', 'The answers do not fit the survey’s questions', '2015 §4'),
  SURVEY_NOT_OPEN: r(
    'PRECONDITION_FAILED',
    'The survey takes answers only between its opening and closing dates',
    '2015 §4',
  ),
  SURVEY_ALREADY_ANSWERED: r('CONFLICT', 'This contact has already answered this survey (one answer per person)'),
  INVALID_SURVEY_STATE: r(
    'PRECONDITION_FAILED',
    'The survey is not in a state that allows this (DRAFT → OPEN → CLOSED → RESULT_PUBLISHED)',
    '2015 §4',
  ),
  SURVEY_RESULT_NOT_PUBLISHED: r(
    'PRECONDITION_FAILED',
    'A survey is done only once its results and how they were used (运用情况) are published through the review',
    '2015 §4: 及时公开调查结果及运用情况',
  ),
  WEBHOOK_TARGET_FORBIDDEN: r(
    'BAD_USER_INPUT',
    'A webhook URL must be http(s), without credentials, and (in production) not a loopback, private or link-local address',
  ),
  WEBHOOK_ENDPOINT_DISABLED: r('PRECONDITION_FAILED', 'The webhook endpoint is disabled: enable it first'),
  LOCALE_NOT_DECLARED: r(
    'BAD_USER_INPUT',
    'The site does not declare this locale: names are set only for the site’s declared locales',
    '2015 §8',
  ),
  RATE_LIMITED: r('RATE_LIMITED', 'Too many attempts; try again later'),
  INTERNAL: r('INTERNAL', 'Internal error'),
} as const;

export type ErrorReason = keyof typeof errorReasons;
