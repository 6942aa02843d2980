/*
 * posdesk web chat widget. Embed with one tag, on posdesk's own pages or any other site:
 *   <script src="https://support.example.com/widget.js" data-locale="zh-CN" async></script>
 * Settings (data-* on that tag; they work with async, defer, or the tag injected by another script):
 *   data-locale  zh-CN | en: the interface language (default: the browser's)
 *   data-open    "true" to start open (and greeted)
 *   data-server  posdesk's address, when the script is not loaded from posdesk itself (a CDN, a copy)
 * Every call goes to the server the script came from (or data-server), cross-origin when the page is on
 * another site: posdesk answers CORS for the origins in POSDESK_WIDGET_ORIGINS. When the server cannot be
 * reached or answers an error, the chat says so with a retry button, and what the merchant typed is kept
 * and sent on retry. Merchant text is only ever set as textContent, never parsed as HTML. The camera button
 * sends a photo of the terminal's screen or slip (made smaller on the phone first); the merchant's bubble shows
 * it from the local file, never fetched back from the server.
 */
(() => {
  // One widget per page, however many times the script is included.
  const LOADED = Symbol.for("posdesk.widget");
  if (window[LOADED]) return;
  window[LOADED] = true;

  const script = ownScript();
  const settings = script?.dataset ?? {};
  const base = settings.server
    ? new URL(settings.server.replace(/\/?$/, "/"), location.href)
    : new URL(".", script?.src || new URL("/widget.js", location.href));
  /** An address on posdesk, relative to where the script lives (so a path prefix in front of posdesk works). */
  const api = (path) => new URL(path, base).href;

  const STORAGE_KEY = "posdesk.conversation";
  const LOCALE_KEY = "posdesk.locale";
  /**
   * What the widget says when /api/ui cannot be reached (the server down, or this site not among its allowed
   * origins): just enough to name the chat and the problem and offer a retry. Everything else comes from
   * locales/<locale>/ui.json, which has the same keys with the same words.
   */
  const FALLBACK = {
    "zh-CN": {
      title: "POS 终端服务",
      open: "打开在线客服",
      send: "发送",
      retry: "重试",
      unavailable: "暂时连不上客服系统，请稍后重试。",
      error: "消息没有发出去，请检查网络后重试。",
      notSent: "未发送",
    },
    en: {
      title: "POS terminal support",
      open: "Open support chat",
      send: "Send",
      retry: "Retry",
      unavailable: "Support cannot be reached right now. Please try again shortly.",
      error: "The message was not sent. Check your connection and try again.",
      notSent: "Not sent",
    },
  };
  const asLocale = (value) =>
    /^zh/i.test(value ?? "") ? "zh-CN" : /^en/i.test(value ?? "") ? "en" : undefined;

  // The merchant's own choice (the language button) also fixes the bot's language; otherwise the bot
  // answers in the language the merchant writes in.
  let chosenLocale = asLocale(stored(LOCALE_KEY));
  let locale = chosenLocale ?? asLocale(settings.locale) ?? asLocale(navigator.language) ?? "en";
  let words = { ...FALLBACK[locale] };
  let wordsLoaded = false;
  let conversationId = stored(STORAGE_KEY);
  let restored = false;
  let events = null;
  // The chat shows something from the server (history, a welcome, an answer): nothing to greet.
  let started = false;
  // The panel has been opened: the bot should speak first if nothing is shown yet.
  let wantWelcome = false;
  /** Messages typed and not yet answered, oldest first: sent in order, kept (marked as not sent) while they fail. */
  const outbox = [];
  // What the status line reports: a failure with a retry ("unavailable", "error"), or the live stream down.
  let problem = null;
  let reconnecting = false;
  let syncing = null;

  /**
   * The script's own element: document.currentScript while the script first runs from its tag (classic,
   * async, defer or injected). A loader that fetches the code and runs it itself leaves no such tag (null,
   * or an inline script without src): then the page's script whose src is a widget.js, one with
   * data-server first, else the last.
   */
  function ownScript() {
    const current = document.currentScript;
    if (current instanceof HTMLScriptElement && (current.src || current.dataset.server)) return current;
    const ours = [...document.scripts].filter((element) => {
      try {
        return Boolean(element.src) && new URL(element.src).pathname.endsWith("/widget.js");
      } catch {
        return false;
      }
    });
    return ours.find((element) => element.dataset.server) ?? ours.at(-1) ?? null;
  }

  // A site may forbid storage (a sandboxed frame, strict privacy settings): the chat then lasts as long as the page.
  function stored(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }
  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // Not kept; nothing else depends on it.
    }
  }

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
      .status { display: flex; align-items: center; gap: 8px; padding: 6px 12px; font-size: 13px; color: #a33;
        background: #fff5f5; border-top: 1px solid #f1c6c6; }
      .status[hidden] { display: none; }
      .status .text { flex: 1; }
      .status .retry { border: 1px solid #a33; color: #a33; background: #fff; border-radius: 6px; padding: 3px 10px;
        cursor: pointer; font: inherit; font-size: 12px; }
      .status .retry[hidden], header button[hidden] { display: none; }
      .msg.failed { opacity: .75; outline: 1px dashed #a33; outline-offset: 1px; }
      .msg.failed::after { content: attr(data-note); display: block; font-size: 11px; margin-top: 2px; }
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
      <div class="status" role="alert" hidden><span class="text"></span><button type="button" class="retry" hidden></button></div>
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
    $(".title").textContent = w.title ?? "";
    $(".subtitle").textContent = w.subtitle ?? "";
    $(".lang").textContent = w.language ?? "";
    // No language to switch to while the server's words cannot be had.
    $(".lang").hidden = !w.language;
    $(".close").setAttribute("aria-label", w.close ?? "");
    launcher.setAttribute("aria-label", w.open ?? "");
    panel.setAttribute("aria-label", w.title ?? "");
    $("label").textContent = w.inputLabel ?? "";
    input.placeholder = w.placeholder ?? "";
    $(".send").textContent = w.send ?? "";
    photo.setAttribute("aria-label", w.photo ?? "");
    photo.title = w.photo ?? "";
    typing.textContent = w.typing ?? "";
    optionsBox.setAttribute("aria-label", w.options ?? "");
    // Messages shown before the words arrived (typed while the server was out of reach) get them now.
    for (const element of log.querySelectorAll(".msg")) {
      element.querySelector(".who").textContent = whoIs(element.dataset.from);
      if (element.classList.contains("failed")) element.dataset.note = w.notSent ?? "";
    }
    renderStatus();
  }

  function renderStatus() {
    const text = problem ? words[problem] : reconnecting ? words.reconnecting : "";
    $(".status .text").textContent = text ?? "";
    $(".retry").textContent = words.retry ?? "";
    // A picture too large is no outage: nothing to retry.
    $(".retry").hidden = !problem || problem === "pictureTooLarge";
    status.hidden = !text;
  }

  function report(what) {
    problem = what;
    renderStatus();
  }

  /** A request to posdesk. Anything but a good answer throws: unreachable, refused cross-origin, an error status. */
  async function request(path, init) {
    const response = await fetch(api(path), init);
    const body = await response.json().catch(() => ({}));
    if (!response.ok)
      throw Object.assign(new Error(body.error ?? `HTTP ${response.status}`), { status: response.status });
    return body;
  }

  function post(path, body) {
    return request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        ...body,
        ...(chosenLocale ? { locale: chosenLocale } : {}),
        ...(conversationId ? { conversationId } : {}),
      }),
    });
  }

  async function loadWords() {
    const wanted = locale;
    const loaded = (await request(`api/ui/${encodeURIComponent(wanted)}`)).widget;
    // The language was switched meanwhile: these words are no longer wanted.
    if (wanted !== locale) return;
    words = { ...FALLBACK[locale], ...loaded };
    wordsLoaded = true;
    applyWords();
  }

  const whoIs = (from) => words[from === "merchant" ? "you" : from] ?? "";

  function bubble(from, text) {
    const element = document.createElement("div");
    element.className = `msg ${from}`;
    element.dataset.from = from;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = whoIs(from);
    element.append(who, document.createTextNode(text));
    return element;
  }

  /** A bubble; `picture` (an object URL of the merchant's own file) shows as a thumbnail. */
  function addMessage(from, text, picture) {
    const element = bubble(from, text);
    if (picture) {
      const image = document.createElement("img");
      image.className = "thumb";
      image.alt = words.picture ?? "";
      // A file the browser cannot show (or a page whose policy forbids blob: images): its name instead.
      image.addEventListener("error", () => image.replaceWith(document.createTextNode(picture.name)));
      image.src = picture.url;
      element.append(image);
    }
    log.append(element);
    log.scrollTop = log.scrollHeight;
    return element;
  }

  function markSent(element, sent) {
    element.classList.toggle("failed", !sent);
    if (sent) delete element.dataset.note;
    else element.dataset.note = words.notSent ?? "";
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
    const source = new EventSource(api(`api/chat/${encodeURIComponent(conversationId)}/events`));
    events = source;
    source.onopen = () => {
      reconnecting = false;
      renderStatus();
    };
    source.onerror = () => {
      // EventSource reconnects by itself after a dropped connection; after an error answer it gives up,
      // so then a new one is started a little later.
      if (source.readyState === EventSource.CLOSED && events === source) {
        events = null;
        setTimeout(listen, 5000);
      }
      reconnecting = true;
      renderStatus();
    };
    source.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "message" && data.proactive) {
        addMessage(data.from, data.text);
        // A bot's message outside a turn may ask something (the rating when a handoff closes, an incident's
        // "is yours the same?"): its quick replies come with it.
        if (data.from === "bot") setOptions(data.options ?? []);
      }
    };
  }

  /** A turn's answer: the bot's replies and quick replies shown, the conversation remembered. */
  function show(result) {
    if (conversationId !== result.conversationId) {
      events?.close();
      events = null;
      conversationId = result.conversationId;
      store(STORAGE_KEY, conversationId);
    }
    started = true;
    for (const reply of result.replies) addMessage("bot", reply);
    setOptions(result.options);
    listen();
  }

  /** The conversation so far, for a widget that was reloaded; put before anything typed meanwhile. */
  async function restore() {
    if (!conversationId) return;
    let history;
    try {
      history = await request(`api/chat/${encodeURIComponent(conversationId)}/history`);
    } catch (error) {
      // Only a conversation the server does not know is forgotten: an outage is no reason to lose it.
      if (error.status !== 404) throw error;
      conversationId = null;
      store(STORAGE_KEY, null);
      return;
    }
    listen();
    // Nothing said yet: the welcome comes when the chat is opened, in this same conversation.
    if (history.messages.length === 0) return;
    started = true;
    log.prepend(...history.messages.map((entry) => bubble(entry.from, entry.text)));
    setOptions(history.options);
  }

  /**
   * Brings the chat up to date, in order: the words, the history, the welcome (once opened, when nothing is
   * shown yet), then every message waiting. One run at a time; a failure stops it, keeps the messages and
   * says so with a retry, which runs it again from where it stopped.
   */
  async function run() {
    report(null);
    try {
      if (!wordsLoaded) await loadWords();
      if (!restored) {
        await restore();
        restored = true;
      }
      if (wantWelcome && !started) {
        typing.hidden = false;
        // The welcome is in the widget's language; the bot still follows the language the merchant writes in.
        show(await post("api/chat/open", { localeHint: locale }));
      }
      while (outbox.length > 0) {
        const next = outbox[0];
        markSent(next.element, true);
        typing.hidden = false;
        show(await post("api/chat", next.image ? { image: next.image } : { text: next.text }));
        outbox.shift();
      }
    } catch {
      for (const waiting of outbox) markSent(waiting.element, false);
      report(outbox.length > 0 ? "error" : "unavailable");
    } finally {
      typing.hidden = true;
    }
  }

  function sync() {
    syncing ??= run().finally(() => {
      syncing = null;
    });
    return syncing;
  }

  function send(text) {
    const message = text.trim();
    if (!message) return;
    outbox.push({ text: message, element: addMessage("merchant", message) });
    setOptions([]);
    void sync();
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

  /** A photo joins the same queue as typed messages: kept, in order, until the server has it. */
  async function sendPicture(picture) {
    const element = addMessage("merchant", "", { url: URL.createObjectURL(picture), name: picture.name });
    setOptions([]);
    const image = await pictureData(picture).catch(() => null);
    if (!image) {
      element.remove();
      report("pictureTooLarge");
      return;
    }
    outbox.push({ image, element });
    void sync();
  }

  function toggle(open, focus = true) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      wantWelcome = true;
      void sync();
    }
    if (focus) (open ? input : launcher).focus();
  }

  launcher.addEventListener("click", () => toggle(panel.hidden));
  $(".close").addEventListener("click", () => toggle(false));
  $(".retry").addEventListener("click", () => void sync());
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") toggle(false);
  });
  $(".lang").addEventListener("click", async () => {
    locale = locale === "zh-CN" ? "en" : "zh-CN";
    chosenLocale = locale;
    store(LOCALE_KEY, locale);
    // Loaded again here, or by the next retry when the server cannot be reached now.
    wordsLoaded = false;
    try {
      await loadWords();
    } catch {
      report("unavailable");
    }
  });
  photo.addEventListener("click", () => file.click());
  file.addEventListener("change", () => {
    const picture = file.files?.[0];
    file.value = "";
    if (picture) void sendPicture(picture);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // The text leaves the input only to become a message that is kept until the server has it.
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(text);
  });

  function start() {
    document.body.append(host);
    applyWords();
    // Opened by the page's setting, not by the merchant: the page's focus stays where it is.
    if (settings.open === "true") toggle(true, false);
    else void sync();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
