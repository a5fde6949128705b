// 全文检索: the query is turned into overlapping character pairs exactly as site_builder/search.py indexes
// the text ("行政复议" → 行政 政复 复议). Pagefind finds the documents holding every pair; a term of three or
// more characters is then checked against the pairs' word positions, which Pagefind returns with every
// result, so only documents where the pairs stand next to each other — where the text says the term — are
// kept. No document text is downloaded for that check, so the count is exact and the whole result list is
// known before any excerpt is loaded. Everything shown comes from the documents and is inserted as text
// (never as HTML), except the <mark> elements made here.

const root = document.getElementById("search-app");
const PAGEFIND_URL = root.dataset.pagefind;
const T2S_URL = root.dataset.t2s;        // folder of Traditional→Simplified shards: <n>.json, n = code point % T2S_SHARDS
const T2S_SHARDS = Number(root.dataset.t2sShards || 0);
const DOCS_URL = root.dataset.docs;
const PARTS_URL = root.dataset.parts;   // the index parts after the first (an empty list for most archives)      // page id → [url, title], only for the full result list of siteSearch()
const PAGE_SIZE = 10;
const FILTER_KEYS = ["province", "city", "year", "doc_type"];
const DOC_TYPE_LABELS = JSON.parse(root.dataset.docTypes || "{}");
const WORD = /[\p{L}\p{N}]+/gu;
const HAN = /\p{Script=Han}/u;

let pagefindPromise = null;
let docsPromise = null;
const t2sShards = new Map();

// The index: one Pagefind bundle, or for a large archive several parts (search.py), newest documents
// first. Each part gets its own Pagefind module (imported from its own URL) and the results are merged
// here, because Pagefind's own mergeIndex re-sorts merged results by score, losing the date order.
async function openPart(url) {
  const pf = await import(url);
  // no page-length normalisation: more occurrences always rank higher (ties by date below)
  // baseUrl "/": the indexed URLs already carry the site's base path (Pagefind would prefix it again)
  await pf.options({ baseUrl: "/", ranking: { pageLength: 0.0 } });
  await pf.init();
  await pf.filters(); // loads the filter index, so every search also reports counts per filter value
  return pf;
}

function loadPagefind() {
  if (!pagefindPromise) {
    pagefindPromise = (async () => {
      const base = new URL(PARTS_URL || ".", location.href);
      const first = openPart(PAGEFIND_URL);
      const more = PARTS_URL ? await fetch(PARTS_URL).then((r) => (r.ok ? r.json() : [])).catch(() => []) : [];
      const parts = await Promise.all([first, ...more.map((p) => openPart(new URL(p + "pagefind.js", base).href))]);
      return parts.length === 1 ? parts[0] : mergedIndex(parts);
    })();
  }
  return pagefindPromise;
}

function sumCounts(all) {
  const out = {};
  for (const counts of all) {
    for (const [key, values] of Object.entries(counts || {})) {
      out[key] = out[key] || {};
      for (const [value, n] of Object.entries(values)) out[key][value] = (out[key][value] || 0) + n;
    }
  }
  return out;
}

// The parts behind Pagefind's interface: sorted results are concatenated in part order (newest part
// first), ranked results merged by score.
function mergedIndex(parts) {
  return {
    async filters() { return sumCounts(await Promise.all(parts.map((pf) => pf.filters()))); },
    async search(term, options) {
      const all = await Promise.all(parts.map((pf) => pf.search(term, options)));
      let results = all.flatMap((r) => r.results);
      if (!(options && options.sort && Object.keys(options.sort).length)) results = results.sort((a, b) => b.score - a.score);
      return { results, filters: sumCounts(all.map((r) => r.filters)) };
    },
  };
}

// Only the shards for the query's Han characters are fetched (a few hundred bytes each).
async function loadT2S(text) {
  const table = {};
  if (!T2S_URL || !T2S_SHARDS) return table;
  const wanted = new Set();
  for (const c of text) if (HAN.test(c)) wanted.add(c.codePointAt(0) % T2S_SHARDS);
  const shards = await Promise.all([...wanted].map((n) => {
    if (!t2sShards.has(n)) {
      t2sShards.set(n, fetch(`${T2S_URL}${n}.json`).then((r) => (r.ok ? r.json() : {})).catch(() => ({})));
    }
    return t2sShards.get(n);
  }));
  return Object.assign(table, ...shards);
}

