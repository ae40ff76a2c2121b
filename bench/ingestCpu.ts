/**
 * CPU time of one `store.recordEvents` call (embedded store, the bench/ingest workload), median
 * of BENCH_ROUNDS rounds, next to the CPU time of bench/ingest's raw batched insert of the same
 * rows (each round runs both) and their ratio; for the whole process (with V8's background
 * garbage collection) and for the main thread alone. CPU time does not count waiting for other
 * processes, so two builds compared on a busy machine stay comparable: run this in each
 * checkout, interleaved.
 *
 *   npm run bench:ingest-cpu
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriver } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';
import { benchEvents, benchJourney, processCpuMs, rawInsert, threadCpuMs } from './ingest';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const min = (values: number[]) => Math.min(...values);

async function main() {
	const events = benchEvents();
	const store = { process: [] as number[], thread: [] as number[] };
	const raw = { process: [] as number[], thread: [] as number[] };
	for (let round = 0; round < ROUNDS; round++) {
		const dir = mkdtempSync(join(tmpdir(), 'cs-bench-cpu-'));
		const baseline = rawInsert(join(dir, 'raw.sqlite'), events);
		raw.process.push(baseline.cpuMs);
		raw.thread.push(baseline.threadMs);
		const opened = await Store.open(
			createDriver({ backend: 'embedded', filePath: join(dir, 'store.sqlite') }),
		);
		await opened.saveJourney(benchJourney);
		const processBefore = processCpuMs();
		const threadBefore = threadCpuMs();
		const outcomes = await opened.recordEvents(events);
		store.thread.push(threadCpuMs() - threadBefore);
		store.process.push(processCpuMs() - processBefore);
		if (outcomes.some((outcome) => !outcome.ok)) throw new Error('an event failed');
		await opened.close();
		rmSync(dir, { recursive: true, force: true });
	}
	const line = (clock: 'process' | 'thread') =>
		`${clock.padEnd(7)} CPU: store.recordEvents median ${median(store[clock]).toFixed(1)} ms (min ${min(store[clock]).toFixed(1)}), raw insert median ${median(raw[clock]).toFixed(1)} ms, ratio ${(median(raw[clock]) / median(store[clock])).toFixed(2)}`;
	console.log(`embedded, ${events.length} events, ${ROUNDS} rounds`);
	console.log(line('process'));
	console.log(line('thread'));
}

void main();
