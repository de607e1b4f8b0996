/* Partner Center support portal: small progressive enhancements (the pages work without them).
 *
 * - The main menu folds behind a "Menu" button on narrow screens (the button stays hidden, and
 *   the menu open, when this script does not run).
 * - The header's language switcher applies as soon as a language is picked.
 * - A table wider than its card scrolls inside its .table-wrap, which is made keyboard-focusable
 *   and named after the table, so keyboard users can scroll it too.
 *
 * No visible or spoken text is written here: words come from the page, translated by its
 * template (a wrap's name falls back to the <body data-table-label> the template renders).
 */
(function () {
  "use strict";

  function setUpMenu() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("main-nav");
    if (!toggle || !nav) return;
    document.documentElement.classList.add("has-nav-toggle");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("is-open", open);
    });
  }

  function fallbackName() {
    return document.body.getAttribute("data-table-label") || "Table";
  }

  function tableName(wrap) {
    var table = wrap.querySelector("table");
    if (!table) return fallbackName();
    if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var heading = wrap.closest("section, .card, main");
    heading = heading && heading.querySelector("h2, h1");
    return heading ? heading.textContent.trim() : fallbackName();
  }

  function makeScrollableTablesFocusable(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.hasAttribute("tabindex")) return;
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", tableName(wrap));
    });
  }

  // A select marked data-autosubmit (the language switcher) applies on change; its button hides.
  function setUpAutosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var button = select.form && select.form.querySelector("button[type=submit]");
      if (button) button.hidden = true;
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    setUpAutosubmit();
    makeScrollableTablesFocusable(document);
  });
  // Tables swapped in by htmx (queue results, progress) get the same treatment.
  document.addEventListener("htmx:afterSwap", function (event) {
    makeScrollableTablesFocusable(event.target);
  });
})();
