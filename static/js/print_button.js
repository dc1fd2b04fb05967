// A print button for pages made to be printed (certificates): shown only where
// scripts run, since without them the browser's own Print command does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
