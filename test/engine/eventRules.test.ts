import { compare, matchEventRule } from '../../nodes/engine/eventRules';
import { parseJourney } from '../../nodes/engine/journey';

const stages = [
	{ key: 'a', name: 'A' },
	{ key: 'b', name: 'B' },
	{ key: 'c', name: 'C' },
	{ key: 'out', name: 'Out', kind: 'exit' },
];

describe('compare', () => {
	test.each([
		[5, 'gt', 4, true],
		[5, 'gt', 5, false],
		['5', 'gte', 5, true],
		[3, 'lt', 4, true],
		[4, 'lte', 4, true],
		['abc', 'gt', 1, false],
		['Big Sale', 'contains', 'sale', true],
		[['vip', 'fair'], 'contains', 'vip', true],
		[['vip'], 'contains', 'vi', false],
		['x', 'equals', 'x', true],
		[1, 'equals', '1', true],
		['x', 'notEquals', 'y', true],
		[undefined, 'notEquals', 'y', true],
		[undefined, 'equals', 'y', false],
		['', 'exists', undefined, false],
		[0, 'exists', undefined, true],
		[[], 'exists', undefined, false],
		[null, 'exists', false, true],
		['alice', 'exists', false, false],
	] as const)('%j %s %j is %s', (actual, operator, expected, result) => {
		expect(compare(actual, operator, expected)).toBe(result);
	});
});

describe('matchEventRule', () => {
	test('property conditions must all hold (nested paths allowed)', () => {
		const journey = parseJourney({
			key: 'j',
			name: 'J',
			stages,
			eventRules: [
				{
					eventType: 'purchase',
					stage: 'c',
					conditions: [
						{ property: 'order.amount', operator: 'gte', value: 100 },
						{ property: 'paid', operator: 'equals', value: true },
					],
				},
				{ eventType: 'purchase', stage: 'b' },
			],
		});
		expect(matchEventRule(journey, 'purchase', { order: { amount: 150 }, paid: true })?.stage).toBe(
			'c',
		);
		expect(matchEventRule(journey, 'purchase', { order: { amount: 50 }, paid: true })?.stage).toBe(
			'b',
		);
		expect(matchEventRule(journey, 'purchase', { order: { amount: 150 } })?.stage).toBe('b');
		expect(matchEventRule(journey, 'refund', {})).toBeUndefined();
	});

	test('of several matching rules the furthest path stage wins, and an exit beats the path, whatever the listing order', () => {
		const rules = [
			{ eventType: 'e', stage: 'b' },
			{ eventType: 'e', stage: 'c' },
			{ eventType: 'e', stage: 'a' },
		];
		for (const eventRules of [rules, [...rules].reverse()]) {
			expect(
				matchEventRule(parseJourney({ key: 'j', name: 'J', stages, eventRules }), 'e', {})?.stage,
			).toBe('c');
			const withExit = [...eventRules, { eventType: 'e', stage: 'out' }];
			expect(
				matchEventRule(parseJourney({ key: 'j', name: 'J', stages, eventRules: withExit }), 'e', {})
					?.stage,
			).toBe('out');
		}
	});
});
