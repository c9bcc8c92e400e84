/**
 * A value loaded on first use and kept for the life of the process: the SDK clients and heavy
 * libraries a module needs on some of its calls only. `load` holds the `import()` itself, so the
 * bundle keeps that code out of a cold start (infra/build.ts). A failed load is not kept: the next
 * call tries again rather than failing for the container's life.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((e: unknown) => {
      loaded = undefined;
      throw e;
    }));
}
