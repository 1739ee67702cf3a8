// Start GOV.UK Frontend's components (error summary focus, header menu, etc.).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// The timeout warning (GOV.UK pattern): a modal dialog before the idle limit with "Stay
// signed in". When the time runs out, what was typed on the page is kept in this tab's
// sessionStorage and put back after the person signs in again (the server sends them
// back to this page).
const KEPT = "mentor-match:kept:";
const SKIP = new Set(["hidden", "password", "file", "submit", "button"]);

function fields(form) {
  return Array.from(form.elements).filter(
    (el) => el.name && el.name !== "csrf_token" && !SKIP.has(el.type),
  );
}

function keepForms() {
  const forms = Array.from(document.querySelectorAll("main form[method='post' i]"));
  const saved = forms.map((form) =>
    fields(form).map((el) => [
      el.name,
      el.type === "checkbox" || el.type === "radio" ? el.checked : el.value,
    ]),
  );
  if (saved.some((f) => f.some(([, v]) => v !== "" && v !== false))) {
    sessionStorage.setItem(KEPT + location.pathname, JSON.stringify(saved));
  }
}

function restoreForms() {
  const raw = sessionStorage.getItem(KEPT + location.pathname);
  if (!raw) return;
  sessionStorage.removeItem(KEPT + location.pathname);
  const forms = Array.from(document.querySelectorAll("main form[method='post' i]"));
  let restored = null;
  JSON.parse(raw).forEach((values, i) => {
    const form = forms[i];
    if (!form) return;
    const els = fields(form);
    values.forEach(([name, value], j) => {
      const el = els[j];
      if (!el || el.name !== name) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = value === true;
      else if (value !== "") el.value = value;
      if (value !== "" && value !== false) restored = restored || form;
    });
  });
  if (restored) {
    const note = document.createElement("div");
    note.className = "govuk-inset-text";
    note.dataset.testid = "kept-form";
    note.textContent =
      "You were signed out. We kept what you had typed: check it, then save it.";
    restored.prepend(note);
  }
}

function timeoutWarning(dialog) {
  const warnBefore = Number(dialog.dataset.warnBefore) * 1000;
  let deadline = 0;
  let timers = [];

  function expire() {
    if (dialog.open) dialog.close();
    keepForms();
    location.assign(location.pathname + location.search); // the server signs out
  }

  function schedule(seconds) {
    timers.forEach(clearTimeout);
    deadline = Date.now() + seconds * 1000;
    timers = [
      setTimeout(() => {
        if (!dialog.open) dialog.showModal();
      }, Math.max(0, seconds * 1000 - warnBefore)),
      setTimeout(expire, seconds * 1000 + 1000),
    ];
  }

  dialog.querySelector("[data-stay]").addEventListener("click", async () => {
    const response = await fetch(dialog.dataset.keepAlive, {
      method: "POST",
      headers: { "X-CSRFToken": dialog.dataset.csrf },
      credentials: "same-origin",
    });
    if (!response.ok) return expire();
    const { expires_in: left } = await response.json();
    dialog.close();
    schedule(left);
  });
  dialog.addEventListener("cancel", (event) => event.preventDefault()); // Esc: choose
  // A form sent after the limit would be lost: keep it and sign in again first.
  document.addEventListener("submit", (event) => {
    if (Date.now() >= deadline && !event.target.closest("dialog")) {
      event.preventDefault();
      expire();
    }
  });
  schedule(Number(dialog.dataset.expiresIn));
}

restoreForms();
const dialog = document.getElementById("timeout-warning");
if (dialog) timeoutWarning(dialog);
