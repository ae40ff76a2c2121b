import type { INodeProperties } from 'n8n-workflow';
import { AdvanceStage } from '../../nodes/AdvanceStage/AdvanceStage.node';
import { FIELD_LABELS } from '../../nodes/engine/labels';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { presetJourney, recordEvent, TestStore } from './workflow';

/**
 * Hostile input through the node, executed by n8n-core's WorkflowExecute: each bad item becomes
 * an error item whose message names the field as the form labels it, and its neighbours are
 * written as if it were not there.
 */

let store: TestStore;

beforeEach(async () => {
	store = new TestStore();
	await store.prepare(presetJourney('marketingHub'));
});
afterEach(() => store.dispose());

/** Rows as stored, read on a connection of their own. */
async function query(sql: string): Promise<Array<Record<string, unknown>>> {
	const driver = new SqliteDriver(store.filePath);
	try {
		return await driver.query(sql);
	} finally {
		await driver.close();
	}
}

const withTimes = recordEvent({ occurredAt: '={{ $json.occurredAt }}' });

test('the labels in messages are the labels of the forms', () => {
	const labels = new Map<string, Set<string>>();
	const walk = (properties: readonly INodeProperties[]) => {
		for (const property of properties) {
			const shown = property.displayName.replace(/ Name or ID$/, '').replace(/ \(JSON\)$/, '');
			labels.set(property.name, (labels.get(property.name) ?? new Set()).add(shown));
			const nested = (property.options ?? []) as Array<INodeProperties | { name: string }>;
			walk(nested.filter((o): o is INodeProperties => 'displayName' in o && 'type' in o));
		}
	};
	walk(new AdvanceStage().description.properties);
	for (const [key, label] of Object.entries(FIELD_LABELS)) {
		if (key === 'item') continue;
		expect({ key, labels: [...(labels.get(key) ?? [])] }).toEqual({
			key,
			labels: expect.arrayContaining([label]),
		});
	}
});

test('NUL and lone surrogates in ids: error items naming the field; the neighbours are recorded', async () => {
	const run = await store.run(
		recordEvent(),
		[
			{ customerId: 'before', eventType: 'email.opened', eventId: 'n1' },
			{ customerId: 'nul\u0000id', eventType: 'email.opened', eventId: 'n2' },
			{ customerId: 'half\uD83D', eventType: 'email.opened', eventId: 'n3' },
			{ customerId: 'ok', eventType: 'email.opened', eventId: 'n4\uDE00' },
			{ customerId: '\u202Eafter 😀', eventType: 'purchase.completed', eventId: 'n5' },
		],
		{ onError: 'continueErrorOutput' },
	);
	expect(run.error).toBeUndefined();
	expect(run.json('Advance Stage', 0).map((j) => j.customerId)).toEqual([
		'before',
		'\u202Eafter 😀',
	]);
	expect(run.output('Advance Stage', 1).map((i) => [i.pairedItem, i.json.error])).toEqual([
		[
			{ item: 1 },
			'Customer ID contains a NUL character (\\u0000) at index 3, which cannot be stored',
		],
		[
			{ item: 2 },
			'Customer ID contains a lone UTF-16 surrogate (\\uD83D, half of a character such as an emoji) at index 4, which cannot be stored',
		],
		[
			{ item: 3 },
			'Event ID contains a lone UTF-16 surrogate (\\uDE00, half of a character such as an emoji) at index 2, which cannot be stored',
		],
	]);
	const stored = await query(`SELECT external_id FROM customers ORDER BY id`);
	expect(stored.map((r) => r.external_id)).toEqual(['before', '\u202Eafter 😀']);
	expect(await store.count('events')).toBe(2);
});

test("a zone-less time is read in the workflow's time zone, or in the Time Zone option's", async () => {
	const zoneless = '2026-11-22T10:00:00';
	const run = await store.run(withTimes, [
		{ customerId: 'wf', eventType: 'email.opened', eventId: 'z1', occurredAt: zoneless },
	]);
	expect(run.error).toBeUndefined();
	const tokyo = await store.run(
		recordEvent({ occurredAt: '={{ $json.occurredAt }}', timeZone: 'Asia/Tokyo' }),
		[{ customerId: 'tokyo', eventType: 'email.opened', eventId: 'z2', occurredAt: zoneless }],
	);
	expect(tokyo.error).toBeUndefined();
	const rows = await query(`SELECT event_key, occurred_at FROM events ORDER BY id`);
	// The harness runs n8n's default: America/New_York (UTC-5 in November).
	expect(rows.map((r) => [r.event_key, Number(r.occurred_at)])).toEqual([
		['z1', Date.parse('2026-11-22T15:00:00Z')],
		['z2', Date.parse('2026-11-22T01:00:00Z')],
	]);
});

