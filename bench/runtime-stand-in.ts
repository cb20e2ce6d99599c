/**
 * A local stand-in for the Amazon Personalize runtime API (the two calls the web app makes), for
 * bench/web.ts: plain node:http on 127.0.0.1, no AWS reached, no signature checked.
 *
 * - POST /recommendations (GetRecommendations) answers `{ itemList: [{ itemId: "…" }, …] }` with
 *   `numResults` ids (default 25, at most 500) drawn from 1..items, different per user;
 * - POST /personalize-ranking (GetPersonalizedRanking) answers `{ personalizedRanking: … }`, the
 *   input list reversed;
 * both after a fixed delay (50 ms by default), as a campaign's answer time. Anything else (a
 * control-plane call such as DescribeCampaign, another path or method) is counted under `other`
 * and answered 404, so a benchmark can prove that no control-plane call happens per page.
 *
 * Run alone: `npx tsx bench/runtime-stand-in.ts [--delay-ms 50] [--port 0]` prints its URL and
 * the counts on Ctrl-C. Forked with an IPC channel (bench/web.ts does), it reports `ready` with its
 * port and answers `counts`, `reset`, `delay` and `close` messages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

export const RECOMMENDATIONS_PATH = '/recommendations';
export const RANKING_PATH = '/personalize-ranking';

export interface StandInCounts {
  /** GetRecommendations calls answered. */
  readonly recommendations: number;
  /** GetPersonalizedRanking calls answered. */
  readonly ranking: number;
  /** Anything else: control-plane calls, other paths or methods. */
  readonly other: number;
  /** `METHOD path` of the other calls (the first 20 distinct ones). */
  readonly otherCalls: Readonly<Record<string, number>>;
  /** Runtime calls whose body was not the JSON the API takes (answered 400). */
  readonly badBodies: number;
}

export interface AnswerTimes {
  /** Calls answered since the last reset. */
  readonly count: number;
  /** Milliseconds from the request's arrival to the end of its answer. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface RuntimeStandIn {
  readonly port: number;
  readonly url: string;
  counts(): StandInCounts;
  /** Answer times since the last `resetAnswerTimes` (the counts are never reset: diff them). */
  answerTimes(): AnswerTimes;
  resetAnswerTimes(): void;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** Milliseconds before each runtime answer; default 50. */
  readonly delayMs?: number;
  /** Item ids are drawn from 1..items; default 1682 (ml-100k's catalog). */
  readonly items?: number;
  /** Default 0: any free port. Always on 127.0.0.1. */
  readonly port?: number;
}

const MAX_BODY = 64 * 1024;
const MAX_RESULTS = 500;

export async function startRuntimeStandIn(options: StandInOptions = {}): Promise<RuntimeStandIn> {
  let delayMs = options.delayMs ?? 50;
  const items = options.items ?? 1682;
  const counts = { recommendations: 0, ranking: 0, other: 0, badBodies: 0 };
  const otherCalls: Record<string, number> = {};
  let times: number[] = [];

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': `stand-in-${counts.recommendations + counts.ranking + counts.other}`,
    });
    response.end(text);
  };

  const handle = (request: IncomingMessage, response: ServerResponse, body: string, arrived: number) => {
    const path = (request.url ?? '').split('?')[0];
    const runtime = request.method === 'POST' && (path === RECOMMENDATIONS_PATH || path === RANKING_PATH);
    if (!runtime) {
      counts.other++;
      const key = `${request.method} ${path.slice(0, 100)}`;
      if (key in otherCalls || Object.keys(otherCalls).length < 20) otherCalls[key] = (otherCalls[key] ?? 0) + 1;
      answer(response, 404, { message: `the stand-in answers only the runtime API, not ${key}` });
      return;
    }
    let input: { campaignArn?: unknown; userId?: unknown; itemId?: unknown; numResults?: unknown; inputList?: unknown };
    try {
      input = JSON.parse(body);
    } catch {
      input = {};
    }
    if (typeof input.campaignArn !== 'string') {
      counts.badBodies++;
      answer(response, 400, { message: 'campaignArn is required' });
      return;
    }
    let result: unknown;
    if (path === RECOMMENDATIONS_PATH) {
      counts.recommendations++;
      const wanted = typeof input.numResults === 'number' ? input.numResults : 25;
      const n = Math.max(0, Math.min(MAX_RESULTS, Math.floor(wanted), items));
      const seed = Number(input.userId ?? input.itemId ?? 1) || 1;
      // A step coprime with 1682 (= 2 x 29 x 29) gives distinct ids; any catalog size is fine anyway.
      const itemList = Array.from({ length: n }, (_, i) => ({ itemId: String(((seed * 37 + i * 7) % items) + 1) }));
      result = { itemList, recommendationId: `RID-${counts.recommendations}` };
    } else {
      counts.ranking++;
      const list = Array.isArray(input.inputList) ? input.inputList.map(String) : [];
      const personalizedRanking = [...list].reverse().map((itemId, i) => ({ itemId, score: 1 / (i + 1) }));
      result = { personalizedRanking, recommendationId: `RID-${counts.ranking}` };
    }
    setTimeout(() => {
      answer(response, 200, result);
      times.push(performance.now() - arrived);
    }, delayMs);
  };

  const server = createServer((request, response) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8'), arrived));
    request.on('error', () => response.destroy());
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts, otherCalls: { ...otherCalls } }),
    answerTimes: () => {
      const sorted = Float64Array.from(times).sort();
      const at = (q: number) =>
        sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
      return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : 0 };
    },
    resetAnswerTimes: () => {
      times = [];
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Messages of the forked stand-in (bench/web.ts is the other end). */
export type StandInRequest =
  | { readonly type: 'counts' }
  | { readonly type: 'reset' }
  | { readonly type: 'delay'; readonly ms: number }
  | { readonly type: 'close' };
export type StandInReply =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'counts'; readonly counts: StandInCounts; readonly answerTimes: AnswerTimes }
  | { readonly type: 'done' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'delay-ms': { type: 'string', default: '50' }, port: { type: 'string', default: '0' } },
  });
  const delayMs = Number(values['delay-ms']);
  const port = Number(values.port);
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 10_000) throw new Error('--delay-ms: 0 to 10000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port: 0 to 65535');
  const standIn = await startRuntimeStandIn({ delayMs, port });
  const send = process.send?.bind(process);
  if (!send) {
    console.log(`Personalize runtime stand-in on ${standIn.url} (answers after ${delayMs} ms); Ctrl-C to stop`);
    process.once('SIGINT', () => {
      console.log(JSON.stringify(standIn.counts()));
      void standIn.close();
    });
    return;
  }
  const reply = (message: StandInReply) => send(message);
  process.on('message', (message: StandInRequest) => {
    if (message.type === 'counts')
      reply({ type: 'counts', counts: standIn.counts(), answerTimes: standIn.answerTimes() });
    else if (message.type === 'reset') standIn.resetAnswerTimes();
    else if (message.type === 'delay') standIn.setDelay(message.ms);
    else if (message.type === 'close') {
      void standIn.close().then(() => {
        reply({ type: 'done' });
        process.disconnect();
      });
    }
  });
  // The parent went away: do not outlive it.
  process.once('disconnect', () => void standIn.close().then(() => process.exit(0)));
  reply({ type: 'ready', port: standIn.port });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`runtime stand-in: ${(error as Error).message}`);
    process.exit(1);
  });
}
