// Development only (injected by `site-builder serve`, never written to public/): refresh this page when its file
// was rebuilt (or everything was); show build errors over the last good page until they are fixed.
(() => {
  const source = new EventSource("/__livereload");
  let overlay = null;
  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "site-builder-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.92);color:#fff;" +
        "font:15px/1.6 monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "构建失败，显示的是上一次成功构建的页面。修正后页面会自动刷新。\n\n" + problems.join("\n");
  }
  function here() {
    const path = location.pathname;
    return path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
  }
  const scripts = (doc) => Array.from(doc.scripts).filter((s) => !(s.src || "").includes("/__livereload.js"));
  const styles = (doc) => Array.from(doc.querySelectorAll("link[rel=stylesheet], style")).map((n) => n.outerHTML).join("\n");
  // A page without scripts of its own gets its new body in place (no navigation: faster, scroll kept);
  // anything else (scripts, other stylesheets, a status other than 200, an error) is a real reload.
  async function refresh() {
    try {
      const response = await fetch(location.href, {cache: "no-store"});
      if (response.status !== 200 || scripts(document).length) throw new Error("reload");
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      if (scripts(next).length || styles(next) !== styles(document)) throw new Error("reload");
      document.title = next.title;
      document.body.replaceWith(next.body);
    } catch (e) {
      location.reload();
    }
  }
  source.addEventListener("reload", (event) => {
    let changed = ["*"];
    try { changed = JSON.parse(event.data || "[]"); } catch (e) { /* everything */ }
    if (overlay || changed.includes("*")) location.reload();
    else if (changed.includes(here())) refresh();
  });
  source.addEventListener("problems", (event) => show(JSON.parse(event.data)));
})();
