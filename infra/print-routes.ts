/** `npm run -s routes`: the route table as JSON, one object per route. */
import { routes } from "./routes.ts";

process.stdout.write(
  `${JSON.stringify(
    routes.map((r) => ({ method: r.method, path: r.path, surface: r.surface, permission: r.permission })),
    null,
    2,
  )}\n`,
);
