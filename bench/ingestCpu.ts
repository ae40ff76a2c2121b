/**
 * CPU time of one `store.recordEvents` call (embedded store, the bench/ingest workload), median
 * of BENCH_ROUNDS rounds, next to the CPU time of bench/ingest's raw batched insert of the same
 * rows (each round runs both) and their ratio. CPU time does not count waiting for other
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
import { benchEvents, benchJourney, processCpuMs, rawInsert } from './ingest';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main() {
	const events = benchEvents();
	const cpuMs: number[] = [];
	const rawMs: number[] = [];
	for (let round = 0; round < ROUNDS; round++) {
		const dir = mkdtempSync(join(tmpdir(), 'cs-bench-cpu-'));
		rawMs.push(rawInsert(join(dir, 'raw.sqlite'), events).cpuMs);
		const store = await Store.open(
			createDriver({ backend: 'embedded', filePath: join(dir, 'store.sqlite') }),
		);
		await store.saveJourney(benchJourney);
		const before = processCpuMs();
		const outcomes = await store.recordEvents(events);
		const used = processCpuMs() - before;
		if (outcomes.some((outcome) => !outcome.ok)) throw new Error('an event failed');
		cpuMs.push(used);
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
	cpuMs.sort((a, b) => a - b);
	rawMs.sort((a, b) => a - b);
	const median = cpuMs[Math.floor(cpuMs.length / 2)];
	const raw = rawMs[Math.floor(rawMs.length / 2)];
	console.log(
		`store.recordEvents, embedded, ${events.length} events: CPU median ${median.toFixed(1)} ms, min ${cpuMs[0].toFixed(1)} ms (${ROUNDS} rounds); raw insert CPU median ${raw.toFixed(1)} ms; ratio ${(raw / median).toFixed(2)}`,
	);
}

void main();
