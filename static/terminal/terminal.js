/* 自助终端 · the self-service terminal's behaviour (no dependencies, no outside assets).
 *
 * - the clock in the header;
 * - moving between the terminal's screens replaces the history entry (location.replace), so the browser's
 *   history never holds a trail of one person's visit;
 * - a form is sent once (a second tap is ignored; the server's idempotency keys catch the rest);
 * - the idle timeout: after data-idle-seconds without a touch or a key, a countdown of data-warn-seconds
 *   with a 继续 button; at zero every form is emptied, the page's content is removed, the server is told to
 *   forget the visit (POST data-end-url, reason=timeout) and the start screen replaces this page;
 * - printing: the ticket or booking slip (window.print), or the PDF in the print view's frame; after a
 *   document is printed the visit ends (reason=printed);
 * - an on-screen keyboard for letters and digits, for the fields marked data-osk.
 */
(function () {
  "use strict";

  var body = document.body;
  var startUrl = body.dataset.startUrl || "";
  var endUrl = body.dataset.endUrl || "";
  var csrf = body.dataset.csrf || "";
  var PRINT_SETTLE_MS = 5000; // the PDF is handed to the printer before the frame goes away

  // ——— the clock ———
  var clock = document.querySelector("[data-clock]");
  function tickClock() {
    if (!clock) return;
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    clock.textContent = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
      " " + pad(now.getHours()) + ":" + pad(now.getMinutes());
  }
  tickClock();
  setInterval(tickClock, 15000);

  // ——— the end of a visit ———
  var ending = false;
  function wipe() {
    document.querySelectorAll("form").forEach(function (form) {
      form.reset();
      form.querySelectorAll("input, textarea").forEach(function (input) {
        if (input.type === "hidden" || input.type === "submit" || input.type === "button") return;
        if (input.type === "radio" || input.type === "checkbox") { input.checked = false; return; }
        input.value = "";
      });
    });
    var main = document.getElementById("main");
    if (main) main.replaceChildren();
    var osk = document.getElementById("t-osk");
    if (osk) osk.replaceChildren();
  }
  function endVisit(reason, thenGoHome) {
    if (!endUrl) return Promise.resolve();
    var data = new URLSearchParams();
    data.set("reason", reason);
    return fetch(endUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrf, "X-Terminal": "fetch" },
    }).catch(function () { /* the start screen forgets the visit as well */ });
  }
  function goHome(reason) {
    if (ending || !startUrl) return;
    ending = true;
    wipe();
    var gone = false;
    var go = function () { if (!gone) { gone = true; location.replace(startUrl); } };
    endVisit(reason).then(go, go);
    setTimeout(go, 2000);
  }
  window.terminal = { goHome: goHome };

  // ——— links replace the history entry; forms are sent once ———
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || link.target || link.hasAttribute("download")) return;
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin || (url.pathname === location.pathname && url.search === location.search && url.hash)) return;
    event.preventDefault();
    location.replace(url.href);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    if (form.hasAttribute("data-end-form")) { event.preventDefault(); goHome("end"); }
  });
  window.addEventListener("pageshow", function (event) {
    // Back from the browser's cache (should it keep a page): the visit is over, show the start.
    if (event.persisted && startUrl && body.dataset.idle === "on") location.replace(startUrl);
  });

  // ——— the idle timeout ———
  var idleSeconds = parseInt(body.dataset.idleSeconds || "60", 10);
  var warnSeconds = parseInt(body.dataset.warnSeconds || "10", 10);
  var dialog = document.getElementById("t-idle");
  var countdown = dialog && dialog.querySelector("[data-countdown]");
  var continueButton = dialog && dialog.querySelector("[data-idle-continue]");
  var lastActive = Date.now();
  var returnFocus = null;

  function hideWarning() {
    if (!dialog || dialog.hidden) return;
    dialog.hidden = true;
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  }
  function showWarning(left) {
    if (!dialog) return;
    countdown.textContent = String(left);
    if (dialog.hidden) {
      returnFocus = document.activeElement;
      dialog.hidden = false;
      continueButton.focus();
    }
  }
  function activity() {
    lastActive = Date.now();
    hideWarning();
  }
  if (body.dataset.idle === "on" && dialog) {
    ["pointerdown", "keydown", "touchstart", "input", "wheel"].forEach(function (name) {
      document.addEventListener(name, activity, { passive: true, capture: true });
    });
    continueButton.addEventListener("click", activity);
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Tab") { event.preventDefault(); continueButton.focus(); } // the dialog's one control
    });
    setInterval(function () {
      if (ending) return;
      var idle = (Date.now() - lastActive) / 1000;
      var left = Math.ceil(idleSeconds - idle);
      if (left <= 0) {
        goHome("timeout");
      } else if (left <= warnSeconds) {
        showWarning(left);
      }
    }, 250);
  }

  // ——— printing ———
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var printButton = document.querySelector("[data-print-document]");
  if (printButton) {
    printButton.addEventListener("click", function () {
      var frame = document.querySelector("[data-print-frame]");
      printButton.disabled = true;
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (error) {
        window.print();
      }
      body.dataset.printed = "1";
      setTimeout(function () {
        var view = document.querySelector("[data-print-view]");
        if (view) view.remove(); // the document leaves the screen
        var done = document.querySelector("[data-print-done]");
        if (done) {
          done.hidden = false;
          var finish = done.querySelector("a, button");
          if (finish) finish.focus();
        }
        endVisit("printed");
      }, PRINT_SETTLE_MS);
    });
  }

  // ——— the on-screen keyboard ———
  var panel = document.getElementById("t-osk");
  var target = null;
  var LAYOUTS = {
    digits: ["123", "456", "789", "0"],
    alnum: ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"],
  };
  function insert(text) {
    if (!target) return;
    var start = target.selectionStart == null ? target.value.length : target.selectionStart;
    var end = target.selectionEnd == null ? target.value.length : target.selectionEnd;
    var max = target.maxLength > 0 ? target.maxLength : 1000;
    if (text && target.value.length - (end - start) + text.length > max) return;
    target.value = target.value.slice(0, start) + text + target.value.slice(end);
    var caret = start + text.length;
    try { target.setSelectionRange(caret, caret); } catch (error) { /* inputs without a caret */ }
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function key(label, action, wide) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    if (wide) button.className = "t-osk-wide";
    button.addEventListener("pointerdown", function (event) { event.preventDefault(); }); // keep the caret
    button.addEventListener("click", function () { action(); if (target) target.focus(); });
    return button;
  }
  function openKeyboard(input) {
    if (!panel) return;
    target = input;
    var layout = LAYOUTS[input.dataset.osk] || LAYOUTS.alnum;
    panel.replaceChildren();
    layout.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "t-osk-row";
      row.split("").forEach(function (char) { line.appendChild(key(char, function () { insert(char); })); });
      panel.appendChild(line);
    });
    var tools = document.createElement("div");
    tools.className = "t-osk-row";
    tools.appendChild(key(panel.dataset.labelBackspace, function () {
      if (!target) return;
      if (target.selectionStart !== target.selectionEnd) { insert(""); return; }
      var at = target.selectionStart == null ? target.value.length : target.selectionStart;
      if (at > 0) { target.setSelectionRange(at - 1, at); insert(""); }
    }, true));
    tools.appendChild(key(panel.dataset.labelClear, function () { if (target) { target.value = ""; } }, true));
    tools.appendChild(key(panel.dataset.labelClose, closeKeyboard, true));
    panel.appendChild(tools);
    panel.hidden = false;
    // Room below the content for the keyboard; kept when it closes, so nothing under a finger moves.
    body.classList.add("t-osk-open");
    var covered = input.getBoundingClientRect().bottom + 16 - panel.getBoundingClientRect().top;
    if (covered > 0) window.scrollBy(0, covered);
  }
  function closeKeyboard() {
    if (!panel) return;
    panel.hidden = true;
    panel.replaceChildren();
    target = null;
  }
  if (panel) {
    document.addEventListener("focusin", function (event) {
      var input = event.target;
      if (input.matches && input.matches("input[data-osk]")) {
        if (input !== target) openKeyboard(input);
      } else if (!panel.contains(input)) {
        closeKeyboard();
      }
    });
  }
})();
