/**
 * CPU time of one `store.recordEvents` call and of one Advance Stage node run in WorkflowExecute
 * (embedded store, the bench/ingest workload), median of BENCH_ROUNDS rounds, next to the CPU
 * time of bench/ingest's raw batched insert of the same rows (each round runs all three) and
 * their ratios; for the whole process (with V8's background garbage collection) and for the
 * main thread alone. CPU time does not count waiting for other
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
import { processCpuMs, threadCpuMs } from './cpu';
import { benchEvents, benchJourney, rawInsert } from './ingest';
import { runNodeIngest } from './nodeIngest';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const min = (values: number[]) => Math.min(...values);

async function main() {
	const events = benchEvents();
	const store = { process: [] as number[], thread: [] as number[] };
	const raw = { process: [] as number[], thread: [] as number[] };
	const node = { process: [] as number[], thread: [] as number[] };
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
		const run = await runNodeIngest(
			{ backend: 'embedded', filePath: join(dir, 'node.sqlite') },
			events,
			benchJourney,
		);
		node.process.push(run.processMs);
		node.thread.push(run.threadMs);
		rmSync(dir, { recursive: true, force: true });
	}
	const line = (clock: 'process' | 'thread', label: string, path: typeof store) =>
		`${clock.padEnd(7)} CPU: ${label} median ${median(path[clock]).toFixed(1)} ms (min ${min(path[clock]).toFixed(1)}), raw insert median ${median(raw[clock]).toFixed(1)} ms, ratio ${(median(raw[clock]) / median(path[clock])).toFixed(2)}`;
	console.log(`embedded, ${events.length} events, ${ROUNDS} rounds`);
	for (const clock of ['process', 'thread'] as const) {
		console.log(line(clock, 'store.recordEvents', store));
		console.log(line(clock, 'Advance Stage node', node));
	}
}

void main();
