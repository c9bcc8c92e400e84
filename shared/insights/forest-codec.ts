/**
 * The stored form of a forest: three flat typed arrays, little-endian, base64 in JSON.
 *
 *   feature    Int16 per node, every tree in turn, each in depth-first pre-order: the split
 *              feature of an internal node, -1 for a leaf;
 *   threshold  Float64 per internal node, in node order (all 64 bits, so a model read back
 *              scores exactly as the one that was written);
 *   leafSize   Uint16 (ψ <= 65535) or Uint32 per leaf, in node order: training rows in the leaf.
 *
 * Left and right children are not stored: in pre-order a node's left child is the next node and
 * its right child follows the left subtree, so the internal/leaf marks alone rebuild both (and
 * where each tree ends); an internal node's size is the sum of its children's. Decoding rebuilds
 * the in-memory arrays (feature, threshold, left, right, size) and rejects anything that is not
 * a whole forest: wrong lengths, a feature out of range, a non-finite threshold, a tree deeper
 * than the height limit or one whose leaves do not add up to ψ rows.
 */
import { Buffer } from "node:buffer";
import { endianness } from "node:os";
import * as z from "zod/mini";
import { heightLimit } from "./build-forest.ts";
import { type ForestArrays, LEAF, treeCount } from "./forest.ts";

/** Int16 feature indices leave -1 for leaves. */
export const MAX_FEATURES = 32767;

export const ForestJsonSchema = z.strictObject({
  nFeatures: z.number().check(z.int(), z.gte(1), z.lte(MAX_FEATURES)),
  maxSamples: z.number().check(z.int(), z.gte(1), z.lte(0x7fffffff)),
  trees: z.number().check(z.int(), z.gte(1)),
  feature: z.string(),
  threshold: z.string(),
  leafSize: z.string(),
});

export type ForestJson = z.output<typeof ForestJsonSchema>;

// Typed arrays use the machine's byte order; the stored form is little-endian, which every
// Lambda architecture (x86_64, arm64) is. Refuse loudly rather than misread on anything else.
const LITTLE_ENDIAN = endianness() === "LE";

function assertLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error("the isolation forest codec needs a little-endian machine");
}

const toBase64 = (view: ArrayBufferView): string =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("base64");

/** Decodes into a fresh, aligned typed array, or undefined when the bytes do not fit the type. */
function fromBase64<T extends Int16Array | Uint16Array | Uint32Array | Float64Array>(
  text: string,
  make: (length: number) => T,
): T | undefined {
  const bytes = Buffer.from(text, "base64");
  const out = make(0);
  if (bytes.byteLength % out.BYTES_PER_ELEMENT !== 0) return undefined;
  const array = make(bytes.byteLength / out.BYTES_PER_ELEMENT);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

const wideLeaves = (maxSamples: number): boolean => maxSamples > 0xffff;

export function encodeForest(forest: ForestArrays): ForestJson {
  assertLittleEndian();
  const nodes = forest.feature.length;
  let internal = 0;
  for (let i = 0; i < nodes; i++) if ((forest.feature[i] ?? LEAF) !== LEAF) internal++;
  const feature = Int16Array.from(forest.feature);
  const threshold = new Float64Array(internal);
  const leafSize = wideLeaves(forest.maxSamples)
    ? new Uint32Array(nodes - internal)
    : new Uint16Array(nodes - internal);
  let t = 0;
  let l = 0;
  for (let i = 0; i < nodes; i++) {
    if ((forest.feature[i] ?? LEAF) === LEAF) leafSize[l++] = forest.size[i] ?? 0;
    else threshold[t++] = forest.threshold[i] ?? 0;
  }
  return {
    nFeatures: forest.nFeatures,
    maxSamples: forest.maxSamples,
    trees: treeCount(forest),
    feature: toBase64(feature),
    threshold: toBase64(threshold),
    leafSize: toBase64(leafSize),
  };
}

/** The rebuilt arrays, or why the stored forest is not one. */
export function decodeForest(json: ForestJson): ForestArrays | string {
  assertLittleEndian();
  const { nFeatures, maxSamples, trees } = json;
  const storedFeature = fromBase64(json.feature, (n) => new Int16Array(n));
  const thresholds = fromBase64(json.threshold, (n) => new Float64Array(n));
  const leafSizes = wideLeaves(maxSamples)
    ? fromBase64(json.leafSize, (n) => new Uint32Array(n))
    : fromBase64(json.leafSize, (n) => new Uint16Array(n));
  if (!storedFeature || !thresholds || !leafSizes) return "an array's byte length does not fit its type";

  const nodes = storedFeature.length;
  // Checked before sizing anything by `trees`: every tree has at least its root.
  if (trees > nodes) return `${trees} trees cannot fit in ${nodes} nodes`;
  const limit = heightLimit(maxSamples);
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const left = new Int32Array(nodes).fill(LEAF);
  const right = new Int32Array(nodes).fill(LEAF);
  const size = new Int32Array(nodes);
  const depth = new Int32Array(nodes);
  const treeStart = new Int32Array(trees + 1);
  // Internal nodes whose left subtree is still being read; at most one per level.
  const pending = new Int32Array(limit + 1);
  let next = 0;
  let nextThreshold = 0;
  let nextLeaf = 0;

  for (let t = 0; t < trees; t++) {
    treeStart[t] = next;
    let open = 0;
    depth[next] = 0;
    for (;;) {
      if (next >= nodes) return `tree ${t} runs past the last node`;
      const node = next++;
      const f = storedFeature[node] ?? LEAF;
      const d = depth[node] ?? 0;
      feature[node] = f;
      if (f !== LEAF) {
        if (f < 0 || f >= nFeatures) return `node ${node} splits on feature ${f} of ${nFeatures}`;
        if (d >= limit) return `tree ${t} is deeper than the height limit ${limit}`;
        const value = thresholds[nextThreshold++];
        if (value === undefined || !Number.isFinite(value)) return `node ${node} has no finite threshold`;
        threshold[node] = value;
        left[node] = next;
        depth[next] = d + 1;
        pending[open++] = node;
        continue;
      }
      const rows = leafSizes[nextLeaf++];
      if (rows === undefined || rows < 1) return `leaf ${node} has no training rows`;
      size[node] = rows;
      if (open === 0) break; // the tree is whole
      const parent = pending[--open] ?? 0;
      right[parent] = next;
      depth[next] = (depth[parent] ?? 0) + 1;
    }
    // Children come after their parent: a backward pass adds leaf sizes up to the root.
    for (let node = next - 1; node >= (treeStart[t] ?? 0); node--) {
      if ((feature[node] ?? LEAF) !== LEAF) size[node] = (size[left[node] ?? 0] ?? 0) + (size[right[node] ?? 0] ?? 0);
    }
    if (size[treeStart[t] ?? 0] !== maxSamples)
      return `tree ${t} holds ${size[treeStart[t] ?? 0]} rows, not ${maxSamples}`;
  }
  treeStart[trees] = next;
  if (next !== nodes) return `${nodes - next} nodes follow the last tree`;
  if (nextThreshold !== thresholds.length) return "there are more thresholds than internal nodes";
  if (nextLeaf !== leafSizes.length) return "there are more leaf sizes than leaves";
  return { nFeatures, maxSamples, treeStart, feature, threshold, left, right, size };
}
