/** GET /.well-known/jwks.json — the public keys that verify access tokens (JWKS, RFC 7517). */
import { jwks } from "#shared/auth/tokens.ts";
import { JwksResponse } from "#shared/identity/views.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /.well-known/jwks.json", { response: JwksResponse }, () => jwks());
