/** The HTTP load measures: what the paced client counts, and the CPU each server spends per answered turn. */
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { cpuPerTurn, type LoadResult } from "../../src/bench/load.js";
import { pacedLoad } from "../../src/bench/paced.js";
import { measuresOf } from "../../src/bench/report.js";
import { processCpuMs } from "../../src/bench/server-process.js";
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
  const report = (cpu: LoadResult["cpu"]) => {
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
});
