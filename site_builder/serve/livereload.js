// Development only (injected by `site-builder serve`, never written to public/): reload when this page's file
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
  source.addEventListener("reload", (event) => {
    let changed = ["*"];
    try { changed = JSON.parse(event.data || "[]"); } catch (e) { /* reload */ }
    if (overlay || changed.includes("*") || changed.includes(here())) location.reload();
  });
  source.addEventListener("problems", (event) => show(JSON.parse(event.data)));
})();
