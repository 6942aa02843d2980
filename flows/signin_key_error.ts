/**
 * signin_key_error: the terminal asks to sign in again, sign-in fails, or a key, MAC or parameter error
 * stops it. Signing in from the menu (after checking the network) fixes the usual cases; a key or MAC
 * error that survives a new sign-in needs the acquirer to reload keys. A missing master key or a terminal
 * that is not registered only the acquirer can fix: those go straight to a person.
 */
import { setup } from "xstate";
import {
  commonActions,
  commonGuards,
  escalated,
  flowTypes,
  initialContext,
  outputOfFinalState,
  resolved,
} from "./kit.js";

export const version = 1;

const SIGN_IN_CODES = ["22", "77"];
const KEY_CODES = ["99", "A0", "A7"];
const NOT_REGISTERED_CODE = "97";
const FLOW_CODES = [...SIGN_IN_CODES, ...KEY_CODES, NOT_REGISTERED_CODE];

const code = (facts: { responseCode?: unknown }) => String(facts.responseCode ?? "").toUpperCase();

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    isSignInCode: ({ context }) => SIGN_IN_CODES.includes(code(context.facts)),
    isKeyCode: ({ context }) => KEY_CODES.includes(code(context.facts)),
    isNotRegisteredCode: ({ context }) => code(context.facts) === NOT_REGISTERED_CODE,
    answerHasFlowCode: ({ event }) => FLOW_CODES.includes(event.answer.responseCode ?? ""),
    // A bare yes or no answers "have you signed in already?" as well as the quick replies do.
    saysTried: ({ event }) =>
      event.answer.option === "tried_failed" ||
      (event.answer.option === undefined && event.answer.yes === true),
    saysNotTried: ({ event }) =>
      event.answer.option === "not_yet" || (event.answer.option === undefined && event.answer.yes === false),
    isScreen: ({ context }, params: { screen: string }) => context.facts.screen === params.screen,
    /** Any of the question's quick replies: used where every choice is recorded and leads on alike. */
    answerHasOption: ({ event }) => event.answer.option !== undefined,
  },
  actions: {
    ...commonActions,
  },
}).createMachine({
  id: "signin_key_error",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [
        {
          guard: "isNotRegisteredCode",
          actions: { type: "setFact", params: { fact: "screen", value: "not_registered" } },
          target: "escalateToAcquirer",
        },
        { guard: "isKeyCode", target: "suggestResignKey" },
        { guard: { type: "isScreen", params: { screen: "mac_error" } }, target: "suggestResignKey" },
        { guard: "isSignInCode", target: "askTriedSignIn" },
        { guard: { type: "isScreen", params: { screen: "sign_in_prompt" } }, target: "askTriedSignIn" },
        { guard: { type: "isScreen", params: { screen: "param_download" } }, target: "askNetwork" },
        { guard: { type: "isScreen", params: { screen: "key_missing" } }, target: "escalateToAcquirer" },
        { guard: { type: "isScreen", params: { screen: "not_registered" } }, target: "escalateToAcquirer" },
        { target: "askScreen" },
      ],
    },
    askScreen: {
      entry: {
        type: "ask",
        params: {
          key: "signin_key_error.askScreen",
          options: ["sign_in_prompt", "mac_error", "key_missing", "not_registered", "param_download"],
          expect: "code",
        },
      },
      on: {
        ANSWER: [
          { guard: "answerHasFlowCode", actions: "recordAnswerEntities", target: "triage" },
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "screen" } },
            target: "triage",
          },
          {
            target: "askScreen",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    askTriedSignIn: {
      entry: {
        type: "ask",
        params: { key: "signin_key_error.askTriedSignIn", options: ["not_yet", "tried_failed"] },
      },
      on: {
        ANSWER: [
          {
            guard: "saysNotTried",
            actions: { type: "setFact", params: { fact: "triedSignIn", value: false } },
            target: "suggestSignIn",
          },
          {
            guard: "saysTried",
            actions: { type: "setFact", params: { fact: "triedSignIn", value: true } },
            target: "askNetwork",
          },
          {
            target: "askTriedSignIn",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    askNetwork: {
      entry: {
        type: "ask",
        params: { key: "signin_key_error.askNetwork", options: ["wifi", "mobile_data", "wired"] },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "network" } },
            target: "checkNetwork",
          },
          {
            target: "askNetwork",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    checkNetwork: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({ key: `signin_key_error.networkCheck.${context.facts.network}` }),
        },
        { type: "recordStep", params: { step: "check_network", result: "advised" } },
      ],
      always: [
        { guard: { type: "isScreen", params: { screen: "param_download" } }, target: "suggestParamRetry" },
        { target: "suggestSignIn" },
      ],
    },
    suggestSignIn: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({
            key: [`signin_key_error.signIn.${code(context.facts)}`, "signin_key_error.signIn.default"],
          }),
        },
        { type: "recordStep", params: { step: "sign_in_from_menu", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    suggestParamRetry: {
      entry: [
        { type: "say", params: { key: "signin_key_error.paramRetry" } },
        { type: "recordStep", params: { step: "retry_param_download", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    suggestResignKey: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({
            key: [`signin_key_error.keyCode.${code(context.facts)}`, "signin_key_error.keyCode.default"],
          }),
        },
        { type: "recordStep", params: { step: "sign_in_to_refresh_keys", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    confirmFixed: {
      entry: { type: "ask", params: { key: "common.didItWork", options: ["yes", "no"] } },
      on: {
        ANSWER: [
          { guard: "isYes", target: "resolved" },
          { guard: "isNo", target: "escalate" },
          {
            target: "confirmFixed",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    resolved: {
      type: "final",
      entry: { type: "say", params: { key: "common.glad" } },
      output: resolved,
    },
    escalate: {
      type: "final",
      output: () => escalated("unresolved"),
    },
    // Master keys and terminal registration live at the acquirer: no fix on the terminal can replace them.
    escalateToAcquirer: {
      type: "final",
      entry: {
        type: "say",
        params: ({ context }) => ({ key: `signin_key_error.handoff.${context.facts.screen}` }),
      },
      output: () => escalated("policy"),
    },
  },
});
