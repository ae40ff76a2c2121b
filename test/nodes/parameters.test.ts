import { fieldReference } from '../../nodes/shared/parameters';
import { presetJourney, TestStore } from './workflow';

describe('plain field references are read without the expression engine', () => {
	test.each([
		['={{ $json.customerId }}', ['customerId']],
		['={{$json.body.customerId}}', ['body', 'customerId']],
		[`={{ $json["event-type"] }}`, ['event-type']],
		[`={{ $json.items[0]['id'] }}`, ['items', '0', 'id']],
	])('%s is the path %j', (raw, path) => {
		expect(fieldReference(raw)).toEqual(path);
	});

	test.each([
		'={{ $json.a + 1 }}',
		'={{ $json.a || "x" }}',
		'={{ $json.a }} and more',
		'={{ $node["Webhook"].json.a }}',
		'={{ $json.a.toUpperCase() }}',
		'={{ $json[$json.key] }}',
		'$json.a',
		'plain text',
	])('%s goes through n8n', (raw) => {
		expect(fieldReference(raw)).toBeNull();
	});

	test('the direct read gives what the n8n expression engine gives', async () => {
		const items = [
			{
				body: { id: 'c-1', type: 'email.opened', at: '2026-03-01T10:00:00Z', props: { amount: 5 } },
			},
			{
				body: {
					id: 42,
					type: 'form.submitted',
					at: 1767225600000,
					props: { nested: { deep: [1, 2] } },
				},
			},
			{ body: { id: 'c-3', type: 'purchase.completed', at: '2026-03-02T00:00:00Z' } },
		];
		const recordWith = (wrap: (path: string) => string) => ({
			resource: 'event',
			operation: 'record',
			journey: 'marketing_hub',
			customerId: wrap('body.id'),
			eventType: wrap('body.type'),
			additionalFields: { occurredAt: wrap('body.at'), properties: wrap('body.props') },
		});
		const runIn = async (wrap: (path: string) => string) => {
			const store = new TestStore();
			try {
				await store.prepare(presetJourney('marketingHub'));
				const run = await store.run(recordWith(wrap), items);
				expect(run.error).toBeUndefined();
				return run.json('Advance Stage');
			} finally {
				await store.dispose();
			}
		};
		const direct = await runIn((path) => `={{ $json.${path} }}`);
		// `($json.x)` is the same value but not a plain reference, so n8n's engine evaluates it.
		const evaluated = await runIn((path) => `={{ ($json.${path}) }}`);
		expect(direct).toEqual(evaluated);
		expect(direct.map((j) => [j.customerId, j.stage, j.occurredAt])).toEqual([
			['c-1', 'Initial Contact', '2026-03-01T10:00:00.000Z'],
			['42', 'Intentional Leads', '2026-01-01T00:00:00.000Z'],
			['c-3', 'Closed Customers', '2026-03-02T00:00:00.000Z'],
		]);
	});
});
