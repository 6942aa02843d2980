const D = "/work/main/dist/src/nlu/";
const { loadNlu } = await import(D + "model.js");
const { loadTestSet } = await import(D + "training.js");
const { features } = await import(D + "index.js");
const nlu = loadNlu().nlu;
const c = nlu.classifier;
const msgs = loadTestSet().map((m) => m.text);
function time(name, f) {
  for (let w = 0; w < 30; w++) for (let i = 0; i < msgs.length; i++) f(i);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 1500) {
    for (let i = 0; i < msgs.length; i++) f(i);
    n += msgs.length;
  }
  console.log(name.padEnd(14), (((performance.now() - t0) * 1000) / n).toFixed(2), "µs/msg");
}
let x = 0;
time("features", (i) => features(msgs[i]));
time("feat+get", (i) => {
  for (const t of features(msgs[i]).tokens) if (c.rows.get(t)) x++;
});
time("feat+classify", (i) => c.classify(features(msgs[i]).tokens));
const u = new Set();
time("feat+get+set", (i) => {
  u.clear();
  for (const t of features(msgs[i]).tokens) {
    if (c.rows.get(t)) x++;
    else u.add(t);
  }
});
const toks = msgs.map((m) => features(m).tokens);
time("classify only", (i) => c.classify(toks[i]));
function variant(tokens, stage) {
  const scores = c.scores;
  scores.set(c.logPriors);
  const call = ++c.calls;
  const unknown = c.unknown;
  unknown.clear();
  let known = 0,
    knownWeight = 0,
    uw = 0,
    ug = 0;
  for (const token of tokens) {
    const row = c.rows.get(token);
    if (row) {
      if (row.seenIn === call) continue;
      row.seenIn = call;
      known++;
      knownWeight += row.weight;
      const { classes, excess } = row;
      for (let j = 0; j < classes.length; j++) {
        const k = classes[j];
        scores[k] += excess[j];
      }
      continue;
    }
    if (unknown.has(token)) continue;
    unknown.add(token);
    if (token.startsWith("~")) ug++;
    else uw++;
  }
  if (stage === 1) return;
  const temper = 5 / Math.max(knownWeight + uw + ug * 0.5, 1);
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const s = (scores[i] + uw * c.unseenWord[i] + ug * c.unseenGram[i] + knownWeight * c.floors[i]) * temper;
    scores[i] = s;
    if (s > max) max = s;
  }
  if (stage === 2) return;
  let sum = 0;
  const b = c.byIntent;
  b.fill(0);
  for (let i = 0; i < scores.length; i++) {
    const p = Math.exp(scores[i] - max);
    sum += p;
    b[c.intentOf[i]] += p;
  }
  if (stage === 3) return;
  const r = new Array(c.labels.length);
  for (let i = 0; i < r.length; i++) r[i] = { intent: c.labels[i], confidence: b[i] / sum };
  if (stage === 4) return;
  r.sort((a, b) => b.confidence - a.confidence);
}
for (const st of [1, 2, 3, 4, 5]) time("stage" + st, (i) => variant(toks[i], st));
{
  const passes = 60;
  const pool = [];
  for (let p = 0; p < passes; p++) pool.push(msgs.map((m) => features(m).tokens));
  const t0 = performance.now();
  for (let p = 0; p < passes; p++) for (const ts of pool[p]) c.classify(ts);
  console.log(
    "fresh-token classify",
    (((performance.now() - t0) * 1000) / (passes * msgs.length)).toFixed(2),
    "µs/msg",
  );
}
