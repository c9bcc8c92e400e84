/**
 * API-key authentication (`X-API-Key: sk_…` or `Authorization: Bearer sk_…`): resolves a key to
 * its owner through the key's hash. Until API keys can be issued (gateway "API Keys" routes),
 * no key exists, so every key is refused.
 */
import { Unauthorized } from "#shared/errors.ts";
import type { Principal } from "./principal.ts";

export async function resolveApiKey(_key: string, _meta: { ip: string }): Promise<Principal> {
  throw new Unauthorized("Invalid API key provided");
}
