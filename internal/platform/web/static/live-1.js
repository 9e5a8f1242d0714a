// Two small enhancements, for the pages that ask for them; without this
// script those pages work as plain forms and links.
//   <input data-live="ID">  in a GET form: as the person types, fetch the
//     form's results and replace the element ID with the new one.
//   <div id="ID" data-refresh="N">: fetch this page every N seconds and
//     replace the element with the new one (a proctor's live roster).
(function () {
  "use strict";
  function swap(url, id) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) { if (!res.ok) throw new Error(res.status); return res.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var old = document.getElementById(id);
        if (fresh && old) old.replaceWith(document.importNode(fresh, true));
      });
  }
  document.querySelectorAll("input[data-live]").forEach(function (input) {
    var t = null, seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(t);
      t = setTimeout(function () {
        var url = input.form.action.split("?")[0] + "?" + new URLSearchParams(new FormData(input.form)).toString();
        var mine = ++seq;
        fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
          .then(function (res) { if (!res.ok) throw new Error(res.status); return res.text(); })
          .then(function (html) {
            if (mine !== seq) return; // an older answer arriving late
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(input.dataset.live);
            var old = document.getElementById(input.dataset.live);
            if (fresh && old) old.replaceWith(document.importNode(fresh, true));
            history.replaceState(null, "", url);
          }).catch(function () {});
      }, 300);
    });
  });
  document.querySelectorAll("[data-refresh]").forEach(function (el) {
    var id = el.id, every = 1000 * parseInt(el.dataset.refresh, 10);
    function again() {
      setTimeout(function () {
        if (document.hidden) { again(); return; }
        swap(location.href, id).then(again, again);
      }, every);
    }
    again();
  });
})();
