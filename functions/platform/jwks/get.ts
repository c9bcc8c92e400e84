import { jwks } from "#shared/auth/tokens.ts";
import { endpoint } from "#shared/kit/endpoint.ts";

export const handler = endpoint("GET /.well-known/jwks.json", {}, () => jwks());
