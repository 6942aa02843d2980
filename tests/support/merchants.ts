/** Scripted merchants that several tests play, each with what it must lead to. */

/**
 * A merchant whose card is declined with no code on screen, on one card only, and the advice does not help:
 * a handoff after passing through the card-declined flow, and the states it passed through, in order.
 */
export const DECLINED_NOT_FIXED = {
  says: ["此卡无法交易", "没显示代码", "只有这张卡", "还是不行"],
  statePath: ["triage", "askResponseCode", "askScope", "adviseCardholder", "confirmFixed", "escalate"],
} as const;
