import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatementSync } from 'node:sqlite';
import { presetJourneys } from '../../nodes/engine/presets';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { Store } from '../../nodes/store/Store';

/**
 * Node 22.5–23 has node:sqlite without `StatementSync#setReturnArrays`: the embedded driver then
 * reads rows as node:sqlite's objects (query) and takes their values in column order (values).
 * The same work on a store opened without the method must give what it gives with it.
 */
const journey = presetJourneys('lifecycleCrm')[0];
const DAY = 24 * 60 * 60 * 1000;
const start = Date.UTC(2026, 9, 1);

/** Events, moves by rule (two purchases), imports, history, reports and an activity run. */
async function workload(filePath: string) {
	const store = await Store.open(new SqliteDriver(filePath));
	try {
		await store.saveJourney(journey);
		const types = [
			'email.opened',
			'form.submitted',
			'purchase.completed',
			'crm.lead_qualified',
			'crm.opportunity_created',
		];
		const events = Array.from({ length: 120 }, (_, i) => ({
			journey: journey.key,
			customerId: `c-${i % 15}`,
			eventType: types[(i * 7) % types.length],
			eventId: `e-${i}`,
			occurredAt: new Date(start + i * 3_600_000).toISOString(),
			properties: { n: i },
		}));
		const recorded = await store.recordEvents(events);
		const replayed = await store.recordEvents(events.slice(0, 10));
		const imported = await store.importCustomers([
			{ customerId: 'c-1', owner: 'li.wei', tags: ['vip'] },
			{ customerId: 'new-1', owner: 'sun.li', journey: journey.key },
		]);
		const ids = [...Array.from({ length: 15 }, (_, i) => `c-${i}`), 'new-1'];
		const at = start + 40 * DAY;
		return {
			recorded,
			replayed,
			imported,
			customers: await store.getCustomers(ids),
			history: await Promise.all(ids.map((id) => store.getHistory(id))),
			stageTimes: await store.customerStageTimes(ids, at),
			report: await store.funnelReport(journey.key, {
				from: start,
				to: start + 30 * DAY,
				asOf: at,
				timeZone: 'UTC',
			}),
			activity: await store.evaluateActivity({
				journey: journey.key,
				asOf: at,
				includeUnchanged: true,
			}),
		};
	} finally {
		await store.close();
	}
}

/**
 * Times taken from the clock (recorded, created, evaluated; moves by rule at ingest) differ
 * between the two runs; the fixture's own times all lie before `since`. Everything else must
 * match.
 */
function withoutClock(value: unknown, since: number): unknown {
	return JSON.parse(
		JSON.stringify(value, (_, v) => (typeof v === 'number' && v >= since ? 'clock' : v)),
	);
}

test('the embedded store reads the same without StatementSync#setReturnArrays', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'cs-rows-'));
	const prototype = StatementSync.prototype as { setReturnArrays?: unknown };
	const setReturnArrays = prototype.setReturnArrays;
	expect(typeof setReturnArrays).toBe('function');
	const since = Date.now();
	expect(since).toBeGreaterThan(start + 45 * DAY);
	try {
		const withArrays = await workload(join(dir, 'arrays.sqlite'));
		delete prototype.setReturnArrays;
		let withoutArrays: Awaited<ReturnType<typeof workload>>;
		try {
			withoutArrays = await workload(join(dir, 'objects.sqlite'));
		} finally {
			prototype.setReturnArrays = setReturnArrays;
		}
		expect(withArrays.recorded.filter((o) => o.ok)).toHaveLength(120);
		expect(withArrays.history.flat().length).toBeGreaterThan(15);
		expect(withoutClock(withoutArrays, since)).toEqual(withoutClock(withArrays, since));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
