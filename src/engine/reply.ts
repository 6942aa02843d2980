/** What the bot says in one turn, rendered in the conversation's language as it is built. */
import type { FlowEmitted } from "../../flows/kit.js";
import type { PendingQuestion } from "../domain/dialogue.js";
import type { Locale } from "../domain/intents.js";
import { type Params, resolvedKey, t } from "../i18n.js";
import { optionLabel } from "./answer.js";

export interface ReplyOption {
  id: string;
  label: string;
}

/** The quick replies of a question, labelled in `locale`. */
export function quickReplies(locale: Locale, question: PendingQuestion): ReplyOption[] {
  return question.options.map((id) => ({ id, label: optionLabel(locale, question.flow, id) }));
}

export class Reply {
  readonly texts: string[] = [];
  /** The locale key of each text, in order: what conversation tests check, whatever the wording. */
  readonly keys: string[] = [];
  options: ReplyOption[] = [];
  question: PendingQuestion | null = null;

  constructor(readonly locale: Locale) {}

  say(key: string | string[], params: Params = {}): void {
    this.texts.push(t(this.locale, key, params));
    this.keys.push(resolvedKey(this.locale, key));
  }

  /** A question with quick replies; `flow` names where option labels come from (`menu` for topics). */
  ask(key: string | string[], params: Params, question: PendingQuestion): void {
    this.say(key, params);
    this.question = { ...question, key, params };
    this.options = quickReplies(this.locale, question);
  }

  /** `key` rendered in the reply's language, without saying it. */
  text(key: string | string[], params: Params = {}): string {
    return t(this.locale, key, params);
  }

  /** Says `key` (an explanation, a rephrasing) and keeps `question` pending, its quick replies shown again. */
  askAgain(key: string | string[], params: Params, question: PendingQuestion): void {
    this.say(key, params);
    this.question = question;
    this.options = quickReplies(this.locale, question);
  }

  /** Renders what a flow emitted. */
  flow(flowId: string, emitted: FlowEmitted[]): void {
    for (const event of emitted) {
      if (event.type === "say") this.say(event.key, event.params);
      else
        this.ask(event.key, event.params, {
          flow: flowId,
          options: event.options,
          expect: event.expect,
          ...(event.hint ? { hint: true } : {}),
        });
    }
  }
}
