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

function loadLocale(locale: Locale): Record<string, unknown> {
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
  for (const _ in params) return instance.services.interpolator.interpolate(text, params, locale, params);
  return text;
}

const resolvedKeys = new Map<string, string>();

/** Which of `key` the text comes from: the first that `locale` has (the last one when none has it). */
export function resolvedKey(locale: Locale, key: string | string[]): string {
  if (typeof key === "string") return key;
  const id = `${locale}\u0000${key.join("\u0001")}`;
  let found = resolvedKeys.get(id);
  if (found === undefined) {
    found = key.find((k) => instance.exists(k, { lng: locale })) ?? key[key.length - 1] ?? "";
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

export function has(locale: Locale, key: string): boolean {
  return instance.exists(key, { lng: locale });
}

export type { TFunction };
