/**
 * A profiling harness, not a figure: runs `store.recordEvents` (embedded) and the Advance Stage
 * node path on the bench/ingest workload BENCH_ROUNDS times each, so `node --cpu-prof` sees
 * mostly ingest work.
 *
 *   npx tsc -p tsconfig.bench.json && npx node --cpu-prof --cpu-prof-dir=.tmp/prof .tmp/bench/bench/ingestProfile.js
 *   BENCH_PATH=store|node  (default: both)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriver } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';
import { benchEvents, benchJourney } from './ingest';
import { runNodeIngest } from './nodeIngest';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const PATH = process.env.BENCH_PATH ?? 'both';

async function main() {
	const events = benchEvents();
	const dir = mkdtempSync(join(tmpdir(), 'cs-bench-prof-'));
	try {
		for (let round = 0; round < ROUNDS; round++) {
			if (PATH !== 'node') {
				const store = await Store.open(
					createDriver({ backend: 'embedded', filePath: join(dir, `store-${round}.sqlite`) }),
				);
				await store.saveJourney(benchJourney);
				const outcomes = await store.recordEvents(events);
				if (outcomes.some((outcome) => !outcome.ok)) throw new Error('an event failed');
				await store.close();
			}
			if (PATH !== 'store') {
				await runNodeIngest(
					{ backend: 'embedded', filePath: join(dir, `node-${round}.sqlite`) },
					events,
					benchJourney,
				);
			}
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

void main();
