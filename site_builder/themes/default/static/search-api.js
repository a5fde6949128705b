// window.siteSearch: the search as a function, for the page (search-page.js) and for anyone with a console
// or a test. It answers from the index alone, so it works offline and behaves the same with either engine.
import { docRow, docText, loadIndex } from "./search.js";
import { countFilters, filterValue } from "./search-filters.js";
import { excerptOf } from "./search-excerpt.js";
import { matchAll } from "./search-rank.js";

// All documents matching `query` (space-separated terms, every one required) and `filters`
// ({province, city, year, doc_type}), in rank order, each {url, title}. With options {limit, offset} it
// returns one page of them with excerpts (what the page shows), each also with its year, type label and
// `count`, the occurrences of the terms; {sort: "date"} puts the newest first.
// The returned array also carries `total` (the number of matching documents) and `filterCounts`.
export async function siteSearch(query, filters = {}, options = {}) {
  const { terms, matches, parts, t2s, info } = await matchAll(query, filters, options.sort);
  const extra = { total: matches.length, filterCounts: countFilters(parts, matches) };
  if (!options.limit) {
    const rows = await Promise.all(matches.map((m) => docRow(m.part, m.doc)));
    return Object.assign(rows.map(([url, title]) => ({ url, title })), extra);
  }
  const offset = options.offset || 0;
  const page = matches.slice(offset, offset + options.limit);
  const texts = terms.map((t) => t.text);
  return Object.assign(await Promise.all(page.map((m) => shownResult(m, texts, t2s, info))), extra);
}
window.siteSearch = siteSearch;

// A result as the page shows it: its row, the year it covers, the occurrences and the excerpt.
async function shownResult(m, texts, t2s, info) {
  const [[url, title, date, region, docType], text] = await Promise.all([docRow(m.part, m.doc), docText(m.part, m.doc)]);
  const excerpt = await excerptOf(text, title, texts, t2s, info);
  return { url, title, date, region, docType, year: filterValue(m.part, "year", m.doc), count: m.count, excerpt };
}

// Counts per filter value over the whole archive (the choices offered before any search).
export async function allCounts() {
  const { parts } = await loadIndex();
  return countFilters(parts, null);
}
