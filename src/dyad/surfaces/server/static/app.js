// dyad explorer: a little progressive enhancement. It never inserts markup: text goes in with
// textContent only, so nothing from an article can become an element or a script here.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Code a text: say that coding is under way (the first request loads the model: a few seconds).
  const form = document.getElementById("code-form");
  if (form) {
    form.addEventListener("submit", () => {
      const button = document.getElementById("code-submit");
      const status = document.getElementById("code-status");
      if (button) button.disabled = true;
      if (status) status.textContent = "coding…";
    });
  }
  // Filters: drop empty fields from the query string, so links stay short.
  for (const filters of document.querySelectorAll("form.filters[method=get]")) {
    filters.addEventListener("submit", () => {
      for (const field of filters.querySelectorAll("input, select")) {
        if (field.value === "" && field.name) field.disabled = true;
      }
    });
  }
  // Coming back (history), fields disabled above must be usable again.
  window.addEventListener("pageshow", () => {
    for (const field of document.querySelectorAll("form.filters [disabled]")) field.disabled = false;
  });
  // Article view: scroll the selected event's sentence into view.
  const selected = document.querySelector(".article-text .hl");
  if (selected && !location.hash) selected.scrollIntoView({ block: "center" });
});
