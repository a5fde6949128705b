// The Pagefind engine's part of 全文检索: where a term occurs, asked of the Pagefind bundle of each part
// (site_builder/search/pagefind.py describes the words). Every character of the folded text is indexed as
// the pair it starts ("行政复议" → 行政 政复 复议 议ǁ), so word positions are character positions: a term is
// found where its pairs stand one after the other, checked with the positions Pagefind returns with every
// result (no page text is downloaded). A one-character term is the word "cǁ", which every document that has
// the character holds. The other search modules do the rest (query, filters, ranking,
// excerpts; search.js lists them) as with the exact engine.

const MARK = "\u01c0", END = "\u01c1";

// As pagefind.py's code(): ASCII digits and letters and Han stay; any other character below U+A6E0 becomes
// the letter U+20000 + its code point; the rest MARK + six hex digits.
function code(point) {
  const plain = (point >= 0x30 && point <= 0x39) || (point >= 0x61 && point <= 0x7a)
    || (point >= 0x4e00 && point <= 0x9fff) || (point >= 0x3400 && point <= 0x4dbf);
  if (plain) return String.fromCodePoint(point);
  return point < 0xa6e0 ? String.fromCodePoint(0x20000 + point) : MARK + point.toString(16).padStart(6, "0");
}

// One Pagefind search per word: page id → Set of the word's positions in that page.
async function positionsOf(pf, word) {
  const response = await pf.search(word);
  return new Map(response.results.map((r) => [r.id, new Set(r.words)]));
}

// Pagefind 1.4 swallows a failed load of its WebAssembly and then never answers a search; so the file is
// checked first, a policy that forbids compiling it is caught, and a search that still hangs gives up.
async function guarded(url, work) {
  const wasm = new URL("wasm.unknown.pagefind", url);
  const head = await fetch(wasm, { method: "HEAD" });
  if (!head.ok) throw new Error(`${wasm}: HTTP ${head.status}`);
  let onViolation;
  const blocked = new Promise((_, reject) => {
    onViolation = (event) => {   // only the policy's refusal to compile WebAssembly ("wasm-eval") stops Pagefind
      if (String(event.blockedURI).startsWith("wasm")) reject(new Error(`内容安全策略禁止了 WebAssembly（${event.violatedDirective}）`));
    };
    document.addEventListener("securitypolicyviolation", onViolation);
  });
  const late = new Promise((_, reject) => setTimeout(() => reject(new Error("检索程序未能加载")), 30000));
  try {
    return await Promise.race([work(), blocked, late]);
  } finally {
    document.removeEventListener("securitypolicyviolation", onViolation);
  }
}

// A part of the index, ready to be asked where terms occur. `part`: {url, meta} (search.js).
export async function openPart(part) {
  const pf = await import(new URL("pagefind.js", part.url).href);
  // Pagefind's page ids → document numbers: every record is in the filter "all" and sorted by its number.
  const all = await guarded(part.url, async () => {
    await pf.init();
    return pf.search(null, { filters: { all: "1" }, sort: { rank: "asc" } });
  });
  const docOf = new Map(all.results.map((r, n) => [r.id, n]));
  const titleLength = part.meta.title_length;
  const words = new Map();   // word → promise of its positions (a page asks again for every keystroke)
  const positions = (word) => {
    if (!words.has(word)) {
      const promise = positionsOf(pf, word);
      words.set(word, promise);
      promise.catch(() => words.delete(word));
    }
    return words.get(word);
  };

  // Where the part's documents say a term (an array of code points): document → {count, inTitle}.
  async function matches(points) {
    const found = new Map();
    const codes = points.map(code);
    if (codes.length === 1) {
      for (const [id, at] of await positions(codes[0] + END)) {
        const doc = docOf.get(id);
        found.set(doc, { count: 1, inTitle: [...at].some((p) => p < titleLength[doc]) });
      }
      return found;
    }
    // every other pair and the last: with their positions checked they pin down every character of the term
    const offsets = [];
    for (let i = 0; i + 1 < codes.length; i += 2) offsets.push(i);
    if (offsets[offsets.length - 1] !== codes.length - 2) offsets.push(codes.length - 2);
    const sets = await Promise.all(offsets.map((i) => positions(codes[i] + codes[i + 1])));
    const order = offsets.map((offset, k) => ({ offset, pages: sets[k] })).sort((x, y) => x.pages.size - y.pages.size);
    const [lead, ...rest] = order;
    for (const [id, at] of lead.pages) {
      const others = rest.map((w) => w.pages.get(id));
      if (others.some((s) => !s)) continue;
      const doc = docOf.get(id);
      let count = 0, inTitle = false;
      for (const p of at) {
        const start = p - lead.offset;
        if (start >= 0 && rest.every((w, k) => others[k].has(start + w.offset))) {
          count += 1;
          if (start < titleLength[doc]) inTitle = true;
        }
      }
      if (count) found.set(doc, { count, inTitle });
    }
    return found;
  }
  return { matches };
}
