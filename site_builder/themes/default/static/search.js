// 全文检索, the same with either search engine (site_builder/search/__init__.py): the engine's module
// (search-pagefind.js or search-exact.js, named by the page) says only where a term occurs in a part of the
// index — exactly, character for character; everything else is here and reads the files both engines write
// alike (site_builder/search/text.py): the query and its folding, filters and their counts, ranking, result
// rows and excerpts. So the results, their count and the counts per filter value are exact, and known before
// any document text is loaded; the text is loaded only for the excerpts shown. Everything shown comes from
// the documents and is inserted as text (never as HTML), except the <mark> elements made here.

const root = document.getElementById("search-app");
const INDEX_URL = new URL(root.dataset.index, location.href);   // …/pagefind/ or …/fulltext/
const ENGINE_URL = new URL(root.dataset.engine, location.href);
const PAGE_SIZE = 10;
const FILTER_KEYS = ["province", "city", "year", "doc_type"];
const DOC_TYPE_LABELS = JSON.parse(root.dataset.docTypes || "{}");
const HAN = /\p{Script=Han}/u;

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}
const fetchJson = (url) => fetchOk(url).then((r) => r.json());

// --- the index -----------------------------------------------------------------------------------------------
let indexPromise = null;
function loadIndex() {
  if (!indexPromise) {
    indexPromise = Promise.all([fetchJson(new URL("index.json", INDEX_URL)), import(ENGINE_URL.href)])
      .then(async ([info, engine]) => ({
        info,
        parts: await Promise.all(info.parts.map(async (p, number) => {
          const url = new URL(p.path, INDEX_URL);
          const part = { number, url, chunk: info.chunk, meta: await fetchJson(new URL("meta.json", url)), files: new Map() };
          part.get = (path, decode) => once(part, path, () => fetchOk(new URL(path, url)).then(decode));
          part.engine = await engine.openPart(part);
          return part;
        })),
      }));
    indexPromise.catch(() => { indexPromise = null; });   // a failed load is tried again by the next search
  }
  return indexPromise;
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

function wantedFilters(part, filters) {
  const wanted = [];
  for (const key of FILTER_KEYS) {
    const value = filters && filters[key];
    if (value === undefined || value === null || value === "") continue;
    const column = part.meta.filters[key];
    wanted.push({ of: column.of, value: column.values.indexOf(String(value)) });
  }
  return wanted;
}

// A part's documents that say every term and have every filter value: [{part, doc, inTitle, count}], newest first.
async function partMatches(part, terms, filters) {
  const wanted = wantedFilters(part, filters);
  if (wanted.some((w) => w.value < 0)) return [];
  const passes = (doc) => wanted.every((w) => w.of[doc] === w.value);
  if (!terms.length) {
    const all = [];
    for (let doc = 0; doc < part.meta.docs; doc++) if (passes(doc)) all.push({ part, doc, inTitle: 0, count: 0 });
    return all;
  }
  const perTerm = await Promise.all(terms.map((t) => part.engine.matches(t.points)));
  perTerm.sort((x, y) => x.size - y.size);
  const out = [];
  for (const [doc, first] of perTerm[0]) {
    if (!passes(doc)) continue;
    let inTitle = first.inTitle ? 1 : 0, count = first.count, ok = true;
    for (const other of perTerm.slice(1)) {
      const hit = other.get(doc);
      if (!hit) { ok = false; break; }
      inTitle += hit.inTitle ? 1 : 0;
      count += hit.count;
    }
    if (ok) out.push({ part, doc, inTitle, count });
  }
  return out.sort((x, y) => x.doc - y.doc);
}

// Counts per filter value of a list of matches (every document when `matches` is null).
function countFilters(parts, matches) {
  const counts = Object.fromEntries(FILTER_KEYS.map((k) => [k, {}]));
  const add = (part, doc) => {
    for (const key of FILTER_KEYS) {
      const column = part.meta.filters[key];
      const value = column.values[column.of[doc]];
      if (value) counts[key][value] = (counts[key][value] || 0) + 1;
    }
  };
  if (matches) for (const m of matches) add(m.part, m.doc);
  else for (const part of parts) for (let doc = 0; doc < part.meta.docs; doc++) add(part, doc);
  return counts;
}

// --- queries -------------------------------------------------------------------------------------------------
const t2sShards = new Map();

// Only the Traditional→Simplified shards for the query's Han characters are fetched (a few hundred bytes each).
async function loadT2S(text, info) {
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
function normalise(text, t2s) {
  return Array.from(text.normalize("NFKC").toLowerCase(), (c) => t2s[c] || c).join("");
}

// The query as terms (space-separated; a document must say every one), normalised.
function parseQuery(query, t2s) {
  const terms = [];
  for (const raw of (query || "").trim().split(/\s+/)) {
    const text = normalise(raw, t2s).replace(/\s+/gu, "");
    if (text) terms.push({ text, points: Array.from(text, (c) => c.codePointAt(0)) });
  }
  return terms;
}

// Every match, in rank order: terms in the title, then occurrences, then newest (or newest first for "date").
async function matchAll(query, filters, sort) {
  const { info, parts } = await loadIndex();
  const t2s = await loadT2S(query || "", info);
  const terms = parseQuery(query, t2s);
  const anyFilter = FILTER_KEYS.some((k) => filters && filters[k]);
  if (!terms.length && !anyFilter) return { terms, matches: [], parts, t2s, info };
  const matches = (await Promise.all(parts.map((part) => partMatches(part, terms, filters)))).flat();
  if (sort !== "date" && terms.length) {
    matches.sort((x, y) => y.inTitle - x.inTitle || y.count - x.count || x.part.number - y.part.number || x.doc - y.doc);
  }
  return { terms, matches, parts, t2s, info };
}

async function docRow(part, doc) {
  const rows = await part.get(`docs/${Math.floor(doc / part.chunk)}.json`, (r) => r.json());
  return rows[doc % part.chunk];
}

// All documents matching `query` (space-separated terms, every one required) and `filters`
// ({province, city, year, doc_type}), in rank order, each {url, title}. With options {limit, offset} it
// returns one page of them with excerpts (what the page shows), each also with its year, type label and
// `count`, the occurrences of the terms; {sort: "date"} puts the newest first.
// The returned array also carries `total` (the number of matching documents) and `filterCounts`.
async function siteSearch(query, filters = {}, options = {}) {
  const { terms, matches, parts, t2s, info } = await matchAll(query, filters, options.sort);
  const extra = { total: matches.length, filterCounts: countFilters(parts, matches) };
  if (!options.limit) {
    const rows = await Promise.all(matches.map((m) => docRow(m.part, m.doc)));
    return Object.assign(rows.map(([url, title]) => ({ url, title })), extra);
  }
  const offset = options.offset || 0;
  const page = matches.slice(offset, offset + options.limit);
  const texts = terms.map((t) => t.text);
  return Object.assign(await Promise.all(page.map(async (m) => {
    const [[url, title, date, region, docType], text] = await Promise.all([
      docRow(m.part, m.doc),
      m.part.get(`text/${m.doc}.txt`, (r) => r.text()),
    ]);
    let excerpt = makeExcerpt(text, title, texts, t2s);
    if (!excerpt.found && texts.length && HAN.test(text)) {   // Traditional text? fold it with its own characters
      excerpt = makeExcerpt(text, title, texts, { ...(await loadT2S(text, info)), ...t2s });
    }
    const years = m.part.meta.filters.year;
    return { url, title, date, region, docType, year: years.values[years.of[m.doc]], count: m.count, excerpt };
  })), extra);
}
window.siteSearch = siteSearch;

// Counts per filter value over the whole archive (the choices offered before any search).
async function allCounts() {
  const { parts } = await loadIndex();
  return countFilters(parts, null);
}

// --- excerpts --------------------------------------------------------------------------------------------
// Cut from the document's text as written (whitespace runs as one space) around the first place the body
// says a term, with every occurrence of every term marked. Terms are found in the text folded character by
// character as normalise() folds (from[i]: where folded unit i came from in the text).
function foldWithMap(text, t2s) {
  let folded = "";
  const from = [];
  let at = 0;
  for (const c of text) {
    const f = normalise(c, t2s);
    folded += f;
    for (let k = 0; k < f.length; k++) from.push(at);
    at += c.length;
  }
  from.push(at);
  return { folded, from };
}

function makeExcerpt(text, title, terms, t2s) {
  const head = (title || "").trim().replace(/\s+/g, " ");
  let bodyStart = text.startsWith(head) ? head.length : 0;
  if (text[bodyStart] === " ") bodyStart += 1;
  const { folded, from } = foldWithMap(text, t2s);
  const found = [];   // [start, end) in the text, of every occurrence of every term
  for (const term of terms) {
    for (let at = folded.indexOf(term); at >= 0; at = folded.indexOf(term, at + term.length)) {
      found.push([from[at], from[at + term.length]]);
    }
  }
  found.sort((x, y) => x[0] - y[0]);
  const first = found.find(([s]) => s >= bodyStart);
  const start = first ? Math.max(bodyStart, first[0] - 24) : bodyStart;
  const end = Math.min(text.length, start + 90);
  const marks = found.filter(([s, e]) => s >= start && e <= end).map(([s, e]) => [s - start, e - start]);
  return { text: text.slice(start, end), marks, cut: end < text.length, lead: start > bodyStart, found: Boolean(first) };
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
const filtersBox = document.getElementById("search-filters-box");
const filtersCount = document.getElementById("search-filters-count");
const FILTER_NAMES = { province: "省份", city: "地市", year: "年份", doc_type: "类型" };

// The filters are folded on a phone (results start on the first screen) and open on a wider screen.
const wide = matchMedia("(min-width: 40.01rem)");
filtersBox.open = wide.matches;
wide.addEventListener("change", () => { filtersBox.open = wide.matches; });

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

// One date format on every page: 2020年1月31日, as the templates' cn_date filter writes it.
function formatDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : "日期不详";
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
    const year = item.year && /^\d+$/.test(item.year) ? `${item.year}年度` : item.year;
    const parts = [[formatDate(item.date), "date"], [year, "year"], [item.region, "region"], [item.docType, "tag type"]];
    if (item.count > 0) parts.push([`出现 ${item.count} 次`, "count"]);
    for (const [text, className] of parts) {
      if (!text) continue;
      const span = document.createElement("span");
      span.className = className;
      span.textContent = text;
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
    filtersCount.textContent = "";
    status.textContent = "请输入关键词；多个关键词用空格分开，结果须同时包含每个词。";
    more.hidden = true;
    const counts = await allCounts().catch(() => null);
    if (counts && mine === generation) updateFilterOptions(counts, state);
    return;
  }
  const offset = append ? current.shown : 0;
  status.textContent = "正在检索……";
  let page;
  try {
    page = await siteSearch(state.query, state.filters, { sort: state.sort, limit: PAGE_SIZE, offset });
  } catch (error) {
    if (mine === generation) status.textContent = `检索失败（${error.message}），请稍后再试。`;
    return;
  }
  if (mine !== generation) return;
  current = { ...state, shown: offset + page.length, total: page.total };
  if (!append) updateFilterOptions(page.filterCounts, state);
  renderResults(page, append);
  status.textContent = page.total
    ? `找到 ${page.total} 份文件${state.query ? `包含“${state.query}”` : ""}。`
    : `没有找到${state.query ? `包含“${state.query}”的` : ""}文件。`;
  showActiveFilters(state);
  status.dataset.count = String(page.total);
  more.hidden = current.shown >= page.total;
}

// The filters in force, in the result line, with a button that clears them (the terms stay).
function showActiveFilters(state) {
  const active = FILTER_KEYS.filter((k) => state.filters[k]);
  filtersCount.textContent = active.length ? `（已选 ${active.length} 项）` : "";
  if (!active.length) return;
  const box = document.createElement("span");
  box.className = "active-filters";
  box.appendChild(document.createTextNode("筛选："));
  for (const key of active) {
    const chip = document.createElement("span");
    chip.className = "tag";
    chip.textContent = `${FILTER_NAMES[key]} ${labelFor(key, state.filters[key])}`;
    box.appendChild(chip);
  }
  const clear = document.createElement("button");
  clear.type = "button";
  clear.id = "search-clear";
  clear.className = "secondary";
  clear.textContent = "清除筛选";
  clear.addEventListener("click", () => {
    const cleared = { ...readForm(), filters: {} };
    writeForm(cleared);
    run(cleared, { push: true });
  });
  box.appendChild(clear);
  status.append(" ", box);
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
