/*
 * posdesk agent console: the queue of open handoffs (urgent first, then oldest), one handoff's summary and
 * live transcript, claim / reply / close. Everything the merchant wrote is set as textContent, never HTML.
 * Pictures merchants sent show in the transcript: their redacted copies (card numbers painted over),
 * fetched with the agent token and shown from object URLs.
 */
(() => {
  const PRIORITY = { urgent: 0, high: 1, normal: 2, low: 3 };
  let locale = localStorage.getItem("posdesk.agent.locale") || "zh-CN";
  let token = sessionStorage.getItem("posdesk.agent.token");
  let words = {};
  // The intent ids and their names, from the server (locales/<locale>/topics.json): the close form's choices.
  let topics = {};
  let queue = [];
  let selected = null;
  let events = null;
  // Picture id → object URL of its redacted copy: fetched once, revoked on logout.
  const pictures = new Map();

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    node.append(...children);
    return node;
  };

  async function api(path, init = {}) {
    const response = await fetch(path, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        ...(init.headers || {}),
      },
    });
    if (response.status === 401) {
      logout(words.tokenInvalid);
      throw new Error("unauthorised");
    }
    const body = await response.json();
    if (!response.ok) throw new Error(body.error);
    return body;
  }

  async function loadWords() {
    const ui = await (await fetch(`/api/ui/${locale}`)).json();
    words = ui.agent;
    topics = ui.topics;
    document.documentElement.lang = locale;
    $("title").textContent = words.title;
    document.title = words.title;
    $("analytics-link").textContent = words.analytics;
    $("lang").textContent = locale === "zh-CN" ? "EN" : "中文";
    $("token-label").textContent = words.tokenLabel;
    $("token-submit").textContent = words.tokenSubmit;
  }

  function sortQueue(list) {
    return [...list].sort(
      (a, b) => PRIORITY[a.priority] - PRIORITY[b.priority] || a.createdAt.localeCompare(b.createdAt),
    );
  }

  async function refreshQueue() {
    queue = sortQueue(await api("/api/handoffs"));
    const list = $("queue");
    list.replaceChildren(el("h2", { id: "queue-title", textContent: `${words.queue} (${queue.length})` }));
    if (queue.length === 0) list.append(el("li", { className: "muted item", textContent: words.empty }));
    for (const h of queue) {
      const button = el(
        "button",
        { type: "button", className: "item" },
        el(
          "div",
          { className: "line" },
          el("span", { className: `badge ${h.priority}`, textContent: words.priorities[h.priority] }),
          el("span", { className: "badge", textContent: words.status[h.status] }),
          el("span", { textContent: h.channel }),
        ),
        el("div", { className: "topic", textContent: topics[h.intent] ?? h.intent }),
        el("div", {
          className: "line",
          textContent: `${words.reasons[h.reason]} · ${new Date(h.createdAt).toLocaleString()}`,
        }),
      );
      button.dataset.id = h.id;
      button.setAttribute("aria-current", String(h.id === selected));
      button.addEventListener("click", () => select(h.id));
      list.append(el("li", {}, button));
    }
  }

  /** The redacted copy of a merchant's picture, fetched with the token (an <img src> could not send it). */
  function pictureOf(id) {
    const image = el("img", { className: "picture", alt: words.picture, title: words.picture });
    image.addEventListener("click", () => image.classList.toggle("large"));
    const cached = pictures.get(id);
    const url =
      cached ??
      fetch(`/api/pictures/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${token}` } })
        .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(response.statusText))))
        .then((blob) => URL.createObjectURL(blob));
    pictures.set(id, url);
    url.then(
      (src) => {
        image.src = src;
      },
      () => {
        pictures.delete(id);
        image.replaceWith(el("span", { className: "muted", textContent: words.pictureMissing }));
      },
    );
    return image;
  }

  function renderFacts(facts) {
    const dl = el("dl");
    for (const [key, value] of Object.entries(facts))
      dl.append(el("dt", { textContent: key }), el("dd", { textContent: String(value) }));
    return dl;
  }

  async function select(id) {
    selected = id;
    const h = await api(`/api/handoffs/${encodeURIComponent(id)}`);
    const detail = $("detail");
    const transcript = el("div", { className: "transcript", id: "transcript" });
    for (const entry of h.transcript) {
      transcript.append(
        el(
          "div",
          { className: `entry ${entry.from}` },
          el("small", {
            textContent: `${words.from[entry.from]} · ${new Date(entry.at).toLocaleTimeString()}`,
          }),
          document.createTextNode(entry.text),
          entry.picture ? pictureOf(entry.picture) : "",
        ),
      );
    }
    const reply = el("form", { id: "reply" });
    const replyText = el("textarea", {
      id: "reply-text",
      placeholder: words.replyPlaceholder,
      required: true,
    });
    reply.append(
      el("label", { htmlFor: "reply-text", className: "muted", textContent: words.replyLabel }),
      replyText,
      el("button", { className: "primary", type: "submit", textContent: words.reply }),
    );
    reply.addEventListener("submit", async (event) => {
      event.preventDefault();
      await api(`/api/handoffs/${encodeURIComponent(id)}/messages`, {
        method: "POST",
        body: JSON.stringify({ text: replyText.value }),
      });
      replyText.value = "";
      await select(id);
    });
    const resolution = el(
      "select",
      { id: "resolution" },
      ...Object.entries(topics).map(([id, name]) =>
        el("option", { value: id, textContent: `${name} (${id})` }),
      ),
    );
    resolution.value = h.intent;
    const note = el("input", { id: "note", placeholder: words.note });
    const close = el("form", { id: "close" });
    close.append(
      el("label", { htmlFor: "resolution", className: "muted", textContent: words.resolution }),
      resolution,
      note,
      el("button", { className: "primary", type: "submit", textContent: words.close }),
    );
    close.addEventListener("submit", async (event) => {
      event.preventDefault();
      await api(`/api/handoffs/${encodeURIComponent(id)}/close`, {
        method: "POST",
        body: JSON.stringify({ resolution: resolution.value, note: note.value }),
      });
      selected = null;
      detail.replaceChildren(el("p", { className: "muted", textContent: words.select }));
      await refreshQueue();
    });
    const claim = el("button", {
      className: "primary",
      type: "button",
      id: "claim",
      textContent: words.claim,
    });
    claim.addEventListener("click", async () => {
      await api(`/api/handoffs/${encodeURIComponent(id)}/claim`, { method: "POST", body: "{}" });
      await select(id);
    });
    const steps = el(
      "ul",
      {},
      ...h.stepsTried.map((s) => el("li", { textContent: `${s.step}: ${s.result}` })),
    );
    detail.replaceChildren(
      el(
        "section",
        { className: "card" },
        el("h3", { textContent: words.summary }),
        el("p", { id: "summary", textContent: h.summary }),
        renderFacts({
          [words.reason]: words.reasons[h.reason],
          [words.priority]: words.priorities[h.priority],
          [words.channel]: h.channel,
          ...(h.claimedBy ? { [words.claimedBy]: h.claimedBy } : {}),
        }),
        h.status === "open" ? claim : "",
      ),
      el("section", { className: "card" }, el("h3", { textContent: words.facts }), renderFacts(h.facts)),
      el("section", { className: "card" }, el("h3", { textContent: words.steps }), steps),
      el("section", { className: "card" }, el("h3", { textContent: words.transcript }), transcript),
      el("section", { className: "card" }, reply),
      el("section", { className: "card" }, close),
    );
    transcript.scrollTop = transcript.scrollHeight;
    for (const item of document.querySelectorAll(".item"))
      item.setAttribute("aria-current", String(item.dataset.id === id));
  }

  function listen() {
    events?.close();
    events = new EventSource(`/api/handoffs/events?token=${encodeURIComponent(token)}`);
    events.onmessage = async (event) => {
      const change = JSON.parse(event.data);
      await refreshQueue();
      if (change.handoffId === selected && change.type !== "handoff.closed") await select(selected);
    };
  }

  function logout(message = "") {
    token = null;
    for (const url of pictures.values())
      void url.then(
        (src) => URL.revokeObjectURL(src),
        () => undefined,
      );
    pictures.clear();
    sessionStorage.removeItem("posdesk.agent.token");
    events?.close();
    $("desk").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message;
  }

  async function enter() {
    $("login").hidden = true;
    $("desk").hidden = false;
    $("logout").hidden = false;
    $("detail").replaceChildren(el("p", { className: "muted", textContent: words.select }));
    await refreshQueue();
    listen();
  }

  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    token = $("token").value.trim();
    sessionStorage.setItem("posdesk.agent.token", token);
    await enter().catch(() => undefined);
  });
  $("logout").addEventListener("click", () => logout());
  $("lang").addEventListener("click", async () => {
    locale = locale === "zh-CN" ? "en" : "zh-CN";
    localStorage.setItem("posdesk.agent.locale", locale);
    await loadWords();
    if (token) await enter();
  });

  void (async () => {
    await loadWords();
    if (token) await enter().catch(() => undefined);
    else logout();
  })();
})();
