// vnsearch's page works as plain links and forms; this only makes the form quicker to use.
// (Served from /static: the Content-Security-Policy allows no inline script.)
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.search");
  if (!form) return;
  // Leave empty filters out of the URL, so a bookmarked search reads cleanly.
  form.addEventListener("submit", () => {
    for (const input of form.querySelectorAll("input")) {
      if (input.type !== "checkbox" && input.value.trim() === "") input.disabled = true;
    }
  });
  // The switches apply at once when there is a query to apply them to.
  for (const box of form.querySelectorAll("input[type=checkbox]")) {
    box.addEventListener("change", () => {
      if (form.elements.q.value.trim() !== "") form.requestSubmit();
    });
  }
  // "/" focuses the search box, as on many search pages.
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      form.elements.q.focus();
      form.elements.q.select();
    }
  });
});
