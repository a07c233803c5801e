import { basename } from 'node:path';

/** The fields read here of a V8 `.cpuprofile`, as `node --cpu-prof` writes it. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  /** The node on top of the stack at each sample. */
  samples: number[];
  /** Microseconds from the previous sample (the first: from the profile's start) to each sample. */
  timeDeltas: number[];
}

/**
 * `node --cpu-prof` writes one file per thread, `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`
 * (worker threads inherit the flag); thread 0 is the main thread.
 */
export function profileThread(fileName: string): number | undefined {
  const thread = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(fileName)?.[1];
  return thread === undefined ? undefined : Number(thread);
}

/** A frame on a sample's stack: a function by name, a file (the url's last part, e.g. `trainer.js`), or both. */
export interface FrameMatcher {
  functionName?: string;
  file?: string;
}

export interface ProfileCategory {
  name: string;
  frames: readonly FrameMatcher[];
}

/**
 * Seconds per category: a sample goes to the first category, in the order
 * given, that has a frame anywhere on its stack (so the categories add up, and
 * a narrow one listed first takes its samples out of a broad one after it);
 * each sample counts for the time since the sample before it. Samples of no
 * category go to `other`; `total` is every sample.
 */
export function attributeSamples(profile: CpuProfile, categories: readonly ProfileCategory[]): Record<string, number> & { other: number; total: number } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const matches = (id: number, frames: readonly FrameMatcher[]) => {
    const { functionName, url } = byId.get(id)!.callFrame;
    const file = basename(url);
    return frames.some((m) => (m.functionName === undefined || m.functionName === functionName) && (m.file === undefined || m.file === file));
  };
  const categoryOf = new Map<number, string>();
  const categoryOfStack = (leaf: number): string => {
    const known = categoryOf.get(leaf);
    if (known !== undefined) return known;
    const stack: number[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) stack.push(id);
    const category = categories.find((c) => stack.some((id) => matches(id, c.frames)))?.name ?? 'other';
    categoryOf.set(leaf, category);
    return category;
  };
  const seconds: Record<string, number> = Object.fromEntries([...categories.map((c) => [c.name, 0] as const), ['other', 0]]);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const s = (profile.timeDeltas[i] ?? 0) / 1e6;
    seconds[categoryOfStack(id)]! += s;
    total += s;
  });
  return { ...seconds, other: seconds['other']!, total };
}
