// The browser connectivity check: for each proxy and transport, ask for a TURN relay with
// only that server's URL (iceTransportPolicy "relay"), show passed / blocked / timed out
// with the time taken, send the results as a report and show the missing rule lines.
(function () {
  "use strict";
  const dataNode = document.getElementById("check-data");
  if (!dataNode) return;
  const data = JSON.parse(dataNode.textContent);
  const urls = JSON.parse(document.getElementById("check-urls").textContent);
  const status = document.getElementById("check-status");
  const runButton = document.getElementById("run-check");
  const formatSelect = document.getElementById("missing-format");
  const missingLines = document.getElementById("missing-lines");
  const missingNote = document.getElementById("missing-note");
  const LABELS = { reachable: "passed", blocked: "blocked", timed_out: "timed out" };
  const BADGES = { reachable: "badge-active", blocked: "badge-failed", timed_out: "badge-pending" };
  const PARALLEL = 4;
  let reportId = null;

  function gatherRelay(url) {
    const started = performance.now();
    const pc = new RTCPeerConnection({
      iceServers: [{ urls: [url], username: data.username, credential: data.credential }],
      iceTransportPolicy: "relay",
    });
    pc.createDataChannel("connectivity-check");
    return new Promise((resolve) => {
      let finished = false;
      const finish = (outcome) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        pc.close();
        resolve({ outcome, ms: Math.round(performance.now() - started) });
      };
      const timer = setTimeout(() => finish("timed_out"), data.timeout_ms);
      pc.onicecandidate = (event) => {
        if (event.candidate && event.candidate.candidate.includes(" typ relay")) finish("reachable");
        else if (!event.candidate) finish("blocked"); // gathering ended without a relay
      };
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch(() => finish("blocked"));
    });
  }

  function show(cell, outcome, ms) {
    cell.dataset.outcome = outcome;
    cell.innerHTML = "";
    const badge = document.createElement("span");
    badge.className = "badge " + BADGES[outcome];
    badge.textContent = LABELS[outcome];
    const time = document.createElement("span");
    time.className = "muted small";
    time.textContent = " " + ms + " ms";
    cell.append(badge, time);
  }

  async function runCell(cell) {
    cell.innerHTML = '<span class="badge badge-none">checking</span>';
    const { outcome, ms } = await gatherRelay(cell.dataset.url);
    show(cell, outcome, ms);
    return {
      destination: cell.closest("tr").dataset.address,
      protocol: cell.dataset.protocol,
      port: Number(cell.dataset.port),
      transport: cell.dataset.transport,
      reachable: outcome === "reachable",
      outcome,
      ms,
    };
  }

  async function runAll() {
    const cells = [...document.querySelectorAll("td[data-url]")];
    const results = [];
    let next = 0;
    async function worker() {
      while (next < cells.length) results.push(await runCell(cells[next++]));
    }
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    return results;
  }

  async function showMissing() {
    if (reportId === null) return;
    const url = urls.missing.replace("/reports/0/", "/reports/" + reportId + "/");
    const response = await fetch(url + "?format=" + encodeURIComponent(formatSelect.value));
    const body = await response.json();
    missingLines.textContent = body.lines.join("\n");
    missingLines.hidden = body.lines.length === 0;
    missingNote.textContent = body.lines.length
      ? "Add these " + body.label + " lines to the firewall that holds our rules:"
      : "Nothing is missing: every proxy and transport got through.";
  }

  async function run() {
    runButton.disabled = true;
    status.textContent = "Checking…";
    const results = await runAll();
    const failed = results.filter((item) => !item.reachable).length;
    const response = await fetch(urls.report, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": urls.csrf },
      body: JSON.stringify({ version: data.version, results }),
      credentials: "same-origin",
    });
    const stored = await response.json();
    reportId = response.ok ? stored.id : null;
    status.textContent =
      (failed ? failed + " of " + results.length + " blocked" : "All " + results.length + " passed") +
      (response.ok ? "; reported as #" + stored.id + "." : "; the report was refused.");
    await showMissing();
    status.dataset.done = "1";
    runButton.disabled = false;
  }

  runButton.addEventListener("click", run);
  formatSelect.addEventListener("change", showMissing);
  run();
})();
