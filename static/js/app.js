// PrepSite's small amount of JavaScript. Everything works without it; this adds
// math rendering, keyboard shortcuts, the interview timer and focus management.
(function () {
  "use strict";
  const script = document.currentScript;
  let katexLoading = null;

  function loadKatex() {
    if (window.katex) return Promise.resolve(window.katex);
    if (katexLoading) return katexLoading;
    // Typeset only once the stylesheet is in too: before it arrives, the MathML copy that
    // KaTeX keeps for screen readers shows next to each formula.
    function load(element) {
      return new Promise(function (resolve, reject) {
        element.onload = resolve;
        element.onerror = reject;
        document.head.appendChild(element);
      });
    }
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = script.dataset.katexCss;
    const js = document.createElement("script");
    js.src = script.dataset.katexJs;
    katexLoading = Promise.all([load(css), load(js)]).then(function () { return window.katex; });
    return katexLoading;
  }

  // The server leaves TeX in elements with class "math" (markdown-it's dollarmath);
  // KaTeX turns it into formulas. Only pages with math load KaTeX.
  function renderMath(root) {
    const nodes = root.querySelectorAll(".math:not([data-rendered])");
    if (!nodes.length) return;
    loadKatex().then(function (katex) {
      nodes.forEach(function (node) {
        // DOMContentLoaded and htmx:load both ask for the first page: typeset once, or
        // the second pass reads the first one's output as TeX.
        if (node.dataset.rendered) return;
        try {
          katex.render(node.textContent, node, {
            displayMode: node.classList.contains("block"),
            throwOnError: true, // on bad TeX, keep the source visible (KaTeX's red error text uses an inline style our CSP forbids)
          });
          node.dataset.rendered = "1";
        } catch (err) {
          node.dataset.rendered = "error";
        }
      });
    });
  }

  function startTimers(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.dataset.started) return;
      el.dataset.started = "1";
      let left = parseInt(el.dataset.countdown, 10);
      const tick = function () {
        const m = Math.floor(Math.max(left, 0) / 60);
        const s = Math.max(left, 0) % 60;
        el.textContent = m + ":" + String(s).padStart(2, "0");
        if (left <= 0) { el.classList.add("expired"); el.textContent += " — time is up"; return; }
        left -= 1;
        setTimeout(tick, 1000);
      };
      tick();
    });
  }

  function isTyping(event) {
    const t = event.target;
    return t && (t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.tagName === "SELECT" || t.isContentEditable);
  }

  // Space or Enter reveals; 1–4 grade. Buttons carry data-shortcut with their key.
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event)) return;
    const tag = event.target && event.target.tagName;
    if ((event.key === " " || event.key === "Enter") && (tag === "BUTTON" || tag === "A")) return;
    const key = event.key === " " ? "Space" : event.key;
    const button = document.querySelector('[data-shortcut~="' + key + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  // Mirrors quizzes.presenters.suggested_grade: all key points Good, half Hard, else Again.
  const GRADE_NAMES = { 1: "Again", 2: "Hard", 3: "Good" };
  document.addEventListener("change", function (event) {
    const box = event.target.closest("[data-key-points]");
    if (!box) return;
    const total = box.querySelectorAll('input[type="checkbox"]').length;
    const ticked = box.querySelectorAll('input[type="checkbox"]:checked').length;
    const share = total ? ticked / total : 1;
    const grade = share >= 1 ? 3 : share >= 0.5 ? 2 : 1;
    const label = box.querySelector("[data-suggested]");
    const count = box.querySelector("[data-suggested-count]");
    if (label) label.textContent = GRADE_NAMES[grade];
    if (count) count.textContent = "(" + ticked + " of " + total + ")";
    document.querySelectorAll("[data-grade]").forEach(function (button) {
      button.classList.toggle("suggested", button.dataset.grade === String(grade));
    });
  });

  function enhance(root) {
    renderMath(root);
    startTimers(root);
  }

  // htmx:load fires for the first page and for every piece of swapped-in content.
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function () {
    // Move focus to the new card's heading so keyboard and screen-reader users follow the swap.
    const focusTarget = document.querySelector("[data-focus-on-swap]");
    if (focusTarget) focusTarget.focus({ preventScroll: false });
  });
})();
