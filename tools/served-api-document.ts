/**
 * The OpenAPI document GET /openapi.json answers. In a function bundle this module is replaced at
 * build time (infra/build.ts, `openApiDocumentInlined`) by the document generated from the route
 * table, as JSON: the deployed API serves exactly what `npm run openapi` writes, and only this
 * route's bundle carries it. Outside a bundle (local mode, tests) the generator runs on first use.
 */
let document: Promise<unknown> | undefined;

export function openApiDocument(): Promise<unknown> {
  document ??= import("#tools/openapi-document.ts").then((m) => m.routeTableDocument());
  return document;
}
