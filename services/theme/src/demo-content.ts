/**
 * Published content for the demo city's 米易县 portal, so that every page type of the theme shows something
 * real: news over more than one page, notices, an article with two images and a PDF attachment (small real
 * files made here, uploaded through the media pipeline — POST /media), a policy document with its disclosure
 * metadata and an interpretation linked to it, two legacy addresses (one moved: 301, one removed: 410) and a draft
 * to preview. Everything goes through the API as the site's staff would do
 * it: drafted by the editor, then the three-level review (2015 §12: 初审, 审核, 审发) by three people.
 * Idempotent: does nothing when 米易要闻 already has items.
 */
import { crc32, deflateSync } from 'node:zlib';

const SITE = 'miyi';
const HOST = 'www.miyi.gov.cn';
/** The demo city's shared password (packages/core/src/demo/seed-demo.ts). */
const DEMO_PASSWORD = 'Zhanqun#Demo2026';

export interface DemoContent {
  article: { id: string; path: string; title: string };
  policy: { id: string; path: string; title: string; docNumber: string };
  interpretation: { id: string; path: string; title: string };
  attachmentName: string;
  newsCount: number;
  /** Addresses of the legacy site this portal replaced (the import map): one moved (301), one removed (410). */
  legacy: { moved: string; removed: string };
  /** A draft, never public: request a `previewToken` for it to see it through the theme. */
  draft: { id: string; path: string; title: string };
}

/** Old addresses, as the legacy site printed them in documents (ADR 0014: they must keep working). */
export const LEGACY_MOVED = '/art/2017/3/15/art_2041_88.html';
export const LEGACY_REMOVED = '/art/2016/5/9/art_2040_17.html';

