/**
 * The HTTP load measures: what the paced client counts, and the CPU and garbage collection each server spends
 * per answered turn.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { GcTotals } from "../../src/bench/gc-probe.js";
import { cpuPerTurn, type GcRound, gcPerTurn, type LoadResult } from "../../src/bench/load.js";
import { pacedLoad } from "../../src/bench/paced.js";
import { measuresOf } from "../../src/bench/report.js";
import { processCpuMs, readGcProbe } from "../../src/bench/server-process.js";
import { pacedRound, reportOf } from "../support/bench.js";

describe("a server process's CPU time", () => {
  it("is read from /proc, and grows by the CPU the process spends", () => {
    const before = processCpuMs(process.pid);
    expect(before).not.toBeNull();
    const spent = () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    };
    const until = spent() + 200_000;
    let spin = 0;
    while (spent() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    // 200 ms of CPU spent, read at a clock tick's resolution (10 ms).
    const read = (processCpuMs(process.pid) ?? 0) - (before ?? 0);
    expect(read).toBeGreaterThanOrEqual(180);
    expect(read).toBeLessThan(400);
  });

  it("is unknown for a process that does not exist", () => {
    expect(processCpuMs(2 ** 30)).toBeNull();
  });

  it("per answered turn is the time spent over the turns answered, unknown when either is", () => {
    expect(cpuPerTurn(1000, 1900, 1200)).toBe(0.75);
    expect(cpuPerTurn(null, 1900, 1200)).toBeNull();
    expect(cpuPerTurn(1000, null, 1200)).toBeNull();
    expect(cpuPerTurn(1000, 1900, 0)).toBeNull();
  });
});

/** The built probe (`npm test` builds first): the servers under load are built files too. */
const GC_PROBE = join(import.meta.dirname, "../../dist/src/bench/gc-probe.js");

describe("a server process's garbage collections", () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A process that makes garbage (young-generation collections) and then waits, like a server between requests. */
  const churning = (nodeArgs: string[], env: NodeJS.ProcessEnv = {}) => {
    const script = `
      let kept;
      for (let i = 0; i < 2e6; i++) kept = { i, text: "turn " + i };
      globalThis.kept = kept;
      process.stdout.write("ready");
      setInterval(() => {}, 1000);
    `;
    const started = spawn(process.execPath, [...nodeArgs, "-e", script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child = started;
    return new Promise<ChildProcess>((ready) => started.stdout.once("data", () => ready(started)));
  };

  it("are counted by the probe and read on request, each reading newer than the last", async () => {
    dir = mkdtempSync(join(tmpdir(), "posdesk-gc-probe-"));
    const file = join(dir, "gc.json");
    const probed = await churning(["--import", GC_PROBE], { POSDESK_GC_PROBE: file });
    const first = await readGcProbe(probed, file);
    expect(first?.seq).toBe(1);
    expect(first?.minor.count).toBeGreaterThan(0);
    expect(first?.minor.ms).toBeGreaterThan(0);
    const second = await readGcProbe(probed, file);
    expect(second?.seq).toBe(2);
    expect(second?.minor.count).toBeGreaterThanOrEqual(first?.minor.count ?? Number.NaN);
  }, 20_000);

  it("are unknown for a process started without the probe", async () => {
    dir = mkdtempSync(join(tmpdir(), "posdesk-gc-probe-"));
    const bare = await churning([]);
    expect(await readGcProbe(bare, join(dir, "gc.json"), 300)).toBeNull();
  }, 20_000);

  it("per answered turn are the time of every kind between two readings, unknown when either is", () => {
    const totals = (seq: number, minor: number, major: number, other: number): GcTotals => ({
      seq,
      minor: { count: seq * 10, ms: minor },
      major: { count: seq, ms: major },
      other: { count: 0, ms: other },
    });
    const round = gcPerTurn(totals(1, 100, 20, 1), totals(2, 400, 50, 1.5), 15_000);
    expect(round).toEqual({
      minor: { count: 10, ms: 300 },
      major: { count: 1, ms: 30 },
      other: { count: 0, ms: 0.5 },
      // 330.5 ms over 15,000 turns
      usPerTurn: 22.03,
    });
    expect(gcPerTurn(null, totals(2, 400, 50, 1), 15_000)).toBeNull();
    expect(gcPerTurn(totals(1, 100, 20, 1), null, 15_000)).toBeNull();
    expect(gcPerTurn(totals(1, 100, 20, 1), totals(2, 400, 50, 1), 0)).toBeNull();
  });
});

describe("the paced client", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it("counts every answered turn, the ramp-up's too, apart from the turns it measures", async () => {
    let requests = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        requests++;
        res.setHeader("content-type", "application/json");
        res.end("{}");
      });
    });
    await new Promise<void>((listening) => server?.listen(0, "127.0.0.1", listening));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const run = await pacedLoad(`http://127.0.0.1:${port}`, {
      conversations: 5,
      turnsPerConversation: 3,
      durationS: 1,
      thinkMs: 50,
    });
    expect(run.answered).toBe(requests);
    expect(run.turns).toBeGreaterThan(0);
    // The ramp-up (three turns' think times and one more) sent turns that are answered but not measured.
    expect(run.answered).toBeGreaterThan(run.turns);
  }, 20_000);
});

