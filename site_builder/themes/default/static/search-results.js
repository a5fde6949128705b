// Result rows as DOM nodes. Everything shown comes from the documents and is inserted as text (never as
// HTML), except the <mark> elements made here.

// One date format on every page: 2020年1月31日, as the templates' cn_date filter writes it.
function formatDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : "日期不详";
}

// The excerpt's text with its marks; "……" where the text goes on before or after.
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

// The result line: date, year covered, region, type, and occurrences when there were terms to count.
function metaLine(item) {
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
  return meta;
}

function resultItem(item) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.className = "doc-title";
  link.href = typeof item.url === "string" && item.url.startsWith("/") ? item.url : "#";   // site paths only
  link.textContent = item.title || item.url;
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  if (item.excerpt) excerpt.appendChild(excerptNodes(item.excerpt));
  li.append(link, metaLine(item), excerpt);
  return li;
}

// Show a page of results in `list` (after those shown already when `append`).
export function renderResults(list, page, append) {
  if (!append) list.replaceChildren();
  for (const item of page) list.appendChild(resultItem(item));
}
