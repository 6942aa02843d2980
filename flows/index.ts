/** Every troubleshooting flow, by the intent that starts it. */

import * as accountFrozen from "./account_frozen.js";
import * as cardDeclined from "./card_declined.js";
import * as cardReadError from "./card_read_error.js";
import * as feesInquiry from "./fees_inquiry.js";
import type { FlowRegistry } from "./kit.js";
import * as limitExceeded from "./limit_exceeded.js";
import * as networkFailure from "./network_failure.js";
import * as printerProblem from "./printer_problem.js";
import * as refundVoid from "./refund_void.js";
import * as settlementDelay from "./settlement_delay.js";
import * as signinKeyError from "./signin_key_error.js";
import * as softwareUpdate from "./software_update.js";
import * as terminalDead from "./terminal_dead.js";

export const FLOWS: FlowRegistry = {
  card_declined: { id: "card_declined", ...cardDeclined },
  settlement_delay: { id: "settlement_delay", ...settlementDelay },
  terminal_dead: { id: "terminal_dead", ...terminalDead },
  network_failure: { id: "network_failure", ...networkFailure },
  card_read_error: { id: "card_read_error", ...cardReadError },
  printer_problem: { id: "printer_problem", ...printerProblem },
  limit_exceeded: { id: "limit_exceeded", ...limitExceeded },
  account_frozen: { id: "account_frozen", ...accountFrozen },
  signin_key_error: { id: "signin_key_error", ...signinKeyError },
  software_update: { id: "software_update", ...softwareUpdate },
  fees_inquiry: { id: "fees_inquiry", ...feesInquiry },
  refund_void: { id: "refund_void", ...refundVoid },
};
