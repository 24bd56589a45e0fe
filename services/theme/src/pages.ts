/**
 * The pages, as functions of the API's `route` answer. Server-rendered and complete without JavaScript; the only
 * script is the search page's InstantSearch, which enhances a working form.
 */
import { html, type SafeHtml, trusted } from './html.ts';
import {
  type Footer,
  type Item,
  type ItemLink,
  itemUrl,
  type Meta,
  type PageColumn,
  type Route,
  type SearchAnswer,
  type SiteInfo,
} from './queries.ts';

export interface RenderContext {
  /** 适老化 mode: larger text, high contrast (a cookie, switched without JavaScript). */
  elder: boolean;
  /** The request's path and query, for the mode switch to come back to. */
  here: string;
}

const CST = 8 * 3600_000;
/** YYYY-MM-DD in China Standard Time (the platform's publication time; never a client's). */
export function day(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(new Date(iso).getTime() + CST).toISOString().slice(0, 10);
}

export const validityNames: Record<string, string> = {
  EFFECTIVE: '有效',
  AMENDED: '已修改',
  REPEALED: '已废止',
  EXPIRED: '已失效',
};

/** ID-04: the national page metadata, by the names the 网页设计规范 gives them; then Open Graph (2015 §5). */
function metaTags(meta: Meta | null | undefined): SafeHtml {
  if (!meta) return html``;
  const national = [
    'SiteName',
    'SiteDomain',
    'SiteIDCode',
    'ColumnName',
    'ColumnDescription',
    'ColumnKeywords',
    'ColumnType',
    'ArticleTitle',
    'PubDate',
    'ContentSource',
    'Keywords',
    'Author',
    'Description',
    'Url',
  ];
  const og: [string, string][] = [
    ['og:title', 'ogTitle'],
    ['og:description', 'ogDescription'],
    ['og:image', 'ogImage'],
    ['og:type', 'ogType'],
    ['og:url', 'canonicalUrl'],
  ];
  return html`${national.map((n) => (meta[n] ? html`<meta name="${n}" content="${meta[n]}">\n` : ''))}${
    meta.Description ? html`<meta name="description" content="${meta.Description}">\n` : ''
  }${og.map(([p, k]) => (meta[k] ? html`<meta property="${p}" content="${meta[k]}">\n` : ''))}${
    meta.canonicalUrl ? html`<link rel="canonical" href="${meta.canonicalUrl}">` : ''
  }`;
}

function nav(navigation: PageColumn[] | null | undefined, current?: string): SafeHtml {
  if (!navigation?.length) return html``;
  return html`<nav class="nav" aria-label="主导航"><ul>
<li><a href="/"${current === '/' ? html` aria-current="page"` : ''}>首页</a></li>
${navigation.map((c) => html`<li><a href="${c.url}"${current?.startsWith(c.url) ? html` aria-current="page"` : ''}>${c.name}</a></li>`)}
<li><a href="/search">搜索</a></li>
</ul></nav>`;
}

/** ID-03: 党政机关网站标识, 主办单位, 联系方式, 网站标识码, ICP 备案, 公安备案. */
function footer(site: SiteInfo | null, f: Footer | null): SafeHtml {
  if (!site || !f) return html``;
  const conac = html`<span class="conac" role="img" aria-label="党政机关网站标识"><svg width="40" height="48" viewBox="0 0 40 48" aria-hidden="true" focusable="false"><path d="M20 2 L38 9 V24 C38 36 29 43 20 46 C11 43 2 36 2 24 V9 Z" fill="#c00"/><text x="20" y="22" font-size="9" text-anchor="middle" fill="#fff">党政</text><text x="20" y="34" font-size="9" text-anchor="middle" fill="#fff">机关</text></svg></span>`;
  return html`<footer class="footer">
<div class="wrap footer-grid">
<div class="mark">${f.conacMarkUrl ? html`<a href="${f.conacMarkUrl}" rel="noopener">${conac}</a>` : conac}</div>
<dl class="facts">
<div><dt>主办单位</dt><dd>${f.organisation}</dd></div>
${f.contactPhone || f.contactAddress || f.contactEmail ? html`<div><dt>联系方式</dt><dd>${[f.contactAddress, f.contactPhone, f.contactEmail].filter(Boolean).join('　')}</dd></div>` : ''}
<div><dt>网站标识码</dt><dd>${f.siteIdCode}</dd></div>
${f.icpRecord ? html`<div><dt>ICP备案</dt><dd>${f.icpRecord}</dd></div>` : ''}
${f.publicSecurityRecord ? html`<div><dt>公安备案</dt><dd>${f.publicSecurityRecord}</dd></div>` : ''}
</dl>
</div>
</footer>`;
}

interface LayoutInput {
  title: string;
  site: SiteInfo | null;
  meta?: Meta | null;
  navigation?: PageColumn[] | null;
  current?: string;
  closingSince?: string | null;
  body: SafeHtml;
  scripts?: SafeHtml;
}

