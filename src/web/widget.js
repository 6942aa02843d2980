/*
 * posdesk web chat widget. Embed with one tag:
 *   <script src="https://support.example.com/widget.js" data-locale="zh-CN" async></script>
 * Options (data-*): locale (zh-CN|en, default from the browser), open ("true" to start open).
 * Opened with no conversation yet, it asks the bot to speak first (a welcome with the common topics); a
 * conversation with history is restored instead. Merchant text is only ever set as textContent, never
 * parsed as HTML. The camera button sends a photo of the terminal's screen or slip (made smaller on the
 * phone first); the merchant's bubble shows it from the local file, never fetched back from the server.
 */
(() => {
  const script = document.currentScript;
  const base = new URL(script?.src ?? "/widget.js", location.href).origin;
  const STORAGE_KEY = "posdesk.conversation";
  const LOCALE_KEY = "posdesk.locale";
  // The merchant's own choice (the language button) also fixes the bot's language; otherwise the bot
  // answers in the language the merchant writes in.
  let chosenLocale = localStorage.getItem(LOCALE_KEY);
  let locale =
    chosenLocale ||
    script?.dataset.locale ||
    (navigator.language.toLowerCase().startsWith("zh") ? "zh-CN" : "en");
  let words = {};
  let conversationId = localStorage.getItem(STORAGE_KEY);
  let events = null;
  // Settles once the words are loaded and a stored conversation restored: greeting waits for it, so a
  // chat with history is never welcomed a second time.
  let ready = Promise.resolve();
  // The chat shows something (history, a welcome, a message): nothing to greet.
  let started = false;
  // The welcome on its way; a message sent meanwhile waits for it, so both go to one conversation.
  let opening = null;

  // Icons are drawn here, not emoji: a page without an emoji font would show an empty box.
  const CHAT_ICON = `<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/>
      <circle cx="8" cy="10.5" r="1.5" fill="#0b5cad"/><circle cx="12" cy="10.5" r="1.5" fill="#0b5cad"/>
      <circle cx="16" cy="10.5" r="1.5" fill="#0b5cad"/></svg>`;
  const CAMERA_ICON = `<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M9 4h6l1.5 2H20a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h3.5z"/>
      <circle cx="12" cy="13" r="4" fill="#fff"/><circle cx="12" cy="13" r="2.4" fill="currentColor"/></svg>`;
  // What the server takes (contract: pictures up to 5 MB), and the longest side a photo is scaled to before
  // it leaves the phone: plenty for reading a screen, and a 12-megapixel photo goes as a few hundred KB.
  const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
  const MAX_PICTURE_SIDE = 1600;
  const CLOSE_ICON = `<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/></svg>`;

  const host = document.createElement("div");
  host.id = "posdesk-widget";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
    <style>
      :host { all: initial; font: 15px/1.45 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; }
      * { box-sizing: border-box; }
      .launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%;
        border: none; background: #0b5cad; color: #fff; cursor: pointer; box-shadow: 0 4px 14px #0004;
        display: flex; align-items: center; justify-content: center; padding: 0; }
      svg { display: block; }
      .launcher:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
      .panel { position: fixed; right: 20px; bottom: 88px; width: 370px; height: min(600px, calc(100vh - 110px));
        display: flex; flex-direction: column; background: #fff; border-radius: 14px; overflow: hidden;
        box-shadow: 0 8px 30px #0005; color: #1d2733; }
      .panel[hidden] { display: none; }
      header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: #0b5cad; color: #fff; }
      header .titles { flex: 1; }
      header h2 { margin: 0; font-size: 16px; }
      header p { margin: 0; font-size: 12px; opacity: .85; }
      header button { background: transparent; color: #fff; border: 1px solid #fff8; border-radius: 6px; cursor: pointer;
        padding: 4px 8px; font: inherit; font-size: 12px; }
      header .close { padding: 4px 6px; }
      .log { flex: 1; overflow-y: auto; padding: 12px; background: #f4f6f9; display: flex; flex-direction: column; gap: 8px; }
      .msg { max-width: 85%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; word-break: break-word; }
      .msg .who { display: block; font-size: 11px; opacity: .7; margin-bottom: 2px; }
      .merchant { align-self: flex-end; background: #0b5cad; color: #fff; border-bottom-right-radius: 4px; }
      .bot { align-self: flex-start; background: #fff; border: 1px solid #dde3ea; border-bottom-left-radius: 4px; }
      .agent { align-self: flex-start; background: #fff7e6; border: 1px solid #f5c16c; border-bottom-left-radius: 4px; }
      .typing { align-self: flex-start; font-size: 13px; color: #5b6775; }
      .typing[hidden] { display: none; }
      .options { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 12px 0; background: #fff; }
      .options button { border: 1px solid #0b5cad; color: #0b5cad; background: #fff; border-radius: 16px; padding: 5px 12px;
        cursor: pointer; font: inherit; font-size: 13px; }
      .options button:hover { background: #e8f1fb; }
      form { display: flex; gap: 8px; padding: 10px 12px 12px; background: #fff; border-top: 1px solid #e5e9ef; }
      form input { flex: 1; min-width: 0; padding: 9px 10px; border: 1px solid #b8c2cc; border-radius: 8px; font: inherit; }
      form button { padding: 0 14px; border: none; border-radius: 8px; background: #0b5cad; color: #fff; font: inherit; cursor: pointer; }
      form .photo { padding: 0 9px; background: #fff; color: #0b5cad; border: 1px solid #b8c2cc; display: flex; align-items: center; }
      .msg img.thumb { display: block; max-width: 220px; max-height: 220px; border-radius: 8px; margin-top: 2px; }
      .status { padding: 4px 12px; font-size: 12px; color: #a33; background: #fff; }
      .status:empty { display: none; }
      .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
      @media (max-width: 480px) {
        .panel { right: 0; bottom: 0; width: 100vw; height: 100dvh; border-radius: 0; }
        .launcher { right: 14px; bottom: 14px; }
      }
    </style>
    <button class="launcher" type="button" aria-expanded="false" aria-controls="posdesk-panel">${CHAT_ICON}</button>
    <section class="panel" id="posdesk-panel" role="dialog" aria-modal="false" hidden>
      <header>
        <div class="titles"><h2 class="title"></h2><p class="subtitle"></p></div>
        <button type="button" class="lang"></button>
        <button type="button" class="close" aria-label="">${CLOSE_ICON}</button>
      </header>
      <div class="log" role="log" aria-live="polite" aria-relevant="additions"></div>
      <div class="typing" role="status" hidden></div>
      <div class="status" role="alert"></div>
      <div class="options" role="group"></div>
      <form>
        <button type="button" class="photo">${CAMERA_ICON}</button>
        <input class="file" type="file" accept="image/*" capture="environment" hidden />
        <label class="sr-only" for="posdesk-input"></label>
        <input id="posdesk-input" name="text" autocomplete="off" maxlength="2000" />
        <button type="submit" class="send"></button>
      </form>
    </section>`;

  const $ = (selector) => root.querySelector(selector);
  const launcher = $(".launcher");
  const panel = $(".panel");
  const log = $(".log");
  const typing = $(".typing");
  const status = $(".status");
  const optionsBox = $(".options");
  const form = $("form");
  const input = $("#posdesk-input");
  const photo = $(".photo");
  const file = $(".file");

  function applyWords() {
    const w = words;
    $(".title").textContent = w.title;
    $(".subtitle").textContent = w.subtitle;
    $(".lang").textContent = w.language;
    $(".close").setAttribute("aria-label", w.close);
    launcher.setAttribute("aria-label", w.open);
    panel.setAttribute("aria-label", w.title);
    $("label").textContent = w.inputLabel;
    input.placeholder = w.placeholder;
    $(".send").textContent = w.send;
    photo.setAttribute("aria-label", w.photo);
    photo.title = w.photo;
    typing.textContent = w.typing;
    optionsBox.setAttribute("aria-label", w.options);
  }

  async function loadWords() {
    const response = await fetch(`${base}/api/ui/${encodeURIComponent(locale)}`);
    words = (await response.json()).widget;
    applyWords();
  }

  /** A bubble; `picture` (an object URL of the merchant's own file) shows as a thumbnail. */
  function addMessage(from, text, picture) {
    const bubble = document.createElement("div");
    bubble.className = `msg ${from}`;
    bubble.dataset.from = from;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = words[from === "merchant" ? "you" : from] ?? from;
    bubble.append(who, document.createTextNode(text));
    if (picture) {
      const image = document.createElement("img");
      image.className = "thumb";
      image.alt = words.picture ?? "";
      // A file the browser cannot show (or a page whose policy forbids blob: images): its name instead.
      image.addEventListener("error", () => image.replaceWith(document.createTextNode(picture.name)));
      image.src = picture.url;
      bubble.append(image);
    }
    log.append(bubble);
    log.scrollTop = log.scrollHeight;
  }

  function setOptions(labels) {
    optionsBox.replaceChildren(
      ...labels.map((label) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.addEventListener("click", () => send(label));
        return button;
      }),
    );
  }

  function listen() {
    if (!conversationId || events) return;
    events = new EventSource(`${base}/api/chat/${encodeURIComponent(conversationId)}/events`);
    events.onopen = () => {
      status.textContent = "";
    };
    events.onerror = () => {
      // EventSource reconnects by itself; say so while it does.
      status.textContent = words.reconnecting;
    };
    events.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "message" && data.proactive) {
        addMessage(data.from, data.text);
        if (data.from === "bot") setOptions([]);
      }
    };
  }

  /** A turn's answer: the bot's replies and quick replies shown, the conversation remembered. */
  function show(result) {
    if (conversationId !== result.conversationId) {
      conversationId = result.conversationId;
      localStorage.setItem(STORAGE_KEY, conversationId);
    }
    started = true;
    for (const reply of result.replies) addMessage("bot", reply);
    setOptions(result.options);
    listen();
  }

  async function post(path, body) {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        ...body,
        ...(chosenLocale ? { locale: chosenLocale } : {}),
        ...(conversationId ? { conversationId } : {}),
      }),
    });
    const result = await response.json();
    if (!response.ok) throw new Error(result.error);
    return result;
  }

  /** The bot speaks first in a chat that has nothing yet: the welcome and the common topics. */
  async function greet() {
    await ready;
    if (started || opening) return;
    opening = (async () => {
      typing.hidden = false;
      try {
        // The welcome is in the widget's language; the bot still follows the language the merchant writes in.
        show(await post("/api/chat/open", { localeHint: locale }));
      } catch {
        // No welcome (offline, limited): the merchant can still write, and the next opening tries again.
      } finally {
        typing.hidden = true;
        opening = null;
      }
    })();
    await opening;
  }

  async function send(text) {
    const message = text.trim();
    if (!message) return;
    await ready;
    if (opening) await opening;
    addMessage("merchant", message);
    started = true;
    setOptions([]);
    typing.hidden = false;
    status.textContent = "";
    try {
      show(await post("/api/chat", { text: message }));
    } catch {
      status.textContent = words.error;
    } finally {
      typing.hidden = true;
    }
  }

  function readAsDataUrl(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  /**
   * The picture as a data URL for the server: as it is when it is a small enough PNG or JPEG, otherwise
   * drawn smaller into a JPEG (which also turns a phone's HEIC or WebP into something the server reads).
   * null when it is too large to send and the browser cannot draw it.
   */
  async function pictureData(picture) {
    const bitmap = await createImageBitmap(picture).catch(() => null);
    if (bitmap) {
      const scale = Math.min(1, MAX_PICTURE_SIDE / Math.max(bitmap.width, bitmap.height));
      const asItIs =
        scale === 1 && /^image\/(png|jpeg)$/.test(picture.type) && picture.size <= MAX_PICTURE_BYTES;
      if (!asItIs) {
        const canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close();
        return canvas.toDataURL("image/jpeg", 0.85);
      }
      bitmap.close();
    }
    // What the browser cannot draw goes as it is: the server says what is wrong with it.
    return picture.size <= MAX_PICTURE_BYTES ? readAsDataUrl(picture) : null;
  }

  async function sendPicture(picture) {
    await ready;
    if (opening) await opening;
    addMessage("merchant", "", { url: URL.createObjectURL(picture), name: picture.name });
    started = true;
    setOptions([]);
    typing.hidden = false;
    status.textContent = "";
    try {
      const image = await pictureData(picture);
      if (image) show(await post("/api/chat", { image }));
      else status.textContent = words.pictureTooLarge;
    } catch {
      status.textContent = words.error;
    } finally {
      typing.hidden = true;
    }
  }

  async function restore() {
    if (!conversationId) return;
    const response = await fetch(`${base}/api/chat/${encodeURIComponent(conversationId)}/history`);
    if (!response.ok) {
      conversationId = null;
      localStorage.removeItem(STORAGE_KEY);
      return;
    }
    const history = await response.json();
    // Nothing said yet: the welcome comes when the chat is opened, in this same conversation.
    if (history.messages.length === 0) return;
    started = true;
    for (const entry of history.messages) addMessage(entry.from, entry.text);
    setOptions(history.options);
    listen();
  }

  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      input.focus();
      void greet();
    } else launcher.focus();
  }

  launcher.addEventListener("click", () => toggle(panel.hidden));
  $(".close").addEventListener("click", () => toggle(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") toggle(false);
  });
  $(".lang").addEventListener("click", async () => {
    locale = locale === "zh-CN" ? "en" : "zh-CN";
    chosenLocale = locale;
    localStorage.setItem(LOCALE_KEY, locale);
    await loadWords();
  });
  photo.addEventListener("click", () => file.click());
  file.addEventListener("change", () => {
    const picture = file.files?.[0];
    file.value = "";
    if (picture) void sendPicture(picture);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    void send(text);
  });

  const start = async () => {
    ready = (async () => {
      await loadWords();
      await restore();
    })().catch(() => undefined);
    document.body.append(host);
    await ready;
    if (script?.dataset.open === "true") toggle(true);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else void start();
})();
