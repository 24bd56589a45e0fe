/**
 * Search-as-you-type in the browser: InstantSearch straight against Meilisearch with the tenant token the API's
 * `searchKey` handed out (its rules pin this site and the public index). Bundled by esbuild when the theme
 * starts. Without JavaScript the form above still works: the theme answers it server-side.
 */
import { instantMeiliSearch } from '@meilisearch/instant-meilisearch';
import instantsearch from 'instantsearch.js';
import { hits, searchBox, stats } from 'instantsearch.js/es/widgets';

interface Config {
  host: string;
  token: string;
  indexUid: string;
  q: string;
}

const el = document.getElementById('search-config');
const root = document.getElementById('instant');
if (el && root) {
  const config = JSON.parse(el.textContent ?? '{}') as Config;
  const { searchClient } = instantMeiliSearch(config.host, config.token);
  const search = instantsearch({
    indexName: config.indexUid,
    searchClient: searchClient as never,
    initialUiState: { [config.indexUid]: { query: config.q } },
  });
  search.addWidgets([
    searchBox({ container: '#is-box', placeholder: '输入关键词即时搜索', showSubmit: false }),
    stats({ container: '#is-stats', templates: { text: (d) => `即时搜索：${d.nbHits} 条结果` } }),
    hits({
      container: '#is-hits',
      templates: {
        item: (hit, { html, components }) =>
          html`<a href="/_item/${String(hit.id)}">${components.Highlight({ hit, attribute: 'title' })}</a>`,
      },
    }),
  ]);
  search.start();
  root.hidden = false;
  // One search box on the page: InstantSearch's takes the place of the form it enhances.
  document.getElementById('server-form')?.setAttribute('hidden', '');
  document.getElementById('server-results')?.setAttribute('data-enhanced', 'true');
}
