// Small checkers for JSON that arrives over the wire: each side checks what
// the other sent before trusting a field of it. A checker answers with the
// value's type or a reason naming the bad field.

export type Shape<T> = (value: unknown, at: string) => { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };
export type ShapeType<S> = S extends Shape<infer T> ? T : never;

const bad = (at: string, what: string): { ok: false; reason: string } => ({ ok: false, reason: `${at}: ${what}` });

export const string = (max = 4096): Shape<string> => (v, at) =>
  typeof v === 'string' && v.length <= max ? { ok: true, value: v } : bad(at, `expected a string of at most ${max} characters`);

export const integer = (min: number, max: number): Shape<number> => (v, at) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? { ok: true, value: v } : bad(at, `expected a whole number from ${min} to ${max}`);

export const number = (min: number, max: number): Shape<number> => (v, at) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? { ok: true, value: v } : bad(at, `expected a number from ${min} to ${max}`);

export const boolean: Shape<boolean> = (v, at) => (typeof v === 'boolean' ? { ok: true, value: v } : bad(at, 'expected true or false'));

export const literal = <L extends string>(l: L): Shape<L> => (v, at) => (v === l ? { ok: true, value: l } : bad(at, `expected ${JSON.stringify(l)}`));

export const matching = (re: RegExp, what: string): Shape<string> => (v, at) =>
  typeof v === 'string' && re.test(v) ? { ok: true, value: v } : bad(at, `expected ${what}`);

export const array = <T>(item: Shape<T>, max: number): Shape<T[]> => (v, at) => {
  if (!Array.isArray(v) || v.length > max) return bad(at, `expected a list of at most ${max}`);
  const out: T[] = [];
  for (const [i, x] of v.entries()) {
    const r = item(x, `${at}[${i}]`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
};

export const nullable = <T>(s: Shape<T>): Shape<T | null> => (v, at) => (v === null ? { ok: true, value: null } : s(v, at));

type Fields = Readonly<Record<string, Shape<unknown>>>;
type Obj<F extends Fields> = { readonly [K in keyof F]: ShapeType<F[K]> };

/** An object with exactly these fields checked (others are ignored and dropped). */
export const object = <F extends Fields>(fields: F): Shape<Obj<F>> => (v, at) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(at, 'expected an object');
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(fields)) {
    const r = s((v as Record<string, unknown>)[k], `${at}.${k}`);
    if (!r.ok) return r;
    out[k] = r.value;
  }
  return { ok: true, value: out as Obj<F> };
};

/** One of several objects, told apart by the string field `tag`. */
export const tagged = <S extends Readonly<Record<string, Shape<unknown>>>>(tag: string, shapes: S): Shape<ShapeType<S[keyof S]>> => (v, at) => {
  if (typeof v !== 'object' || v === null) return bad(at, 'expected an object');
  const t = (v as Record<string, unknown>)[tag];
  const s = typeof t === 'string' && Object.hasOwn(shapes, t) ? shapes[t] : undefined;
  if (!s) return bad(`${at}.${tag}`, `unknown ${JSON.stringify(t)}`);
  return s(v, at) as ReturnType<Shape<ShapeType<S[keyof S]>>>;
};

export const oneOf = <L extends string>(...ls: readonly L[]): Shape<L> => (v, at) =>
  typeof v === 'string' && (ls as readonly string[]).includes(v) ? { ok: true, value: v as L } : bad(at, `expected one of ${ls.join(', ')}`);
