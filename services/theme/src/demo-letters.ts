/**
 * Answered letters of 米易县's 县长信箱 (2015 §4), so the mailbox column of a fresh demo shows what it is for:
 * each written by a citizen through the public door (submitLetter, with a solved ALTCHA proof of work, as the
 * browser widget would), accepted and answered by the site's 互动交流专员, its public reply drafted from the
 * letter (draftLetterReply masks the writer) and published through the three-level review (2015 §12).
 * Everything goes through the API's real use cases, nothing through SQL. Idempotent: does nothing when the
 * mailbox column already lists a reply.
 */
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';

const SITE = 'miyi';
const HOST = 'www.miyi.gov.cn';
/** The mailbox's column (packages/core/src/demo/seed-demo.ts: 县长信箱 in /hdjl/xzxx). */
export const MAILBOX_PATH = '/hdjl/xzxx';
const DEMO_PASSWORD = 'Zhanqun#Demo2026';

/** Fictional writers and replies; the writers' names and numbers never reach the public page (masked). */
export const DEMO_LETTERS = [
  {
    subject: '关于丙谷镇至攀莲镇道路坑洼的反映',
    body: '县长您好：丙谷镇至攀莲镇的县道有多处坑洼，雨天积水，电瓶车通行危险，希望尽快修缮。',
    contact: { name: '张建华', phone: '13908121234' },
    reply:
      '您好！您反映的路段已由县交通运输局现场核实，共有坑槽12处。县交通运输局已安排养护队伍，于本月底前完成修补，雨季前完成排水边沟清理。感谢您对交通工作的关心和支持。',
    answeringBody: '米易县交通运输局',
  },
  {
    subject: '咨询城乡居民医保参保缴费时间',
    body: '县长您好：我家老人在外地打工回乡，想问2027年度城乡居民医保什么时候开始缴费，在哪里缴？',
    contact: { name: '李秀英', phone: '13551237788' },
    reply:
      '您好！2027年度城乡居民基本医疗保险集中缴费期为2026年9月1日至12月31日，可通过“四川税务”APP、微信或到户籍所在地村（社区）代收点缴纳。如有疑问，可拨打县医保局咨询电话0812-8172345。',
    answeringBody: '米易县医疗保障局',
  },
  {
    subject: '建议在县城新区增设公共厕所',
    body: '县长您好：县城新区攀莲大道一带晚上散步的人很多，但附近没有公共厕所，建议增设。',
    contact: { name: '王磊', email: 'wanglei@example.com' },
    reply:
      '您好！感谢您的建议。县住房和城乡建设局已将攀莲大道沿线公共厕所建设纳入2027年城市公厕建设计划，选址在新区文化广场东侧，预计2027年6月前建成投用。',
    answeringBody: '米易县住房和城乡建设局',
  },
] as const;

type Gql = <T = Record<string, unknown>>(q: string, v: Record<string, unknown>, token?: string) => Promise<T>;

/** One GraphQL request to the API, as the demo set-up (letters here, the theme's token in infra/dev) sends it. */
export async function postGraphql<T>(
  apiUrl: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<{ status: number; data?: T; errors?: unknown[] }> {
  const res = await fetch(`${apiUrl.replace(/\/$/, '')}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: unknown[] };
  return { status: res.status, data: body.data, errors: body.errors };
}

function client(apiUrl: string): Gql {
  return async <T>(query: string, variables: Record<string, unknown>, token?: string) => {
    const r = await postGraphql<T>(apiUrl, query, variables, token);
    if (r.errors?.length || !r.data) throw new Error(`demo letters: ${JSON.stringify(r.errors)}`);
    return r.data;
  };
}

/** Solves the API's ALTCHA challenge with altcha-lib's own solver, as the theme's browser widget does. */
async function proofOfWork(gql: Gql): Promise<string> {
  const { altchaChallenge: challenge } = await gql<{ altchaChallenge: unknown }>('{ altchaChallenge }', {});
  const solution = await solveChallenge({ challenge: challenge as never, deriveKey });
  if (!solution) throw new Error('demo letters: ALTCHA challenge not solved');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

/** Returns the number of letters answered and published (0 when the mailbox already shows replies). */
export async function seedDemoLetters(apiUrl: string, password = DEMO_PASSWORD): Promise<number> {
  const gql = client(apiUrl);
  const shown = await gql<{ route: { items?: { edges: unknown[] } } }>(
    'query($h: String!, $p: String!) { route(host: $h, path: $p) { ... on ColumnPage { items { edges { cursor } } } } }',
    { h: HOST, p: `${MAILBOX_PATH}/` },
  );
  if (shown.route.items?.edges.length) return 0;
  const login = async (who: string) =>
    (
      await gql<{ login: { accessToken: string } }>(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: `${who}@${SITE}.zhanqun.local`, p: password },
      )
    ).login.accessToken;
  const [handler, reviewer, approver] = await Promise.all([login('handler'), login('reviewer'), login('approver')]);
  for (const letter of DEMO_LETTERS) {
    const { subject, body, contact } = letter;
    await gql('mutation($i: SubmitLetterInput!) { submitLetter(input: $i) { trackingCode } }', {
      i: { site: SITE, subject, body, contact, mayPublish: true, altcha: await proofOfWork(gql) },
    });
    // The handler finds it among the received letters (the receipt is the writer's, not the handler's).
    const received = await gql<{ letters: { edges: { node: { id: string; subject: string } }[] } }>(
      'query($s: String!) { letters(site: $s, status: RECEIVED) { edges { node { id subject } } } }',
      { s: SITE },
      handler,
    );
    const id = received.letters.edges.find((e) => e.node.subject === subject)?.node.id;
    if (!id) throw new Error(`demo letters: "${subject}" not received`);
    await gql('mutation($id: ID!) { acceptLetter(id: $id) { id } }', { id }, handler);
    await gql(
      'mutation($id: ID!, $r: String!, $b: String!) { replyToLetter(id: $id, reply: $r, answeringBody: $b) { id } }',
      { id, r: letter.reply, b: letter.answeringBody },
      handler,
    );
    const drafted = await gql<{ draftLetterReply: { id: string } }>(
      'mutation($id: ID!) { draftLetterReply(id: $id) { id } }',
      { id },
      handler,
    );
    const item = { id: drafted.draftLetterReply.id };
    // 2015 §4: the interaction handler is the entry clerk (level 1) of the 互动交流 channel's replies.
    await gql('mutation($id: ID!) { submitItem(id: $id) { state } }', item, handler);
    for (const token of [handler, reviewer, approver])
      await gql('mutation($id: ID!) { signOff(input: { id: $id }) { state } }', item, token);
  }
  return DEMO_LETTERS.length;
}
