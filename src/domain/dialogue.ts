/**
 * What a conversation is made of, whatever runs it: the facts learnt, the steps tried, and the question the
 * bot is waiting on. Flows, the engine and the stores all speak of these; none of them owns them.
 */
import type { TopicId } from "./intents.js";
import type { RatedAfter } from "./rating.js";

export type FactValue = string | number | boolean;
export type Facts = Record<string, FactValue>;

export type StepResult = "fixed" | "not_fixed" | "advised" | "skipped";
export interface Step {
  step: string;
  result: StepResult;
}

/** The question every fix ends with ("did it work?"), asked by the flows' `confirmFixed` state. */
export const DID_IT_WORK = "common.didItWork";

/** What a question expects, so the answer parser knows how to read a bare "51", "5000" or "N86012345678". */
export type Expectation = "choice" | "code" | "amount" | "serial" | "text";

export interface PendingQuestion {
  /** The flow that asked (`menu` for the engine's topic menu): where option labels come from. */
  flow: string;
  options: string[];
  expect: Expectation;
  /** The question's text key and parameters, to ask it again. */
  key?: string | string[];
  params?: Record<string, unknown>;
  /** A first "don't know" gets a hint where to find the answer; `hinted` once it was given. */
  hint?: boolean;
  hinted?: boolean;
  /** For a question the engine asks about topics: the entities of the message that raised it. */
  facts?: Record<string, string | number | boolean>;
  /** A question asked in the middle of another (an incident's notice during a flow): that one, to go back to. */
  interrupted?: PendingQuestion;
  /** For the engine's satisfaction questions (src/engine/satisfaction.ts): what is being rated. */
  rating?: RatingQuestion;
}

/** The rating asked for (`score`), or the comment after it (`comment`), and what it is about. */
export interface RatingQuestion {
  stage: "score" | "comment";
  after: RatedAfter;
  topic: TopicId | null;
  handoffId?: string;
}
