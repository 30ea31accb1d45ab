/** The seeded generator lives in the pure core (reservoir sampling needs it); tests reuse it. */
export { seededRandom } from "../stats/random.js";
