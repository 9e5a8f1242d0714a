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
    if (form.dataset.type === "upload") return inflight; // sent on its own, below
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
  // Points on a picture: a tap on the image fills the next empty box (the
  // last one when all are full), a tap on a mark removes it. The boxes
  // stay, for typing and for pages without this script.
  Array.prototype.forEach.call(form.querySelectorAll(".point-pick"), function (pick) {
    var svg = pick.parentNode.querySelector(".picture svg");
    if (!svg || !svg.createSVGPoint) return;
    var boxes = pick.querySelectorAll("input"), NS = "http://www.w3.org/2000/svg";
    function point(box) {
      var f = box.value.trim().split(/\s+/);
      return f.length === 2 && f[0] !== "" && !isNaN(+f[0]) && !isNaN(+f[1]) ? [+f[0], +f[1]] : null;
    }
    function draw() {
      Array.prototype.forEach.call(svg.querySelectorAll(".mark"), function (m) { m.parentNode.removeChild(m); });
      Array.prototype.forEach.call(boxes, function (b, i) {
        var p = point(b);
        if (!p) return;
        var c = document.createElementNS(NS, "circle");
        c.setAttribute("class", "mark"); c.setAttribute("cx", p[0]); c.setAttribute("cy", p[1]); c.setAttribute("r", 7);
        var t = document.createElementNS(NS, "text");
        t.setAttribute("class", "mark area-label"); t.setAttribute("x", p[0]); t.setAttribute("y", p[1] - 11); t.setAttribute("text-anchor", "middle");
        t.textContent = String(i + 1);
        svg.appendChild(c); svg.appendChild(t);
      });
    }
    function changed() { draw(); pick.dispatchEvent(new Event("change", { bubbles: true })); }
    svg.classList.add("pickable");
    svg.addEventListener("click", function (e) {
      var pt = svg.createSVGPoint();
      pt.x = e.clientX; pt.y = e.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse()), x = Math.round(p.x), y = Math.round(p.y);
      for (var i = 0; i < boxes.length; i++) {
        var q = point(boxes[i]);
        if (q && Math.abs(q[0] - x) <= 9 && Math.abs(q[1] - y) <= 9) { boxes[i].value = ""; changed(); return; }
      }
      var target = boxes[boxes.length - 1];
      for (var j = 0; j < boxes.length; j++) if (!point(boxes[j])) { target = boxes[j]; break; }
      target.value = x + " " + y;
      changed();
    });
    pick.addEventListener("input", draw);
    draw();
  });
  // An upload item sends its file as soon as it is chosen; the page then
  // names the file handed in. (Without this script the buttons post it.)
  var fileInput = form.dataset.type === "upload" && form.querySelector("input[type=file]");
  if (fileInput) fileInput.addEventListener("change", function () {
    if (!fileInput.files.length) return;
    var data = new FormData();
    data.append("file", fileInput.files[0]);
    state.textContent = form.dataset.saving;
    inflight = fetch("/api/v1/attempts/" + form.dataset.attempt + "/files/" + form.dataset.idx, {
      method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" }, body: data
    }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error((body.error && body.error.message) || res.status);
        var cur = form.querySelector(".upload-current");
        if (!cur) {
          cur = document.createElement("p");
          cur.className = "upload-current";
          fileInput.parentNode.insertBefore(cur, fileInput);
        }
        var a = document.createElement("a");
        a.href = "/files/" + body.response[0].slice(5);
        a.textContent = body.name;
        cur.textContent = "";
        cur.appendChild(a);
        fileInput.value = "";
        state.textContent = state.dataset.saved;
      });
    }).catch(function (e) {
      state.textContent = state.dataset.failed + (e && e.message ? " — " + e.message : "");
    });
  });
  // "Nộp bài" opens a dialog that counts the blank questions; without this
  // script the same button leads to a confirmation page.
  var dialog = document.getElementById("confirm-submit");
  var start = document.getElementById("submit-exam");
  var progress = document.getElementById("progress");
  if (!dialog || !start || typeof dialog.showModal !== "function") return;
  start.addEventListener("click", function (e) {
    e.preventDefault();
    var r = form.dataset.type === "upload" ? (form.querySelector(".upload-current") ? [1] : []) : response();
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
