/**
 * Incidents in the SQLite file, beside the conversations: the records and their conversations survive a
 * restart. The window of recent raises is counted in memory: one process owns a SQLite file, and a restart
 * only starts the count afresh.
 */
import type Database from "better-sqlite3";
import type { IncidentMember, IncidentRecord, MemberState } from "../domain/incident.js";
import type { TopicId } from "../domain/intents.js";
import { maskCardNumbers, maskedJson } from "../domain/redact.js";
import { type IncidentQuery, type IncidentStore, type MemberUpdate, RaisesInProcess } from "./incidents.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    status TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  -- At most one open incident per topic: two detections at once cannot both open one.
  CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_topic ON incidents (topic)
    WHERE status IN ('suspected', 'confirmed');
  CREATE TABLE IF NOT EXISTS incident_conversations (
    incident_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (incident_id, conversation_id)
  ) WITHOUT ROWID;
`;

export class SqliteIncidents extends RaisesInProcess implements IncidentStore {
  private readonly statements;
  private readonly openTransaction: (incident: IncidentRecord, members: IncidentMember[]) => IncidentRecord;
  private readonly applyUpdates: (updates: MemberUpdate[]) => void;

  constructor(db: Database.Database) {
    super();
    db.exec(SCHEMA);
    this.statements = {
      openFor: db.prepare<[string], { data: string }>(
        "SELECT data FROM incidents WHERE topic = ? AND status IN ('suspected', 'confirmed')",
      ),
      openIdFor: db.prepare<[string], { id: string }>(
        "SELECT id FROM incidents WHERE topic = ? AND status IN ('suspected', 'confirmed')",
      ),
      insert: db.prepare<[string, string, string, string, string]>(
        "INSERT INTO incidents (id, topic, status, detected_at, data) VALUES (?, ?, ?, ?, ?)",
      ),
      update: db.prepare<[string, string, string]>("UPDATE incidents SET status = ?, data = ? WHERE id = ?"),
      get: db.prepare<[string], { data: string }>("SELECT data FROM incidents WHERE id = ?"),
      list: db.prepare<[], { data: string }>("SELECT data FROM incidents ORDER BY detected_at DESC, id DESC"),
      listOpen: db.prepare<[], { data: string }>(
        "SELECT data FROM incidents WHERE status IN ('suspected', 'confirmed') ORDER BY detected_at DESC, id DESC",
      ),
      addMember: db.prepare<[string, string, string, string]>(
        "INSERT INTO incident_conversations (incident_id, conversation_id, at, state) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      ),
      setMember: db.prepare<[string, string, string, string]>(
        "INSERT INTO incident_conversations (incident_id, conversation_id, at, state) VALUES (?, ?, ?, ?) ON CONFLICT (incident_id, conversation_id) DO UPDATE SET state = excluded.state",
      ),
      members: db.prepare<[string], { conversation_id: string; at: string; state: MemberState }>(
        "SELECT conversation_id, at, state FROM incident_conversations WHERE incident_id = ? ORDER BY at, conversation_id",
      ),
      lastRaised: db.prepare<[string], { at: string | null }>(
        "SELECT max(at) AS at FROM incident_conversations WHERE incident_id = ?",
      ),
    };
    this.applyUpdates = db.transaction((updates: MemberUpdate[]) => {
      for (const { incidentId, member, mode } of updates) {
        const statement = mode === "add" ? this.statements.addMember : this.statements.setMember;
        statement.run(incidentId, maskCardNumbers(member.conversationId), member.at, member.state);
      }
    });
    this.openTransaction = db.transaction((incident: IncidentRecord, members: IncidentMember[]) => {
      const current = this.statements.openFor.get(incident.topic);
      if (current) return JSON.parse(current.data) as IncidentRecord;
      const data = maskedJson(incident);
      this.statements.insert.run(incident.id, incident.topic, incident.status, incident.detectedAt, data);
      this.applyUpdates(members.map((member) => ({ incidentId: incident.id, member, mode: "add" })));
      return JSON.parse(data) as IncidentRecord;
    });
  }

  protected openIncidentOf(topic: TopicId): string | undefined {
    // One lookup in the open-topic index: the incidents table holds a handful of rows.
    return this.statements.openIdFor.get(topic)?.id;
  }

  async open(incident: IncidentRecord, members: IncidentMember[]): Promise<IncidentRecord> {
    return this.openTransaction(incident, members);
  }

  async save(incident: IncidentRecord): Promise<void> {
    this.statements.update.run(incident.status, maskedJson(incident), incident.id);
  }

  async get(id: string): Promise<IncidentRecord | undefined> {
    const row = this.statements.get.get(id);
    return row ? (JSON.parse(row.data) as IncidentRecord) : undefined;
  }

  async list(query: IncidentQuery = {}): Promise<IncidentRecord[]> {
    const rows = query.open ? this.statements.listOpen.all() : this.statements.list.all();
    return rows.map((row) => JSON.parse(row.data) as IncidentRecord);
  }

  async updateMembers(updates: MemberUpdate[]): Promise<void> {
    if (updates.length > 0) this.applyUpdates(updates);
  }

  async members(id: string): Promise<IncidentMember[]> {
    return this.statements.members
      .all(id)
      .map((row) => ({ conversationId: row.conversation_id, at: row.at, state: row.state }));
  }

  async lastRaised(id: string): Promise<string | undefined> {
    return this.statements.lastRaised.get(id)?.at ?? undefined;
  }
}
