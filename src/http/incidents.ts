/**
 * The support lead's incident routes (agent token): `GET /api/incidents` (suspected and confirmed; `?all=1`
 * closed and lapsed too), `GET /api/incidents/:id`, `POST /api/incidents/:id/confirm` `{"message"}` and
 * `POST /api/incidents/:id/close`. Live changes reach the console on the desk's event stream.
 */
import express, { type RequestHandler } from "express";
import { z } from "zod";
import { EngineError } from "../engine/engine.js";
import type { IncidentDesk } from "../incidents/desk.js";

const ConfirmRequest = z.object({ message: z.string().trim().min(1).max(1000) });

function messageOf(body: unknown): string {
  const result = ConfirmRequest.safeParse(body);
  if (result.success) return result.data.message;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new EngineError(`invalid request body: ${where}${issue?.message ?? "malformed"}`, 400);
}

export function incidentRoutes(desk: IncidentDesk, agentOnly: RequestHandler): express.Router {
  const router = express.Router();
  router.get("/api/incidents", agentOnly, async (req, res) => {
    const all = req.query.all === "1" || req.query.all === "true";
    res.json(await desk.list({ all }));
  });
  router.get("/api/incidents/:id", agentOnly, async (req, res) => {
    res.json(await desk.get(String(req.params.id)));
  });
  router.post("/api/incidents/:id/confirm", agentOnly, async (req, res) => {
    res.json(await desk.confirm(String(req.params.id), messageOf(req.body)));
  });
  router.post("/api/incidents/:id/close", agentOnly, async (req, res) => {
    res.json(await desk.close(String(req.params.id)));
  });
  return router;
}
