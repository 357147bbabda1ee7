/* Public forms: move focus to the error summary after a refused submit, and count characters left in
   fields that say their limit (data-maxlength). Pages work without it; it only helps. */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  document.querySelectorAll("textarea[data-maxlength]").forEach(function (field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    var counter = document.getElementById(field.id + "_counter");
    if (!counter || !limit) { return; }
    var template = counter.getAttribute("data-template");
    function update() {
      var left = limit - field.value.length;
      counter.textContent = template.replace("%s", String(left));
      counter.classList.toggle("over-limit", left < 0);
    }
    field.addEventListener("input", update);
    update();
  });
});
