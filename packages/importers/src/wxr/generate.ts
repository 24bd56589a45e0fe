/**
 * A generator of realistic WordPress exports of a Chinese government site, for tests and `bench/import.ts`:
 * categories with parents (机构概况 › 领导信息…), posts of ~3 KB (通知公告, 政策文件 with 文号 custom fields, tables,
 * 首行缩进 paragraphs, classic posts without `<p>` that need wpautop, Gutenberg posts), pages, attachments with
 * `_thumbnail_id`, a few drafts and trashed posts, comments. Deterministic for a seed. Written streaming, so a
 * 1 GB export can be generated without holding it.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import iconv from 'iconv-lite';
import { seededRandom } from '../text/seeded-random.ts';

export interface GenerateWxrOptions {
  /** The file to write. */
  path: string;
  /** Number of posts + pages (attachments come on top: about one for every 8 posts). */
  items: number;
  /** Number of categories (about a third are children of another). */
  columns?: number;
  seed?: number;
  /** Approximate body size in bytes (UTF-8). Default 3,000. */
  bodyBytes?: number;
  /** `utf-8` (default) or `gbk` (old Chinese WordPress installs). */
  encoding?: 'utf-8' | 'gbk';
  /** The `wp` namespace scheme: self-hosted sites write `http`, WordPress.com `https`. */
  namespace?: 'http' | 'https';
  baseUrl?: string;
}

export interface GeneratedWxr {
  path: string;
  bytes: number;
  posts: number;
  pages: number;
  attachments: number;
  /** Posts and pages whose status is not `publish`. */
  unpublished: number;
  categories: number;
}

