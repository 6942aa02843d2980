/**
 * The Bot Framework channel (Azure Bot Service, Teams, Web Chat, the Emulator): `PosdeskBot` turns
 * activities into Turns and results back into activities; `BotFrameworkChannel` reaches a merchant
 * proactively (agent messages); `createBotFramework` sets up the CloudAdapter for `POST /api/messages`.
 */
import {
  type Activity,
  ActivityHandler,
  ActivityTypes,
  type ChannelAccount,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
  EventFactory,
  MessageFactory,
  type Request,
  type Response,
  RoleTypes,
  type Transcript,
  TurnContext,
} from "botbuilder";
import type { HandoffSummary } from "../domain/handoff.js";
import type { Locale } from "../domain/intents.js";
import { EngineError, type TurnResult } from "../engine/engine.js";
import { type Picture, PictureError } from "../engine/pictures.js";
import { t } from "../i18n.js";
import { createLogger, type Logger } from "../logger.js";
import type { Switchboard } from "../switchboard.js";
import { downloadPicture } from "./attachments.js";
import type { ChannelAdapter, Delivery } from "./channel.js";

const CHANNEL = "botframework";
/** For words said before the engine knows the merchant's language (the engine's own default). */
const DEFAULT_LOCALE: Locale = "zh-CN";
const AGENT_ACCOUNT_ID = "posdesk-agent";

/** The language a client asks for, when posdesk speaks it; otherwise the engine follows the merchant's words. */
export function localeOf(activityLocale: string | undefined): Locale | undefined {
  const tag = activityLocale?.trim().toLowerCase().replace(/_/g, "-");
  if (!tag) return undefined;
  if (tag === "zh" || tag.startsWith("zh-")) return "zh-CN";
  if (tag === "en" || tag.startsWith("en-")) return "en";
  return undefined;
}

export interface PosdeskBotOptions {
  /**
   * Fetch attachments from any host. Only when activities are authenticated (app credentials set): an
   * unauthenticated endpoint fetching whatever URL it is sent would let anyone make the server fetch
   * anything. Otherwise only the channel's own service (the activity's serviceUrl) and inline data URLs.
   */
  anyAttachmentHost?: boolean;
  fetch?: typeof fetch;
}

export class PosdeskBot extends ActivityHandler {
  constructor(
    private readonly switchboard: Switchboard,
    private readonly options: PosdeskBotOptions = {},
  ) {
    super();
    this.onMessage(async (context, next) => {
      await this.onMerchantMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      await this.onMembersJoined(context);
      await next();
    });
  }

  private async onMerchantMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const locale = localeOf(activity.locale);
    // Teams puts "<at>bot</at>" into the text of a message that mentions the bot in a group chat.
    const text = (activity.text ? TurnContext.removeRecipientMention(activity) : "").trim();
    const image = activity.attachments?.find((a) => a.contentType?.startsWith("image/") && a.contentUrl);
    if (!text && !image) {
      await context.sendActivity(t(locale ?? DEFAULT_LOCALE, "botframework.textOnly"));
      return;
    }
    const picture = image?.contentUrl ? await this.fetchPicture(context, image.contentUrl) : undefined;
    const result = await this.switchboard.handle({
      conversationId: `${CHANNEL}:${activity.conversation.id}`,
      text,
      channel: CHANNEL,
      ...(picture ? { picture } : {}),
      // The activity's locale is the client's interface language, not the merchant's: the engine answers
      // in the language they write in (the client's locale only words the channel's own hints).
      address: TurnContext.getConversationReference(activity),
    });
    await context.sendActivities(repliesOf(result));
    if (result.handoff) {
      const transcript = transcriptOf(context, result.handoff);
      await context.sendActivity(EventFactory.createHandoffInitiation(context, result.handoff, transcript));
    }
  }

  /**
   * The picture an attachment links to. The bot's token goes only to the channel's own service (Teams and
   * Direct Line keep attachments there, behind it); a picture that cannot be fetched is a problem the
   * engine answers like any other.
   */
  private async fetchPicture(context: TurnContext, url: string): Promise<Picture> {
    const service = hostOf(context.activity.serviceUrl);
    const own = url.startsWith("data:") || (service !== undefined && hostOf(url) === service);
    if (!own && !this.options.anyAttachmentHost) return { bytes: new Uint8Array(), problem: "unreadable" };
    try {
      const token = own && !url.startsWith("data:") ? await botToken(context) : undefined;
      const bytes = await downloadPicture(url, {
        ...(token ? { token } : {}),
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      });
      return { bytes };
    } catch (error) {
      const problem = error instanceof PictureError ? error.problem : "unreadable";
      return { bytes: new Uint8Array(), problem };
    }
  }

  /**
   * A merchant joined (botbuilder's welcome pattern): the bot speaks first, through an opened turn, so the
   * welcome and its topics as suggested actions are the engine's, in the transcript like any reply. One
   * welcome per conversation however many join at once; the bot's own arrival is not a merchant's.
   */
  private async onMembersJoined(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const { membersAdded = [], recipient } = activity;
    if (!membersAdded.some((member) => member.id !== recipient.id)) return;
    const result = await this.switchboard.handle({
      conversationId: `${CHANNEL}:${activity.conversation.id}`,
      text: "",
      opened: true,
      channel: CHANNEL,
      // The client's interface language is a fair first guess, but the merchant's words decide after it.
      localeHint: localeOf(activity.locale),
      address: TurnContext.getConversationReference(activity),
    });
    await context.sendActivities(repliesOf(result));
  }
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** The bot's own token from the turn's connector client, when the bot has app credentials. */
async function botToken(context: TurnContext): Promise<string | undefined> {
  const connector = context.turnState.get(context.adapter.ConnectorClientKey) as
    | { credentials?: { getToken?: (forceRefresh?: boolean) => Promise<string> } }
    | undefined;
  try {
    return (await connector?.credentials?.getToken?.()) || undefined;
  } catch {
    return undefined;
  }
}

