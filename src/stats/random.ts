/**
 * A small seeded random source for reproducible simulations (xorshift128+ for uniforms, Box–Muller for
 * normals). Not cryptographic: for simulations, tests, and reproducible sampling (reservoirs).
 *
 * @example
 * ```ts
 * const rng = seededRandom(42);
 * rng.normal(); // the same sequence on every run
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  // SplitMix64-style scrambling of the seed into two non-zero 32-bit state pairs.
  return generator([
    (seed ^ 0x9e3779b9) >>> 0 || 1,
    Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) >>> 0 || 2,
    Math.imul(seed ^ 0x27d4eb2f, 0x165667b1) >>> 0 || 3,
    (seed * 2654435761) >>> 0 || 4,
  ]);
}

/** The four 32-bit words of a generator's state (see {@link SeededRandom.state}). */
export type RandomState = readonly [number, number, number, number];

/** A seeded generator (see {@link seededRandom}). */
export interface SeededRandom {
  uniform(): number;
  normal(): number;
  normals(n: number, mean?: number, sd?: number): Float64Array;
  /**
   * The generator's state now: {@link randomFromState} continues the same sequence of uniforms from
   * it (a stored sampler resumes where it stopped). A pending spare normal is not part of it.
   */
  state(): RandomState;
}

/**
 * A generator that continues from a saved {@link SeededRandom.state}.
 *
 * @example
 * ```ts
 * const a = seededRandom(1);
 * a.uniform();
 * const b = randomFromState(a.state());
 * a.uniform() === b.uniform(); // true
 * ```
 */
export function randomFromState(state: RandomState): SeededRandom {
  if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff))
    throw new RangeError("a random state is four unsigned 32-bit integers");
  if (state.every((w) => w === 0)) throw new RangeError("a random state must not be all zeros");
  return generator(state);
}

function generator(initial: RandomState): SeededRandom {
  let [s0, s1, s2, s3] = initial;
  const next32 = (): number => {
    // xoshiro128** : small, fast and statistically sound for simulations.
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const uniform = (): number => (next32() * 2 ** -32 + next32()) * 2 ** -32 || 2 ** -64;
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return {
    uniform,
    normal,
    state: () => [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0],
    normals(n: number, mean = 0, sd = 1): Float64Array {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = mean + sd * normal();
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
