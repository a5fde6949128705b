// The excerpt of a result: cut from the document's text as written (whitespace runs as one space) around
// the first place the body says a term, with every occurrence of every term marked. Terms are found in the
// text folded character by character as the query is folded, and mapped back to the text as written.
import { HAN, loadT2S, normalise } from "./search-query.js";

// The text folded, and from[i]: where folded unit i came from in the text (folding may change lengths).
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

// [start, end) in the text of every occurrence of every (folded) term, in text order.
function occurrences(text, terms, t2s) {
  const { folded, from } = foldWithMap(text, t2s);
  const found = [];
  for (const term of terms) {
    for (let at = folded.indexOf(term); at >= 0; at = folded.indexOf(term, at + term.length)) {
      found.push([from[at], from[at + term.length]]);
    }
  }
  return found.sort((x, y) => x[0] - y[0]);
}

// {text, marks: [[from, to]] within it, cut: text goes on after, lead: text came before, found: a term in the body}.
// The text starts with the title, which the result line shows already: the excerpt is of the body after it.
function makeExcerpt(text, title, terms, t2s) {
  const head = (title || "").trim().replace(/\s+/g, " ");
  let bodyStart = text.startsWith(head) ? head.length : 0;
  if (text[bodyStart] === " ") bodyStart += 1;
  const found = occurrences(text, terms, t2s);
  const first = found.find(([s]) => s >= bodyStart);
  const start = first ? Math.max(bodyStart, first[0] - 24) : bodyStart;
  const end = Math.min(text.length, start + 90);
  const marks = found.filter(([s, e]) => s >= start && e <= end).map(([s, e]) => [s - start, e - start]);
  return { text: text.slice(start, end), marks, cut: end < text.length, lead: start > bodyStart, found: Boolean(first) };
}

// The excerpt for terms folded with the query's `t2s`. A text in Traditional characters the query did not
// have is folded again with its own characters' shards (fetched only then).
export async function excerptOf(text, title, terms, t2s, info) {
  const excerpt = makeExcerpt(text, title, terms, t2s);
  if (excerpt.found || !terms.length || !HAN.test(text)) return excerpt;
  return makeExcerpt(text, title, terms, { ...(await loadT2S(text, info)), ...t2s });
}