export function layout(rc: RenderContext, p: LayoutInput): string {
  const siteName = p.site?.name ?? '政府网站';
  const toggle = rc.elder
    ? html`<a class="mode" href="/_mode?elder=0&amp;back=${encodeURIComponent(rc.here)}">退出关怀版</a>`
    : html`<a class="mode" href="/_mode?elder=1&amp;back=${encodeURIComponent(rc.here)}">关怀版（大字号、高对比度）</a>`;
  const closing = p.closingSince
    ? html`<div class="closing" role="alert"><div class="wrap"><strong>关停公告：</strong>本网站自 ${day(p.closingSince)} 起进入关停程序${
        p.site?.closingNotice ? html`，${p.site.closingNotice}` : ''
      }。</div></div>`
    : '';
  return `<!doctype html>\n${html`<html lang="zh-CN"${rc.elder ? html` class="elder"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title === siteName ? siteName : `${p.title} - ${siteName}`}</title>
${metaTags(p.meta)}
<link rel="stylesheet" href="/assets/fonts.css">
<link rel="stylesheet" href="/assets/theme.css">
</head>
<body>
<a class="skip" href="#main">跳到主要内容</a>
<header class="header"><div class="wrap head-row"><a class="site-name" href="/">${siteName}</a>${toggle}</div></header>
${closing}
${nav(p.navigation, p.current)}
<main id="main" class="wrap">
${p.body}
</main>
${footer(p.site, p.site?.footer ?? null)}
${p.scripts ?? ''}
</body>
</html>`}`;
}

function itemList(items: ItemLink[]): SafeHtml {
  if (items.length === 0) return html`<p class="empty">暂无信息。</p>`;
  return html`<ul class="list">${items.map((i) => {
    const url = itemUrl(i);
    return html`<li>${url ? html`<a href="${url}">${i.title}</a>` : i.title}<time datetime="${i.publishedAt ?? ''}">${day(i.publishedAt)}</time></li>`;
  })}</ul>`;
}

function crumbs(bc: PageColumn[], last?: string): SafeHtml {
  return html`<nav class="crumbs" aria-label="当前位置"><ol><li><a href="/">首页</a></li>${bc.map(
    (c) => html`<li><a href="${c.url}">${c.name}</a></li>`,
  )}${last ? html`<li aria-current="page">${last}</li>` : ''}</ol></nav>`;
}

export function renderPage(rc: RenderContext, r: Route): string {
  switch (r.__typename) {
    case 'HomePage':
      return layout(rc, {
        title: r.site.name,
        site: r.site,
        meta: r.meta,
        navigation: r.navigation,
        current: '/',
        closingSince: r.closingSince,
        body: html`<h1 class="visually-hidden">${r.site.name}</h1>
<section class="home-news" aria-labelledby="newest"><h2 id="newest">最新信息</h2>${itemList(r.items.edges.map((e) => e.node))}</section>
<section aria-labelledby="channels"><h2 id="channels">栏目导航</h2><ul class="channels">${r.navigation.map(
          (c) =>
            html`<li><a href="${c.url}">${c.name}</a>${
              c.children?.length
                ? html`<ul>${c.children.map((k) => html`<li><a href="${k.url}">${k.name}</a></li>`)}</ul>`
                : ''
            }</li>`,
        )}</ul></section>
<form class="search-box" action="/search" method="get" role="search"><label for="q-home">站内搜索</label><input id="q-home" name="q" type="search"><button type="submit">搜索</button></form>`,
      });
    case 'ColumnPage': {
      const items = r.items.edges.map((e) => e.node);
      const next = r.items.pageInfo.hasNextPage && r.items.pageInfo.endCursor;
      return layout(rc, {
        title: r.column.name,
        site: r.site,
        meta: r.meta,
        navigation: r.navigation,
        current: r.column.url,
        closingSince: r.closingSince,
        body: html`${crumbs(r.breadcrumbs.slice(0, -1), r.column.name)}
<h1>${r.column.name}</h1>
${r.column.description ? html`<p class="lead">${r.column.description}</p>` : ''}
${r.column.children?.length ? html`<nav aria-label="下级栏目"><ul class="subcolumns">${r.column.children.map((c) => html`<li><a href="${c.url}">${c.name}</a></li>`)}</ul></nav>` : ''}
${itemList(items)}
<nav class="pager" aria-label="分页">${rc.here.includes('after=') ? html`<a href="${r.column.url}">第一页</a>` : ''}${
          next ? html`<a rel="next" href="${r.column.url}?after=${encodeURIComponent(next)}">下一页</a>` : ''
        }</nav>`,
      });
    }
    case 'ItemPage':
      return layout(rc, {
        title: r.item.title,
        site: r.site,
        meta: r.meta,
        navigation: r.navigation,
        current: r.column.url,
        closingSince: r.closingSince,
        body: html`${crumbs(r.breadcrumbs, '正文')}${r.preview ? html`<p class="preview" role="note">预览：本页为未发布的草稿，仅供审核人员查看。</p>` : ''}${article(r.item, r.meta)}`,
      });
    case 'ClosedSitePage':
      return layout(rc, {
        title: '网站已关停',
        site: r.site,
        meta: r.meta,
        body: html`<h1>网站已关停</h1><p>${r.site.name}已于 ${day(r.closedAt)} 关停。${r.site.closingNotice ?? ''}</p>`,
      });
    case 'GonePage':
      return layout(rc, {
        title: '信息已撤销',
        site: r.siteOf,
        navigation: r.nav,
        body: html`<h1>信息已撤销</h1><p>${
          r.reason === 'ITEM_WITHDRAWN' || r.reason === 'COLUMN_CLOSED'
            ? '您访问的信息已被撤销或栏目已关闭（410）。'
            : '您访问的页面已在网站整合中删除（410）。'
        }</p><p><a href="/">返回首页</a>　<a href="/search">站内搜索</a></p>`,
      });
    case 'NotFoundPage':
      return layout(rc, {
        title: '页面不存在',
        site: r.siteOf,
        navigation: r.nav,
        body: html`<h1>页面不存在</h1><p>您访问的页面不存在（404）。</p><p><a href="/">返回首页</a>　<a href="/search">站内搜索</a></p>`,
      });
    case 'RedirectPage':
      return '';
  }
}

function article(i: Item, meta: Meta): SafeHtml {
  const isPolicy = i.kind === 'POLICY_DOCUMENT';
  // 2017 §1.3 and gov-standards S22: a policy document's disclosure attributes, in the table readers know.
  const table = isPolicy
    ? html`<table class="doc-meta"><caption>文件信息</caption><tbody>
<tr><th scope="row">索引号</th><td>${i.indexNumber ?? ''}</td><th scope="row">文号</th><td>${i.docNumber ?? ''}</td></tr>
<tr><th scope="row">发布机构</th><td>${i.issuingBody ?? ''}</td><th scope="row">成文日期</th><td>${i.writtenAt ?? ''}</td></tr>
<tr><th scope="row">发布日期</th><td>${meta.PubDate ?? ''}</td><th scope="row">有效性</th><td>${i.validity ? (validityNames[i.validity] ?? i.validity) : ''}</td></tr>
</tbody></table>`
    : '';
  const related = (title: string, list: ItemLink[]) =>
    list.length
      ? html`<section class="related"><h2>${title}</h2><ul>${list.map((l) => {
          const url = itemUrl(l);
          return html`<li>${url ? html`<a href="${url}">${l.title}</a>` : l.title}</li>`;
        })}</ul></section>`
      : '';
  return html`<article class="article">
${table}
<h1>${i.title}</h1>
${i.subtitle ? html`<p class="subtitle">${i.subtitle}</p>` : ''}
<p class="byline"><span>发布时间：<time>${meta.PubDate ?? ''}</time></span>${i.source ? html`<span>来源：${i.source}</span>` : ''}${
    i.author ? html`<span>作者：${i.author}</span>` : ''
  }</p>
${i.images.map((im) => html`<figure><img src="${im.url}" alt="${im.alt ?? ''}" loading="lazy">${im.caption ? html`<figcaption>${im.caption}</figcaption>` : ''}</figure>`)}
<div class="body">${trusted(i.body)}</div>
${i.attachments.length ? html`<section class="attachments"><h2>附件</h2><ul>${i.attachments.map((a) => html`<li><a href="${a.url}" download="${a.name}">${a.name}</a>${a.mediaType ? html` <small>（${a.mediaType === 'application/pdf' ? 'PDF' : a.mediaType}）</small>` : ''}</li>`)}</ul></section>` : ''}
${related('相关解读', i.interpretations)}
${related('解读的文件', i.interprets)}
</article>`;
}

export function renderSearch(
  rc: RenderContext,
  p: { site: SiteInfo; navigation: PageColumn[]; q: string; answer: SearchAnswer | null; key: SafeHtml | null },
): string {
  const hits = p.answer?.edges ?? [];
  const results = p.answer
    ? html`<p class="count">找到约 ${p.answer.estimatedTotalHits} 条结果</p><ol class="hits">${hits.map((e) => {
        const url = e.node.item ? itemUrl(e.node.item) : null;
        return html`<li><a href="${url ?? '#'}">${trusted(e.node.titleHighlighted)}</a><p>${trusted(e.node.snippet)}</p><time>${day(e.node.publishedAt)}</time></li>`;
      })}</ol>`
    : '';
  return layout(rc, {
    title: '站内搜索',
    site: p.site,
    navigation: p.navigation,
    current: '/search',
    body: html`<h1>站内搜索</h1>
<form id="server-form" class="search-box" action="/search" method="get" role="search"><label for="q">关键词</label><input id="q" name="q" type="search" value="${p.q}"><button type="submit">搜索</button></form>
<div id="server-results">${results}</div>
<div id="instant" hidden><div id="is-box"></div><div id="is-stats"></div><div id="is-hits"></div></div>`,
    scripts: p.key ?? undefined,
  });
}
