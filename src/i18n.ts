/**
 * The bot's words: i18next over `locales/<locale>/<file>.json`. Each file is one top-level key, so
 * `card_declined.askCode` is the `askCode` entry of `locales/<locale>/card_declined.json`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import i18next, { type TFunction } from "i18next";
import type { Locale } from "./domain/intents.js";
import { LOCALES_DIR } from "./paths.js";

export const LOCALES: readonly Locale[] = ["zh-CN", "en"];

/** The texts of `locale`, one top-level key per file. */
export function loadLocale(locale: Locale): Record<string, unknown> {
  const dir = join(LOCALES_DIR, locale);
  const bundle: Record<string, unknown> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    bundle[basename(file, ".json")] = JSON.parse(readFileSync(join(dir, file), "utf8"));
  }
  return bundle;
}

const instance = i18next.createInstance();
void instance.init({
  initImmediate: false,
  resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: loadLocale(l) }])),
  lng: "zh-CN",
  fallbackLng: false,
  returnNull: false,
  interpolation: { escapeValue: false },
  // i18next otherwise prints an advert to stdout, which is the CLI's data channel.
  showSupportNotice: false,
});

export type Params = Record<string, unknown>;

// The texts never change while the process runs: each is looked up once per locale and key, as its template
// (i18next's lookup, language resolution included, was most of the cost of rendering a turn's replies); a
// text with parameters is then i18next's interpolation of the template. Nesting (`$t(...)`) is not used by
// posdesk's texts, and is not applied: a merchant's words in a parameter are never read as a key.
const fixed = new Map<Locale, TFunction>();
const templates = new Map<string, string>();
const lists = new Map<string, string[]>();

function fixedT(locale: Locale): TFunction {
  let tf = fixed.get(locale);
  if (!tf) {
    tf = instance.getFixedT(locale);
    fixed.set(locale, tf);
  }
  return tf;
}

function template(locale: Locale, key: string | string[]): string {
  const id = `${locale}\u0000${typeof key === "string" ? key : key.join("\u0001")}`;
  let text = templates.get(id);
  if (text === undefined) {
    text = fixedT(locale)(key, { skipInterpolation: true });
    templates.set(id, text);
  }
  return text;
}

/** Text for `key` (or the first of `key` that exists) in `locale`. */
export function t(locale: Locale, key: string | string[], params: Params = {}): string {
  const text = template(locale, key);
  for (const _ in params) return interpolate(text, params);
  return text;
}

/** A template split at its `{{name}}`s: text, name, text, name, …, text. */
const compiled = new Map<string, string[]>();

/**
 * `text` with each `{{name}}` replaced by `params[name]`, as i18next's interpolation does it for posdesk's
 * texts (no formats, no nesting, no escaping): a parameter given as undefined or null is empty, one not given
 * at all is left as it is written, and an inserted value is never searched for more names. The template is
 * split once (i18next searches it with a regular expression on every call).
 */
export function interpolate(text: string, params: Params): string {
  let parts = compiled.get(text);
  if (!parts) {
    parts = text.split(/\{\{(.+?)\}\}/);
    compiled.set(text, parts);
  }
  let out = parts[0] ?? "";
  for (let i = 1; i < parts.length; i += 2) {
    const name = (parts[i] as string).trim();
    const value = params[name];
    if (value === undefined && !Object.hasOwn(params, name)) out += `{{${parts[i]}}}`;
    else out += value == null ? "" : String(value);
    out += parts[i + 1];
  }
  return out;
}

const resolvedKeys = new Map<string, string>();

/** Which of `key` the text comes from: the first that `locale` has (the last one when none has it). */
export function resolvedKey(locale: Locale, key: string | string[]): string {
  if (typeof key === "string") return key;
  const id = `${locale}\u0000${key.join("\u0001")}`;
  let found = resolvedKeys.get(id);
  if (found === undefined) {
    found = key.find((k) => has(locale, k)) ?? key[key.length - 1] ?? "";
    resolvedKeys.set(id, found);
  }
  return found;
}

/** A list (e.g. synonyms) stored under `key`; empty when there is none. */
export function list(locale: Locale, key: string): string[] {
  const id = `${locale}\u0000${key}`;
  let items = lists.get(id);
  if (!items) {
    const value: unknown = fixedT(locale)(key, { returnObjects: true });
    items = Array.isArray(value) ? value.map(String) : [];
    lists.set(id, items);
  }
  return [...items];
}

/** A whole subtree of keys (e.g. the widget's words), as an object. */
export function section(locale: Locale, key: string): Record<string, unknown> {
  const value: unknown = fixedT(locale)(key, { returnObjects: true });
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

const existing = new Map<string, boolean>();
/** Keys are made from flows' facts and values, some of them a merchant's words: the memory is bounded. */
const MAX_EXISTING = 10_000;

/** Whether `locale` has a text under `key` (looked up once per locale and key, as `template`). */
export function has(locale: Locale, key: string): boolean {
  const id = `${locale}\u0000${key}`;
  let found = existing.get(id);
  if (found === undefined) {
    found = instance.exists(key, { lng: locale });
    if (existing.size >= MAX_EXISTING) existing.clear();
    existing.set(id, found);
  }
  return found;
}

export type { TFunction };
