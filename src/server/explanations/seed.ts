/** A 32-bit FNV-1a hash: the seeds (and the profile fingerprint) of the explanations. */
export function fnv1a(text: string | Uint8Array): number {
  let h = 2166136261;
  if (typeof text === "string") for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  else for (const b of text) h = Math.imul(h ^ b, 16777619);
  return h >>> 0;
}
