/* 叫号大屏的语音播报 (the display board's voice).

   The board's live part is polled through htmx every two seconds. Each call and recall on it is a
   TicketEvent row, rendered as an element with data-call-event (its id), data-number and data-window.
   An event not seen before is announced once: shown large for ten seconds and, when the voice is on,
   spoken in Chinese through the browser (speechSynthesis, zh-CN): "请 A 零 零 一 号 到 三 号窗口办理".
   Browsers speak only after a user gesture, hence the "开启语音播报" button. Nothing is fetched from
   outside the intranet. */
(function () {
  "use strict";
  var DIGITS = "零一二三四五六七八九";
  var FLASH_MS = 10000;
  var seen = {};
  var queue = [];
  var speaking = false;
  var voiceOn = false;
  var flashTimer = null;
  var log = [];
  window.hallBoard = { log: log, seen: seen };  // for the browser test and the curious

  function spellNumber(number) {
    // A001 → "A 零 零 一": letters as letters, digits one by one in Chinese.
    return number.split("").map(function (ch) {
      return /[0-9]/.test(ch) ? DIGITS.charAt(Number(ch)) : ch;
    }).join(" ");
  }

  function sayWindow(text) {
    // 01 → 一, 10 → 十, 12 → 十二, 23 → 二十三; anything else digit by digit.
    var n = parseInt(text, 10);
    if (isNaN(n) || String(n) !== text.replace(/^0+(?=\d)/, "")) { return spellNumber(text); }
    if (n < 10) { return DIGITS.charAt(n); }
    if (n < 100) {
      var tens = Math.floor(n / 10), ones = n % 10;
      return (tens === 1 ? "" : DIGITS.charAt(tens)) + "十" + (ones ? DIGITS.charAt(ones) : "");
    }
    return spellNumber(String(n));
  }

  function spokenText(el) {
    return "请 " + spellNumber(el.dataset.number) + " 号 到 " + sayWindow(el.dataset.window) + " 号窗口办理";
  }

  function shownText(el) {
    return "请 " + el.dataset.number + " 号 到 " + el.dataset.window + " 号窗口办理";
  }

  function flash(text) {
    var box = document.getElementById("board-flash");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    if (flashTimer) { clearTimeout(flashTimer); }
    flashTimer = setTimeout(function () { box.hidden = true; }, FLASH_MS);
  }

  function speakNext() {
    if (speaking || !queue.length) { return; }
    var text = queue.shift();
    if (!voiceOn || !("speechSynthesis" in window)) { queue.length = 0; return; }
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.85;
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh(-|_)?(CN|Hans)?/i.test(voices[i].lang)) { utterance.voice = voices[i]; break; }
    }
    speaking = true;
    utterance.onend = utterance.onerror = function () { speaking = false; speakNext(); };
    window.speechSynthesis.speak(utterance);
  }

  function announce(el) {
    var spoken = spokenText(el);
    log.push({ event: el.dataset.callEvent, spoken: spoken, shown: shownText(el) });
    flash(shownText(el));
    if (voiceOn) { queue.push(spoken); speakNext(); }
  }

  function scan(first) {
    var calls = document.querySelectorAll("[data-call-event]");
    var fresh = [];
    for (var i = 0; i < calls.length; i++) {
      var id = calls[i].dataset.callEvent;
      if (!seen[id]) { seen[id] = true; fresh.push(calls[i]); }
    }
    if (first) { return; }  // calls already on the board when it opened are not announced again
    fresh.sort(function (a, b) { return Number(a.dataset.callEvent) - Number(b.dataset.callEvent); });
    fresh.forEach(announce);
  }

  function setupVoice() {
    var button = document.getElementById("voice-toggle");
    if (!button) { return; }
    if (!("speechSynthesis" in window)) {
      button.textContent = "此浏览器不支持语音播报";
      button.disabled = true;
      return;
    }
    button.addEventListener("click", function () {
      voiceOn = !voiceOn;
      button.setAttribute("aria-pressed", voiceOn ? "true" : "false");
      button.textContent = voiceOn ? "关闭语音播报" : "开启语音播报";
      if (voiceOn) {
        queue.push("语音播报已开启");
        speakNext();
      } else {
        queue.length = 0;
        window.speechSynthesis.cancel();
        speaking = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    scan(true);
    setupVoice();
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "board-live") { scan(false); }
    });
  });
})();