test('impossible dates, epoch seconds and an unknown Time Zone: error items naming the field', async () => {
	const run = await store.run(
		recordEvent({ occurredAt: '={{ $json.occurredAt }}', timeZone: '={{ $json.zone }}' }),
		[
			{ customerId: 'a', eventType: 'email.opened', occurredAt: '2024-02-30T10:00:00Z' },
			{ customerId: 'b', eventType: 'email.opened', occurredAt: 1795341600 },
			{
				customerId: 'c',
				eventType: 'email.opened',
				occurredAt: '2026-11-22T10:00',
				zone: 'Berlin',
			},
			{ customerId: 'd', eventType: 'email.opened', occurredAt: '2026-11-22T10:00:00+01:00' },
		],
		{ onError: 'continueRegularOutput' },
	);
	expect(run.error).toBeUndefined();
	const out = run.json('Advance Stage');
	expect(out.slice(0, 3)).toEqual([
		{
			error:
				"Occurred At is not a valid date: '2024-02-30T10:00:00Z' (February 2024 has no day 30)",
		},
		{
			error:
				'Occurred At is not a valid date: 1795341600 (looks like seconds; multiply by 1000 for epoch milliseconds)',
		},
		{
			error:
				"Time Zone 'Berlin' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)",
		},
	]);
	expect(out[3]).toMatchObject({ customerId: 'd' });
	expect(await store.count('events')).toBe(1);
});

test('null fields and an empty item, under continue-on-fail: errors naming the field', async () => {
	const run = await store.run(
		recordEvent(),
		[
			{ customerId: null, eventType: null },
			{ customerId: 'fine', eventType: 'email.opened' },
			{},
			{ customerId: 'typeless', eventType: null },
		],
		{ onError: 'continueRegularOutput' },
	);
	expect(run.error).toBeUndefined();
	const out = run.json('Advance Stage');
	expect(out).toHaveLength(4);
	expect(out[0]).toEqual({ error: 'Customer ID is required' });
	expect(out[1]).toMatchObject({ customerId: 'fine' });
	expect(out[2]).toEqual({ error: 'Customer ID is required' });
	expect(out[3]).toEqual({ error: 'Event Type is required' });
	expect(await store.count('customers')).toBe(1);
});

test('without continue-on-fail, the node fails naming the label and the item; nothing is written', async () => {
	const run = await store.run(recordEvent(), [
		{ customerId: 'fine', eventType: 'email.opened' },
		{ customerId: 'x', eventType: 'bad\u0000type' },
	]);
	expect(run.error?.message).toBe(
		'Event Type contains a NUL character (\\u0000) at index 3, which cannot be stored',
	);
	expect((run.error as { description?: string }).description).toBe(
		"Check the 'Event Type' value of item 1.",
	);
	expect(await store.count('events')).toBe(0);
});

test('Import and Set Stage: hostile details and notes are error items naming the field', async () => {
	const imported = await store.run(
		{
			resource: 'customer',
			operation: 'import',
			customerId: '={{ $json.id }}',
			customerFields: {
				name: '={{ $json.name }}',
				tags: '={{ $json.tags }}',
				lastContactAt: '={{ $json.contact }}',
			},
		},
		[
			{ id: 'p1', name: 'مرحبا \u202Eevil', tags: ['vip', '😀'] },
			{ id: 'p2', name: 'x\u0000' },
			{ id: 'p3', tags: ['fine', 'half\uD800'] },
			{ id: 'p4', contact: '2026-11-22' },
		],
		{ onError: 'continueRegularOutput' },
	);
	expect(imported.error).toBeUndefined();
	const out = imported.json('Advance Stage');
	expect(out[0]).toMatchObject({ customerId: 'p1' });
	expect(out.slice(1, 3)).toEqual([
		{ error: 'Name contains a NUL character (\\u0000) at index 1, which cannot be stored' },
		{
			error:
				'Tags › [1] contains a lone UTF-16 surrogate (\\uD800, half of a character such as an emoji) at index 4, which cannot be stored',
		},
	]);
	// A date alone, read in the workflow's time zone: accepted.
	expect(out[3]).toMatchObject({ customerId: 'p4' });
	const rows = await query(`SELECT external_id, name, tags FROM customers ORDER BY id`);
	expect(rows.map((r) => [r.external_id, r.name, r.tags])).toEqual([
		['p1', 'مرحبا \u202Eevil', JSON.stringify(['vip', '😀'])],
		['p4', null, null],
	]);

	const moved = await store.run(
		{
			resource: 'customer',
			operation: 'setStage',
			journey: 'marketing_hub',
			customerId: '={{ $json.id }}',
			stage: 'primary_leads',
			additionalFields: { note: '={{ $json.note }}' },
		},
		[
			{ id: 'p1', note: 'called \u202Eback' },
			{ id: 'p4', note: 'n'.repeat(2001) },
		],
		{ onError: 'continueRegularOutput' },
	);
	expect(moved.error).toBeUndefined();
	expect(moved.json('Advance Stage')[1]).toEqual({
		error: 'Note is 2001 characters long; the limit is 2000',
	});
	const notes = await query(`SELECT note FROM transitions WHERE reason_kind = 'manual'`);
	expect(notes).toEqual([{ note: 'called \u202Eback' }]);
});