function loadDocs() {
  if (!docsPromise) docsPromise = fetch(DOCS_URL).then((r) => r.json());
  return docsPromise;
}

function normalise(text, t2s) {
  return Array.from(text.normalize("NFKC").toLowerCase(), (c) => t2s[c] || c).join("").replaceAll(MARK, "|");
}

// Index words that are not pairs carry MARK (search.py): "〔" → "ǀ03014", a run's last character "议ǀ".
const MARK = "\u01c0";
const BODY = MARK + "body"; // the word between a record's title and its body (search.py)

// A punctuation mark or symbol as the index word search.py writes for it ("〔" → "ǀ03014").
function markWord(char) {
  return MARK + char.codePointAt(0).toString(16).padStart(5, "0");
}

// A term as the index words it is made of, exactly as search.py's index_text() writes them: runs of
// letters/digits become their pairs and their last character (marked), every other character a mark word,
// followed by a joint word (mark + next character) where a run follows.
// "〔2018〕88号" → ǀ03014 ǀǀ030142 20 01 18 8ǀ ǀ03015 ǀǀ030158 88 8号 号ǀ. Returns the words Pagefind is
// asked for, each with its offset in the term; a document says the term where they all stand at their
// offsets. A run's last character is implied by the pair before it and not asked for, nor is every
// second pair of a long run.
function termWords(term) {
  const words = [];
  let pos = 0;
  const marks = (text) => {
    for (const part of text.match(/\s+|\S/gu) || []) words.push({ word: /\s/.test(part) ? markWord(" ") : markWord(part), kind: "mark" });
  };
  for (const match of term.matchAll(WORD)) {
    const between = term.slice(pos, match.index);
    marks(between);
    const run = Array.from(match[0]);
    const joint = between && !/\s$/u.test(between);
    if (joint) words.push({ word: MARK + markWord(Array.from(between).pop()) + run[0], kind: "joint" });
    // every other pair, and the last: with their positions checked, they still pin down the whole run
    // (between two pairs two positions apart the text can only hold the pair joining them), at about half
    // the index data to download for a long term
    for (let i = 0; i + 1 < run.length; i++) {
      words.push({ word: run[i] + run[i + 1], kind: i % 2 === 0 || i + 2 === run.length ? "pair" : "between" });
    }
    // the last character: implied by the pair before it; alone, it is the marked character, which ends a
    // run — unless it ends the term after punctuation ("〔2018〕8", the text may go on "88号"): the joint
    // word has it then
    const atEnd = match.index + match[0].length === term.length;
    words.push({ word: run[run.length - 1] + MARK, kind: run.length === 1 && !(joint && atEnd) ? "char" : "last" });
    pos = match.index + match[0].length;
  }
  marks(term.slice(pos));
  const searched = [];
  words.forEach((w, offset) => {
    if (w.kind !== "last" && w.kind !== "between") searched.push({ word: w.word, offset });
  });
  return searched;
}

// The query as terms (space-separated; a document must contain every one), each normalised, with the index
// words Pagefind is asked for and their offsets within the term.
function parseQuery(query, t2s) {
  const terms = [];
  for (const raw of (query || "").trim().split(/\s+/)) {
    const text = normalise(raw, t2s);
    if (!text) continue;
    const words = termWords(text);
    terms.push({ text, words, search: words.map((w) => w.word) });
  }
  return terms;
}

function pagefindFilters(filters) {
  const out = {};
  for (const key of FILTER_KEYS) {
    const value = filters && filters[key];
    if (value !== undefined && value !== null && value !== "") out[key] = String(value);
  }
  return out;
}

// Word positions of one index word in every page that has it: page id → Set of positions.
async function positionsOf(pf, word, filters) {
  const response = await pf.search(word, { filters });
  return new Map(response.results.map((r) => [r.id, new Set(r.words)]));
}

// Where the page says the term: the positions at which all its checked words stand at their offsets.
function termStarts(words, positions, id) {
  const sets = words.map((w) => positions.get(w.word).get(id));
  if (sets.some((set) => !set)) return [];
  const first = words[0].offset;
  const starts = [];
  for (const at of sets[0]) {
    const start = at - first;
    if (words.every((w, k) => sets[k].has(start + w.offset))) starts.push(start);
  }
  return starts;
}

