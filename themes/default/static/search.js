// 全文检索: the query is turned into overlapping character pairs exactly as site_builder/search.py indexes
// the text, so a document matches only when it contains every pair of every term. Everything shown comes
// from the documents and is inserted as text (never as HTML), except the <mark> elements made here.

const root = document.getElementById("search-app");
const PAGEFIND_URL = root.dataset.pagefind;
const T2S_URL = root.dataset.t2s;
const PAGE_SIZE = 20;
const FILTER_KEYS = ["province", "city", "year", "doc_type"];
const DOC_TYPE_LABELS = JSON.parse(root.dataset.docTypes || "{}");
const WORD = /[\p{L}\p{N}]+/gu;

let pagefindPromise = null;
let t2sPromise = null;

function loadPagefind() {
  if (!pagefindPromise) {
    pagefindPromise = import(PAGEFIND_URL).then(async (pf) => {
      // no page-length normalisation: more occurrences always rank higher (ties by date below)
      await pf.options({ ranking: { pageLength: 0.0 } });
      await pf.init();
      await pf.filters(); // loads the filter index, so every search also reports counts per filter value
      return pf;
    });
  }
  return pagefindPromise;
}

function loadT2S() {
  if (!t2sPromise) {
    t2sPromise = fetch(T2S_URL).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  }
  return t2sPromise;
}

function normalise(text, t2s) {
  return Array.from(text.normalize("NFKC").toLowerCase(), (c) => t2s[c] || c).join("");
}

// "行政复议 2019年" → ["行政","政复","复议","20","01","19","9年"]: every pair of every run of every term.
function queryWords(query, t2s) {
  const words = [];
  for (const term of query.trim().split(/\s+/)) {
    for (const match of normalise(term, t2s).matchAll(WORD)) {
      const run = Array.from(match[0]);
      if (run.length === 1) words.push(run[0]);
      for (let i = 0; i + 1 < run.length; i++) words.push(run[i] + run[i + 1]);
    }
  }
  return [...new Set(words)];
}

function pagefindFilters(filters) {
  const out = {};
  for (const key of FILTER_KEYS) {
    const value = filters && filters[key];
    if (value !== undefined && value !== null && value !== "") out[key] = String(value);
  }
  return out;
}

function byScoreThenDate(a, b) {
  if (b.score !== a.score) return b.score - a.score;
  const da = a.data.meta.date || "", db = b.data.meta.date || "";
  return da < db ? 1 : da > db ? -1 : 0;
}

// All documents matching `query` (and `filters`), in rank order, each {url, title}. With options
// {sort: "date"} the newest come first; {limit, offset} return one page of them. The returned array
// also carries `total` (the number of matching documents) and `filterCounts` (per filter value).
async function siteSearch(query, filters = {}, options = {}) {
  const [pf, t2s] = await Promise.all([loadPagefind(), loadT2S()]);
  const words = queryWords(query || "", t2s);
  const pfFilters = pagefindFilters(filters);
  if (!words.length && !Object.keys(pfFilters).length) return Object.assign([], { total: 0, filterCounts: null });
  const searchOptions = { filters: pfFilters };
  if (options.sort === "date" || !words.length) searchOptions.sort = { date: "desc" };
  const response = await pf.search(words.length ? words.join(" ") : null, searchOptions);
  const results = response.results;
  const offset = options.offset || 0;
  const end = options.limit ? Math.min(results.length, offset + options.limit) : results.length;
  // Equal scores are ordered by date, newest first: a score group may straddle the page boundary, so
  // the whole group is loaded when it does.
  let from = offset, to = end;
  if (!searchOptions.sort) {
    while (from > 0 && results[from - 1].score === results[from].score) from--;
    while (to < results.length && to > 0 && results[to].score === results[to - 1].score) to++;
  }
  let loaded = await Promise.all(results.slice(from, to).map(async (r) => ({ score: r.score, data: await r.data() })));
  // Pairs can all occur without the term itself ("2018" and "88号" apart): keep only exact matches.
  const terms = (query || "").trim().split(/\s+/).map((t) => compact(normalise(t, t2s))).filter(Boolean);
  const exact = loaded.filter((item) => containsAll(item.data.content, terms));
  const dropped = loaded.length - exact.length;
  loaded = exact;
  if (!searchOptions.sort) loaded.sort(byScoreThenDate);
  const page = loaded.slice(offset - from, offset - from + (end - offset)).map((item) => ({
    url: item.data.url, title: item.data.meta.title, date: item.data.meta.date, region: item.data.meta.region,
    docType: item.data.meta.doc_type, excerpt: makeExcerpt(item.data.content, item.data.meta.title, terms, t2s),
  }));
  return Object.assign(page, { total: results.length - dropped, filterCounts: response.filters });
}

// An index word made of two letters/digits/Han characters (a pair), as opposed to a final single
// character or punctuation.
function isPairToken(tok) {
  const run = Array.from(tok.word);
  return run.length === 2 && /[\p{L}\p{N}]/u.test(run[0]) && /[\p{L}\p{N}]/u.test(run[1]);
}

function compact(text) {
  return text.replace(/\s+/g, "");
}

// The indexed text, read back: each pair contributes its first character ("行政 政复 复议 议" → "行政复议").
function indexedText(content) {
  let text = "";
  for (const word of (content || "").split(/\s+/)) {
    text += isPairToken({ word }) ? Array.from(word)[0] : word;
  }
  return text;
}

function containsAll(content, terms) {
  if (!terms.length) return true;
  const text = indexedText(content);
  return terms.every((term) => text.includes(term));
}
window.siteSearch = siteSearch;

// --- excerpts --------------------------------------------------------------------------------------------
// Made from the indexed text read back (normal characters), around the first place the body says the
// query, with every occurrence of every term marked.
function makeExcerpt(content, title, terms, t2s) {
  const text = indexedText(content);
  const head = compact(normalise(title || "", t2s));
  let bodyStart = text.startsWith(head) ? head.length : 0;
  if (text[bodyStart] === ".") bodyStart += 1;
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
