// The documents that match a query, in rank order. Each engine says, per part and per term, which documents
// say the term, how often and whether in the title; here the terms are joined (a document must say every one),
// the filters applied, and the matches of all parts ranked as one list.
import { loadIndex } from "./search.js";
import { anyFilter, filterTest } from "./search-filters.js";
import { loadT2S, parseQuery } from "./search-query.js";

// A part's documents that say every term and have every filter value: [{part, doc, inTitle, count}], in
// document order (newest first: the index numbers documents that way). No terms: every document that passes.
async function partMatches(part, terms, filters) {
  const passes = filterTest(part, filters);
  if (!passes) return [];
  if (!terms.length) {
    const all = [];
    for (let doc = 0; doc < part.meta.docs; doc++) if (passes(doc)) all.push({ part, doc, inTitle: 0, count: 0 });
    return all;
  }
  const perTerm = await Promise.all(terms.map((t) => part.engine.matches(t.points)));
  perTerm.sort((x, y) => x.size - y.size);   // walk the rarest term, look the others up
  const out = [];
  for (const [doc, first] of perTerm[0]) {
    if (passes(doc)) {
      const match = joinTerms(doc, first, perTerm.slice(1));
      if (match) out.push({ part, doc, ...match });
    }
  }
  return out.sort((x, y) => x.doc - y.doc);
}

// One document's hits of every term summed ({inTitle: terms said in the title, count}), or null if a term is missing.
function joinTerms(doc, first, others) {
  let inTitle = first.inTitle ? 1 : 0, count = first.count;
  for (const other of others) {
    const hit = other.get(doc);
    if (!hit) return null;
    inTitle += hit.inTitle ? 1 : 0;
    count += hit.count;
  }
  return { inTitle, count };
}

// Rank: more terms in the title first, then more occurrences, then newest (part by part, each newest first).
function byRank(x, y) {
  return y.inTitle - x.inTitle || y.count - x.count || x.part.number - y.part.number || x.doc - y.doc;
}

// Every match, in rank order (newest first for sort "date", or when there are no terms to rank by), with what
// the excerpts need: {terms, matches, parts, t2s, info}. No terms and no filter: no matches.
export async function matchAll(query, filters, sort) {
  const { info, parts } = await loadIndex();
  const t2s = await loadT2S(query || "", info);
  const terms = parseQuery(query, t2s);
  if (!terms.length && !anyFilter(filters)) return { terms, matches: [], parts, t2s, info };
  const matches = (await Promise.all(parts.map((part) => partMatches(part, terms, filters)))).flat();
  if (sort !== "date" && terms.length) matches.sort(byRank);
  return { terms, matches, parts, t2s, info };
}
