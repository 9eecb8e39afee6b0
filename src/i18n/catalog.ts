/**
 * The typed message machinery every catalogue under src/i18n/ uses. A catalogue is one object
 * per language; English defines the keys and every other language must have exactly the same
 * ones, so a missing or misspelt key is a compile error, and so is a lookup with a key that is
 * not in the catalogue (no lookup falls back to the key itself). How to write one:
 *
 *   const en = { 'hs.title': 'Handshake: {kind}', ... } as const;
 *   export type HsKey = keyof typeof en;
 *   const zh = { 'hs.title': '握手：{kind}', ... } satisfies Messages<HsKey>;   // extra or missing key: error
 *   export const HS_MESSAGES = defineCatalogue<HsKey>({ en, 'zh-CN': zh });
 *   export const hsMsg = translator(HS_MESSAGES);                              // hsMsg(lang, 'hs.title', { kind })
 *
 * Keys are never built at run time from untyped parts (`` `hs.${kind}` ``): map a typed value
 * to its key with a `Record<Kind, HsKey>` (or key the catalogue by the kind itself), so that a
 * new kind without a text does not compile. `{name}` marks a value filled in from `params`;
 * both languages use the same placeholders, and every key is used somewhere in src/
 * (test/i18n.test.ts checks both, and finds catalogues made by defineCatalogue by their mark).
 */

export type Lang = 'en' | 'zh-CN';

/** Every language, English first. */
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

/** The texts of one language: exactly one string per key. */
export type Messages<K extends string> = { readonly [P in K]: string };

/** A catalogue: the same keys in every language. */
export type Catalogue<K extends string> = { readonly [L in Lang]: Messages<K> };

/** Values for `{name}` placeholders. */
export type Params = Readonly<Record<string, string | number | undefined>>;

/** The mark defineCatalogue puts on a catalogue (test/i18n.test.ts checks such catalogues' keys are used). */
export const CATALOGUE_MARK: unique symbol = Symbol.for('tcpscope.i18n.catalogue') as never;

/** Marks a catalogue as typed (its keys come from a key union) and returns it unchanged. */
export function defineCatalogue<K extends string>(cat: Catalogue<K>): Catalogue<K> {
  Object.defineProperty(cat, CATALOGUE_MARK, { value: true, enumerable: false });
  return cat;
}

/**
 * Fill `{name}` placeholders from `params`. A placeholder whose value is undefined becomes
 * `missing` when given, else it stays as written.
 */
export function fill(template: string, params: Params = {}, missing?: string): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = Object.hasOwn(params, name) ? params[name] : undefined;
    if (v !== undefined) return String(v);
    return missing ?? m;
  });
}

/** A typed lookup for one catalogue: `t(lang, key, params)`; `key` must be one of its keys. */
export function translator<K extends string>(cat: Catalogue<K>): (lang: Lang, key: K, params?: Params) => string {
  return (lang, key, params) => fill(cat[lang][key], params);
}
