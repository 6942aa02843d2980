/**
 * signin_key_error: the terminal asks to sign in again, sign-in fails, or a key, MAC or parameter error
 * stops it. Signing in from the menu (after checking the network) fixes the usual cases; a key or MAC
 * error that survives a new sign-in needs the acquirer to reload keys. A missing master key or a terminal
 * that is not registered only the acquirer can fix: those go straight to a person.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

const SIGN_IN_CODES = ["22", "77"];
const KEY_CODES = ["99", "A0", "A7"];
const NOT_REGISTERED_CODE = "97";
const FLOW_CODES = [...SIGN_IN_CODES, ...KEY_CODES, NOT_REGISTERED_CODE];

const code = (facts: { responseCode?: unknown }) => String(facts.responseCode ?? "").toUpperCase();
/** The `isScreen` guard: the terminal shows `screen`. */
const isScreen = (screen: string) => ({ type: "isScreen", params: { screen } }) as const;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    isSignInCode: ({ context }) => SIGN_IN_CODES.includes(code(context.facts)),
    isKeyCode: ({ context }) => KEY_CODES.includes(code(context.facts)),
    isNotRegisteredCode: ({ context }) => code(context.facts) === NOT_REGISTERED_CODE,
    answerHasFlowCode: ({ event }) => FLOW_CODES.includes(event.answer.responseCode ?? ""),
    isScreen: ({ context }, params: { screen: string }) => context.facts.screen === params.screen,
  },
  actions: kit.commonActions,
}).createMachine({
  id: "signin_key_error",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [
        {
          guard: "isNotRegisteredCode",
          actions: kit.setFact("screen", "not_registered"),
          target: "escalateToAcquirer",
        },
        { guard: "isKeyCode", target: "suggestResignKey" },
        { guard: isScreen("mac_error"), target: "suggestResignKey" },
        { guard: "isSignInCode", target: "askTriedSignIn" },
        { guard: isScreen("sign_in_prompt"), target: "askTriedSignIn" },
        { guard: isScreen("param_download"), target: "askNetwork" },
        { guard: isScreen("key_missing"), target: "escalateToAcquirer" },
        { guard: isScreen("not_registered"), target: "escalateToAcquirer" },
        { target: "askScreen" },
      ],
    },
    askScreen: {
      entry: kit.ask(
        "signin_key_error.askScreen",
        ["sign_in_prompt", "mac_error", "key_missing", "not_registered", "param_download"],
        "code",
        { hint: true },
      ),
      on: {
        ANSWER: [
          { guard: "answerHasFlowCode", actions: "recordAnswerEntities", target: "triage" },
          { guard: "answerHasOption", actions: kit.recordOption("screen"), target: "triage" },
          // Signing in again is the fix for most of these screens: try it without knowing which one.
          kit.ifUnknown("suggestSignIn", "screen"),
          kit.reask("askScreen"),
        ],
      },
    },
    askTriedSignIn: {
      entry: kit.ask("signin_key_error.askTriedSignIn", ["not_yet", "tried_failed"]),
      on: {
        // A bare yes or no answers "have you signed in already?" as well as the quick replies do.
        ANSWER: [
          {
            guard: kit.isNoTo("not_yet"),
            actions: kit.setFact("triedSignIn", false),
            target: "suggestSignIn",
          },
          {
            guard: kit.isYesTo("tried_failed"),
            actions: kit.setFact("triedSignIn", true),
            target: "askNetwork",
          },
          kit.ifUnknown("suggestSignIn"),
          kit.reask("askTriedSignIn"),
        ],
      },
    },
    askNetwork: {
      entry: kit.ask("signin_key_error.askNetwork", ["wifi", "mobile_data", "wired"]),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("network"), target: "checkNetwork" },
          kit.ifUnknown("checkNetwork", "network"),
          kit.reask("askNetwork"),
        ],
      },
    },
    checkNetwork: {
      entry: [
        kit.say(({ facts }) => `signin_key_error.networkCheck.${facts.network}`),
        kit.advised("check_network"),
      ],
      always: [
        { guard: isScreen("param_download"), target: "suggestParamRetry" },
        { target: "suggestSignIn" },
      ],
    },
    suggestSignIn: kit.advise(
      ({ facts }) => [`signin_key_error.signIn.${code(facts)}`, "signin_key_error.signIn.default"],
      "sign_in_from_menu",
    ),
    suggestParamRetry: kit.advise("signin_key_error.paramRetry", "retry_param_download"),
    suggestResignKey: kit.advise(
      ({ facts }) => [`signin_key_error.keyCode.${code(facts)}`, "signin_key_error.keyCode.default"],
      "sign_in_to_refresh_keys",
    ),
    confirmFixed: kit.confirmFixed(),
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
    // Master keys and terminal registration live at the acquirer: no fix on the terminal can replace them.
    escalateToAcquirer: kit.escalateState({
      say: ({ facts }) => `signin_key_error.handoff.${facts.screen}`,
      reason: "policy",
    }),
  },
});
