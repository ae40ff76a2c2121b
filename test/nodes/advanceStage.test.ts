import { jsonJourney, presetJourney, recordEvent, TestStore } from './workflow';

/**
 * Advance Stage executed for real: workflow JSON run by n8n-core's WorkflowExecute, the store
 * reached through the credential, outputs asserted item by item.
 */
let store: TestStore;

beforeEach(async () => {
	store = new TestStore();
	await store.prepare(presetJourney('marketingHub'));
});
afterEach(() => store.dispose());

const rows = (table: string) => store.count(table);

describe('Journey', () => {
	test('create from a preset reports the journey and its stages; running again changes nothing', async () => {
		const again = await store.run(presetJourney('marketingHub'));
		const [journey] = again.json('Advance Stage');
		expect(journey).toMatchObject({ action: 'unchanged', key: 'marketing_hub', version: 1 });
		expect(Object.keys(journey).slice(0, 3)).toEqual(['name', 'action', 'key']);
		expect((journey.stages as Array<{ key: string }>).map((s) => s.key)).toEqual([
			'unknown',
			'initial_contact',
			'primary_leads',
			'intentional_leads',
			'confirmed_leads',
			'closed_customers',
		]);
	});

	test('a JSON definition over the limits fails with a message naming the limit; nothing is saved', async () => {
		const stages = Array.from({ length: 13 }, (_, i) => ({ key: `s${i}`, name: `Stage ${i}` }));
		const run = await store.run(jsonJourney({ key: 'too_big', name: 'Too big', stages }));
		expect(run.error?.message).toBe("Journey 'too_big' has 13 stages; the limit is 12");
		const list = await store.run({ resource: 'journey', operation: 'list' });
		expect(list.json('Advance Stage').map((j) => j.key)).toEqual(['marketing_hub']);
	});

	test('SQL in journey and stage names is stored verbatim', async () => {
		const name = `Leads'; DROP TABLE journeys; --`;
		const run = await store.run(
			jsonJourney({
				key: 'odd',
				name,
				stages: [{ key: 'a', name: `"); DELETE FROM memberships; --` }],
			}),
		);
		expect(run.json('Advance Stage')[0]).toMatchObject({
			name,
			stages: [{ key: 'a', name: `"); DELETE FROM memberships; --` }],
		});
		const list = await store.run({ resource: 'journey', operation: 'list' });
		expect(
			list
				.json('Advance Stage')
				.map((j) => j.name)
				.sort(),
		).toEqual(['Marketing Hub Default', name].sort());
	});

	test('get returns the definition; an unknown journey is an error naming it', async () => {
		const got = await store.run({
			resource: 'journey',
			operation: 'get',
			journey: 'marketing_hub',
		});
		expect(got.json('Advance Stage')[0]).toMatchObject({
			name: 'Marketing Hub Default',
			version: 1,
		});
		const missing = await store.run({ resource: 'journey', operation: 'get', journey: 'nope' });
		expect(missing.error?.message).toBe("Journey 'nope' does not exist");
	});
});

