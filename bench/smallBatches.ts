/**
 * A new store filling with small batches, as webhooks and short schedules fill it: one writer
 * records BENCH_BATCHES (160) batches of 250 events (40,000 events for 2,000 new customers per
 * 10,000) into a fresh store, on each backend. Printed per quarter of the run: the time per batch,
 * and the last quarter's against the first (the baseline, same process, same store): a batch's
 * cost should follow its own size, not the size the tables have grown to, so the ratio should stay
 * near 1. PostgreSQL once kept a plan made while the tables were empty (a sequential scan) and
 * slowed down batch after batch.
 *
 *   npm run bench:small-batches
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriver, type StoreConfig } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';
import { benchEvents, benchJourney } from './ingest';
import { PG_URL, pgReachable, withSchema } from './postgres';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 160);
const BATCH_SIZE = 250;

/** Times per batch in milliseconds, in order. */
async function fill(config: StoreConfig): Promise<number[]> {
	const store = await Store.open(createDriver(config));
	try {
		await store.saveJourney(benchJourney);
		const base = benchEvents();
		const times: number[] = [];
		for (let batch = 0; batch < BATCHES; batch++) {
			// Each 10,000 events are bench/ingest's, under new customer and event ids.
			const round = Math.floor((batch * BATCH_SIZE) / base.length);
			const start = (batch * BATCH_SIZE) % base.length;
			const events = base.slice(start, start + BATCH_SIZE).map((e) => ({
				...e,
				customerId: `${e.customerId}-${round}`,
				eventId: `${e.eventId}-${round}`,
			}));
			const began = process.hrtime.bigint();
			const outcomes = await store.recordEvents(events);
			times.push(Number(process.hrtime.bigint() - began) / 1e6);
			if (outcomes.some((o) => !o.ok)) throw new Error('an event failed');
		}
		return times;
	} finally {
		await store.close();
	}
}

function report(label: string, times: number[]) {
	const quarter = Math.floor(times.length / 4);
	const perBatch = [0, 1, 2, 3].map((q) => {
		const part = times.slice(q * quarter, (q + 1) * quarter);
		return part.reduce((a, b) => a + b, 0) / part.length;
	});
	const total = times.reduce((a, b) => a + b, 0);
	const rate = Math.round((times.length * BATCH_SIZE) / (total / 1000));
	console.log(
		`${label.padEnd(12)} ${perBatch.map((ms) => `${ms.toFixed(1).padStart(7)} ms`).join(' ')}   ${rate.toLocaleString('en-US').padStart(7)} events/s   last ÷ first quarter ${(perBatch[3] / perBatch[0]).toFixed(2)}`,
	);
}

async function main() {
	const dir = mkdtempSync(join(tmpdir(), 'cs-bench-small-'));
	try {
		console.log(
			`small batches: ${BATCHES} batches of ${BATCH_SIZE} events into a fresh store, one writer; time per batch by quarter of the run\n`,
		);
		report('embedded', await fill({ backend: 'embedded', filePath: join(dir, 'store.sqlite') }));
		if (await pgReachable()) {
			report(
				'PostgreSQL',
				await withSchema('cs_bench_small', (schema) =>
					fill({ backend: 'postgres', connectionString: PG_URL, schema }),
				),
			);
		} else {
			console.log('(PostgreSQL not reachable: its row skipped)');
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

void main();