// The matching page ids in rank order, with the counts per filter value. Pagefind finds the pages holding
// every word of the query; the words' positions (one Pagefind search per word, on the chunks already
// loaded) keep those that say each term, count how often they say it and whether in the title (which
// ends where the record's BODY word stands). Rank: terms in the title, then occurrences, then newest.
async function matchIds(query, filters, sort) {
  const [pf, t2s] = await Promise.all([loadPagefind(), loadT2S(query || "")]);
  const terms = parseQuery(query, t2s);
  const pfFilters = pagefindFilters(filters);
  if (!terms.length && !Object.keys(pfFilters).length) return { terms, t2s, ids: [], byId: new Map(), filterCounts: null };
  const words = [...new Set(terms.flatMap((t) => t.search))];
  const byDate = await pf.search(words.length ? words.join(" ") : null, { filters: pfFilters, sort: { date: "desc" } });
  const byId = new Map(byDate.results.map((r) => [r.id, r]));
  let ids = byDate.results.map((r) => r.id);
  let filterCounts = byDate.filters;
  if (!words.length || !ids.length) return { terms, t2s, ids, byId, filterCounts };
  const positions = new Map();
  const needed = new Set(terms.flatMap((t) => t.words.map((w) => w.word)));
  if (sort !== "date") needed.add(BODY);
  await Promise.all([...needed].map(async (w) => positions.set(w, await positionsOf(pf, w, pfFilters))));
  const rank = new Map();
  const kept = [];
  for (const id of ids) {
    const bodyAt = positions.get(BODY)?.get(id);
    const body = bodyAt && bodyAt.size ? Math.min(...bodyAt) : Infinity;
    let inTitle = 0, occurrences = 0, ok = true;
    for (const t of terms) {
      const starts = termStarts(t.words, positions, id);
      if (!starts.length) { ok = false; break; }
      occurrences += starts.length;
      if (starts.some((at) => at < body)) inTitle += 1;
    }
    if (!ok) continue;
    kept.push(id);
    rank.set(id, [inTitle, occurrences]);
  }
  if (kept.length !== ids.length) filterCounts = await exactCounts(pf, kept, filterCounts);
  ids = kept; // newest first
  if (sort !== "date") {
    const dateRank = new Map(ids.map((id, i) => [id, i]));
    ids.sort((x, y) => rank.get(y)[0] - rank.get(x)[0] || rank.get(y)[1] - rank.get(x)[1] || dateRank.get(x) - dateRank.get(y));
  }
  return { terms, t2s, ids, byId, filterCounts };
}

// Each page's filter values (page id → {province, city, year, doc_type}), read from Pagefind's filter
// index, which is already loaded: one filter-only search per value. Needed only when the check above
// dropped pages, to count the remaining ones per filter value.
let facetsPromise = null;
function facets(pf) {
  if (!facetsPromise) {
    facetsPromise = (async () => {
      const map = new Map();
      for (const [key, values] of Object.entries(await pf.filters())) {
        for (const value of Object.keys(values)) {
          for (const r of (await pf.search(null, { filters: { [key]: value } })).results) {
            if (!map.has(r.id)) map.set(r.id, {});
            map.get(r.id)[key] = value;
          }
        }
      }
      return map;
    })();
  }
  return facetsPromise;
}

async function exactCounts(pf, ids, counts) {
  const map = await facets(pf);
  const out = {};
  for (const [key, values] of Object.entries(counts || {})) {
    out[key] = Object.fromEntries(Object.keys(values).map((v) => [v, 0]));
  }
  for (const id of ids) {
    for (const [key, value] of Object.entries(map.get(id) || {})) {
      if (out[key]) out[key][value] = (out[key][value] || 0) + 1;
    }
  }
  return out;
}

