/**
 * Memory of common EC2 instance types, from the shape of their names (Amazon EC2 instance types
 * pages: burstable t2/t3/t3a/t4g by size; general purpose m 4 GiB, compute c 2 GiB and memory r
 * 8 GiB per vCPU, with 2 vCPUs at `large` and 4 per `xlarge`). Undefined for anything else: callers
 * then make no claim. Free of aws-cdk-lib (config and bootstrap use it).
 */
const BURSTABLE_GIB: Readonly<Record<string, number>> = {
  nano: 0.5,
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  '2xlarge': 32,
};

const GIB_PER_VCPU: Readonly<Record<string, number>> = { m: 4, c: 2, r: 8 };

function vcpus(size: string): number | undefined {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const n = /^(\d+)xlarge$/.exec(size)?.[1];
  return n ? 4 * Number(n) : undefined;
}

export function instanceMemoryGiB(instanceType: string): number | undefined {
  const match = /^([a-z]+)(\d{1,2})([a-z-]*)\.([a-z0-9-]+)$/.exec(instanceType);
  if (!match) return undefined;
  const [, family, generation, , size] = match;
  if (family === 't' && Number(generation) >= 2) return BURSTABLE_GIB[size];
  const perVcpu = family.length === 1 ? GIB_PER_VCPU[family] : undefined;
  const count = vcpus(size);
  return perVcpu && count ? perVcpu * count : undefined;
}

/**
 * Node's heap on an instance of `memoryGiB`: three quarters of it (Node's own default is about a
 * quarter, and training on ml-25m needs more), the rest for the operating system and the agents.
 */
export function heapMegabytes(memoryGiB: number): number {
  return Math.floor(memoryGiB * 1024 * 0.75);
}

/**
 * What the web app needs at start for an edition: it trains its local models on every rating in
 * memory. Measured on 25,000,095 synthetic ratings (the ml-25m shape) on this project's 2-core
 * machine: the whole start (`movierecs start` on PostgreSQL, data already loaded) peaks at 3.7 GB
 * RSS and is ready in 134 s; training aborts with a 2 GB heap. 8 GiB leaves room for the operating
 * system and the agents. The small editions were not measured on an instance: no minimum is claimed.
 */
export const WEB_MEMORY_GIB_BY_EDITION: Readonly<Record<string, number>> = {
  'ml-25m': 8,
};
