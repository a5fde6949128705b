// The search form: reading it, setting it from a search, the filter choices (each with its count of matching
// documents) and the filters in force, shown in the result line with a button that clears them.
import { FILTER_KEYS } from "./search-filters.js";

const root = document.getElementById("search-app");
const DOC_TYPE_LABELS = JSON.parse(root.dataset.docTypes || "{}");
const FILTER_NAMES = { province: "省份", city: "地市", year: "年份", doc_type: "类型" };
export const form = document.getElementById("search-form");
export const input = document.getElementById("search-q");
export const sortSelect = document.getElementById("search-sort");
export const selects = Object.fromEntries(FILTER_KEYS.map((k) => [k, document.getElementById(`filter-${k}`)]));
const filtersBox = document.getElementById("search-filters-box");
const filtersCount = document.getElementById("search-filters-count");

// The filters are folded on a phone (results start on the first screen) and open on a wider screen.
const wide = matchMedia("(min-width: 40.01rem)");
filtersBox.open = wide.matches;
wide.addEventListener("change", () => { filtersBox.open = wide.matches; });

export function readForm() {
  const filters = {};
  for (const key of FILTER_KEYS) if (selects[key].value) filters[key] = selects[key].value;
  return { query: input.value.trim(), filters, sort: sortSelect.value === "date" ? "date" : "relevance" };
}

export function writeForm(state) {
  input.value = state.query;
  sortSelect.value = state.sort;
  for (const key of FILTER_KEYS) ensureOption(selects[key], state.filters[key] || "");
}

// Select `value`, adding it as a choice if the counts did not offer it (a shared link, a value with no match).
function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) {
    select.appendChild(new Option(labelFor(select.dataset.key, value), value));
  }
  select.value = value;
}

function labelFor(key, value) {
  return key === "doc_type" ? DOC_TYPE_LABELS[value] || value : value;
}

// Offer the values that have matches, with their counts: years newest first, the others most frequent first.
export function updateFilterOptions(counts, state) {
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

// The filters in force, after the result line in `status`, with a button that clears them (the terms stay):
// `onClear(search)` runs the search without them.
export function showActiveFilters(state, status, onClear) {
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
  box.appendChild(clearButton(onClear));
  status.append(" ", box);
}

function clearButton(onClear) {
  const clear = document.createElement("button");
  clear.type = "button";
  clear.id = "search-clear";
  clear.className = "secondary";
  clear.textContent = "清除筛选";
  clear.addEventListener("click", () => {
    const cleared = { ...readForm(), filters: {} };
    writeForm(cleared);
    onClear(cleared);
  });
  return clear;
}
