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
  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    var m = Math.floor(s / 60);
    timer.textContent = m + ":" + String(s % 60).padStart(2, "0");
    if (s === 0) {
      var b = document.getElementById("submit-exam");
      if (b) { b.click(); }
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
  function response() {
    var type = form.dataset.type, out = [];
    if (type === "ordering") {
      var sel = form.querySelectorAll("select[name^='pos-']"), pairs = [];
      for (var i = 0; i < sel.length; i++) {
        if (!sel[i].value) return null;
        pairs.push([parseInt(sel[i].value, 10), sel[i].name.slice(4)]);
      }
      pairs.sort(function (a, b) { return a[0] - b[0]; });
      return pairs.map(function (p) { return p[1]; });
    }
    if (type === "matching") {
      var ms = form.querySelectorAll("select[name^='match-']");
      for (var j = 0; j < ms.length; j++) {
        if (ms[j].value) out.push(ms[j].name.slice(6) + ":" + ms[j].value);
      }
      return out;
    }
    var inputs = form.querySelectorAll("[name='r']");
    for (var k = 0; k < inputs.length; k++) {
      var el = inputs[k];
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "") out.push(el.value.trim());
    }
    return out;
  }
  var pending = null, timerID = null;
  function save() {
    var r = response();
    if (r === null) return;
    pending = r;
    fetch("/api/v1/attempts/" + form.dataset.attempt + "/answers/" + form.dataset.idx, {
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
  }
  form.addEventListener("change", save);
  form.addEventListener("input", function (e) {
    if (e.target.type === "text") { clearTimeout(timerID); timerID = setTimeout(save, 800); }
  });
})();
