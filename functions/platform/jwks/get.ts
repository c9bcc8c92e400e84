import { jwks } from "#shared/auth/tokens.ts";
import { defineEndpoint } from "#shared/kit/endpoint.ts";

export const endpoint = defineEndpoint("GET /.well-known/jwks.json", {}, () => jwks());
