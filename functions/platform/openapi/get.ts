/**
 * GET /openapi.json — the API's OpenAPI 3.1 document (public, like /docs locally): generated at build
 * time from the route table and the handlers' zod schemas, served as it is (not enveloped).
 */
import * as z from "zod/mini";
import { defineEndpoint, RawResponse } from "#shared/kit/endpoint.ts";
import { openApiDocument } from "#tools/served-api-document.ts";

const produces = {
  "application/json": {
    description: "The OpenAPI 3.1 document of this API (what `npm run openapi` writes)",
    schema: z.looseObject({
      openapi: z.string(),
      info: z.looseObject({ title: z.string(), version: z.string() }),
      paths: z.record(z.string(), z.unknown()),
    }),
  },
};

let body: string | undefined;

export const endpoint = defineEndpoint("GET /openapi.json", { produces }, async () => {
  body ??= JSON.stringify(await openApiDocument());
  return new RawResponse(
    200,
    { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300" },
    body,
  );
});
