// The printed handout's Print button: the browser's own print dialogue (a script file, as the
// Content Security Policy allows no inline handlers).
"use strict";

document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
