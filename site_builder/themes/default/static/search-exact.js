// The exact engine's part of 全文检索: where a term occurs, read from the index site_builder/search/exact.py
// writes (its docstring describes the files). A term is found where the text says it, character for
// character: the index gives, for every pair of adjacent characters, the documents and positions where it
// stands, and a document says the term where the term's pairs stand at their offsets. One-character terms
// use the per-character table. The other search modules do the rest (query, filters, ranking,
// excerpts; search.js lists them) as with Pagefind.

function compareKey(keys, at, key) {
  for (let k = 0; k < key.length; k++) if (keys[at + k] !== key[k]) return keys[at + k] < key[k] ? -1 : 1;
  return 0;
}

// The first index in [lo, hi) at which below(index) is false (below holds for a prefix of the range).
function lowerBound(lo, hi, below) {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (below(mid)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// The file holding `key`: the last one whose first key (meta.json lists them, `width` numbers each) is not after it.
function fileOf(firsts, width, key) {
  return lowerBound(0, firsts.length / width, (i) => compareKey(firsts, i * width, key) <= 0) - 1;
}

function readVarints(bytes, at, count) {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
    out[i] = value;
  }
  return out;
}

// A pairs/ or chars/ file, decoded: its keys (`width` code points each); per word the range of its entries;
// per entry the document and its second value (pairs: the number of positions; chars: count·2 + in title);
// for pairs, per entry the range of its positions, which are made absolute.
function decodeFile(buffer, width, withPositions) {
  const bytes = new Uint8Array(buffer);
  const head = new DataView(buffer);
  const words = head.getUint32(4, true), entries = head.getUint32(8, true), positions = head.getUint32(12, true);
  const keys = new Uint32Array(words * width);
  for (let k = 0; k < width; k++) {
    for (let w = 0; w < words; w++) keys[w * width + k] = head.getUint32(16 + 4 * (k * words + w), true);
  }
  const v = readVarints(bytes, 16 + 4 * width * words, words + 2 * entries + positions);
  const entryStart = new Uint32Array(words + 1);
  for (let w = 0; w < words; w++) entryStart[w + 1] = entryStart[w] + v[w];
  const docs = new Uint32Array(entries), second = new Uint32Array(entries);
  for (let w = 0; w < words; w++) {
    let doc = 0;
    for (let e = entryStart[w]; e < entryStart[w + 1]; e++) {
      doc += v[words + 2 * e];
      docs[e] = doc;
      second[e] = v[words + 2 * e + 1];
    }
  }
  const file = { width, words, keys, entryStart, docs, second };
  if (withPositions) {
    const posStart = new Uint32Array(entries + 1);
    const pos = new Uint32Array(positions);
    const base = words + 2 * entries;
    for (let e = 0; e < entries; e++) {
      posStart[e + 1] = posStart[e] + second[e];
      let p = 0;
      for (let i = posStart[e]; i < posStart[e + 1]; i++) { p += v[base + i]; pos[i] = p; }
    }
    Object.assign(file, { posStart, pos });
  }
  return file;
}

// The entries of one word (a pair [a, b] or a character [c]) in a part: {file, from, to}, or null.
async function postingOf(part, kind, key) {
  const firsts = part.meta[kind];
  const n = fileOf(firsts, key.length, key);
  if (n < 0) return null;
  const file = await part.get(`${kind}/${n}.bin`, async (response) =>
    decodeFile(await response.arrayBuffer(), key.length, kind === "pairs"));
  const w = lowerBound(0, file.words, (i) => compareKey(file.keys, i * file.width, key) < 0);
  if (w === file.words || compareKey(file.keys, w * file.width, key) !== 0) return null;
  return { file, from: file.entryStart[w], to: file.entryStart[w + 1] };
}

// The entry of document `doc` in a posting (entries are in document order), or -1.
function entryOf(posting, doc) {
  const docs = posting.file.docs;
  const e = lowerBound(posting.from, posting.to, (i) => docs[i] < doc);
  return e < posting.to && docs[e] === doc ? e : -1;
}

function hasPosition(file, entry, p) {
  const pos = file.pos, end = file.posStart[entry + 1];
  const i = lowerBound(file.posStart[entry], end, (k) => pos[k] < p);
  return i < end && pos[i] === p;
}

// Where a part's documents say a term (an array of code points): document → {count, inTitle}.
// A one-character term counts once per document, as with Pagefind (which does not count characters).
async function termMatches(part, term) {
  const found = new Map();
  if (term.length === 1) {
    const posting = await postingOf(part, "chars", term);
    if (!posting) return found;
    for (let e = posting.from; e < posting.to; e++) {
      const value = posting.file.second[e];
      found.set(posting.file.docs[e], { count: 1, inTitle: (value & 1) === 1 });
    }
    return found;
  }
  // every other pair and the last: with their positions checked they pin down every character of the term
  const offsets = [];
  for (let i = 0; i + 1 < term.length; i += 2) offsets.push(i);
  if (offsets[offsets.length - 1] !== term.length - 2) offsets.push(term.length - 2);
  const postings = await Promise.all(offsets.map((i) => postingOf(part, "pairs", [term[i], term[i + 1]])));
  if (postings.some((p) => !p)) return found;
  const words = offsets.map((offset, k) => ({ offset, posting: postings[k] }));
  words.sort((x, y) => (x.posting.to - x.posting.from) - (y.posting.to - y.posting.from));
  const [lead, ...rest] = words;
  const titleLength = part.meta.title_length;
  for (let e = lead.posting.from; e < lead.posting.to; e++) {
    const doc = lead.posting.file.docs[e];
    const entries = rest.map((w) => entryOf(w.posting, doc));
    if (entries.some((x) => x < 0)) continue;
    const file = lead.posting.file;
    let count = 0, inTitle = false;
    for (let i = file.posStart[e]; i < file.posStart[e + 1]; i++) {
      const start = file.pos[i] - lead.offset;
      if (start < 0) continue;
      if (rest.every((w, k) => hasPosition(w.posting.file, entries[k], start + w.offset))) {
        count += 1;
        if (start < titleLength[doc]) inTitle = true;
      }
    }
    if (count) found.set(doc, { count, inTitle });
  }
  return found;
}

// A part of the index, ready to be asked where terms occur. `part`: {url, meta, get(path, decode)} (search.js).
export async function openPart(part) {
  return { matches: (points) => termMatches(part, points) };
}
