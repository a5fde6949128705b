// A search as a URL (?q=…&province=…&sort=date), so that it can be shared, bookmarked and gone back to.
import { FILTER_KEYS } from "./search-filters.js";

// The search the address bar asks for: {query, filters, sort}.
export function stateFromUrl() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of FILTER_KEYS) if (params.get(key)) filters[key] = params.get(key);
  return { query: params.get("q") || "", filters, sort: params.get("sort") === "date" ? "date" : "relevance" };
}

// The URL of a search on this page, with only what is set (relevance is the default sort).
export function urlFor(state) {
  const params = new URLSearchParams();
  if (state.query) params.set("q", state.query);
  for (const key of FILTER_KEYS) if (state.filters[key]) params.set(key, state.filters[key]);
  if (state.sort === "date") params.set("sort", "date");
  const qs = params.toString();
  return location.pathname + (qs ? `?${qs}` : "");
}
