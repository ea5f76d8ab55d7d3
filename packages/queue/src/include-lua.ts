/**
 * A `--- @include "name"` line (BullMQ's script-loader syntax: two or three dashes, the name quoted with ' or ").
 */
const INCLUDE_LINE = /^-{2,3}[ \t]*@include[ \t]+(["'])(.+?)\1[; \t]*$/gm;

/**
 * Resolves the `--- @include "name"` lines of a Lua script against `fragments`, as BullMQ's script loader does for
 * its `includes/*.lua`: each include line is replaced by the fragment's source (its own includes resolved first),
 * and a fragment already included earlier in the script is not repeated, so a step two scripts need is written once
 * and a script may include fragments that include the same helper. Throws (at module load, where the scripts are
 * built) on an unknown name or an include cycle.
 */
export function includeLua(source: string, fragments: Readonly<Record<string, string>>): string {
  const included = new Set<string>();
  const resolve = (text: string, stack: readonly string[]): string =>
    text.replace(INCLUDE_LINE, (_line, _quote: string, name: string) => {
      if (stack.includes(name)) throw new Error(`Lua include cycle: ${[...stack, name].join(' -> ')}`);
      const fragment = fragments[name];
      if (fragment === undefined) throw new Error(`Lua include of an unknown fragment: ${name}`);
      if (included.has(name)) return '';
      const body = resolve(fragment, [...stack, name]);
      included.add(name);
      return body.trim();
    });
  return resolve(source, []);
}