describe("the HTTP measures", () => {
  const round = (later: number, answered: number) => pacedRound({ later, first: later * 2 }, answered);
  const noGc = { posdesk: [null, null, null], trivial: [null, null, null] };
  const report = (cpu: LoadResult["cpu"], gc: LoadResult["gc"] = noGc) => {
    const posdesk = [round(9, 21_000), round(12, 21_000), round(7, 21_000)];
    const trivial = [round(3, 21_000), round(4, 21_000), round(5, 21_000)];
    return measuresOf(
      reportOf({
        load: {
          serverReadyMs: 900,
          saturated: {
            connections: 1000,
            durationS: 15,
            turns: 40_000,
            turnsPerSecond: 2700,
            p50Ms: 300,
            p90Ms: 700,
            p99Ms: 1000,
            maxMs: 5000,
            errors: 0,
            timeouts: 0,
            non2xx: 0,
          },
          paced: posdesk[0] ?? null,
          reference: trivial[1] ?? null,
          rounds: { posdesk, trivial },
          cpu,
          gc,
        },
      }),
    );
  };

  it("set each server's CPU per answered turn, the median round, against each other", () => {
    const cpu = report({ posdesk: [0.9, 0.75, 0.8], trivial: [0.2, 0.18, null] }).find(
      (m) => m.id === "http.cpu",
    );
    expect(cpu).toMatchObject({ value: 0.8, reference: 0.18, unit: "ms", goal: null });
    expect(cpu?.ratio).toBeCloseTo(4.44, 2);
  });

  it("leave the CPU out where it could not be read", () => {
    const ids = report({ posdesk: [null, null, null], trivial: [null, null, null] }).map((m) => m.id);
    expect(ids).toContain("http.later.p99");
    expect(ids).not.toContain("http.cpu");
  });

  const collected = (usPerTurn: number): GcRound => ({
    minor: { count: 80, ms: usPerTurn * 21 },
    major: { count: 0, ms: 0 },
    other: { count: 0, ms: 0 },
    usPerTurn,
  });

  it("set each server's collections per answered turn, the median round, against each other", () => {
    const gc = report(
      { posdesk: [0.9, 0.75, 0.8], trivial: [0.2, 0.18, 0.19] },
      { posdesk: [collected(24), collected(18), collected(21)], trivial: [collected(4), null, collected(5)] },
    ).find((m) => m.id === "http.gc");
    expect(gc).toMatchObject({ value: 21, reference: 4, unit: "µs", goal: null });
    expect(gc?.ratio).toBeCloseTo(5.25, 2);
  });

  it("leave the collections out where no probe answered", () => {
    const ids = report({ posdesk: [0.9, 0.75, 0.8], trivial: [0.2, 0.18, 0.19] }).map((m) => m.id);
    expect(ids).toContain("http.cpu");
    expect(ids).not.toContain("http.gc");
  });
});