/** One message per reply; the last carries the quick replies, as imBack actions that send the label. */
function repliesOf(result: TurnResult): Partial<Activity>[] {
  return result.replies.map((text, i) =>
    i === result.replies.length - 1 && result.options.length > 0
      ? MessageFactory.suggestedActions(result.options, text)
      : MessageFactory.text(text),
  );
}

/** The summary's transcript as Bot Framework message activities, for the handoff event. */
function transcriptOf(context: TurnContext, summary: HandoffSummary): Transcript {
  const { from: merchant, recipient: bot, conversation, channelId, serviceUrl } = context.activity;
  const agent: ChannelAccount = {
    id: AGENT_ACCOUNT_ID,
    name: t(summary.locale, "botframework.agentName"),
    role: RoleTypes.Bot,
  };
  const activities = summary.transcript.map(
    (entry, i): Partial<Activity> => ({
      type: ActivityTypes.Message,
      id: `${summary.id}:${i}`,
      timestamp: new Date(entry.at),
      channelId,
      serviceUrl,
      conversation,
      from: entry.from === "merchant" ? merchant : entry.from === "bot" ? bot : agent,
      recipient: entry.from === "merchant" ? bot : merchant,
      text: entry.text,
    }),
  );
  // The schema's Activity type marks fields that are optional on the wire (callerId, label, listenFor…)
  // as required; a transcript carries only what was said.
  return { activities: activities as Activity[] };
}

/** What proactive delivery needs from an adapter (CloudAdapter has it). */
export interface ProactiveAdapter {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

export class BotFrameworkChannel implements ChannelAdapter {
  readonly channel = CHANNEL;

  constructor(
    private readonly adapter: ProactiveAdapter,
    private readonly appId = "",
  ) {}

  async deliver(delivery: Delivery): Promise<void> {
    const { conversation, from, text } = delivery;
    const reference = conversation.address;
    if (!isConversationReference(reference)) {
      throw new EngineError("this conversation has no Bot Framework address to reply to", 409);
    }
    const message = from === "agent" ? t(conversation.locale, "botframework.fromAgent", { text }) : text;
    const options = delivery.options ?? [];
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      await context.sendActivity(
        options.length > 0 ? MessageFactory.suggestedActions(options, message) : message,
      );
    });
  }
}

function isConversationReference(value: unknown): value is Partial<ConversationReference> {
  const reference = value as Partial<ConversationReference> | null | undefined;
  return typeof reference?.serviceUrl === "string" && typeof reference.conversation?.id === "string";
}

export interface BotFramework {
  adapter: CloudAdapter;
  bot: PosdeskBot;
  channel: BotFrameworkChannel;
  /** The `POST /api/messages` handler (the body already parsed as JSON). */
  process(req: Request, res: Response): Promise<void>;
}

const CREDENTIALS = ["MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId"];

/** The adapter, the bot and the channel, registered on the switchboard. No credentials: the Emulator, locally. */
export function createBotFramework(
  switchboard: Switchboard,
  env: Record<string, string | undefined> = process.env,
  logger: Logger = createLogger(),
): BotFramework {
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {};
  for (const key of CREDENTIALS) {
    const value = env[key]?.trim();
    if (value) settings[key] = value;
  }
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(settings));
  adapter.onTurnError = onTurnError(logger);
  const bot = new PosdeskBot(switchboard, { anyAttachmentHost: Boolean(settings.MicrosoftAppId) });
  const channel = new BotFrameworkChannel(adapter, settings.MicrosoftAppId ?? "");
  switchboard.register(channel);
  return { adapter, bot, channel, process: (req, res) => adapter.process(req, res, (ctx) => bot.run(ctx)) };
}

/** Logs a failed turn and tells the merchant, without details: they can only try again. */
export function onTurnError(logger: Logger): (context: TurnContext, error: Error) => Promise<void> {
  return async (context, error) => {
    logger.error(
      { err: error, conversation: context.activity.conversation?.id },
      "bot framework turn failed",
    );
    try {
      await context.sendActivity(
        t(localeOf(context.activity.locale) ?? DEFAULT_LOCALE, "botframework.turnError"),
      );
    } catch (sendError) {
      logger.error({ err: sendError }, "bot framework error reply failed");
    }
  };
}
