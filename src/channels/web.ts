/**
 * The web widget's channel. Its turns arrive over `POST /api/chat`; messages that are not replies to a
 * turn (an agent's, the note when a handoff closes) reach the widget through the conversation's event
 * stream, which the switchboard feeds for every channel, so delivery here has nothing more to do.
 */
import type { ChannelAdapter, Delivery } from "./channel.js";

export class WebChannel implements ChannelAdapter {
  readonly channel = "web" as const;

  async deliver(_delivery: Delivery): Promise<void> {}
}
