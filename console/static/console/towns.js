/* The town dashboard's photo lightbox (loaded by console/towns/dashboard.html only; no inline code).
 * Photo links (<a data-lightbox="caption" href="/console/photos/…/">) open in the page's <dialog>:
 * Enter or a click opens, ←/→ and the buttons move between the photos of the same table cell,
 * Esc or 关闭 closes, and focus goes back to the link that opened it. Without script the link simply
 * opens the photo.
 */
(function () {
  "use strict";

  function init() {
    var dialog = document.getElementById("lightbox");
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    var img = dialog.querySelector("img");
    var caption = dialog.querySelector("figcaption");
    var group = [];
    var index = 0;
    var opener = null;

    function show(i) {
      index = (i + group.length) % group.length;
      var link = group[index];
      img.src = link.getAttribute("href");
      var thumb = link.querySelector("img");
      img.alt = thumb ? thumb.alt : link.getAttribute("data-lightbox");
      caption.textContent =
        link.getAttribute("data-lightbox") + (group.length > 1 ? "（" + (index + 1) + " / " + group.length + "）" : "");
      dialog.querySelector("[data-lightbox-prev]").hidden = group.length < 2;
      dialog.querySelector("[data-lightbox-next]").hidden = group.length < 2;
    }

    function open(link) {
      var cell = link.closest("td, li, figure") || document.body;
      group = Array.prototype.slice.call(cell.querySelectorAll("a[data-lightbox]"));
      opener = link;
      show(group.indexOf(link));
      dialog.showModal();
      dialog.querySelector("[data-lightbox-close]").focus();
    }

    document.addEventListener("click", function (event) {
      var link = event.target instanceof Element ? event.target.closest("a[data-lightbox]") : null;
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      open(link);
    });
    dialog.querySelector("[data-lightbox-close]").addEventListener("click", function () {
      dialog.close();
    });
    dialog.querySelector("[data-lightbox-prev]").addEventListener("click", function () {
      show(index - 1);
    });
    dialog.querySelector("[data-lightbox-next]").addEventListener("click", function () {
      show(index + 1);
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft" && group.length > 1) {
        show(index - 1);
      } else if (event.key === "ArrowRight" && group.length > 1) {
        show(index + 1);
      }
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) {
        dialog.close(); // a click on the backdrop
      }
    });
    dialog.addEventListener("close", function () {
      img.removeAttribute("src");
      if (opener) {
        opener.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
