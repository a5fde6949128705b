// Development only (injected by `site-builder serve`, never written to public/): reload when the site is
// rebuilt; show build errors over the last good page.
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
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("problems", (event) => show(JSON.parse(event.data)));
})();
