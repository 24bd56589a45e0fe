/** The GraphQL the theme sends: one `route` per page (issue 12: one round trip), plus search. */
const ITEM_LINK = 'id title slug kind publishedAt column { path }';
const SITE_FIELDS = `{ code name status closingNotice closingReason
  footer { siteIdCode organisation contactPhone contactEmail contactAddress icpRecord publicSecurityRecord conacMarkId conacMarkUrl } }`;
const SITE = `site ${SITE_FIELDS}`;
const PAGE = `status locale ${SITE}
  navigation { code name url children { code name url } } breadcrumbs { code name url }
  meta { SiteName SiteDomain SiteIDCode ColumnName ColumnDescription ColumnKeywords ColumnType ArticleTitle PubDate
         ContentSource Keywords Author Description Url canonicalUrl ogTitle ogDescription ogImage ogType }
  closingSince`;

export const ROUTE = `query Route($host: String!, $path: String!, $first: Int, $after: String, $preview: String) {
  route(host: $host, path: $path, first: $first, after: $after, descendants: true, preview: $preview) {
    __typename
    ... on SitePage { ${PAGE} }
    ... on HomePage { items { edges { node { ${ITEM_LINK} } } } }
    ... on ColumnPage { column { code name url description type children { code name url } }
      items { edges { cursor node { ${ITEM_LINK} summary } } pageInfo { hasNextPage endCursor } } }
    ... on ItemPage { preview column { code name url }
      item { id kind title subtitle summary body source author keywords publishedAt
        attachments { url name mediaType } images { url alt caption }
        docNumber issuingBody writtenAt issuedAt validity indexNumber topic
        interpretations { ${ITEM_LINK} } interprets { ${ITEM_LINK} } } }
    ... on ClosedSitePage { closedAt }
    ... on RedirectPage { status location reason }
    ... on GonePage { status reason siteOf: site ${SITE_FIELDS} nav: navigation { code name url children { code name url } } }
    ... on NotFoundPage { status siteOf: site ${SITE_FIELDS} nav: navigation { code name url children { code name url } } }
  }
}`;

export const SEARCH = `query Search($q: String!, $site: String!, $after: String) {
  search(query: $q, site: $site, first: 10, after: $after) {
    estimatedTotalHits
    edges { node { id kind titleHighlighted snippet publishedAt docNumber item { slug column { path } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const SEARCH_KEY = `query Key($site: String!) { searchKey(site: $site) { token host indexUid filter expiresAt } }`;

export interface PageColumn {
  code: string;
  name: string;
  url: string;
  description?: string | null;
  type?: string;
  children?: PageColumn[];
}

export interface Footer {
  siteIdCode: string;
  organisation: string;
  contactPhone: string | null;
  contactEmail: string | null;
  contactAddress: string | null;
  icpRecord: string | null;
  publicSecurityRecord: string | null;
  conacMarkId: string | null;
  conacMarkUrl: string | null;
}

export interface SiteInfo {
  code: string;
  name: string;
  status: string;
  closingNotice: string | null;
  closingReason: string | null;
  footer: Footer;
}

export type Meta = Record<string, string | null>;

export interface ItemLink {
  id: string;
  title: string;
  slug: string;
  kind: string;
  publishedAt: string | null;
  summary?: string | null;
  column: { path: string } | null;
}

export interface Item extends ItemLink {
  subtitle: string | null;
  summary: string | null;
  body: string;
  source: string | null;
  author: string | null;
  keywords: string[];
  attachments: { url: string; name: string; mediaType: string | null }[];
  images: { url: string; alt: string | null; caption: string | null }[];
  docNumber: string | null;
  issuingBody: string | null;
  writtenAt: string | null;
  issuedAt: string | null;
  validity: string | null;
  indexNumber: string | null;
  topic: string | null;
  interpretations: ItemLink[];
  interprets: ItemLink[];
}

interface Common {
  status: number;
  site: SiteInfo;
  navigation: PageColumn[];
  breadcrumbs: PageColumn[];
  meta: Meta;
  closingSince: string | null;
}

export type Route =
  | ({ __typename: 'HomePage'; items: { edges: { node: ItemLink }[] } } & Common)
  | ({
      __typename: 'ColumnPage';
      column: PageColumn;
      items: {
        edges: { cursor: string; node: ItemLink }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } & Common)
  | ({ __typename: 'ItemPage'; preview: boolean; column: PageColumn; item: Item } & Common)
  | ({ __typename: 'ClosedSitePage'; closedAt: string } & Common)
  | { __typename: 'RedirectPage'; status: number; location: string; reason: string }
  | { __typename: 'GonePage'; status: number; reason: string; siteOf: SiteInfo | null; nav: PageColumn[] | null }
  | { __typename: 'NotFoundPage'; status: number; siteOf: SiteInfo | null; nav: PageColumn[] | null };

export interface SearchAnswer {
  estimatedTotalHits: number;
  edges: {
    node: {
      id: string;
      kind: string;
      titleHighlighted: string;
      snippet: string;
      publishedAt: string;
      docNumber: string | null;
      item: { slug: string; column: { path: string } | null } | null;
    };
  }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** An item's public address: its home column's path and its slug (ADR 0014's URL scheme). */
export function itemUrl(i: { slug: string; column: { path: string } | null }): string | null {
  return i.column ? `${i.column.path}/${i.slug}.html` : null;
}
