/*
 * posdesk analytics: the support lead's view of a date range, from GET /api/analytics (agent token, as on
 * the console). Figures as cards, charts drawn with ECharts (served by posdesk itself), each chart with its
 * numbers as a table beside it. Words from /api/ui/<locale>/analytics; the language is the console's.
 */
(() => {
  const DAY = 86_400_000;
  const COLORS = ["#0b5cad", "#2e9d5b", "#e0802b", "#c62828", "#7b5ea7", "#3aa6b9", "#8d6e63", "#9e9d24"];
  let locale = localStorage.getItem("posdesk.agent.locale") || "zh-CN";
  let token = sessionStorage.getItem("posdesk.agent.token");
  let words = {};
  let report = null;
  let flow = null;
  const charts = new Map();
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    node.append(...children);
    return node;
  };
  const fill = (text, params = {}) =>
    String(text ?? "").replace(/\{\{(\w+)\}\}/g, (_, key) => String(params[key] ?? ""));
  const number = (n) => new Intl.NumberFormat(locale).format(n);
  const percent = (rate) =>
    rate === null
      ? "–"
      : new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(rate);
  const narrow = () => window.innerWidth <= 720;

  /** Names shown for ids: topics, reasons, code kinds, flow states (the flow's own words, then shared ones). */
  const topicName = (id) => (id === "none" ? words.none : words.topics?.[id] || id);
  const stateName = (flowId, state) =>
    words.states?.[flowId]?.[state] || words.states?.common?.[state] || state;

  /** A date input's value (YYYY-MM-DD) for a day `offset` days from today, in the browser's time zone. */
  function day(offset = 0) {
    const d = new Date(Date.now() + offset * DAY);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  const PRESETS = {
    today: () => [day(0), day(0)],
    yesterday: () => [day(-1), day(-1)],
    week: () => [day(-6), day(0)],
    month: () => [day(-29), day(0)],
    year: () => [day(-364), day(0)],
  };

  async function loadWords() {
    words = await (await fetch(`/api/ui/${locale}/analytics`)).json();
    document.documentElement.lang = locale;
    document.title = words.title;
    $("title").textContent = words.title;
    $("console-link").textContent = words.console;
    $("lang").textContent = locale === "zh-CN" ? "EN" : "中文";
    $("token-label").textContent = words.agent.tokenLabel;
    $("token-submit").textContent = words.agent.tokenSubmit;
    $("from-label").textContent = words.from;
    $("to-label").textContent = words.to;
    $("apply").textContent = words.apply;
    $("presets-legend").textContent = words.range;
    for (const old of $("presets").querySelectorAll("button")) old.remove();
    $("presets").append(
      ...Object.keys(PRESETS).map((name) => {
        const button = el("button", { type: "button", textContent: words.presets[name] });
        button.dataset.preset = name;
        button.addEventListener("click", () => {
          [$("from").value, $("to").value] = PRESETS[name]();
          void load();
        });
        return button;
      }),
    );
  }

  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
    if (response.status === 401) {
      logout(words.agent.tokenInvalid);
      throw new Error("unauthorised");
    }
    const body = await response.json();
    if (!response.ok) throw new Error(body.error);
    return body;
  }

  function markPreset() {
    for (const button of $("presets").querySelectorAll("button")) {
      const [from, to] = PRESETS[button.dataset.preset]();
      button.setAttribute("aria-pressed", String(from === $("from").value && to === $("to").value));
    }
  }

  async function load() {
    const from = $("from").value;
    const to = $("to").value;
    sessionStorage.setItem("posdesk.analytics.range", JSON.stringify([from, to]));
    markPreset();
    const status = $("status");
    status.className = "";
    status.textContent = words.loading;
    try {
      const query = new URLSearchParams({ from, to, tz });
      report = await api(`/api/analytics?${query}`);
      status.textContent = report.conversations === 0 && report.csat.count === 0 ? words.empty : "";
      render();
    } catch (error) {
      if (!token) return;
      status.className = "error";
      status.textContent = fill(words.failed, { error: error.message });
    }
  }

  // ---- drawing ----

  function chart(id) {
    let instance = charts.get(id);
    if (!instance) {
      instance = echarts.init($(id), null, { renderer: "canvas" });
      charts.set(id, instance);
    }
    return instance;
  }

  function disposeCharts() {
    for (const instance of charts.values()) instance.dispose();
    charts.clear();
  }

  const base = () => ({
    color: COLORS,
    animation: false,
    textStyle: { fontFamily: 'system-ui, "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif' },
    tooltip: { trigger: "axis", confine: true },
    grid: { left: 8, right: 16, top: narrow() ? 52 : 36, bottom: 8, containLabel: true },
  });

  /**
   * A chart of horizontal bars tall enough for its rows: on a phone a long name is broken over two lines
   * rather than cut short.
   */
  function fitRows(id, rows, extra = 48) {
    const height = Math.max(160, rows * (narrow() ? 38 : 26) + extra);
    const node = $(id);
    if (node.style.height !== `${height}px`) {
      node.style.height = `${height}px`;
      charts.get(id)?.resize();
    }
  }

  const categoryLabel = (width) => ({ width, overflow: narrow() ? "break" : "truncate", lineHeight: 14 });

  /** Horizontal bars, one per entry, largest on top. */
  function bars(id, entries, name, labelWidth = narrow() ? 112 : 170) {
    fitRows(id, entries.length, 24);
    chart(id).setOption(
      {
        ...base(),
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: {
          type: "category",
          inverse: true,
          data: entries.map(([label]) => label),
          axisLabel: categoryLabel(labelWidth),
        },
        series: [
          { type: "bar", name, data: entries.map(([, n]) => n), label: { show: true, position: "right" } },
        ],
      },
      true,
    );
  }

  function table(id, columns, rows) {
    const head = el(
      "tr",
      {},
      ...columns.map((c) =>
        el("th", { scope: "col", textContent: c.title, className: c.numeric ? "n" : "" }),
      ),
    );
    const body = rows.map((row) =>
      el(
        "tr",
        {},
        ...columns.map((c, i) =>
          el("td", {
            textContent: c.numeric ? number(row[i]) : String(row[i]),
            className: c.numeric ? "n" : "",
          }),
        ),
      ),
    );
    $(id).replaceChildren(el("thead", {}, head), el("tbody", {}, ...body));
  }

  /** A card: its title, anything above the chart, the chart, and its numbers as a table. */
  function card(id, title, options = {}) {
    const section = el("section", { className: `card${options.wide ? " wide" : ""}`, id: `${id}-card` });
    section.setAttribute("aria-labelledby", `${id}-title`);
    section.append(el("h2", { id: `${id}-title`, textContent: title }));
    for (const part of options.before ?? []) section.append(part);
    // A chart is a picture to a screen reader, named by its heading; its numbers are in the table below.
    let label = title;
    for (const chartId of options.charts ?? [`${id}-chart`]) {
      if (typeof chartId === "object") {
        label = `${title}: ${chartId.textContent}`;
        section.append(chartId);
        continue;
      }
      const node = el("div", { className: `chart${options.tall ? " tall" : ""}`, id: chartId, role: "img" });
      node.setAttribute("aria-label", label);
      section.append(node);
    }
    const details = el("details", {}, el("summary", { textContent: words.table }));
    for (const tableId of options.tables ?? [`${id}-table`]) details.append(el("table", { id: tableId }));
    section.append(details);
    return section;
  }

  function layout() {
    disposeCharts();
    const flowSelect = el("select", { id: "flow" });
    flowSelect.addEventListener("change", () => {
      flow = flowSelect.value;
      renderFunnel();
    });
    const s = words.sections;
    $("cards").replaceChildren(
      card("timeline", s.timeline, { wide: true }),
      card("topics", s.topics, { tall: true }),
      card("handoffs", s.handoffs, {
        charts: [
          el("h3", { textContent: s.handoffReasons }),
          "handoff-reasons-chart",
          el("h3", { textContent: s.handoffTopics }),
          "handoff-topics-chart",
        ],
        tables: ["handoff-reasons-table", "handoff-topics-table"],
      }),
      card("funnel", s.funnels, {
        wide: true,
        tall: true,
        before: [
          el("label", { htmlFor: "flow", className: "note", textContent: `${words.funnel.flow} ` }),
          flowSelect,
          el("p", { className: "note", id: "funnel-summary" }),
        ],
      }),
      card("hours", s.hours),
      card("codes", s.codes, { tall: true }),
      card("csat", s.csat, { before: [el("p", { className: "note", id: "csat-summary" })] }),
      card("agents", s.agents, { before: [el("p", { className: "note", id: "agents-summary" })] }),
    );
  }

  function renderKpis() {
    const k = words.kpi;
    const r = report;
    const tile = (id, label, value, note) =>
      el(
        "div",
        { className: "kpi", id: `kpi-${id}` },
        el("div", { className: "label", textContent: label }),
        el("div", { className: "value", textContent: value }),
        el("div", { className: "note", textContent: note }),
      );
    $("kpis").replaceChildren(
      tile("conversations", k.conversations, number(r.conversations), ""),
      tile("resolved", k.resolvedByBot, number(r.resolvedByBot), ""),
      tile("containment", k.containment, percent(r.containmentRate), k.containmentHint),
      tile(
        "handoffs",
        k.handoffs,
        number(r.handoffs),
        fill(k.ofConversations, { count: number(r.conversationsHandedOff) }),
      ),
      tile(
        "csat",
        k.csat,
        r.csat.average === null ? "–" : r.csat.average.toFixed(2),
        r.csat.count === 0 ? k.csatNone : fill(k.csatCount, { count: number(r.csat.count) }),
      ),
    );
  }

  function renderTimeline() {
    const { unit, points } = report.timeline;
    const series = ["conversations", "resolvedByBot", "handoffs"];
    // 11-30 for a day; 14:00 for an hour of a single day, 11-30 14:00 across days.
    const label = (p) => (unit === "hour" && points.length <= 24 ? p.label.slice(11) : p.label.slice(5));
    chart("timeline-chart").setOption(
      {
        ...base(),
        legend: { top: 0, data: series.map((s) => words.series[s]) },
        xAxis: { type: "category", data: points.map(label), boundaryGap: unit === "day" },
        yAxis: { type: "value", minInterval: 1 },
        series: series.map((s) => ({
          type: unit === "day" && points.length <= 31 ? "bar" : "line",
          name: words.series[s],
          data: points.map((p) => p[s]),
          showSymbol: points.length <= 48,
        })),
      },
      true,
    );
    table(
      "timeline-table",
      [{ title: words.columns.day }, ...series.map((s) => ({ title: words.series[s], numeric: true }))],
      points.map((p) => [p.label, ...series.map((s) => p[s])]),
    );
  }

  function renderTopics() {
    const entries = Object.entries(report.byIntent).filter(([, n]) => n > 0);
    bars(
      "topics-chart",
      entries.map(([id, n]) => [topicName(id), n]),
      words.series.conversations,
    );
    table(
      "topics-table",
      [{ title: words.columns.topic }, { title: words.series.conversations, numeric: true }],
      entries.map(([id, n]) => [topicName(id), n]),
    );
  }

  function renderHandoffs() {
    const reasons = Object.entries(report.handoffsByReason).filter(([, n]) => n > 0);
    chart("handoff-reasons-chart").setOption(
      {
        ...base(),
        tooltip: { trigger: "item", confine: true },
        legend: { bottom: 0, type: "scroll" },
        series: [
          {
            type: "pie",
            radius: ["38%", "66%"],
            center: ["50%", "44%"],
            label: { formatter: "{c}", position: "inside", color: "#fff", fontWeight: 600 },
            data: reasons.map(([id, n]) => ({ name: words.reasons[id] || id, value: n })),
          },
        ],
      },
      true,
    );
    table(
      "handoff-reasons-table",
      [{ title: words.columns.reason }, { title: words.series.handoffs, numeric: true }],
      reasons.map(([id, n]) => [words.reasons[id] || id, n]),
    );
    const topics = Object.entries(report.handoffsByTopic).filter(([, n]) => n > 0);
    bars(
      "handoff-topics-chart",
      topics.map(([id, n]) => [topicName(id), n]),
      words.series.handoffs,
    );
    table(
      "handoff-topics-table",
      [{ title: words.columns.topic }, { title: words.series.handoffs, numeric: true }],
      topics.map(([id, n]) => [topicName(id), n]),
    );
  }

  function renderFunnel() {
    const select = $("flow");
    const flows = report.flows;
    if (!flows.some((f) => f.flow === flow)) flow = flows[0]?.flow ?? null;
    select.replaceChildren(
      ...flows.map((f) =>
        el("option", { value: f.flow, textContent: `${topicName(f.flow)} (${number(f.started)})` }),
      ),
    );
    if (flow) select.value = flow;
    const f = flows.find((x) => x.flow === flow);
    $("funnel-summary").textContent = f
      ? fill(words.funnel.summary, {
          started: number(f.started),
          resolved: number(f.resolved),
          escalated: number(f.escalated),
          stopped: number(f.stopped),
          left: number(f.left),
        })
      : "";
    // The runs started head the funnel: each state's bar reads against them.
    const states = f ? [{ state: "", reached: f.started, stopped: 0, escalated: 0 }, ...f.states] : [];
    const names = states.map((s, i) => (i === 0 ? words.funnel.started : stateName(f.flow, s.state)));
    const kinds = ["reached", "stopped", "escalated"];
    // The legend takes two lines on a phone.
    const top = narrow() ? 52 : 30;
    fitRows("funnel-chart", names.length, top + 24);
    chart("funnel-chart").setOption(
      {
        ...base(),
        color: ["#0b5cad", "#e0802b", "#c62828"],
        legend: { top: 0, data: kinds.map((k) => words.series[k]) },
        grid: { left: 8, right: 24, top, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: {
          type: "category",
          inverse: true,
          data: names,
          axisLabel: categoryLabel(narrow() ? 120 : 230),
        },
        series: kinds.map((k) => ({
          type: "bar",
          name: words.series[k],
          data: states.map((s) => s[k]),
          label: { show: k === "reached", position: "right" },
        })),
      },
      true,
    );
    table(
      "funnel-table",
      [{ title: words.columns.state }, ...kinds.map((k) => ({ title: words.series[k], numeric: true }))],
      states.map((s, i) => [names[i], s.reached, s.stopped, s.escalated]),
    );
  }

  function renderHours() {
    const hours = report.busiestHours;
    chart("hours-chart").setOption(
      {
        ...base(),
        legend: { top: 0, data: [words.series.conversations, words.series.handoffs] },
        xAxis: { type: "category", data: hours.map((h) => String(h.hour)) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { type: "bar", name: words.series.conversations, data: hours.map((h) => h.conversations) },
          { type: "bar", name: words.series.handoffs, data: hours.map((h) => h.handoffs) },
        ],
      },
      true,
    );
    table(
      "hours-table",
      [
        { title: words.columns.hour },
        { title: words.series.conversations, numeric: true },
        { title: words.series.handoffs, numeric: true },
      ],
      hours.map((h) => [fill(words.hourLabel, { hour: h.hour }), h.conversations, h.handoffs]),
    );
  }

  function renderCodes() {
    const kind = (code) => words.codeClasses[report.responseCodeClasses[code]] || words.codeClasses.unknown;
    // Most frequent first: an object's integer-like keys ("51") come out in numeric order, whatever the JSON said.
    const entries = Object.entries(report.responseCodes).sort(
      ([a, x], [b, y]) => y - x || a.localeCompare(b),
    );
    bars(
      "codes-chart",
      entries.slice(0, 15).map(([code, n]) => [`${code} · ${kind(code)}`, n]),
      words.series.conversations,
      narrow() ? 110 : 150,
    );
    table(
      "codes-table",
      [
        { title: words.columns.code },
        { title: words.columns.kind },
        { title: words.columns.count, numeric: true },
      ],
      entries.map(([code, n]) => [code, kind(code), n]),
    );
  }

  function renderCsat() {
    const c = report.csat;
    $("csat-summary").textContent =
      c.count === 0
        ? words.csat.none
        : fill(words.csat.average, { average: c.average.toFixed(2), count: number(c.count) });
    const scores = ["1", "2", "3", "4", "5"];
    chart("csat-chart").setOption(
      {
        ...base(),
        color: ["#7b5ea7"],
        xAxis: { type: "category", data: scores.map((s) => `${s}★`) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", name: words.series.ratings, data: scores.map((s) => c.distribution[s]) }],
      },
      true,
    );
    const after = ["flow", "handoff"].map((a) => [
      words.csat.after[a],
      c.byAfter[a].count,
      c.byAfter[a].average === null ? "–" : c.byAfter[a].average.toFixed(2),
    ]);
    table(
      "csat-table",
      [
        { title: words.columns.rated },
        { title: words.series.ratings, numeric: true },
        { title: words.columns.average },
      ],
      [...after, ...scores.map((s) => [`${s}★`, c.distribution[s], ""])],
    );
  }

  function renderAgents() {
    const a = report.agentResolutions;
    $("agents-summary").textContent = fill(words.agents.summary, {
      closed: number(a.closed),
      corrected: number(a.corrected),
    });
    const entries = Object.entries(a.byResolution);
    bars(
      "agents-chart",
      entries.map(([id, n]) => [topicName(id), n]),
      words.series.closed,
    );
    table(
      "agents-table",
      [{ title: words.columns.resolution }, { title: words.series.closed, numeric: true }],
      entries.map(([id, n]) => [topicName(id), n]),
    );
  }

  function render() {
    if (!report) return;
    if (!$("timeline-card")) layout();
    renderKpis();
    renderTimeline();
    renderTopics();
    renderHandoffs();
    renderFunnel();
    renderHours();
    renderCodes();
    renderCsat();
    renderAgents();
    document.body.dataset.rendered = `${report.from}/${report.to}/${locale}`;
  }

  // ---- sign-in, language, start ----

  function logout(message = "") {
    token = null;
    sessionStorage.removeItem("posdesk.agent.token");
    disposeCharts();
    $("cards").replaceChildren();
    $("board").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message;
  }

  async function enter() {
    $("login").hidden = true;
    $("board").hidden = false;
    $("logout").hidden = false;
    layout();
    await load();
  }

  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    token = $("token").value.trim();
    sessionStorage.setItem("posdesk.agent.token", token);
    await enter().catch(() => undefined);
  });
  $("range").addEventListener("submit", (event) => {
    event.preventDefault();
    void load();
  });
  $("logout").addEventListener("click", () => logout());
  $("lang").addEventListener("click", async () => {
    locale = locale === "zh-CN" ? "en" : "zh-CN";
    localStorage.setItem("posdesk.agent.locale", locale);
    await loadWords();
    if (token && report) {
      layout();
      render();
    }
  });
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      if (report) render();
      for (const instance of charts.values()) instance.resize();
    }, 150);
  });

  void (async () => {
    const saved = JSON.parse(sessionStorage.getItem("posdesk.analytics.range") || "null");
    [$("from").value, $("to").value] = Array.isArray(saved) ? saved : PRESETS.week();
    await loadWords();
    if (token) await enter().catch(() => undefined);
    else logout();
  })();
})();