/** A real PNG: an RGB gradient with a band, w×h, from first principles (zlib's deflate and CRC-32). */
export function demoPng(w: number, h: number, hue: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const band = y > h * 0.6 && y < h * 0.75 ? 60 : 0;
      raw[o] = Math.min(255, (hue[0] * x) / w + band);
      raw[o + 1] = Math.min(255, (hue[1] * y) / h + band);
      raw[o + 2] = Math.min(255, hue[2] + band);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real one-page PDF 1.4 (Helvetica text, correct xref offsets). */
export function demoPdf(lines: string[]): Buffer {
  const text = lines.map((l, i) => `BT /F1 14 Tf 72 ${760 - i * 22} Td (${l.replace(/[()\\]/g, '')}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const NEWS = [
  '米易县召开2026年度优化营商环境工作推进会',
  '米易县春季农业生产现场会在撒莲镇举行',
  '县政府常务会议研究部署安全生产工作',
  '米易县开展“三月三”民族文化活动',
  '米易县启动城乡居民医保集中参保工作',
  '米易县举办返乡创业就业培训班',
  '米易县推进高标准农田建设项目',
  '米易县召开河长制工作会议',
  '米易县开展森林防灭火应急演练',
  '米易县举办中小学生科技创新大赛',
  '米易县推进傈僳族特色村寨保护',
  '米易县召开政府信息公开工作培训会',
];

export async function seedDemoContent(apiUrl: string, password = DEMO_PASSWORD): Promise<DemoContent | null> {
  const base = apiUrl.replace(/\/$/, '');
  const gql = async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    token?: string,
  ) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length || !body.data) throw new Error(`demo content: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  const existing = await gql<{ route: { __typename: string; items?: { edges: unknown[] } } }>(
    'query($h: String!) { route(host: $h, path: "/zwdt/yw/") { __typename ... on ColumnPage { items { edges { cursor } } } } }',
    { h: HOST },
  );
  if (existing.route.items?.edges.length) return null;

  const login = async (who: string) =>
    (
      await gql<{ login: { accessToken: string } }>(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: `${who}@${SITE}.zhanqun.local`, p: password },
      )
    ).login.accessToken;
  const [editor, reviewer, approver] = await Promise.all([login('editor'), login('reviewer'), login('approver')]);

  const upload = async (bytes: Buffer, name: string, type: string, fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('site', SITE);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
    const res = await fetch(`${base}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}` },
      body: form,
    });
    const body = (await res.json()) as { media?: { id: string }; error?: unknown };
    if (!body.media) throw new Error(`demo content: upload ${name}: ${JSON.stringify(body.error)}`);
    return body.media.id;
  };

  const publish = async (input: Record<string, unknown>): Promise<string> => {
    const d = await gql<{ createItem: { id: string } }>(
      'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }',
      { i: { site: SITE, kind: 'ARTICLE', source: '米易县人民政府办公室', ...input } },
      editor,
    );
    const id = d.createItem.id;
    await gql('mutation($id: ID!) { submitItem(id: $id) { state } }', { id }, editor);
    for (const token of [editor, reviewer, approver])
      await gql('mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id }, token);
    return id;
  };

  // Oldest first, so the newest news is on top of 米易要闻's first page.
  for (const [i, title] of NEWS.entries()) {
    await publish({
      column: '/zwdt/yw',
      slug: `news-${String(i + 1).padStart(2, '0')}`,
      title,
      summary: `${title}。`,
      body: `<p>${title}。会议强调，要坚持以人民为中心，扎实做好各项工作。</p><p>相关部门负责同志参加会议。</p>`,
    });
  }
  for (const [i, title] of [
    '关于2026年清明节期间森林防火的通告',
    '米易县2026年公开招聘事业单位工作人员公告',
  ].entries()) {
    await publish({
      column: '/zwdt/tzgg',
      kind: 'NOTICE',
      slug: `notice-${i + 1}`,
      title,
      body: `<p>${title}，特此公告。</p>`,
    });
  }

  const photo1 = await upload(demoPng(640, 360, [200, 120, 60]), 'fair-1.png', 'image/png', { alt: '招聘会现场' });
  const photo2 = await upload(demoPng(640, 360, [60, 140, 200]), 'fair-2.png', 'image/png', { alt: '求职者咨询岗位' });
  const attachmentName = '米易县2026年春季招聘岗位表.pdf';
  const pdf = await upload(
    demoPdf(['Miyi County 2026 spring job fair', 'Positions: 3,200', 'Employers: 126']),
    attachmentName,
    'application/pdf',
  );
  const articleTitle = '米易县举办2026年春季大型招聘会';
  const articleId = await publish({
    column: '/zwdt/yw',
    slug: 'spring-job-fair',
    title: articleTitle,
    summary: '招聘会提供岗位3200余个，126家企业参会。',
    author: '县就业局',
    keywords: ['招聘', '就业'],
    body: '<p>3月15日，米易县2026年春季大型招聘会在县体育中心举行，126家企业提供岗位3200余个。</p><p>岗位表见附件。</p>',
    images: [
      { mediaId: photo1, alt: '招聘会现场', caption: '招聘会现场' },
      { mediaId: photo2, alt: '求职者咨询岗位' },
    ],
    attachments: [{ mediaId: pdf, name: attachmentName }],
  });

  const docNumber = '米府发〔2026〕3号';
  const policyTitle = '米易县人民政府关于进一步促进就业创业的实施意见';
  const policyId = await publish({
    column: '/zc/zcwj/xzfwj',
    kind: 'POLICY_DOCUMENT',
    slug: 'employment-opinions',
    title: policyTitle,
    body: '<p>各乡镇人民政府，县级各部门：</p><p>为进一步促进就业创业，现提出如下实施意见。</p><p>一、加大创业扶持力度。</p><p>二、强化就业服务。</p>',
    docNumber,
    issuingBody: '米易县人民政府',
    writtenAt: '2026-03-02',
    issuedAt: '2026-03-05',
    validity: 'EFFECTIVE',
  });
  const interpretationTitle = '《米易县人民政府关于进一步促进就业创业的实施意见》政策解读';
  const interpretationId = await publish({
    column: '/zc/zcjd',
    kind: 'INTERPRETATION',
    slug: 'employment-opinions-explained',
    title: interpretationTitle,
    body: '<p>一、出台背景。</p><p>二、主要内容：创业扶持、就业服务。</p>',
    interprets: [policyId],
  });

  // So that a fresh start shows a 301 and a 410 too: the import map of the county's legacy site (ADR 0014) — the
  // job-fair article's old address, and an old notice that was not carried over.
  const admin = await login('admin');
  await gql(
    'mutation($e: [RedirectEntryInput!]!) { recordRedirects(site: "miyi", entries: $e) }',
    {
      e: [
        { fromPath: LEGACY_MOVED, toItemId: articleId },
        { fromPath: LEGACY_REMOVED, gone: true },
      ],
    },
    admin,
  );
  // And a draft to preview (the editor's work in progress; nothing public shows it).
  const draftTitle = '米易县2026年民生实事项目安排（征求意见稿）';
  const draft = await gql<{ createItem: { id: string } }>(
    'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }',
    {
      i: {
        site: SITE,
        kind: 'ARTICLE',
        source: '米易县人民政府办公室',
        column: '/zwdt/yw',
        slug: 'livelihood-projects-draft',
        title: draftTitle,
        body: '<p>征求意见稿：2026年拟实施民生实事项目10件。</p>',
      },
    },
    editor,
  );

  return {
    legacy: { moved: LEGACY_MOVED, removed: LEGACY_REMOVED },
    draft: { id: draft.createItem.id, path: '/zwdt/yw/livelihood-projects-draft.html', title: draftTitle },
    article: { id: articleId, path: '/zwdt/yw/spring-job-fair.html', title: articleTitle },
    policy: { id: policyId, path: '/zc/zcwj/xzfwj/employment-opinions.html', title: policyTitle, docNumber },
    interpretation: {
      id: interpretationId,
      path: '/zc/zcjd/employment-opinions-explained.html',
      title: interpretationTitle,
    },
    attachmentName,
    newsCount: NEWS.length + 1,
  };
}
