/**
 * The bot's words with their parameters filled in: posdesk splits each text once and fills it itself, and
 * must say exactly what i18next would say from the same locale files.
 */
import i18next from "i18next";
import { describe, expect, it } from "vitest";
import type { Locale } from "../../src/domain/intents.js";
import { has, interpolate, LOCALES, loadLocale, t } from "../../src/i18n.js";

/** Every text of a locale that takes parameters, by key. */
function textsWithParameters(locale: Locale): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (value: unknown, key: string) => {
    if (typeof value === "string" && value.includes("{{")) found.set(key, value);
    else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k);
  };
  walk(loadLocale(locale), "");
  return found;
}

/** i18next itself over the same locale files, as posdesk set it up before filling texts itself. */
const reference = i18next.createInstance();
await reference.init({
  initImmediate: false,
  resources: Object.fromEntries(LOCALES.map((locale) => [locale, { translation: loadLocale(locale) }])),
  fallbackLng: false,
  interpolation: { escapeValue: false },
  showSupportNotice: false,
});

describe("the bot's words with parameters", () => {
  it("are what i18next makes of every text that takes them, in every locale", () => {
    let checked = 0;
    for (const locale of LOCALES) {
      for (const [key, text] of textsWithParameters(locale)) {
        const names = [...text.matchAll(/\{\{(.+?)\}\}/g)].map((m) => (m[1] as string).trim());
        const params = Object.fromEntries(
          names.map((name, i) => [name, i % 2 ? 51 : `<b>${name} $& $1</b>`]),
        );
        expect(t(locale, key, params), `${locale} ${key}`).toBe(reference.t(key, { lng: locale, ...params }));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("leave a name that was not given as it is written, and fill one given as nothing with nothing", () => {
    const params = { a: undefined, b: null, c: 0 };
    const text = "a={{a}} b={{ b }} c={{c}} d={{d}}";
    expect(interpolate(text, params)).toBe("a= b= c=0 d={{d}}");
    expect(interpolate(text, params)).toBe(reference.t("x", { lng: "en", defaultValue: text, ...params }));
  });

  it("never read a merchant's words put into a text as more names to fill", () => {
    expect(interpolate("您说：{{text}}", { text: "{{text}} {{amount}}", amount: 5 })).toBe(
      "您说：{{text}} {{amount}}",
    );
  });
});

describe("whether a text exists", () => {
  it("answers for each locale on its own, the same when asked again", () => {
    expect(has("zh-CN", "engine.empty")).toBe(true);
    expect(has("en", "engine.empty")).toBe(true);
    expect(has("en", "engine.noSuchText")).toBe(false);
    expect(has("en", "engine.noSuchText")).toBe(false);
  });
});
