// Reading yargs' parsed values: a flag given twice arrives as an array, and kubectl takes the last one.
export const last = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
export const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(last(v)));
/** Repeatable flags: every value, in order. */
export const strs = (v: unknown): string[] | undefined => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(String));
export const bool = (v: unknown): boolean | undefined => last(v) as boolean | undefined;
