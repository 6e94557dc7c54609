// Ordered exercise inlines in the admin (program templates and prescriptions):
// drag rows, or use the up/down buttons, to reorder them; the "order" inputs are
// renumbered to match. A live "about N minutes" total follows every dose change.
// Plain JavaScript, no framework; loaded by ModelAdmin.Media (CSP: no inline script). Its
// words come from the JavaScript catalogue (/jsi18n/, loaded by templates/admin/base_site.html).
"use strict";

(function () {
  function rows(table) {
    return Array.from(table.querySelectorAll("tbody tr.form-row:not(.empty-form)"));
  }

  function field(row, name) {
    return row.querySelector(`[name$="-${name}"]`);
  }

  function number(row, name) {
    const input = field(row, name);
    const value = input ? parseInt(input.value, 10) : NaN;
    return Number.isFinite(value) ? value : 0;
  }

  // The same estimate as exercises/dosage.py estimate_seconds.
  function rowSeconds(row) {
    const deleted = field(row, "DELETE");
    if (!field(row, "exercise") || !field(row, "exercise").value || (deleted && deleted.checked)) {
      return 0;
    }
    const sets = number(row, "sets") || 1;
    const reps = number(row, "reps");
    const hold = number(row, "hold_seconds");
    const side = field(row, "side") ? field(row, "side").value : "both";
    let perSet = (reps || 1) * Math.max(hold, reps ? 3 : 0);
    if (side === "each") perSet *= 2;
    return sets * perSet + Math.max(sets - 1, 0) * number(row, "rest_seconds");
  }

  function updateTotal(table) {
    const seconds = rows(table).reduce((sum, row) => sum + rowSeconds(row), 0);
    document.querySelectorAll("[data-total-minutes]").forEach((el) => {
      const minutes = Math.max(1, Math.round(seconds / 60));
      el.textContent = interpolate(
        ngettext("about %(count)s minute", "about %(count)s minutes", minutes), { count: minutes }, true,
      );
    });
  }

  // Rows without an exercise keep an empty order, so an unused extra row stays unchanged
  // and Django ignores it.
  function renumber(table) {
    let position = 0;
    rows(table).forEach((row) => {
      const order = field(row, "order");
      const exercise = field(row, "exercise");
      if (!order || !exercise || !exercise.value) return;
      position += 1;
      order.value = position;
    });
    updateTotal(table);
  }

  function move(table, row, direction) {
    const sibling = direction < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling || !sibling.classList.contains("form-row") || sibling.classList.contains("empty-form")) return;
    if (direction < 0) sibling.before(row); else sibling.after(row);
    renumber(table);
  }

  function addControls(table, row) {
    if (row.querySelector(".order-controls")) return;
    const cell = row.querySelector("td.field-order");
    // A read-only view (a clinic-wide template seen by a clinician) has no order input:
    // no arrows and no dragging, since nothing there can be saved.
    if (!cell || !cell.querySelector("input")) return;
    row.draggable = true;
    const controls = document.createElement("span");
    controls.className = "order-controls";
    [["↑", -1, gettext("Move up")], ["↓", 1, gettext("Move down")]].forEach(([label, direction, name]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.setAttribute("aria-label", name);
      button.addEventListener("click", () => move(table, row, direction));
      controls.append(button);
    });
    cell.append(controls);
  }

  // On a narrow screen (a 1024 px laptop with the admin's sidebar, an 820 px tablet) the
  // rows wrap instead of running off the right edge (static/css/admin.css); each cell then
  // shows its column's heading, copied here from the table's head.
  function labelCells(table, row) {
    // The visually hidden names of the row and delete columns are for screen readers
    // (templates/admin/edit_inline/tabular.html), not labels to show in every cell.
    const headings = Array.from(table.querySelectorAll("thead th")).map((th) =>
      th.querySelector("[data-unlabelled]") || th.hasAttribute("data-unlabelled")
        ? ""
        : th.textContent.trim()
    );
    (row ? [row] : rows(table)).forEach((tr) => {
      Array.from(tr.children).forEach((cell, index) => {
        if (headings[index]) cell.dataset.label = headings[index];
      });
    });
    table.classList.add("labelled");
  }

  function setUp(group) {
    const table = group.querySelector("table");
    if (!table) return;
    labelCells(table);
    let dragged = null;
    rows(table).forEach((row) => addControls(table, row));
    table.addEventListener("dragstart", (event) => {
      dragged = event.target.closest("tr.form-row");
      if (dragged) dragged.classList.add("dragging");
    });
    table.addEventListener("dragend", () => {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      renumber(table);
    });
    table.addEventListener("dragover", (event) => {
      const over = event.target.closest("tr.form-row");
      if (!dragged || !over || over === dragged || over.classList.contains("empty-form")) return;
      event.preventDefault();
      const box = over.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) over.before(dragged); else over.after(dragged);
    });
    table.addEventListener("input", () => updateTotal(table));
    table.addEventListener("change", () => renumber(table));
    document.addEventListener("formset:added", (event) => {
      if (!table.contains(event.target)) return;
      labelCells(table, event.target);
      addControls(table, event.target);
      renumber(table);
    });
    updateTotal(table);
  }

  // Select2 (the admin's exercise search) draws its own combobox and names it by the
  // chosen exercise only (aria-labelledby its text), so a blank row's box and its text had
  // no name at all (axe-core: aria-input-field-name, serious). Name it by the select's own label as well
  // ("Exercise, row 5", from LabelledInlineFields), kept in a hidden span beside it.
  // Select2 draws the box on jQuery's ready and on "formset:added", in an order we do not
  // control, so a MutationObserver names each box when it appears.
  function nameComboboxes(root) {
    root.querySelectorAll("select.admin-autocomplete[aria-label]").forEach((select) => {
      const box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      if (!box || box.dataset.named) return;
      const name = document.createElement("span");
      name.id = `${select.id}-name`;
      name.className = "visually-hidden";
      name.textContent = select.getAttribute("aria-label");
      select.after(name);
      const shown = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", shown ? `${name.id} ${shown}` : name.id);
      box.dataset.named = "1";
      // The text inside (role "textbox") is empty until an exercise is chosen, so it is
      // named the same way (the box's own name still reads the chosen exercise: a name
      // reached through aria-labelledby is not followed a second time).
      const shownText = box.querySelector(".select2-selection__rendered[id]");
      if (shownText) shownText.setAttribute("aria-labelledby", `${name.id} ${shownText.id}`);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".inline-group.ordered-items, .ordered-items").forEach(setUp);
    document.querySelectorAll(".inline-group").forEach((group) => {
      nameComboboxes(group);
      new MutationObserver(() => nameComboboxes(group)).observe(group, {
        childList: true,
        subtree: true,
      });
    });
  });
})();
