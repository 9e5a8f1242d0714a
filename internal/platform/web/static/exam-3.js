// Exam page: shows the time left (the server owns the deadline; this only
// counts down what the page was given) and saves each answer as it changes.
// Without this script the page still works: each button posts the form.
(function () {
  "use strict";
  var form = document.getElementById("answer");
  var timer = document.getElementById("timer");
  var state = document.getElementById("save-state");
  if (!form || !timer) return;
  var end = Date.now() + 1000 * parseInt(timer.dataset.remaining, 10);
  var submitForm = document.getElementById("submit-form");
  function clock(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, ss = String(s % 60).padStart(2, "0");
    return h > 0 ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
  }
  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    timer.textContent = clock(s);
    if (s === 0) {
      // Time is up: the server closes the attempt anyway; submitting now
      // shows the result at once. No confirmation is asked.
      flush().then(function () { submitForm.submit(); });
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
  // fields reads one question's response from its fields, their names
  // prefixed with pre (a part of a composite item); null when an
  // ordering is not complete.
  function fields(root, type, pre) {
    var out = [];
    if (type === "ordering") {
      var sel = root.querySelectorAll("select[name^='" + pre + "pos-']"), pairs = [];
      for (var i = 0; i < sel.length; i++) {
        if (!sel[i].value) return null;
        pairs.push([parseInt(sel[i].value, 10), sel[i].name.slice(pre.length + 4)]);
      }
      pairs.sort(function (a, b) { return a[0] - b[0]; });
      return pairs.map(function (p) { return p[1]; });
    }
    if (type === "matching") {
      var ms = root.querySelectorAll("select[name^='" + pre + "match-']");
      for (var j = 0; j < ms.length; j++) {
        if (ms[j].value) out.push(ms[j].name.slice(pre.length + 6) + ":" + ms[j].value);
      }
      return out;
    }
    var inputs = root.querySelectorAll("[name='" + pre + "r']");
    for (var k = 0; k < inputs.length; k++) {
      var el = inputs[k];
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "") out.push(el.value.trim());
    }
    return out;
  }
  // response is the item's response; a composite item's parts each write
  // their values "k:value" (an ordering part not yet complete is left out).
  function response() {
    if (form.dataset.type !== "composite") return fields(form, form.dataset.type, "");
    var parts = form.querySelectorAll("[data-part]"), out = [];
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i], vals = fields(p, p.dataset.type, p.dataset.name) || [];
      for (var j = 0; j < vals.length; j++) out.push(p.dataset.part + ":" + vals[j]);
    }
    return out;
  }
  var pending = null, timerID = null, inflight = Promise.resolve();
  function save() {
    var r = response();
    if (r === null) return inflight;
    pending = r;
    inflight = fetch("/api/v1/attempts/" + form.dataset.attempt + "/answers/" + form.dataset.idx, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ response: r })
    }).then(function (res) {
      if (!res.ok) throw new Error(res.status);
      if (pending === r) pending = null;
      state.textContent = state.dataset.saved;
    }).catch(function () {
      state.textContent = state.dataset.failed;
      clearTimeout(timerID);
      timerID = setTimeout(save, 3000);
    });
    return inflight;
  }
  // flush saves a text answer still waiting for its pause.
  function flush() {
    clearTimeout(timerID);
    return pending !== null || /^(short_text|numeric|essay|composite)$/.test(form.dataset.type) ? save() : inflight;
  }
  form.addEventListener("change", save);
  form.addEventListener("input", function (e) {
    if (e.target.type === "text" || e.target.type === "textarea") { clearTimeout(timerID); timerID = setTimeout(save, 800); }
  });
  // "Nộp bài" opens a dialog that counts the blank questions; without this
  // script the same button leads to a confirmation page.
  var dialog = document.getElementById("confirm-submit");
  var start = document.getElementById("submit-exam");
  var progress = document.getElementById("progress");
  if (!dialog || !start || typeof dialog.showModal !== "function") return;
  start.addEventListener("click", function (e) {
    e.preventDefault();
    var r = response();
    var answered = parseInt(progress.dataset.others, 10) + (r && r.length ? 1 : 0);
    var blank = parseInt(progress.dataset.total, 10) - answered;
    var count = document.getElementById("confirm-count");
    count.textContent = blank > 0 ? count.dataset.some.replace("{n}", String(blank)) : count.dataset.none;
    flush();
    dialog.showModal();
    document.getElementById("confirm-cancel").focus();
  });
  document.getElementById("confirm-cancel").addEventListener("click", function () { dialog.close(); start.focus(); });
  submitForm.addEventListener("submit", function (e) {
    e.preventDefault();
    flush().then(function () { submitForm.submit(); });
  });
})();
