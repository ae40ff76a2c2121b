/**
 * CPU time of one `store.recordEvents` call (embedded store, the bench/ingest workload), median
 * of BENCH_ROUNDS rounds. CPU time does not count waiting for other processes, so two builds
 * compared on a busy machine stay comparable: run this in each checkout, interleaved.
 *
 *   npm run bench:ingest-cpu
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriver } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';
import { benchEvents, benchJourney } from './ingest';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main() {
	const events = benchEvents();
	const cpuMs: number[] = [];
	for (let round = 0; round < ROUNDS; round++) {
		const dir = mkdtempSync(join(tmpdir(), 'cs-bench-cpu-'));
		const store = await Store.open(
			createDriver({ backend: 'embedded', filePath: join(dir, 'store.sqlite') }),
		);
		await store.saveJourney(benchJourney);
		const before = process.cpuUsage();
		const outcomes = await store.recordEvents(events);
		const used = process.cpuUsage(before);
		if (outcomes.some((outcome) => !outcome.ok)) throw new Error('an event failed');
		cpuMs.push((used.user + used.system) / 1000);
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
	cpuMs.sort((a, b) => a - b);
	const median = cpuMs[Math.floor(cpuMs.length / 2)];
	console.log(
		`store.recordEvents, embedded, ${events.length} events: CPU median ${median.toFixed(1)} ms, min ${cpuMs[0].toFixed(1)} ms (${ROUNDS} rounds)`,
	);
}

void main();
