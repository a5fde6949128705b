// The query as terms, folded as site_builder/search/text.py folds the index's text, so that a term is found
// however it was typed: full-width or half-width, upper or lower case, Traditional or Simplified.
import { INDEX_URL, fetchJson } from "./search.js";

export const HAN = /\p{Script=Han}/u;
const t2sShards = new Map();

// Only the Traditional→Simplified shards for the text's Han characters are fetched (a few hundred bytes each).
export async function loadT2S(text, info) {
  const wanted = new Set();
  for (const c of text) if (HAN.test(c)) wanted.add(c.codePointAt(0) % info.t2s_shards);
  const shards = await Promise.all([...wanted].map((n) => {
    if (!t2sShards.has(n)) {
      t2sShards.set(n, fetchJson(new URL(`t2s/${n}.json`, INDEX_URL)).catch(() => ({})));
    }
    return t2sShards.get(n);
  }));
  return Object.assign({}, ...shards);
}

// As site_builder/search/text.py's normalise(): NFKC, lower case, Traditional → Simplified.
export function normalise(text, t2s) {
  return Array.from(text.normalize("NFKC").toLowerCase(), (c) => t2s[c] || c).join("");
}

// The query as terms (space-separated; a document must say every one), normalised: [{text, points}].
export function parseQuery(query, t2s) {
  const terms = [];
  for (const raw of (query || "").trim().split(/\s+/)) {
    const text = normalise(raw, t2s).replace(/\s+/gu, "");
    if (text) terms.push({ text, points: Array.from(text, (c) => c.codePointAt(0)) });
  }
  return terms;
}
