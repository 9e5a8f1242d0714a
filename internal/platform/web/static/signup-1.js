// Sign-up page: says how strong the password being typed is (the same
// rule as account.PasswordHint: length first, then the mix of kinds of
// characters). Without this script the form works the same.
(function () {
  "use strict";
  var pw = document.getElementById("password");
  var out = document.getElementById("password-strength");
  if (!pw || !out) return;
  pw.addEventListener("input", function () {
    var s = pw.value, n = Array.from(s).length, kinds = 0;
    [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[\p{P}\p{S} ]/u].forEach(function (re) { if (re.test(s)) kinds++; });
    var level = n >= 16 || (n >= 12 && kinds >= 3) ? "strong" : n >= 10 ? "fair" : "weak";
    out.textContent = n === 0 ? "" : out.dataset[level];
    out.className = "strength " + level;
  });
})();
