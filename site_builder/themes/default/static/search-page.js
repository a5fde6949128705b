// The search page's entry (templates/search.html loads it): runs a search whenever the form or the address
// changes, and shows the answer. A search is in the URL (search-state.js), so Back, Forward and a shared link
// give the same page; while typing, the URL is replaced rather than pushed.
import { allCounts, siteSearch } from "./search-api.js";
import { form, input, readForm, selects, showActiveFilters, sortSelect, updateFilterOptions, writeForm } from "./search-form.js";
import { renderResults } from "./search-results.js";
import { stateFromUrl, urlFor } from "./search-state.js";

const PAGE_SIZE = 10;
const root = document.getElementById("search-app");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");

let current = null;   // {query, filters, sort, shown, total}: what the page shows
let generation = 0;   // ignore answers to superseded searches

async function run(state, { push = false, replace = false, append = false } = {}) {
  const mine = ++generation;
  if (push) history.pushState(null, "", urlFor(state));
  else if (replace) history.replaceState(null, "", urlFor(state));
  document.title = state.query ? `${state.query} · 全文检索` : root.dataset.title;
  if (!state.query && !Object.keys(state.filters).length) return showPrompt(state, mine);
  const offset = append ? current.shown : 0;
  status.textContent = "正在检索……";
  let page;
  try {
    page = await siteSearch(state.query, state.filters, { sort: state.sort, limit: PAGE_SIZE, offset });
  } catch (error) {
    if (mine === generation) status.textContent = `检索失败（${error.message}），请稍后再试。`;
    return;
  }
  if (mine === generation) showPage(state, page, offset, append);
}

// Nothing asked: no results, a hint, and the filter choices counted over the whole archive.
async function showPrompt(state, mine) {
  current = null;
  list.replaceChildren();
  status.textContent = "请输入关键词；多个关键词用空格分开，结果须同时包含每个词。";
  showActiveFilters(state, status, rerun);
  more.hidden = true;
  const counts = await allCounts().catch(() => null);
  if (counts && mine === generation) updateFilterOptions(counts, state);
}

// A page of results: the count (also in data-count, for scripts and tests), the rows, and 显示更多结果.
function showPage(state, page, offset, append) {
  current = { ...state, shown: offset + page.length, total: page.total };
  if (!append) updateFilterOptions(page.filterCounts, state);
  renderResults(list, page, append);
  status.textContent = page.total
    ? `找到 ${page.total} 份文件${state.query ? `包含“${state.query}”` : ""}。`
    : `没有找到${state.query ? `包含“${state.query}”的` : ""}文件。`;
  showActiveFilters(state, status, rerun);
  status.dataset.count = String(page.total);
  more.hidden = current.shown >= page.total;
}

const rerun = (state) => run(state, { push: true });

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
for (const select of [...Object.values(selects), sortSelect]) select.addEventListener("change", () => rerun(readForm()));
more.addEventListener("click", () => current && run(current, { append: true }));
window.addEventListener("popstate", () => {
  const state = stateFromUrl();
  writeForm(state);
  run(state);
});

const initial = stateFromUrl();
writeForm(initial);
run(initial);
