/*
 * posdesk agent console: the incidents panel (suspected and confirmed incidents: count, shared facts,
 * conversations; confirm with a message, close), the queue of open handoffs (urgent first, then oldest), one
 * handoff's summary and live transcript, claim / reply / close; below the queue the handoffs closed lately,
 * with the merchant's rating of each once given. Everything the merchant wrote is set as textContent, never HTML.
 * Pictures merchants sent show in the transcript: their redacted copies (card numbers painted over),
 * fetched with the agent token and shown from object URLs. Facts and steps show by name in the console's
 * language; the flow's map (an SVG the server draws from the machine, no merchant text in it) shows the
 * states the merchant passed through.
 */
(() => {
  const PRIORITY = { urgent: 0, high: 1, normal: 2, low: 3 };
  let locale = localStorage.getItem("posdesk.agent.locale") || "zh-CN";
  let token = sessionStorage.getItem("posdesk.agent.token");
  let words = {};
  // The intent ids and their names, from the server (locales/<locale>/topics.json): the close form's choices.
  let topics = {};
  let queue = [];
  /** How many closed handoffs the console lists, newest first. */
  const CLOSED_SHOWN = 20;
  let selected = null;
  let events = null;
  // Picture id → object URL of its redacted copy: fetched once, revoked on logout.
  const pictures = new Map();
  // Incident id → the message being typed for it, and the incidents whose conversations are unfolded: the
  // panel is drawn again as merchants join.
  const drafts = new Map();
  const unfolded = new Set();
  // Merchants joining an incident send an event every half second: the panel is read at most once a second.
  let incidentsBusy = false;
  let incidentsAgain = false;
  // Handoff id and locale → its flow map (or null when it has none): a handoff's map never changes.
  const flowMaps = new Map();

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
    $("logout").setAttribute("aria-label", words.logout);
    $("logout").title = words.logout;
  }

  /** A text of the console's words with its {{placeholders}} filled. */
  const fill = (text, params) => text.replace(/\{\{(\w+)\}\}/g, (_, key) => String(params[key] ?? ""));

  function incidentCard(incident) {
    const w = words.incidents;
    const card = el("article", { className: `incident ${incident.status}` });
    card.dataset.id = incident.id;
    card.append(
      el(
        "div",
        { className: "line" },
        el("span", { className: `badge ${incident.status}`, textContent: w.status[incident.status] }),
        el("span", { className: "topic", textContent: topics[incident.topic] ?? incident.topic }),
      ),
      el(
        "div",
        { className: "line" },
        el("span", { className: "count", textContent: fill(w.count, { count: incident.count }) }),
        incident.linked ? el("span", { textContent: fill(w.linked, { count: incident.linked }) }) : "",
        el("span", {
          textContent: fill(w.detectedAt, { time: new Date(incident.detectedAt).toLocaleTimeString() }),
        }),
      ),
    );
    if (incident.message) card.append(el("p", { className: "message", textContent: incident.message }));
    const shared = Object.entries(incident.sharedFacts);
    card.append(
      el("div", { className: "muted", textContent: w.sharedFacts }),
      shared.length === 0
        ? el("div", { className: "muted", textContent: w.noSharedFacts })
        : renderFacts(
            Object.fromEntries(
              shared.map(([fact, { value, count }]) => [fact, `${value} (${count}/${incident.count})`]),
            ),
          ),
    );
    const conversations = el("ul");
    for (const c of incident.conversations) {
      const facts = Object.entries(c.facts)
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ");
      const state = [w.states[c.state], c.channel, c.withAgent ? w.withAgent : ""]
        .filter(Boolean)
        .join(" · ");
      conversations.append(
        el("li", { textContent: `${c.id.slice(0, 8)} · ${state}${facts ? ` · ${facts}` : ""}` }),
      );
    }
    const details = el(
      "details",
      { open: unfolded.has(incident.id) },
      el("summary", { textContent: `${w.conversations} (${incident.conversations.length})` }),
      conversations,
    );
    details.addEventListener("toggle", () => {
      if (details.open) unfolded.add(incident.id);
      else unfolded.delete(incident.id);
    });
    card.append(details);
    const act = async (path, body) => {
      const done = await api(`/api/incidents/${encodeURIComponent(incident.id)}/${path}`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      drafts.delete(incident.id);
      await drawIncidents();
      const status = $("incidents-status");
      if (status) status.textContent = fill(w.notified, { count: done.notified });
    };
    if (incident.status === "suspected") {
      const form = el("form", { className: "confirm" });
      const message = el("textarea", {
        id: `incident-message-${incident.id}`,
        placeholder: w.messagePlaceholder,
        required: true,
        value: drafts.get(incident.id) ?? "",
      });
      message.addEventListener("input", () => drafts.set(incident.id, message.value));
      const dismiss = el("button", { className: "secondary", type: "button", textContent: w.dismiss });
      dismiss.addEventListener("click", () => act("close", {}));
      form.append(
        el("label", { htmlFor: message.id, className: "muted", textContent: w.messageLabel }),
        message,
        el("button", { className: "primary", type: "submit", textContent: w.confirm }),
        dismiss,
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        void act("confirm", { message: message.value });
      });
      card.append(form);
    } else {
      const close = el("button", { className: "primary", type: "button", textContent: w.close });
      close.addEventListener("click", () => act("close", {}));
      card.append(el("form", {}, close));
    }
    return card;
  }

  /** The panel read again now, or (while it was read less than a second ago) once that second is over. */
  async function refreshIncidents() {
    if (incidentsBusy) {
      incidentsAgain = true;
      return;
    }
    incidentsBusy = true;
    try {
      await drawIncidents();
    } finally {
      setTimeout(() => {
        incidentsBusy = false;
        if (incidentsAgain) {
          incidentsAgain = false;
          void refreshIncidents();
        }
      }, 1000);
    }
  }

  async function drawIncidents() {
    const list = await api("/api/incidents");
    const panel = $("incidents");
    // The panel is drawn anew; a message being typed keeps its place.
    const focused = document.activeElement?.id?.startsWith("incident-message-")
      ? document.activeElement
      : null;
    const caret = focused ? [focused.id, focused.selectionStart, focused.selectionEnd] : null;
    const status = $("incidents-status")?.textContent ?? "";
    panel.replaceChildren(
      el("h2", { id: "incidents-title", textContent: `${words.incidents.title} (${list.length})` }),
      el("p", { id: "incidents-status", className: "muted", textContent: status, role: "status" }),
      ...(list.length === 0 ? [el("p", { className: "muted item", textContent: words.incidents.none })] : []),
      ...list.map(incidentCard),
    );
    if (caret) {
      const again = $(caret[0]);
      again?.focus();
      again?.setSelectionRange(caret[1], caret[2]);
    }
  }

  function sortQueue(list) {
    return [...list].sort(
      (a, b) => PRIORITY[a.priority] - PRIORITY[b.priority] || a.createdAt.localeCompare(b.createdAt),
    );
  }

  /** Empties `list` and titles it: the heading goes before the list, never in it (a list holds list items only). */
  function headList(list, id, text) {
    const title = $(id) ?? el("h2", { id });
    if (!title.isConnected) list.before(title);
    title.textContent = text;
    list.replaceChildren();
  }

  async function refreshQueue() {
    queue = sortQueue(await api("/api/handoffs"));
    const list = $("queue");
    headList(list, "queue-title", `${words.queue} (${queue.length})`);
    if (queue.length === 0) list.append(el("li", { className: "muted item", textContent: words.empty }));
    for (const h of queue)
      list.append(
        handoffItem(
          h,
          [
            el("span", { className: `badge ${h.priority}`, textContent: words.priorities[h.priority] }),
            el("span", { className: "badge", textContent: words.status[h.status] }),
          ],
          topics[h.intent] ?? h.intent,
          `${words.reasons[h.reason]} · ${new Date(h.createdAt).toLocaleString()}`,
        ),
      );
    await refreshClosed();
  }

  /** The handoffs closed lately, newest first, each with the merchant's rating once they gave one. */
  async function refreshClosed() {
    const closed = (await api("/api/handoffs?status=closed")).slice(0, CLOSED_SHOWN);
    const list = $("closed");
    headList(list, "closed-title", words.closed);
    if (closed.length === 0)
      list.append(el("li", { className: "muted item", textContent: words.noneClosed }));
    for (const h of closed)
      list.append(
        handoffItem(
          h,
          h.rating
            ? [
                el("span", {
                  className: `badge score${h.rating.score <= 2 ? " low" : ""}`,
                  textContent: `${h.rating.score}/5`,
                  title: words.scores[h.rating.score],
                }),
              ]
            : [],
          topics[h.resolution ?? h.intent] ?? h.intent,
          new Date(h.closedAt ?? h.createdAt).toLocaleString(),
        ),
      );
  }

  /** One handoff in a list: its badges and channel, its topic, a line below; selects it when clicked. */
  function handoffItem(h, badges, topic, below) {
    const button = el(
      "button",
      { type: "button", className: "item" },
      el("div", { className: "line" }, ...badges, el("span", { textContent: h.channel })),
      el("div", { className: "topic", textContent: topic }),
      el("div", { className: "line", textContent: below }),
    );
    button.dataset.id = h.id;
    button.setAttribute("aria-current", String(h.id === selected));
    button.addEventListener("click", () => select(h.id));
    return el("li", {}, button);
  }

  /** A rating as the console shows it: the score in words, when and after what, and the comment. */
  function ratingOf(label, rating) {
    return el(
      "div",
      { className: "rating" },
      el("small", { className: "muted", textContent: label }),
      el("div", {
        className: "score",
        textContent: `${rating.score}/5 · ${words.scores[rating.score]} · ${words.ratedAfter[rating.after]} · ${new Date(rating.at).toLocaleString()}`,
      }),
      el("p", { className: "comment", textContent: rating.comment ?? words.noComment }),
    );
  }

  /** This handoff's rating, and the merchant's latest rating of any help when it is another one. */
  function satisfaction(h) {
    const shown = [];
    if (h.rating) shown.push(ratingOf(words.rating, h.rating));
    if (h.lastRating && h.lastRating.at !== h.rating?.at)
      shown.push(ratingOf(words.lastRating, h.lastRating));
    if (shown.length === 0 && h.status !== "closed") return "";
    return el(
      "section",
      { className: "card", id: "satisfaction" },
      el("h3", { textContent: words.satisfaction }),
      ...(shown.length > 0 ? shown : [el("p", { className: "muted", textContent: words.noRating })]),
    );
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

  /** Pairs of a name and its value in words ("返回码" 51, "已建议顾客换卡…" 未解决), as a list of terms. */
  function renderNamed(pairs) {
    const dl = el("dl");
    for (const [name, value] of pairs)
      dl.append(el("dt", { textContent: name }), el("dd", { textContent: value }));
    return dl;
  }

  function flowMapOf(id) {
    const key = `${id}\u0000${locale}`;
    if (!flowMaps.has(key))
      flowMaps.set(
        key,
        fetch(`/api/handoffs/${encodeURIComponent(id)}/flowmap?locale=${encodeURIComponent(locale)}`, {
          headers: { Authorization: `Bearer ${token}` },
        })
          .then((response) => (response.ok ? response.json() : null))
          .catch(() => null),
      );
    return flowMaps.get(key);
  }

  /** The flow's map in its card: the SVG from the server, in a box that scrolls when it is wide. */
  async function renderFlowMap(id, card) {
    const map = await flowMapOf(id);
    if (selected !== id || !card.isConnected) return;
    const parsed = map ? new DOMParser().parseFromString(map.svg, "image/svg+xml").documentElement : null;
    if (parsed?.nodeName !== "svg") {
      card.append(el("p", { className: "muted", textContent: words.flowMapMissing }));
      return;
    }
    const scroll = el("div", { className: "flowmap-scroll", tabIndex: 0 }, document.importNode(parsed, true));
    scroll.setAttribute("role", "group");
    scroll.setAttribute("aria-labelledby", "flowmap-title");
    card.append(
      el("figure", { className: "flowmap" }, scroll, el("figcaption", { textContent: map.caption })),
    );
  }

  async function select(id) {
    selected = id;
    const h = await api(`/api/handoffs/${encodeURIComponent(id)}?locale=${encodeURIComponent(locale)}`);
    const detail = $("detail");
    // Scrolls by itself: focusable, so a keyboard can scroll it too.
    const transcript = el("div", { className: "transcript", id: "transcript", tabIndex: 0 });
    transcript.setAttribute("role", "log");
    transcript.setAttribute("aria-label", words.transcript);
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
    const noteLabel = el("label", { htmlFor: "note", className: "muted", textContent: words.note });
    const close = el("form", { id: "close" });
    close.append(
      el("label", { htmlFor: "resolution", className: "muted", textContent: words.resolution }),
      resolution,
      noteLabel,
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
    const facts = renderNamed(h.names.facts.map((f) => [f.name, f.valueName]));
    const steps = renderNamed(h.names.steps.map((s) => [s.name, s.resultName]));
    const mapCard = el(
      "section",
      { className: "card", id: "flowmap" },
      el("h3", { id: "flowmap-title", textContent: words.flowMap }),
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
      el("section", { className: "card" }, el("h3", { textContent: words.facts }), facts),
      el("section", { className: "card" }, el("h3", { textContent: words.steps }), steps),
      satisfaction(h),
      h.flow ? mapCard : "",
      el("section", { className: "card" }, el("h3", { textContent: words.transcript }), transcript),
      // A closed handoff is the bot's again: it is read here, no longer answered or closed.
      h.status === "closed" ? "" : el("section", { className: "card" }, reply),
      h.status === "closed" ? "" : el("section", { className: "card" }, close),
    );
    transcript.scrollTop = transcript.scrollHeight;
    if (h.flow) void renderFlowMap(id, mapCard);
    for (const item of document.querySelectorAll(".item"))
      item.setAttribute("aria-current", String(item.dataset.id === id));
  }

  function listen() {
    events?.close();
    events = new EventSource(`/api/handoffs/events?token=${encodeURIComponent(token)}`);
    events.onmessage = async (event) => {
      const change = JSON.parse(event.data);
      if (change.type.startsWith("incident.")) {
        await refreshIncidents();
        return;
      }
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
    flowMaps.clear();
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
    await Promise.all([refreshQueue(), refreshIncidents()]);
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
