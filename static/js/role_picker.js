// The GDAP role picker (gdap/templates/gdap/_role_picker.html): search by name, filter by
// capability or by selection, count the selected roles. Without JavaScript every role is still
// listed, grouped, and selectable.
(function () {
  "use strict";

  function setUp(picker) {
    var tools = picker.querySelector("[data-role-picker-tools]");
    var search = picker.querySelector("[data-role-search]");
    var filters = picker.querySelectorAll("[data-role-filter]");
    var count = picker.querySelector("[data-role-count]");
    var shown = picker.querySelector("[data-role-shown]");
    var empty = picker.querySelector("[data-role-empty]");
    var groups = picker.querySelectorAll("[data-role-group]");
    var items = picker.querySelectorAll("li[data-role-name]");
    var initiallyOpen = Array.prototype.map.call(groups, function (g) { return g.open; });
    tools.hidden = false;

    function wanted(name) {
      for (var i = 0; i < filters.length; i++) {
        if (filters[i].dataset.roleFilter === name) { return filters[i].checked; }
      }
      return false;
    }

    function update() {
      var query = search.value.trim().toLowerCase();
      var narrowing = query !== "" || wanted("tickets") || wanted("health") || wanted("selected");
      var visible = 0;
      var checked = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input[type=checkbox]");
        if (box.checked) { checked += 1; }
        var match = (query === "" || item.dataset.roleName.indexOf(query) !== -1) &&
          (!wanted("tickets") || item.dataset.tickets === "1") &&
          (!wanted("health") || item.dataset.health === "1") &&
          (!wanted("selected") || box.checked);
        item.hidden = !match;
        if (match) { visible += 1; }
      });
      groups.forEach(function (group, index) {
        var any = group.querySelector("li[data-role-name]:not([hidden])") !== null;
        group.hidden = !any;
        group.open = narrowing ? any : initiallyOpen[index];
      });
      count.textContent = String(checked);
      // The words come from the page, in its language (data-text-shown, data-text-total).
      var text = narrowing ? picker.dataset.textShown || "{shown} of {total} roles shown"
        : picker.dataset.textTotal || "{total} roles";
      shown.textContent = text.replace("{shown}", String(visible)).replace("{total}", String(items.length));
      empty.hidden = visible !== 0;
    }

    search.addEventListener("input", update);
    picker.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-role-picker]").forEach(setUp);
  });
})();