const TOP = ['政务公开', '政务动态', '政策文件', '公共服务', '互动交流', '机构概况', '专题专栏', '数据发布'];
const SUB = [
  '通知公告',
  '工作动态',
  '部门动态',
  '乡镇动态',
  '规范性文件',
  '政策解读',
  '人事信息',
  '财政预决算',
  '领导信息',
  '办事指南',
];
const ORGS = [
  '县人民政府办公室',
  '县发展和改革局',
  '县财政局',
  '县教育局',
  '县卫生健康局',
  '县住房和城乡建设局',
  '县农业农村局',
  '县应急管理局',
];
const TOPICS = [
  '安全生产大检查',
  '秋冬季森林防火',
  '城乡居民医疗保险参保',
  '高标准农田建设',
  '营商环境优化',
  '义务教育招生',
  '防汛抗旱',
  '乡村振兴重点项目',
];
const KINDS = ['通知', '公告', '实施方案', '工作要点', '情况通报', '意见'];
const SENTENCES = [
  '为深入贯彻落实党中央、国务院决策部署，进一步做好相关工作，结合我县实际，现将有关事项通知如下。',
  '各乡镇人民政府，县级各部门要高度重视，切实加强组织领导，明确责任分工，确保各项任务落到实处。',
  '要坚持以人民为中心的发展思想，聚焦群众急难愁盼问题，持续优化政务服务，提升群众满意度。',
  '各单位要严格落实安全生产责任制，全面排查整治风险隐患，坚决遏制重特大事故发生。',
  '请各单位于每月25日前将工作进展情况报送县政府办公室，联系电话：0812-8171234。',
  '本方案自印发之日起施行，由县人民政府办公室负责解释。',
  '对工作推进不力、造成严重后果的，将依法依规严肃追究相关单位和人员责任。',
  '要加强政策宣传解读，及时回应社会关切，营造良好的舆论氛围。',
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const pad = (n: number) => String(n).padStart(2, '0');

export async function generateWxr(opts: GenerateWxrOptions): Promise<GeneratedWxr> {
  const rnd = seededRandom(opts.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const bodyBytes = opts.bodyBytes ?? 3000;
  const encoding = opts.encoding ?? 'utf-8';
  const ns = `${opts.namespace ?? 'http'}://wordpress.org/export/1.2/`;
  const base = opts.baseUrl ?? 'http://www.example-county.gov.cn';
  const out = createWriteStream(opts.path);
  let bytes = 0;
  const write = async (s: string) => {
    const buf = encoding === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8');
    bytes += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };

  const columnCount = Math.max(1, opts.columns ?? 12);
  const cats: { nicename: string; name: string; parent: string | null }[] = [];
  for (let i = 0; i < columnCount; i++) {
    const parent = i >= TOP.length && cats.length ? cats[Math.floor(rnd() * Math.min(cats.length, TOP.length))]! : null;
    const name = i < TOP.length ? TOP[i]! : `${SUB[i % SUB.length]}${i >= TOP.length + SUB.length ? i : ''}`;
    cats.push({ nicename: `c${i + 1}`, name, parent: parent?.nicename ?? null });
  }

  await write(
    `<?xml version="1.0" encoding="${encoding === 'gbk' ? 'GBK' : 'UTF-8'}"?>\n` +
      `<rss version="2.0" xmlns:excerpt="${ns}excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" ` +
      `xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="${ns}">\n` +
      `<channel>\n<title>某县人民政府</title>\n<link>${base}</link>\n<description>政府门户网站</description>\n` +
      `<language>zh-CN</language>\n<wp:wxr_version>1.2</wp:wxr_version>\n` +
      `<wp:base_site_url>${base}</wp:base_site_url>\n<wp:base_blog_url>${base}</wp:base_blog_url>\n` +
      `<wp:author><wp:author_id>1</wp:author_id><wp:author_login>${cdata('admin')}</wp:author_login>` +
      `<wp:author_display_name>${cdata('县政府办')}</wp:author_display_name></wp:author>\n`,
  );
  for (const [i, c] of cats.entries()) {
    await write(
      `<wp:category><wp:term_id>${i + 1}</wp:term_id><wp:category_nicename>${c.nicename}</wp:category_nicename>` +
        `<wp:category_parent>${c.parent ?? ''}</wp:category_parent><wp:cat_name>${cdata(c.name)}</wp:cat_name></wp:category>\n`,
    );
  }
  await write(
    `<wp:tag><wp:term_id>1000</wp:term_id><wp:tag_slug>anquan</wp:tag_slug><wp:tag_name>${cdata('安全生产')}</wp:tag_name></wp:tag>\n`,
  );

  const result: GeneratedWxr = {
    path: opts.path,
    bytes: 0,
    posts: 0,
    pages: 0,
    attachments: 0,
    unpublished: 0,
    categories: cats.length,
  };
  let id = 100;
  for (let n = 0; n < opts.items; n++) {
    const postId = ++id;
    const isPage = rnd() < 0.03;
    const roll = rnd();
    const status = roll < 0.02 ? 'draft' : roll < 0.03 ? 'trash' : 'publish';
    if (status !== 'publish') result.unpublished++;
    const t = Date.UTC(2012, 0, 1) + Math.floor(rnd() * 9 * 365 * 86_400_000);
    const gmt = new Date(t);
    const local = new Date(t + 8 * 3_600_000);
    const fmt = (d: Date) =>
      `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const org = pick(ORGS);
    const title = `${org}关于做好${pick(TOPICS)}工作的${pick(KINDS)}`;
    const docNo = rnd() < 0.3 ? `某府办发〔${gmt.getUTCFullYear()}〕${1 + Math.floor(rnd() * 90)}号` : null;
    const style = rnd();
    let body = '';
    if (style < 0.4) {
      // Classic editor: no <p>, paragraphs are blank lines (wpautop at display time).
      body = docNo ? `${docNo}\n\n` : '';
      while (Buffer.byteLength(body) < bodyBytes) body += `${pick(SENTENCES)}${pick(SENTENCES)}\n\n`;
      body += `${org}\n${gmt.getUTCFullYear()}年${gmt.getUTCMonth() + 1}月${gmt.getUTCDate()}日`;
    } else if (style < 0.8) {
      body = `<p class="zq-title" style="text-align: center;"><strong>${esc(title)}</strong></p>`;
      while (Buffer.byteLength(body) < bodyBytes - 400)
        body += `<p style="text-indent: 2em;">${pick(SENTENCES)}${pick(SENTENCES)}</p>`;
      body +=
        '<table border="1" style="border-collapse: collapse; width: 100%;"><tbody><tr><td colspan="2">联系人</td><td>电话</td></tr>' +
        '<tr><td>张三</td><td>办公室</td><td>0812-8171234</td></tr></tbody></table>';
      body += `<p style="text-align: right;">${org}</p><p style="text-align: right;">${gmt.getUTCFullYear()}年${gmt.getUTCMonth() + 1}月${gmt.getUTCDate()}日</p>`;
    } else {
      // Gutenberg.
      body =
        '<!-- wp:paragraph {"align":"center"} -->\n<p class="has-text-align-center"><strong>' +
        esc(title) +
        '</strong></p>\n<!-- /wp:paragraph -->\n';
      while (Buffer.byteLength(body) < bodyBytes)
        body += `\n<!-- wp:paragraph -->\n<p>${pick(SENTENCES)}${pick(SENTENCES)}</p>\n<!-- /wp:paragraph -->\n`;
    }
    let attachment = '';
    let thumb = '';
    if (!isPage && rnd() < 0.125) {
      const attId = ++id;
      const ym = `${gmt.getUTCFullYear()}/${pad(gmt.getUTCMonth() + 1)}`;
      const file = rnd() < 0.5 ? `${ym}/tz${attId}.pdf` : `${ym}/img${attId}.jpg`;
      result.attachments++;
      attachment =
        `<item><title>${esc(file.endsWith('.pdf') ? '附件：实施方案' : '现场图片')}</title>` +
        `<link>${base}/?attachment_id=${attId}</link><dc:creator>${cdata('admin')}</dc:creator>` +
        `<guid isPermaLink="false">${base}/wp-content/uploads/${file}</guid><description></description>` +
        `<content:encoded>${cdata('')}</content:encoded><excerpt:encoded>${cdata('')}</excerpt:encoded>` +
        `<wp:post_id>${attId}</wp:post_id><wp:post_date>${fmt(local)}</wp:post_date><wp:post_date_gmt>${fmt(gmt)}</wp:post_date_gmt>` +
        `<wp:post_name>att${attId}</wp:post_name><wp:status>inherit</wp:status><wp:post_parent>${postId}</wp:post_parent>` +
        `<wp:menu_order>0</wp:menu_order><wp:post_type>attachment</wp:post_type><wp:post_password></wp:post_password>` +
        `<wp:attachment_url>${base}/wp-content/uploads/${file}</wp:attachment_url>` +
        `<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>${cdata(file)}</wp:meta_value></wp:postmeta>` +
        `</item>\n`;
      if (file.endsWith('.jpg'))
        thumb = `<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>${attId}</wp:meta_value></wp:postmeta>`;
    }
    if (isPage) result.pages++;
    else result.posts++;
    const cat = pick(cats);
    await write(
      `<item><title>${esc(isPage ? `${pick(TOP)}简介` : title)}</title><link>${base}/?${isPage ? 'page_id' : 'p'}=${postId}</link>` +
        `<pubDate>${gmt.toUTCString().replace('GMT', '+0000')}</pubDate><dc:creator>${cdata('admin')}</dc:creator>` +
        `<guid isPermaLink="false">${base}/?p=${postId}</guid><description></description>` +
        `<content:encoded>${cdata(body)}</content:encoded><excerpt:encoded>${cdata('')}</excerpt:encoded>` +
        `<wp:post_id>${postId}</wp:post_id><wp:post_date>${fmt(local)}</wp:post_date><wp:post_date_gmt>${fmt(gmt)}</wp:post_date_gmt>` +
        `<wp:comment_status>closed</wp:comment_status><wp:ping_status>closed</wp:ping_status>` +
        `<wp:post_name>${postId}</wp:post_name><wp:status>${status}</wp:status><wp:post_parent>0</wp:post_parent>` +
        `<wp:menu_order>0</wp:menu_order><wp:post_type>${isPage ? 'page' : 'post'}</wp:post_type>` +
        `<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>` +
        (isPage ? '' : `<category domain="category" nicename="${cat.nicename}">${cdata(cat.name)}</category>`) +
        (!isPage && rnd() < 0.2
          ? `<category domain="post_tag" nicename="anquan">${cdata('安全生产')}</category>`
          : '') +
        thumb +
        (docNo
          ? `<wp:postmeta><wp:meta_key>文号</wp:meta_key><wp:meta_value>${cdata(docNo)}</wp:meta_value></wp:postmeta>`
          : '') +
        `</item>\n` +
        attachment,
    );
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'finish');
  result.bytes = bytes;
  return result;
}