describe('Event → Record', () => {
	test('events move customers forward, one output item per input, paired', async () => {
		const run = await store.run(recordEvent(), [
			{ customerId: 'c-1', eventType: 'wechat.follow', eventId: 'e1' },
			{ customerId: 'c-1', eventType: 'sms.link_clicked', eventId: 'e2' },
			{ customerId: 'c-2', eventType: 'form.submitted', eventId: 'e3' },
			{ customerId: 'c-2', eventType: 'email.opened', eventId: 'e4' },
		]);
		expect(run.error).toBeUndefined();
		const out = run.output('Advance Stage');
		expect(out.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(
			out.map((item) => [
				item.json.previousStage,
				item.json.stage,
				item.json.moved,
				item.json.direction,
			]),
		).toEqual([
			[null, 'Initial Contact', true, 'initial'],
			['Initial Contact', 'Primary Leads', true, 'advance'],
			[null, 'Intentional Leads', true, 'initial'],
			['Intentional Leads', 'Intentional Leads', false, null],
		]);
		expect(out[3].json.reason).toBe('already further: Intentional Leads');
		// The whole item, in the order the editor shows it: what people read first, keys last.
		expect(Object.entries(out[1].json)).toEqual(
			Object.entries({
				customerId: 'c-1',
				stage: 'Primary Leads',
				moved: true,
				reason: expect.any(String),
				previousStage: 'Initial Contact',
				direction: 'advance',
				status: null,
				journey: 'Marketing Hub Default',
				duplicate: false,
				eventType: 'sms.link_clicked',
				eventId: 'e2',
				occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
				ruleId: expect.any(String),
				keys: {
					journey: 'marketing_hub',
					stage: 'primary_leads',
					previousStage: 'initial_contact',
					status: null,
				},
			}),
		);
	});

	test('an unknown event type is recorded, moves nothing, and says so', async () => {
		await store.run(recordEvent(), [{ customerId: 'c-1', eventType: 'email.opened' }]);
		const run = await store.run(recordEvent(), [
			{ customerId: 'c-1', eventType: 'fax.received', eventId: 'f1' },
		]);
		expect(run.json('Advance Stage')[0]).toMatchObject({
			moved: false,
			stage: 'Initial Contact',
			reason: "no rule in journey 'Marketing Hub Default' for event type 'fax.received'",
		});
		expect(await rows('events')).toBe(2);
	});

	test('a replayed event id is a duplicate and changes nothing', async () => {
		await store.run(recordEvent(), [
			{ customerId: 'c-1', eventType: 'email.opened', eventId: 'same' },
		]);
		const run = await store.run(recordEvent(), [
			{ customerId: 'c-1', eventType: 'purchase.completed', eventId: 'same' },
		]);
		expect(run.json('Advance Stage')[0]).toMatchObject({
			duplicate: true,
			moved: false,
			stage: 'Initial Contact',
		});
		expect(await rows('transitions')).toBe(1);
	});

	test('a missing customer id fails the node naming the field and item; nothing of the batch is written', async () => {
		const run = await store.run(recordEvent(), [
			{ customerId: 'c-1', eventType: 'email.opened', eventId: 'ok-1' },
			{ eventType: 'email.opened', eventId: 'bad-1' },
		]);
		expect(run.error?.message).toBe('Customer ID is required');
		expect((run.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
		expect(await rows('events')).toBe(0);
		expect(await rows('customers')).toBe(0);
	});

	test('with the error output, bad items go there (naming the field) and good items are written', async () => {
		const megabyte = 'x'.repeat(1024 * 1024);
		const run = await store.run(
			recordEvent({ occurredAt: '={{ $json.occurredAt }}', properties: '={{ $json.properties }}' }),
			[
				{ customerId: 'good', eventType: 'email.opened', eventId: 'g1' },
				{ customerId: { nested: true }, eventType: 'email.opened' },
				{ customerId: 'late', eventType: 'email.opened', occurredAt: 'yesterday-ish' },
				{ customerId: 'big', eventType: 'email.opened', properties: { blob: megabyte } },
				{ customerId: 'also-good', eventType: 'purchase.completed', eventId: 'g2' },
			],
			{ onError: 'continueErrorOutput' },
		);
		expect(run.error).toBeUndefined();
		const good = run.json('Advance Stage', 0);
		const bad = run.output('Advance Stage', 1);
		expect(good.map((j) => [j.customerId, j.stage])).toEqual([
			['good', 'Initial Contact'],
			['also-good', 'Closed Customers'],
		]);
		// n8n rebuilds error-output items as { error: message }; the message names the field.
		expect(bad.map((item) => [item.pairedItem, item.json.error])).toEqual([
			[{ item: 1 }, 'Customer ID must be a string or a number, not an object'],
			[{ item: 2 }, expect.stringMatching(/^Occurred At is not a valid date: 'yesterday-ish'/)],
			[{ item: 3 }, 'Properties is 1024 KB as JSON; the limit is 256 KB'],
		]);
		expect(await rows('events')).toBe(2);
		expect(await rows('customers')).toBe(2);
	});

	test('with "continue (regular output)", a bad item stays in place as { error }', async () => {
		const run = await store.run(
			recordEvent(),
			[
				{ customerId: 'ok', eventType: 'email.opened' },
				{ customerId: '', eventType: 'email.opened' },
			],
			{ onError: 'continueRegularOutput' },
		);
		expect(run.json('Advance Stage')).toEqual([
			expect.objectContaining({ customerId: 'ok', stage: 'Initial Contact' }),
			{ error: 'Customer ID is required' },
		]);
	});

	test('an unknown journey fails naming it', async () => {
		const run = await store.run({ ...recordEvent(), journey: 'no_such_journey' }, [
			{ customerId: 'c', eventType: 'email.opened' },
		]);
		expect(run.error?.message).toBe(
			"Journey 'no_such_journey' does not exist; create it first or pick one from the list",
		);
	});

	test('SQL and odd characters in ids and types are stored verbatim', async () => {
		const id = `Robert'); DROP TABLE customers; --`;
		const type = `x" OR 1=1; --`;
		const run = await store.run(recordEvent(), [
			{ customerId: id, eventType: type, eventId: `'; DELETE FROM events --` },
		]);
		expect(run.json('Advance Stage')[0]).toMatchObject({
			customerId: id,
			eventType: type,
			stage: 'Unknown',
		});
		const got = await store.run({ resource: 'customer', operation: 'get', customerId: id });
		expect(got.json('Advance Stage')[0]).toMatchObject({
			customerId: id,
			journeys: [
				expect.objectContaining({
					stage: 'Unknown',
					keys: { journey: 'marketing_hub', stage: 'unknown', status: null },
				}),
			],
		});
	});
});

describe('Customer', () => {
	test('set stage moves backwards by hand and the history says who and why', async () => {
		await store.run(recordEvent(), [
			{ customerId: 'c-1', eventType: 'purchase.completed', eventId: 'p1' },
		]);
		const moved = await store.run({
			resource: 'customer',
			operation: 'setStage',
			journey: 'marketing_hub',
			customerId: 'c-1',
			stage: 'primary_leads',
			additionalFields: { actor: 'alice@example.com', note: 'refund' },
		});
		expect(moved.json('Advance Stage')[0]).toEqual({
			customerId: 'c-1',
			stage: 'Primary Leads',
			moved: true,
			reason: expect.any(String),
			previousStage: 'Closed Customers',
			direction: 'regress',
			status: null,
			journey: 'Marketing Hub Default',
			keys: {
				journey: 'marketing_hub',
				stage: 'primary_leads',
				previousStage: 'closed_customers',
				status: null,
			},
		});
		const history = await store.run({
			resource: 'customer',
			operation: 'getHistory',
			customerId: 'c-1',
			limit: 10,
		});
		expect(
			history.json('Advance Stage').map((h) => [h.fromStage, h.toStage, h.reasonKind, h.actor]),
		).toEqual([
			[null, 'Closed Customers', 'event', null],
			['Closed Customers', 'Primary Leads', 'manual', 'alice@example.com'],
		]);
		// A timeline row leads with when and from/to by name; no internal row id; keys last.
		const row = history.json('Advance Stage')[1];
		expect(Object.keys(row).slice(0, 7)).toEqual([
			'customerId',
			'occurredAt',
			'fromStage',
			'toStage',
			'direction',
			'reason',
			'journey',
		]);
		expect(row).not.toHaveProperty('id');
		expect(row.journey).toBe('Marketing Hub Default');
		expect(Object.keys(row).at(-1)).toBe('keys');
		expect(row.keys).toEqual({
			journey: 'marketing_hub',
			fromStage: 'closed_customers',
			toStage: 'primary_leads',
		});
		expect(history.json('Advance Stage')[1].note).toBe('refund');
	});

	test('set stage to a stage the journey lacks fails naming the stage', async () => {
		const run = await store.run({
			resource: 'customer',
			operation: 'setStage',
			journey: 'marketing_hub',
			customerId: 'c-1',
			stage: 'vip',
		});
		expect(run.error?.message).toMatch(/^Stage 'vip' is not in journey 'marketing_hub'/);
		expect(await rows('customers')).toBe(0);
	});

	test('import creates customers with details and stages in one run; get shows them', async () => {
		const run = await store.run(
			{
				resource: 'customer',
				operation: 'import',
				customerId: '={{ $json.id }}',
				journey: 'marketing_hub',
				stage: '={{ $json.stage }}',
				customerFields: {
					name: '={{ $json.name }}',
					owner: '={{ $json.owner }}',
					rating: 2,
					tags: 'fair-2026, vip',
				},
			},
			[
				{
					id: 'i-1',
					name: `Ann'); DROP TABLE customers; --`,
					owner: 'bob',
					stage: 'confirmed_leads',
				},
				{ id: 'i-2', name: 'Ben', owner: 'bob', stage: '' },
			],
		);
		expect(
			run.json('Advance Stage').map((j) => [j.customerId, j.stage, j.created, j.keys]),
		).toEqual([
			[
				'i-1',
				'Confirmed Leads',
				true,
				{ journey: 'marketing_hub', stage: 'confirmed_leads', previousStage: null, status: null },
			],
			[
				'i-2',
				'Unknown',
				true,
				{ journey: 'marketing_hub', stage: 'unknown', previousStage: null, status: null },
			],
		]);
		const got = await store.run({ resource: 'customer', operation: 'get', customerId: 'i-1' });
		expect(got.json('Advance Stage')[0]).toMatchObject({
			name: `Ann'); DROP TABLE customers; --`,
			owner: 'bob',
			rating: 2,
			tags: ['fair-2026', 'vip'],
			journeys: [
				{
					journey: 'Marketing Hub Default',
					stage: 'Confirmed Leads',
					status: null,
					enteredAt: expect.stringMatching(/Z$/),
					daysInStage: 0,
					keys: { journey: 'marketing_hub', stage: 'confirmed_leads', status: null },
				},
			],
		});
	});

	test('import with Stage Entered At dates each placement from its item; a bad date is that item’s error', async () => {
		const run = await store.run(
			{
				resource: 'customer',
				operation: 'import',
				customerId: '={{ $json.id }}',
				journey: 'marketing_hub',
				stage: 'confirmed_leads',
				additionalFields: { stageEnteredAt: '={{ $json.since }}' },
			},
			[
				{ id: 'crm-1', since: '2024-03-05T09:00:00Z' },
				{ id: 'crm-2', since: '2024-02-30T09:00:00Z' },
			],
			{ onError: 'continueRegularOutput' },
		);
		const [placed, refused] = run.json('Advance Stage');
		expect(placed).toMatchObject({ customerId: 'crm-1', stage: 'Confirmed Leads', created: true });
		expect(refused.error).toMatch(/Stage Entered At/);
		const history = await store.run({
			resource: 'customer',
			operation: 'getHistory',
			customerId: 'crm-1',
		});
		expect(history.json('Advance Stage').map((h) => h.occurredAt)).toEqual([
			'2024-03-05T09:00:00.000Z',
		]);
		expect(await rows('customers')).toBe(1);
	});

	test('get of an unknown customer is an error for that item', async () => {
		const run = await store.run({ resource: 'customer', operation: 'get', customerId: 'ghost' });
		expect(run.error?.message).toBe("Customer 'ghost' was not found");
	});

	test('get and get history per item: found, unknown, missing id', async () => {
		await store.run(recordEvent(), [{ customerId: 'c-1', eventType: 'email.opened' }]);
		const items = [{ id: 'c-1' }, { id: 'ghost' }, {}];
		const got = await store.run(
			{ resource: 'customer', operation: 'get', customerId: '={{ $json.id }}' },
			items,
			{
				onError: 'continueRegularOutput',
			},
		);
		expect(got.json('Advance Stage').map((j) => j.customerId ?? j.error)).toEqual([
			'c-1',
			"Customer 'ghost' was not found",
			'Customer ID is required',
		]);
		const history = await store.run(
			{ resource: 'customer', operation: 'getHistory', customerId: '={{ $json.id }}', limit: 10 },
			items,
			{ onError: 'continueRegularOutput' },
		);
		expect(
			history
				.output('Advance Stage')
				.map((item) => [item.pairedItem, item.json.toStage ?? item.json.error]),
		).toEqual([
			[{ item: 0 }, 'Initial Contact'],
			[{ item: 2 }, 'Customer ID is required'],
		]);
	});
});

describe('times without a zone', () => {
	test("are read in the Time Zone option's zone, and a bad zone is that item's error", async () => {
		const run = await store.run(
			recordEvent({ occurredAt: '={{ $json.at }}', timeZone: '={{ $json.zone }}' }),
			[
				{
					customerId: 'tz-1',
					eventType: 'wechat.follow',
					eventId: 'tz-e1',
					at: '2026-11-22 10:00',
					zone: 'Asia/Shanghai',
				},
				{
					customerId: 'tz-2',
					eventType: 'wechat.follow',
					eventId: 'tz-e2',
					at: '2026-11-22 10:00',
					zone: 'Mars/Olympus',
				},
			],
			{ onError: 'continueRegularOutput' },
		);
		const [good, bad] = run.json('Advance Stage');
		expect(good.occurredAt).toBe('2026-11-22T02:00:00.000Z');
		expect(String(bad.error)).toMatch(/time ?zone/i);
		expect(await rows('events')).toBe(1);
	});
});
