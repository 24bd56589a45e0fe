/**
 * Issue 8: the level-3 personal-data check reads the contents of attached documents (PDF and DOCX), whichever
 * comes first — the worker's extraction or the sign-off. Signed before the worker, level 3 reads the file itself
 * (on a worker thread, within MEDIA_TEXT_WAIT_MS) or refuses with MEDIA_TEXT_PENDING; a file whose text cannot
 * be read is not published unchecked. DOCX goes through mammoth: upload → extraction → search and the check.
 */
import { processMedia } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, publishItem, reasonOf, startTestApp, type TestApp } from '../helpers.ts';
import { adminQuery, docxWith, pdfWith, upload } from './fixtures.ts';

let t: TestApp;
let editor: string;
// GB 11643's own example of a valid citizen ID number (check digit X), and a mobile number.
const ID_NUMBER = '11010519491231002X';
const MOBILE = '13800138000';

beforeAll(async () => {
  // Shorter than the default (20 s) so that the "still being read" answer waits little, but not so short that the
  // first read of a file on a loaded machine (a thread started, mammoth or pdf.js loaded) misses it: at 300 ms the
  // DOCX read "before the worker" answered MEDIA_TEXT_PENDING at a load average of 6–7.
  t = await startTestApp({ search: true, env: { MEDIA_TEXT_WAIT_MS: '4000' } });
  editor = await t.tokenFor(demo.editor('miyi'));
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function uploadFile(name: string, bytes: Buffer): Promise<string> {
  const r = await upload(t, editor, { site: 'miyi' }, { name, bytes });
  if (!r.body.media) throw new Error(JSON.stringify(r.body));
  return r.body.media.id as string;
}

/** Draft, submit, sign levels 1 and 2; returns the item id and a function signing level 3. */
async function upToLevel3(title: string, mediaId: string) {
  const created = await t.gql(
    'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }',
    {
      i: {
        site: 'miyi',
        column: '/zwdt/tzgg',
        kind: 'NOTICE',
        title,
        source: '县政府办',
        body: '<p>见附件。</p>',
        attachments: [{ mediaId }],
      },
    },
    editor,
  );
  const id = created.data!.createItem.id as string;
  await t.gql('mutation($id: ID!) { submitItem(id: $id) { state } }', { id }, editor);
  for (const who of [demo.editor('miyi'), demo.reviewer('miyi')])
    await t.gql('mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id }, await t.tokenFor(who));
  const approver = await t.tokenFor(demo.approver('miyi'));
  const level3 = (personalDataReason?: string) =>
    t.gql(
      'mutation($id: ID!, $r: String) { signOff(input: { id: $id, personalDataReason: $r }) { state } }',
      { id, r: personalDataReason ?? null },
      approver,
    );
  return { id, level3 };
}

const textStatus = async (id: string) =>
  (await adminQuery<{ text_status: string }>(t, 'select text_status from media where id = $1', [id]))[0]!.text_status;

describe('the level-3 check reads attached documents, whichever comes first', () => {
  it('worker first: finds an ID number inside a PDF', async () => {
    const pdf = await uploadFile('名单-先提取.pdf', pdfWith(`Applicant ${ID_NUMBER} phone ${MOBILE}`));
    await processMedia(t.platform.systemCtx('test:worker'), pdf);
    expect(await textStatus(pdf)).toBe('DONE');
    const { level3 } = await upToLevel3('先提取后签发', pdf);
    const r = await level3();
    expect(reasonOf(r)).toBe('PERSONAL_DATA_FOUND');
    expect(JSON.stringify(r.errors)).not.toContain(ID_NUMBER); // masked in the answer
  });

  it('sign-off first: level 3 reads the PDF itself before the worker has, and refuses it', async () => {
    const pdf = await uploadFile('名单-未提取.pdf', pdfWith(`Applicant ${ID_NUMBER}`));
    expect(await textStatus(pdf)).toBe('PENDING');
    const { level3 } = await upToLevel3('未提取先签发', pdf);
    const r = await level3();
    expect(reasonOf(r)).toBe('PERSONAL_DATA_FOUND');
    expect(await textStatus(pdf)).toBe('DONE');
  });

  it('answers MEDIA_TEXT_PENDING while the text is still being read, then checks it on the retry', async () => {
    const pdf = await uploadFile('名单-读取中.pdf', pdfWith(`Pending applicant ${ID_NUMBER}`));
    expect(await textStatus(pdf)).toBe('PENDING');
    const tools = t.platform.media.tools;
    const real = tools.extractText;
    let release: (text: string | null) => void = () => undefined;
    tools.extractText = () =>
      new Promise<string | null>((resolve) => {
        release = resolve;
      });
    const { id, level3 } = await upToLevel3('读取中签发', pdf);
    try {
      const r = await level3();
      expect([reasonOf(r), r.status]).toEqual(['MEDIA_TEXT_PENDING', 412]);
      expect((await t.gql(`{ item(id: "${id}") { state } }`, {}, editor)).data!.item.state).toBe('SIGN_OFF');
    } finally {
      tools.extractText = real;
    }
    // The retry (extraction now answers) reads the file and finds the number; nothing was published meanwhile.
    const retry = await level3();
    expect(reasonOf(retry)).toBe('PERSONAL_DATA_FOUND');
    release(null);
  });

  it('does not publish a document whose text cannot be read, unless the approver vouches for it', async () => {
    const broken = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048, 0x41), Buffer.from('\n%%EOF\n')]);
    const up = await upload(t, editor, { site: 'miyi' }, { name: '扫描件.pdf', bytes: broken });
    expect(up.status).toBe(201);
    const { level3 } = await upToLevel3('无法读取的附件', up.body.media!.id);
    expect(reasonOf(await level3())).toBe('MEDIA_TEXT_UNREADABLE');
    expect(await textStatus(up.body.media!.id)).toBe('FAILED');
    const vouched = await level3('审发人已逐页核对附件，无个人信息');
    expect(vouched.data!.signOff.state).toBe('PUBLISHED');
  });
});

describe('DOCX (mammoth): upload → extraction → search and the level-3 check', () => {
  it('refuses a Word document with an ID number, signed before the worker or after it', async () => {
    const before = await uploadFile('报名表.docx', docxWith(`报名人员名单\n张三 身份证号 ${ID_NUMBER}`));
    expect(reasonOf(await (await upToLevel3('Word 附件未提取', before)).level3())).toBe('PERSONAL_DATA_FOUND');
    const after = await uploadFile('报名表二.docx', docxWith(`联系人 李四 ${MOBILE}`));
    await processMedia(t.platform.systemCtx('test:worker'), after);
    expect(reasonOf(await (await upToLevel3('Word 附件已提取', after)).level3())).toBe('PERSONAL_DATA_FOUND');
  });

  it('makes a published item findable by a word that appears only inside its Word attachment', async () => {
    const docx = await uploadFile('实施方案.docx', docxWith('米易县 Quarrystone 灌区改造实施方案\n第一章 总则'));
    await processMedia(t.platform.systemCtx('test:worker'), docx);
    const lib = await t.gql(`{ media(id: "${docx}") { mediaType textStatus } }`, {}, editor);
    expect(lib.data!.media).toEqual({
      mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      textStatus: 'DONE',
    });
    const id = await publishItem(t, 'miyi', {
      column: '/zwdt/tzgg',
      kind: 'NOTICE',
      title: '关于印发实施方案的通知',
      attachments: [{ mediaId: docx }],
    });
    await t.syncSearch();
    const r = await t.gql('{ search(query: "Quarrystone", site: "miyi") { edges { node { id } } } }');
    expect(r.data!.search.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);
  });
});
