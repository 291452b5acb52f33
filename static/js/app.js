// PrepSite's small amount of JavaScript. Everything works without it; this adds
// math rendering, keyboard shortcuts, the interview timer and focus management.
(function () {
  "use strict";
  const script = document.currentScript;
  // Keyboard hints and the live grade suggestion only mean something with this script.
  document.documentElement.classList.add("js");
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
        const tex = node.textContent;
        try {
          katex.render(tex, node, {
            displayMode: node.classList.contains("block"),
            throwOnError: true, // KaTeX's own red error text uses an inline style our CSP forbids
          });
          node.dataset.rendered = "1";
        } catch (err) {
          // katex.render empties the node before it parses: put the source back, so a
          // learner still reads it and an editor sees what to fix.
          node.textContent = tex;
          node.title = err.message;
          node.dataset.rendered = "error";
        }
      });
    });
  }

  function clockText(seconds) {
    const m = Math.floor(seconds / 60);
    return m + ":" + String(seconds % 60).padStart(2, "0");
  }

  // Counts down from the server's figure (the page already shows it as text, for
  // learners without this script). data-overtime keeps counting past zero, as the
  // interview records it; data-auto-reveal submits the card's answer form at zero, so
  // what was typed reaches the server, which reveals the answer with "Time is up".
  function startTimers(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.dataset.started) return;
      el.dataset.started = "1";
      let left = parseInt(el.dataset.countdown, 10);
      const overtime = el.hasAttribute("data-overtime");
      const tick = function () {
        if (!el.isConnected) return;
        if (left > 0) {
          el.textContent = clockText(left) + (el.dataset.suffix || "");
        } else if (overtime) {
          el.classList.add("expired");
          el.textContent = "time is up, " + clockText(-left) + " over";
          if (el.hasAttribute("data-auto-reveal")) {
            el.removeAttribute("data-auto-reveal");
            const card = el.closest("section");
            const form = card && card.querySelector("form[data-draft]");
            if (form) form.requestSubmit();
          }
        } else {
          el.classList.add("expired");
          el.textContent = "0:00 — time is up";
          return;
        }
        left -= 1;
        setTimeout(tick, 1000);
      };
      tick();
    });
  }

  function isTyping(event) {
    const t = event.target;
    if (!t) return false;
    // A key point's checkbox takes no text: 1–4 still grade after ticking one.
    if (t.tagName === "INPUT") return t.type !== "checkbox" && t.type !== "radio";
    return t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
  }

  // Space or Enter reveals; 1–4 grade. Buttons carry data-shortcut with their key.
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event)) return;
    const tag = event.target && event.target.tagName;
    // On a button, link or checkbox, Space and Enter keep their own meaning.
    if ((event.key === " " || event.key === "Enter") && (tag === "BUTTON" || tag === "A" || tag === "INPUT")) return;
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

  // The typed answer is kept in this tab (sessionStorage) until the question is revealed,
  // so a reload, an expired log-in or a stale form token does not lose it.
  function draftStore() {
    try { return window.sessionStorage; } catch (err) { return null; }
  }
  document.addEventListener("input", function (event) {
    const form = event.target.closest("form[data-draft]");
    const store = draftStore();
    if (!form || !store || event.target.tagName !== "TEXTAREA") return;
    try { store.setItem("draft:" + form.dataset.draft, event.target.value); } catch (err) { /* full */ }
  });
  function restoreDrafts(root) {
    const store = draftStore();
    if (!store) return;
    root.querySelectorAll("[data-draft-done]").forEach(function (el) {
      store.removeItem("draft:" + el.dataset.draftDone);
    });
    root.querySelectorAll("form[data-draft]").forEach(function (form) {
      const area = form.querySelector("textarea");
      const saved = store.getItem("draft:" + form.dataset.draft);
      if (area && saved && !area.value) area.value = saved;
    });
  }

  function enhance(root) {
    renderMath(root);
    startTimers(root);
    restoreDrafts(root);
  }

  // A page restored from the back-forward cache shows the cards it had when it was left;
  // a session may have moved on since (another tab). Pages marked data-reload-on-back load
  // again (their drafts come back from sessionStorage); the server sends them no-store.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.querySelector("[data-reload-on-back]")) {
      window.location.reload();
    }
  });

  // In development django-htmx's debug script (which {% htmx_script %} adds when DEBUG is on)
  // replaces the whole document with any 400/403/404/500 answer to an htmx request: right for
  // Django's error pages, which are whole documents, but it wiped the page when a form came back
  // with its message (a 400 fragment). A fragment stops here, on <html>, before it reaches that
  // handler on the document, and htmx swaps it as our responseHandling config says.
  document.documentElement.addEventListener("htmx:beforeOnLoad", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    if (!/^\s*(<!doctype html|<html)/i.test(xhr.responseText || "")) event.stopPropagation();
  });

  // htmx:load fires for the first page and for every piece of swapped-in content.
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function () {
    // Move focus to the new card's heading so keyboard and screen-reader users follow the swap.
    const focusTarget = document.querySelector("[data-focus-on-swap]");
    if (focusTarget) focusTarget.focus({ preventScroll: false });
  });
})();
