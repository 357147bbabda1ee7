/* «Версия для слабовидящих»: apply the visitor's choice (cookie osp_low_vision, set by /low-vision/) to the
   page before it is painted. Loaded synchronously in <head>; pages themselves are the same for everyone. */
(function () {
  var match = document.cookie.match(/(?:^|;\s*)osp_low_vision=([^;]*)/);
  if (!match) { return; }
  var root = document.documentElement;
  root.classList.add("low-vision");
  match[1].split(".").forEach(function (pair) {
    var dash = pair.indexOf("-");
    if (dash > 0) { root.setAttribute("data-lv-" + pair.slice(0, dash), pair.slice(dash + 1)); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    match[1].split(".").forEach(function (pair) {
      var link = document.querySelector('[data-lv-choice="' + pair + '"]');
      if (link) { link.setAttribute("aria-current", "true"); }
    });
  });
})();
