/**
 * Realistic Chinese government text for the dump generators: titles with 文号, 公文 bodies laid out as issued
 * (centred title, 文号, 主送, indented paragraphs, right-aligned 落款 and date), images and attachments under
 * the legacy uploads folders. Deterministic from a seed.
 */
import iconv from 'iconv-lite';
import { seededRandom } from '../text/seeded-random.ts';

/** The seeded PRNG every generator draws from. */
export const rng = seededRandom;

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export const DEPARTMENTS = [
  '米易县人民政府办公室',
  '米易县发展和改革局',
  '米易县教育局',
  '米易县财政局',
  '米易县自然资源局',
  '米易县卫生健康局',
  '米易县应急管理局',
  '米易县住房和城乡建设局',
  '米易县农业农村局',
  '攀莲镇人民政府',
] as const;

const TOPICS = [
  '农村集体经济组织管理',
  '城乡环境综合治理',
  '安全生产大检查',
  '森林草原防灭火',
  '义务教育均衡发展',
  '政府信息公开',
  '优化营商环境',
  '河长制',
  '防汛减灾',
  '城镇老旧小区改造',
  '乡村振兴',
  '耕地保护',
] as const;

const SENTENCES = [
  '为深入贯彻落实党中央、国务院和省委、省政府决策部署，进一步提升我县工作水平，结合我县实际，制定本方案。',
  '各乡镇、各部门要高度重视，切实加强组织领导，明确责任分工，细化工作措施，确保各项任务落到实处。',
  '坚持以人民为中心的发展思想，坚持问题导向和目标导向，统筹推进各项工作，不断增强人民群众的获得感、幸福感、安全感。',
  '县政府办公室将会同有关部门对工作推进情况进行督查，督查结果纳入年度目标绩效考核。',
  '请各单位于每月25日前将工作推进情况报县政府办公室（联系电话：0812-8172345，电子邮箱：myzfb@163.com）。',
  '各地各部门要加强宣传引导，通过政府网站、政务新媒体等渠道及时发布工作动态，营造良好社会氛围。',
  '本方案自印发之日起施行，有效期5年。此前有关规定与本方案不一致的，以本方案为准。',
  '会议要求，要压紧压实责任，强化督促检查，坚决守住不发生重大安全事故的底线。',
  '二〇一二年以来，全县累计投入资金3.6亿元，完成改造项目128个，惠及群众2.1万户。',
  '附件中的“申请表”请用A4纸打印，按“单位名称+事项”命名后报送。',
] as const;

export interface GovArticle {
  title: string;
  docNumber: string | null;
  department: string;
  topic: string;
}

export function govArticle(r: () => number, year: number, n: number, long: boolean): GovArticle {
  const department = pick(r, DEPARTMENTS);
  const topic = pick(r, TOPICS);
  const kind = Math.floor(r() * 4);
  const docNumber = kind < 2 ? `米府${kind === 0 ? '' : '办'}发〔${year}〕${(n % 200) + 1}号` : null;
  let title =
    kind === 0
      ? `米易县人民政府关于印发《米易县${topic}工作实施方案》的通知`
      : kind === 1
        ? `米易县人民政府办公室关于做好${year}年${topic}工作的通知`
        : kind === 2
          ? `${department}召开${topic}工作推进会`
          : `${department}${year}年${topic}工作情况报告`;
  if (long)
    title = `${department}关于进一步加强和改进${topic}工作切实保障人民群众生命财产安全和促进经济社会持续健康发展的实施意见（征求意见稿）`;
  return { title, docNumber, department, topic };
}

export interface BodyOptions {
  title: string;
  docNumber: string | null;
  department: string;
  date: Date;
  images: string[];
  attachments: { url: string; name: string }[];
  /** Page breaks in the CMS's own syntax, inserted between sections. */
  pageBreaks: string[];
  /** Add text whose GBK encoding has 0x5C trail bytes (誠 D5 5C, 謀 D6 5C), quotes and a backslash. */
  traps: boolean;
}

/** A ~3 KB 公文 body. */
export function govBody(r: () => number, o: BodyOptions): string {
  const d = o.date;
  const cnDate = `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
  const parts: string[] = [];
  parts.push(
    `<p style="text-align: center;"><strong><span style="font-size: 22px; font-family: 方正小标宋简体;">${o.title}</span></strong></p>`,
  );
  if (o.docNumber) parts.push(`<p style="text-align: center;">${o.docNumber}</p>`);
  parts.push('<p>各乡镇人民政府，县级各部门：</p>');
  const sections = 3 + Math.floor(r() * 2);
  for (let s = 0; s < sections; s++) {
    if (s > 0 && o.pageBreaks[s - 1] !== undefined) parts.push(o.pageBreaks[s - 1]!);
    parts.push(
      `<p style="text-indent: 2em;"><strong>${['一', '二', '三', '四', '五'][s]}、${pick(r, ['总体要求', '工作目标', '主要任务', '保障措施', '工作要求'])}</strong></p>`,
    );
    for (let k = 0; k < 3; k++)
      parts.push(`<p style="text-indent: 2em;">${pick(r, SENTENCES)}${pick(r, SENTENCES)}</p>`);
    const img = o.images[s];
    if (img) parts.push(`<p style="text-align: center;"><img src="${img}" alt="" width="600" height="400" /></p>`);
  }
  if (o.traps) {
    parts.push(
      '<p style="text-indent: 2em;">（引文照录繁体原件：「誠信為本，謀定後動」；文件存放路径 D:\\公文\\2012\\，标题中的\'单引号\'与"双引号"保持原样。）</p>',
    );
  }
  parts.push(
    `<table border="1" cellspacing="0" cellpadding="4" style="border-collapse: collapse;"><tbody><tr><td rowspan="2">序号</td><td colspan="2">责任单位</td></tr><tr><td>牵头</td><td>配合</td></tr><tr><td>1</td><td>${o.department}</td><td>各乡镇</td></tr></tbody></table>`,
  );
  if (o.attachments.length) {
    parts.push('<p>附件：</p>');
    for (const a of o.attachments) parts.push(`<p><a href="${a.url}" target="_blank">${a.name}</a></p>`);
  }
  parts.push(`<p style="text-align: right;">${o.department}</p>`);
  parts.push(`<p style="text-align: right;">${cnDate}</p>`);
  return parts.join('\r\n');
}

/** GBK text as a site on a latin1 table stored it, once exported as UTF-8 ("政府" → "Õþ¸®"). */
export function asLatin1Mojibake(s: string): string {
  return iconv.encode(s, 'gbk').toString('latin1');
}

/** Tiny but real files for the uploads folder (8×6 JPEG and PNG from sharp, a one-page PDF, an RTF `.doc`). */
export const TINY_FILES: Record<string, Buffer> = {
  jpg: Buffer.from(
    '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAGAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCOACqH/9k=',
    'base64',
  ),
  png: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWOQkzuBFTEMpAQAKcgwwcpA+jsAAAAASUVORK5CYII=',
    'base64',
  ),
  pdf: Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    'latin1',
  ),
  doc: Buffer.from('{\\rtf1\\ansi\\ansicpg936 {\\fonttbl{\\f0 SimSun;}}\\f0 Attachment\\par}', 'latin1'),
};
