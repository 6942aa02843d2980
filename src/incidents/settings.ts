/** When a topic becomes a suspected incident: how many conversations in how long (environment variables). */

export interface IncidentSettings {
  /** Distinct conversations raising one topic within the window that make a suspected incident; 0: never. */
  minConversations: number;
  windowMs: number;
}

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = { minConversations: 20, windowMs: 15 * 60_000 };

/**
 * `POSDESK_INCIDENT_MIN_CONVERSATIONS` (a whole number, 0 turns detection off) and
 * `POSDESK_INCIDENT_WINDOW_MINUTES` (more than 0). A value that is neither stops the start, as a mistyped
 * setting should.
 */
export function incidentSettings(env: NodeJS.ProcessEnv): IncidentSettings {
  const min = env.POSDESK_INCIDENT_MIN_CONVERSATIONS?.trim();
  const minutes = env.POSDESK_INCIDENT_WINDOW_MINUTES?.trim();
  const minConversations = min ? Number(min) : DEFAULT_INCIDENT_SETTINGS.minConversations;
  const windowMinutes = minutes ? Number(minutes) : DEFAULT_INCIDENT_SETTINGS.windowMs / 60_000;
  if (!Number.isInteger(minConversations) || minConversations < 0)
    throw new Error(`POSDESK_INCIDENT_MIN_CONVERSATIONS must be a whole number (0: off), not "${min}"`);
  if (!Number.isFinite(windowMinutes) || windowMinutes <= 0)
    throw new Error(`POSDESK_INCIDENT_WINDOW_MINUTES must be a number of minutes above 0, not "${minutes}"`);
  return { minConversations, windowMs: Math.round(windowMinutes * 60_000) };
}