// All documents matching `query` (space-separated terms, every one required) and `filters`
// ({province, city, year, doc_type}), in rank order, each {url, title}. With options {limit, offset} it
// returns one page of them with excerpts (what the page shows); {sort: "date"} puts the newest first.
// The returned array also carries `total` (the number of matching documents) and `filterCounts`.
async function siteSearch(query, filters = {}, options = {}) {
  const { terms, t2s, ids, byId, filterCounts } = await matchIds(query, filters, options.sort);
  const extra = { total: ids.length, filterCounts };
  if (!options.limit) {
    if (!ids.length) return Object.assign([], extra);
    const docs = await loadDocs();
    return Object.assign(ids.map((id) => ({ url: docs[id][0], title: docs[id][1] })), extra);
  }
  const offset = options.offset || 0;
  const slice = ids.slice(offset, offset + options.limit);
  const datas = await Promise.all(slice.map((id) => byId.get(id).data()));
  const texts = terms.map((t) => t.text);
  return Object.assign(datas.map((data) => ({
    url: data.url, title: data.meta.title, date: data.meta.date, region: data.meta.region,
    docType: data.meta.doc_type, excerpt: makeExcerpt(data.content, data.meta.title, texts, t2s),
  })), extra);
}
window.siteSearch = siteSearch;

// The indexed text, read back: each pair contributes its first character, mark words their character
// ("行政 政复 复议 议ǀ ǀ03002" → "行政复议。"; a run of spaces and line breaks reads as one space).
function indexedText(content) {
  let text = "";
  for (const word of (content || "").split(/\s+/)) {
    if (word === MARK + "chars") break; // the list of the document's characters (search.py) ends the text
    if (word === BODY) { text += " "; continue; }
    if (word.startsWith(MARK + MARK)) continue; // a joint word repeats what the words around it say
    const mark = /^\u01c0([0-9a-f]{5})(.*)$/u.exec(word);       // a mark word, maybe with Pagefind's "."
    const last = /^(.)\u01c0(.*)$/u.exec(word);                  // a run's last character
    if (mark) text += String.fromCodePoint(parseInt(mark[1], 16)) + mark[2];
    else if (last) text += last[1] + last[2];
    else text += Array.from(word)[0] || "";                        // a pair: its first character
  }
  return text;
}

// --- excerpts --------------------------------------------------------------------------------------------
// Made from the indexed text read back (normal characters), around the first place the body says the
// query, with every occurrence of every term marked.
function makeExcerpt(content, title, terms, t2s) {
  const text = indexedText(content);
  const head = normalise(title || "", t2s).trim().replace(/\s+/g, " ");
  let bodyStart = text.startsWith(head) ? head.length : 0;
  while (text[bodyStart] === "." || text[bodyStart] === " ") bodyStart += 1; // Pagefind ends the heading with "."
  let first = -1;
  for (const term of terms) {
    const at = text.indexOf(term, bodyStart);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  const start = first < 0 ? bodyStart : Math.max(bodyStart, first - 24);
  const end = Math.min(text.length, start + 90);
  const window = text.slice(start, end);
  const marks = [];
  for (const term of terms) {
    for (let at = window.indexOf(term); at >= 0; at = window.indexOf(term, at + term.length)) marks.push([at, at + term.length]);
  }
  marks.sort((x, y) => x[0] - y[0]);
  return { text: window, marks, cut: end < text.length, lead: start > bodyStart };
}

function excerptNodes(excerpt) {
  const fragment = document.createDocumentFragment();
  let pos = 0;
  if (excerpt.lead) fragment.appendChild(document.createTextNode("……"));
  for (const [from, to] of excerpt.marks) {
    if (from < pos) continue; // overlapping terms: the first mark wins
    fragment.appendChild(document.createTextNode(excerpt.text.slice(pos, from)));
    const mark = document.createElement("mark");
    mark.textContent = excerpt.text.slice(from, to);
    fragment.appendChild(mark);
    pos = to;
  }
  fragment.appendChild(document.createTextNode(excerpt.text.slice(pos) + (excerpt.cut ? "……" : "")));
  return fragment;
}

// --- the page ----------------------------------------------------------------------------------------------
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const selects = Object.fromEntries(FILTER_KEYS.map((k) => [k, document.getElementById(`filter-${k}`)]));
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");

let current = null;   // {query, filters, sort, shown}
let generation = 0;   // ignore answers to superseded searches

function stateFromUrl() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of FILTER_KEYS) if (params.get(key)) filters[key] = params.get(key);
  return { query: params.get("q") || "", filters, sort: params.get("sort") === "date" ? "date" : "relevance" };
}

