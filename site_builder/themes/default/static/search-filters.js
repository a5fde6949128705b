// Filters: each part's meta.json has, per filter, the values and each document's value (a column). A
// document passes when it has every value asked for; counts per value are of the documents that match.

export const FILTER_KEYS = ["province", "city", "year", "doc_type"];

// Whether any filter is set in `filters` ({province, city, year, doc_type}; empty values are unset).
export function anyFilter(filters) {
  return FILTER_KEYS.some((k) => filters && filters[k]);
}

// A test of one document of `part` against `filters`, or null when a value asked for is not in the part.
export function filterTest(part, filters) {
  const wanted = [];
  for (const key of FILTER_KEYS) {
    const value = filters && filters[key];
    if (value === undefined || value === null || value === "") continue;
    const column = part.meta.filters[key];
    wanted.push({ of: column.of, value: column.values.indexOf(String(value)) });
  }
  if (wanted.some((w) => w.value < 0)) return null;
  return (doc) => wanted.every((w) => w.of[doc] === w.value);
}

// Counts per filter value of a list of matches [{part, doc}] (every document of `parts` when `matches` is null).
export function countFilters(parts, matches) {
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

// A document's value of one filter (the year a result covers, for its result line).
export function filterValue(part, key, doc) {
  const column = part.meta.filters[key];
  return column.values[column.of[doc]];
}
