/**
 * What the diff (and every review output built from it) must never print: environment values of
 * containers and services, TLS materials and passwords. Such a value is shown as a short digest, so a
 * reviewer still sees that it changed, and which values are equal, without the value itself.
 */
import { createHmac, randomBytes } from 'crypto';

// Keyed per process: a digest says which values are equal within one output, and a short unkeyed hash
// of a weak password could be looked up; a keyed one cannot.
const KEY = randomBytes(32);

/** Argument names whose values are secret wherever they appear in a resource or provider block. */
const SECRET_LEAF = /^(password|passwd|secret|token|auth|identitytoken|key_material|cert_material|ca_material|private_key|key)$|_(password|secret|token|material)$/i;

/** "(secret, digest 1a2b3c4d5e6f)": what a secret value reads as in review (an HMAC-SHA256 keyed per process). */
export function secretDigest(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return `(secret, digest ${createHmac('sha256', KEY).update(text).digest('hex').slice(0, 12)})`;
}

/**
 * Whether the value at this attribute path is secret: an entry of an `env` (a container's "K=V" list,
 * turned into a map by envMap, or a service's map), or any argument named like a password, token,
 * key or TLS material.
 */
export function isSecretPath(segs: readonly string[]): boolean {
  if (segs.length >= 2 && segs[segs.length - 2] === 'env') return true;
  if (segs.length && segs[segs.length - 1] === 'env') return true;
  return segs.some((s) => SECRET_LEAF.test(s));
}

/** A container's env list ("K=V" strings) as a map K -> V, so the diff names keys, not values; else undefined. */
export function envMap(v: unknown): Record<string, string> | undefined {
  if (!Array.isArray(v) || !v.every((e) => typeof e === 'string')) return undefined;
  const out: Record<string, string> = {};
  for (const e of v as string[]) {
    const i = e.indexOf('=');
    const k = i < 0 ? e : e.slice(0, i);
    if (k in out) return undefined;
    out[k] = i < 0 ? '' : e.slice(i + 1);
  }
  return out;
}
