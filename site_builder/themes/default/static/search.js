// 全文检索 (/search/), the same with either search engine (site_builder/search/__init__.py). Its modules, each
// with one job, import one another by relative URL; the build points every import at the imported file's
// fingerprinted name (site_builder/render/assets.py), so all of them can be cached for good:
//   search-page.js      the page: the entry, runs a search on every change and shows the answer
//   search-state.js     the search as a URL (?q=, the filters, sort) and back
//   search-form.js      the form: reading and setting it, filter choices with counts, the filters in force
//   search-results.js   result rows and their excerpts, as DOM nodes
//   search-api.js       window.siteSearch(query, filters, options): what the page and the tests ask
//   search-rank.js      the documents that match, in rank order
//   search-filters.js   filter columns: which documents pass, counts per value
//   search-query.js     the query as terms, folded as the index folds text
//   search-excerpt.js   the excerpt around the first match, with every match marked
//   search.js           (this file) the index both engines write alike (site_builder/search/text.py)
// The engine's module (search-pagefind.js or search-exact.js, named by the page) says only where a term occurs
// in a part of the index — exactly, character for character. So the results, their count and the counts per
// filter value are exact, and known before any document text is loaded; the text is loaded only for the
// excerpts shown.

const root = document.getElementById("search-app");
export const INDEX_URL = new URL(root.dataset.index, location.href);   // …/pagefind/ or …/fulltext/
const ENGINE_URL = new URL(root.dataset.engine, location.href);

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}
export const fetchJson = (url) => fetchOk(url).then((r) => r.json());

// index.json, every part's meta.json and the engine, once: {info, parts}. Each part gets `get(path, decode)`
// (one fetch per file) and `engine`, the engine's answer to "where does this term occur".
let indexPromise = null;
export function loadIndex() {
  if (!indexPromise) {
    indexPromise = Promise.all([fetchJson(new URL("index.json", INDEX_URL)), import(ENGINE_URL.href)])
      .then(async ([info, engine]) => ({
        info,
        parts: await Promise.all(info.parts.map((p, number) => openPart(info, engine, p, number))),
      }));
    indexPromise.catch(() => { indexPromise = null; });   // a failed load is tried again by the next search
  }
  return indexPromise;
}

async function openPart(info, engine, p, number) {
  const url = new URL(p.path, INDEX_URL);
  const part = { number, url, chunk: info.chunk, meta: await fetchJson(new URL("meta.json", url)), files: new Map() };
  part.get = (path, decode) => once(part, path, () => fetchOk(new URL(path, url)).then(decode));
  part.engine = await engine.openPart(part);
  return part;
}

// One fetch per file of a part, whatever asks for it; a failed one is tried again next time.
function once(part, key, make) {
  if (!part.files.has(key)) {
    const promise = make();
    part.files.set(key, promise);
    promise.catch(() => part.files.delete(key));
  }
  return part.files.get(key);
}

// A document's row: [url, title, date, region, type label]; rows come in files of `chunk` documents.
export async function docRow(part, doc) {
  const rows = await part.get(`docs/${Math.floor(doc / part.chunk)}.json`, (r) => r.json());
  return rows[doc % part.chunk];
}

// A document's text as written (whitespace runs as one space), for its excerpt.
export function docText(part, doc) {
  return part.get(`text/${doc}.txt`, (r) => r.text());
}
