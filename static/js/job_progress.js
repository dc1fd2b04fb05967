// A background job's page: the progress bar follows the job without reloading, from
// the small JSON status the page links to (data-status-url), once a second; when the
// job has finished, the page is loaded again to show the download or what went wrong.
// Without script the page offers a link that loads it again (#job-refresh).
(function () {
  const section = document.getElementById("job");
  const bar = document.getElementById("job-progress");
  if (!section || !bar) {
    return;
  }
  const text = document.getElementById("job-progress-text");
  const state = document.getElementById("job-state");
  const refresh = document.getElementById("job-refresh");
  if (refresh) {
    refresh.hidden = true;
  }
  const url = section.dataset.statusUrl;
  let failures = 0;

  function show(status) {
    bar.max = Math.max(status.total, 1);
    bar.value = status.done;
    bar.textContent = status.percent + "%";
    if (text) {
      text.textContent = status.text + " · " + status.percent + "%";
    }
    if (state && state.textContent !== status.state_label) {
      state.textContent = status.state_label;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then((status) => {
        failures = 0;
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(() => {
        // The network or the server hiccuped: try less often, and offer the link.
        failures += 1;
        if (refresh) {
          refresh.hidden = false;
        }
        window.setTimeout(poll, Math.min(30000, 1000 * 2 ** failures));
      });
  }

  window.setTimeout(poll, 1000);
})();