function urlFor(state) {
  const params = new URLSearchParams();
  if (state.query) params.set("q", state.query);
  for (const key of FILTER_KEYS) if (state.filters[key]) params.set(key, state.filters[key]);
  if (state.sort === "date") params.set("sort", "date");
  const qs = params.toString();
  return location.pathname + (qs ? `?${qs}` : "");
}

function readForm() {
  const filters = {};
  for (const key of FILTER_KEYS) if (selects[key].value) filters[key] = selects[key].value;
  return { query: input.value.trim(), filters, sort: sortSelect.value === "date" ? "date" : "relevance" };
}

function writeForm(state) {
  input.value = state.query;
  sortSelect.value = state.sort;
  for (const key of FILTER_KEYS) ensureOption(selects[key], state.filters[key] || "");
}

function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) {
    select.appendChild(new Option(labelFor(select.dataset.key, value), value));
  }
  select.value = value;
}

function labelFor(key, value) {
  return key === "doc_type" ? DOC_TYPE_LABELS[value] || value : value;
}

function updateFilterOptions(counts, state) {
  for (const key of FILTER_KEYS) {
    const select = selects[key];
    const selected = state.filters[key] || "";
    const values = Object.entries((counts && counts[key]) || {}).filter(([, n]) => n > 0);
    values.sort((a, b) => (key === "year" ? (a[0] < b[0] ? 1 : -1) : b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    const first = select.options[0];
    select.replaceChildren(first);
    for (const [value, n] of values) select.appendChild(new Option(`${labelFor(key, value)}（${n}）`, value));
    ensureOption(select, selected);
  }
}

function renderResults(page, append) {
  if (!append) list.replaceChildren();
  for (const item of page) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.className = "doc-title";
    link.href = typeof item.url === "string" && item.url.startsWith("/") ? item.url : "#";
    link.textContent = item.title || item.url;
    const meta = document.createElement("span");
    meta.className = "doc-meta";
    for (const part of [item.date, item.region, item.docType]) {
      if (!part) continue;
      const span = document.createElement("span");
      span.textContent = part;
      meta.appendChild(span);
    }
    const excerpt = document.createElement("p");
    excerpt.className = "excerpt";
    if (item.excerpt) excerpt.appendChild(excerptNodes(item.excerpt));
    li.append(link, meta, excerpt);
    list.appendChild(li);
  }
}

async function run(state, { push = false, replace = false, append = false } = {}) {
  const mine = ++generation;
  if (push) history.pushState(null, "", urlFor(state));
  else if (replace) history.replaceState(null, "", urlFor(state));
  document.title = state.query ? `${state.query} · 全文检索` : root.dataset.title;
  if (!state.query && !Object.keys(state.filters).length) {
    current = null;
    list.replaceChildren();
    status.textContent = "请输入关键词；多个关键词用空格分开，结果须同时包含每个词。";
    more.hidden = true;
    const pf = await loadPagefind();
    if (mine === generation) updateFilterOptions(await pf.filters(), state);
    return;
  }
  const offset = append ? current.shown : 0;
  status.textContent = "正在检索……";
  const page = await siteSearch(state.query, state.filters, { sort: state.sort, limit: PAGE_SIZE, offset });
  if (mine !== generation) return;
  current = { ...state, shown: offset + page.length, total: page.total };
  if (!append) updateFilterOptions(page.filterCounts, state);
  renderResults(page, append);
  status.textContent = page.total
    ? `找到 ${page.total} 份文件${state.query ? `包含“${state.query}”` : ""}。`
    : `没有找到${state.query ? `包含“${state.query}”的` : ""}文件。`;
  status.dataset.count = String(page.total);
  more.hidden = current.shown >= page.total;
}

let typingTimer = null;
input.addEventListener("input", () => {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => run(readForm(), { replace: true }), 220);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(typingTimer);
  run(readForm(), { push: true });
});
for (const select of [...Object.values(selects), sortSelect]) {
  select.addEventListener("change", () => run(readForm(), { push: true }));
}
more.addEventListener("click", () => current && run(current, { append: true }));
window.addEventListener("popstate", () => {
  const state = stateFromUrl();
  writeForm(state);
  run(state);
});

const initial = stateFromUrl();
writeForm(initial);
run(initial);
