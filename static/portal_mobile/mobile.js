/* 掌上办 — small enhancements of the applicant's pages (docs/mobile.md). No dependencies, no network.
   Every page works without this script; with it:
   1. the topbar folds its menu behind a 菜单 button on narrow screens (aria-expanded, aria-controls, Esc);
   2. upload fields list each chosen photo or file with a preview, its size and a 移除 button before sending,
      keep the photos taken one by one with the 拍照 button, and reduce a photo too large to send;
   3. a licence's 出示二维码 button shows its QR alone on the whole screen (a modal <dialog>).
   Texts come from the page (data-* attributes written by the templates through gettext). */
(function () {
  "use strict";

  var script = document.currentScript;
  var NARROW = window.matchMedia("(max-width: 720px)");

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_all, key) {
      return key in values ? values[key] : "";
    });
  }

  function hasHan(text) {
    return /[\u3400-\u9fff]/.test(text);
  }

  /* ——— 1. the topbar's menu button ——— */

  function topbarMenu() {
    var topbar = document.querySelector(".topbar");
    if (!topbar || topbar.querySelector(".menu-toggle")) return;
    var parts = Array.prototype.filter.call(topbar.children, function (el) {
      return el.matches("nav, .who");
    });
    if (!parts.length) return;
    var panel = document.createElement("div");
    panel.className = "topbar-menu";
    panel.id = "topbar-menu";
    topbar.insertBefore(panel, parts[0]);
    parts.forEach(function (part) { panel.appendChild(part); });

    var label = (script && script.dataset.menuLabel) || "菜单";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "menu-toggle";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panel.id);
    var icon = document.createElement("span");
    icon.className = "menu-icon";
    icon.setAttribute("aria-hidden", "true");
    var text = document.createElement("span");
    text.textContent = label;
    // A label still in Chinese on a Mongolian page is marked as the templates mark their fallbacks.
    if (hasHan(label) && !/^zh/i.test(document.documentElement.lang)) {
      text.lang = "zh-Hans";
      text.className = "untranslated";
    }
    button.appendChild(icon);
    button.appendChild(text);
    var brand = topbar.querySelector(".brand");
    topbar.insertBefore(button, brand ? brand.nextSibling : topbar.firstChild);
    topbar.classList.add("has-menu");

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      topbar.classList.toggle("menu-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    topbar.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
    var onChange = function () { if (!NARROW.matches) setOpen(false); };
    if (NARROW.addEventListener) NARROW.addEventListener("change", onChange);
  }

  /* ——— 2. upload fields: previews, sizes, photos one by one, reduction ——— */

  var ALLOWED = { "image/jpeg": true, "image/png": true, "application/pdf": true };
  var EXTENSIONS = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", pdf: "application/pdf" };
  var MAX_SIDE = 2000;
  var MAX_FILES = 10;

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function kindOf(file) {
    if (ALLOWED[file.type]) return file.type;
    var match = /\.([a-z0-9]+)$/i.exec(file.name || "");
    return match ? EXTENSIONS[match[1].toLowerCase()] || "" : "";
  }

  /* A photo too large to send is redrawn at most MAX_SIDE px on its longest side as a JPEG (upright, and
     without the camera's EXIF data, since a canvas keeps only pixels). */
  function reducePhoto(file) {
    if (!window.createImageBitmap || !window.HTMLCanvasElement) return Promise.reject(new Error("unsupported"));
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (!blob) { reject(new Error("encode")); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", 0.85);
      });
    });
  }

  function uploadField(wrapper) {
    var main = wrapper.querySelector('input[type=file]:not(.camera-input)');
    var list = wrapper.querySelector(".upload-previews");
    if (!main || !list || typeof DataTransfer === "undefined") return;
    var camera = wrapper.querySelector("input.camera-input");
    var maxBytes = parseInt(main.dataset.maxBytes || "10485760", 10);
    var texts = wrapper.dataset;
    var kept = [];       // File objects that will be sent
    var notes = [];      // [{file, text}] refused or reduced, shown until the next change
    var urls = [];

    function sync() {
      var transfer = new DataTransfer();
      kept.forEach(function (file) { transfer.items.add(file); });
      main.files = transfer.files;
      render();
    }

    function render() {
      urls.forEach(function (url) { URL.revokeObjectURL(url); });
      urls = [];
      list.textContent = "";
      kept.forEach(function (file, index) {
        var item = document.createElement("li");
        item.className = "upload-preview";
        var thumb;
        if (/^image\//.test(file.type)) {
          thumb = document.createElement("img");
          var url = URL.createObjectURL(file);
          urls.push(url);
          thumb.src = url;
          thumb.alt = "";
        } else {
          thumb = document.createElement("span");
          thumb.className = "file-badge";
          thumb.setAttribute("aria-hidden", "true");
          thumb.textContent = "PDF";
        }
        var about = document.createElement("span");
        var name = document.createElement("span");
        name.className = "file-name";
        name.textContent = file.name;
        var size = document.createElement("span");
        size.className = "file-size";
        size.textContent = sizeText(file.size);
        var note = notes.filter(function (n) { return n.file === file; })[0];
        if (note) size.textContent += " · " + note.text;
        about.appendChild(name);
        about.appendChild(size);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary";
        remove.textContent = texts.textRemove || "移除";
        remove.setAttribute("aria-label", (texts.textRemove || "移除") + " " + file.name);
        remove.addEventListener("click", function () {
          kept.splice(index, 1);
          sync();
          main.focus();
        });
        item.appendChild(thumb);
        item.appendChild(about);
        item.appendChild(remove);
        list.appendChild(item);
      });
      notes.filter(function (n) { return n.refused; }).forEach(function (n) {
        var item = document.createElement("li");
        item.className = "upload-preview is-error";
        item.setAttribute("role", "alert");
        item.textContent = n.file.name + "：" + n.text;
        list.appendChild(item);
      });
      if (kept.length) {
        var total = kept.reduce(function (sum, file) { return sum + file.size; }, 0);
        var summary = document.createElement("li");
        summary.className = "upload-summary";
        summary.textContent = format(texts.textCount, { n: kept.length, size: sizeText(total) });
        list.appendChild(summary);
      }
    }

    function add(files) {
      notes = [];
      var pending = Array.prototype.map.call(files, function (file) {
        var kind = kindOf(file);
        if (!kind) {
          notes.push({ file: file, refused: true, text: texts.textType || "" });
          return Promise.resolve(null);
        }
        if (file.size <= maxBytes) return Promise.resolve(file);
        if (kind === "application/pdf") {
          notes.push({ file: file, refused: true, text: format(texts.textBig, { size: sizeText(maxBytes) }) });
          return Promise.resolve(null);
        }
        return reducePhoto(file).then(function (smaller) {
          if (smaller.size > maxBytes) throw new Error("still too large");
          notes.push({ file: smaller, text: format(texts.textReduced, { from: sizeText(file.size), to: sizeText(smaller.size) }) });
          return smaller;
        }).catch(function () {
          notes.push({ file: file, refused: true, text: format(texts.textBig, { size: sizeText(maxBytes) }) });
          return null;
        });
      });
      return Promise.all(pending).then(function (results) {
        results.forEach(function (file) {
          if (!file) return;
          if (kept.length >= MAX_FILES) {
            notes.push({ file: file, refused: true, text: format(texts.textMany, { n: MAX_FILES }) });
            return;
          }
          kept.push(file);
        });
        sync();
      });
    }

    // The native input (its "no file chosen" text in the browser's language) becomes a button like 拍照;
    // the list below says what is chosen.
    var pick = document.createElement("label");
    pick.className = "button secondary picker-button";
    main.parentNode.insertBefore(pick, main);
    pick.appendChild(main);
    var pickIcon = document.createElement("span");
    pickIcon.className = "files-icon";
    pickIcon.setAttribute("aria-hidden", "true");
    var pickText = document.createElement("span");
    pickText.textContent = texts.textChoose || "";
    pick.appendChild(pickIcon);
    pick.appendChild(pickText);
    wrapper.classList.add("upload-enhanced");

    main.multiple = true;
    main.addEventListener("change", function () {
      // The browser replaced the input's files with the new choice: add it to what was kept.
      var chosen = Array.prototype.slice.call(main.files);
      add(chosen);
    });
    if (camera) {
      camera.addEventListener("change", function () {
        var taken = Array.prototype.slice.call(camera.files);
        camera.value = "";
        add(taken);
      });
    }
    // Files a browser restored into the input (back/forward cache) are listed too.
    if (main.files && main.files.length) add(Array.prototype.slice.call(main.files));
  }

  /* ——— 3. 出示二维码 ——— */

  function qrDialogs() {
    document.querySelectorAll("[data-qr-open]").forEach(function (button) {
      var dialog = document.getElementById(button.dataset.qrOpen);
      if (!dialog || typeof dialog.showModal !== "function") return;
      var lock = null;
      button.hidden = false;
      button.addEventListener("click", function () {
        dialog.showModal();
        // Keep the screen on while the clerk scans (where the browser allows it).
        if (navigator.wakeLock && navigator.wakeLock.request) {
          navigator.wakeLock.request("screen").then(function (l) { lock = l; }, function () {});
        }
      });
      dialog.addEventListener("close", function () {
        if (lock) { lock.release().catch(function () {}); lock = null; }
        button.focus();
      });
    });
  }

  function start() {
    topbarMenu();
    document.querySelectorAll("[data-upload]").forEach(uploadField);
    qrDialogs();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
