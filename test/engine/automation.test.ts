import fc from 'fast-check';
import { countEvents, DAY_MS, type DailyEventCount, epochDay } from '../../nodes/engine/activity';
import {
	automationSteps,
	checkCondition,
	evaluateAutomation,
	journeyWarnings,
	needsActivity,
	type CustomerFacts,
} from '../../nodes/engine/automation';
import {
	parseJourney,
	pathIndex,
	type JourneyDefinition,
	type JourneyInput,
	type RuleCondition,
} from '../../nodes/engine/journey';
import { LIMITS } from '../../nodes/engine/limits';
import { presetJourneys } from '../../nodes/engine/presets';

const now = Date.UTC(2024, 5, 1, 9);
const today = epochDay(now);

const stages = [
	{ key: 'new', name: 'New' },
	{ key: 'lead', name: 'Lead' },
	{ key: 'customer', name: 'Customer' },
	{ key: 'loyal', name: 'Loyal' },
	{ key: 'churned', name: 'Churned', kind: 'exit' },
	{ key: 'lost', name: 'Lost', kind: 'exit' },
];

function journeyWith(
	automationRules: JourneyInput['automationRules'],
	extra: Partial<JourneyInput> = {},
): JourneyDefinition {
	return parseJourney({
		key: 'j',
		name: 'J',
		stages,
		eventRules: [
			{ eventType: 'email.opened', stage: 'lead' },
			{ eventType: 'purchase.completed', stage: 'customer' },
		],
		automationRules,
		...extra,
	});
}

/** Facts for a customer whose events are given as daily roll-ups. */
function facts(overrides: Partial<CustomerFacts> & { rollups?: DailyEventCount[] } = {}) {
	const { rollups = [], ...rest } = overrides;
	return {
		now,
		stageEnteredAt: now - 10 * DAY_MS,
		eventCount: (type: string, windowDays?: number) => countEvents(rollups, type, now, windowDays),
		lastEventAt: now - DAY_MS,
		owner: null,
		department: null,
		rating: null,
		tags: [],
		properties: {},
		activity: null,
		...rest,
	} satisfies CustomerFacts;
}

const purchases = (...days: number[]): DailyEventCount[] =>
	days.map((day) => ({ day: today - day, eventType: 'purchase.completed', count: 1 }));

/** One condition, checked in a journey that has it as its only rule. */
function check(condition: RuleCondition | Record<string, unknown>, customer = facts()) {
	const journey = journeyWith([
		{ id: 'r', stage: 'loyal', conditions: [condition as RuleCondition] },
	]);
	return checkCondition(journey, journey.automationRules[0].conditions[0], customer);
}

describe('conditions, with the values that decided them', () => {
	test.each([
		[
			{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'gt', value: 1 },
			purchases(3, 200),
			true,
			'purchase.completed: 2 in lifetime > 1',
		],
		[
			{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'gt', value: 1 },
			purchases(3),
			false,
			'purchase.completed: 1 in lifetime > 1',
		],
		[
			{
				kind: 'eventCount',
				eventType: 'purchase.completed',
				windowDays: 30,
				operator: 'gte',
				value: 2,
			},
			purchases(0, 29, 30),
			true,
			'purchase.completed: 2 in last 30 days ≥ 2',
		],
		[
			{
				kind: 'eventCount',
				eventType: 'purchase.completed',
				windowDays: 30,
				operator: 'gte',
				value: 2,
			},
			purchases(0, 30),
			false,
			'purchase.completed: 1 in last 30 days ≥ 2',
		],
		[
			{
				kind: 'eventCount',
				eventType: 'purchase.completed',
				windowDays: 1,
				operator: 'equals',
				value: 1,
			},
			purchases(0),
			true,
			'purchase.completed: 1 in last 1 day = 1',
		],
		[
			{ kind: 'eventCount', eventType: '*', windowDays: 90, operator: 'equals', value: 0 },
			purchases(90, 120),
			true,
			'any event: 0 in last 90 days = 0',
		],
		[
			{ kind: 'eventCount', eventType: '*', windowDays: 90, operator: 'equals', value: 0 },
			purchases(89),
			false,
			'any event: 1 in last 90 days = 0',
		],
		[
			{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'lt', value: 3 },
			purchases(1, 2),
			true,
			'purchase.completed: 2 in lifetime < 3',
		],
		[
			{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'lte', value: 2 },
			purchases(1, 2),
			true,
			'purchase.completed: 2 in lifetime ≤ 2',
		],
		[
			{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'notEquals', value: 0 },
			[],
			false,
			'purchase.completed: 0 in lifetime ≠ 0',
		],
	])('%j with %j → %s', (condition, rollups, holds, text) => {
		expect(check(condition, facts({ rollups }))).toEqual({ holds, text });
	});

	test.each([
		[
			{ kind: 'activityScore', operator: 'gte', value: 15 },
			{ score: 17, level: 'high' },
			true,
			'activity score: 17 ≥ 15',
		],
		[
			{ kind: 'activityScore', operator: 'lt', value: 1 },
			{ score: 0, level: 'inactive' },
			true,
			'activity score: 0 < 1',
		],
		[
			{ kind: 'activityScore', operator: 'gte', value: 1 },
			null,
			false,
			'activity score: (not set) ≥ 1',
		],
		[
			{ kind: 'activityLevel', operator: 'equals', value: 'high' },
			{ score: 20, level: 'high' },
			true,
			'activity level: high = high',
		],
		[
			{ kind: 'activityLevel', operator: 'equals', value: 'high' },
			{ score: 6, level: 'medium' },
			false,
			'activity level: medium = high',
		],
		[
			{ kind: 'activityLevel', operator: 'notEquals', value: 'inactive' },
			{ score: 2, level: 'low' },
			true,
			'activity level: low ≠ inactive',
		],
		// Ordered operators follow the journey's list of levels, not the alphabet.
		[
			{ kind: 'activityLevel', operator: 'gte', value: 'medium' },
			{ score: 20, level: 'high' },
			true,
			'activity level: high ≥ medium',
		],
		[
			{ kind: 'activityLevel', operator: 'gte', value: 'medium' },
			{ score: 2, level: 'low' },
			false,
			'activity level: low ≥ medium',
		],
		[
			{ kind: 'activityLevel', operator: 'lt', value: 'low' },
			{ score: 0, level: 'inactive' },
			true,
			'activity level: inactive < low',
		],
		[
			{ kind: 'activityLevel', operator: 'gt', value: 'inactive' },
			{ score: -1, level: null },
			false,
			'activity level: (not set) > inactive',
		],
	])('%j with activity %j → %s', (condition, activity, holds, text) => {
		expect(check(condition, facts({ activity }))).toEqual({ holds, text });
	});

	test.each([
		[
			{ attribute: 'tags', operator: 'contains', value: 'vip' },
			{ tags: ['fair', 'vip'] },
			true,
			'tags: [fair, vip] contains vip',
		],
		[
			{ attribute: 'tags', operator: 'contains', value: 'vip' },
			{ tags: ['vipish'] },
			false,
			'tags: [vipish] contains vip',
		],
		[
			{ attribute: 'tags', operator: 'exists', value: false },
			{ tags: [] },
			true,
			'tags: [] is empty',
		],
		[{ attribute: 'rating', operator: 'gte', value: 2 }, { rating: 3 }, true, 'rating: 3 ≥ 2'],
		[{ attribute: 'rating', operator: 'gte', value: 2 }, { rating: 1 }, false, 'rating: 1 ≥ 2'],
		[
			{ attribute: 'rating', operator: 'gte', value: 2 },
			{ rating: null },
			false,
			'rating: (not set) ≥ 2',
		],
		[{ attribute: 'owner', operator: 'exists' }, { owner: 'alice' }, true, 'owner: alice is set'],
		[{ attribute: 'owner', operator: 'exists' }, { owner: null }, false, 'owner: (not set) is set'],
		[
			{ attribute: 'owner', operator: 'exists', value: false },
			{ owner: null },
			true,
			'owner: (not set) is empty',
		],
		[
			{ attribute: 'owner', operator: 'exists', value: false },
			{ owner: 'bob' },
			false,
			'owner: bob is empty',
		],
		[
			{ attribute: 'department', operator: 'equals', value: 'export' },
			{ department: 'export' },
			true,
			'department: export = export',
		],
		[
			{ attribute: 'department', operator: 'notEquals', value: 'export' },
			{ department: null },
			true,
			'department: (not set) ≠ export',
		],
		[
			{ attribute: 'company.size', operator: 'gt', value: 50 },
			{ properties: { company: { size: 120 } } },
			true,
			'company.size: 120 > 50',
		],
		[
			{ attribute: 'properties.plan', operator: 'equals', value: 'pro' },
			{ properties: { plan: 'pro' } },
			true,
			'properties.plan: pro = pro',
		],
		[
			{ attribute: 'properties.owner', operator: 'equals', value: 'x' },
			{ owner: 'x', properties: {} },
			false,
			'properties.owner: (not set) = x',
		],
		[
			{ attribute: 'company.name', operator: 'contains', value: 'acme' },
			{ properties: { company: 'Acme' } },
			false,
			'company.name: (not set) contains acme',
		],
	])('attribute %j with %j → %s', (condition, customer, holds, text) => {
		expect(check({ kind: 'attribute', ...condition }, facts(customer))).toEqual({ holds, text });
	});

	test.each([
		[
			{ kind: 'daysInStage', operator: 'gte', value: 90 },
			{ stageEnteredAt: now - 91 * DAY_MS - 5 },
			true,
			'days in stage: 91 ≥ 90',
		],
		// Whole 24-hour periods: a minute short of 90 days is 89.
		[
			{ kind: 'daysInStage', operator: 'gte', value: 90 },
			{ stageEnteredAt: now - 90 * DAY_MS + 60_000 },
			false,
			'days in stage: 89 ≥ 90',
		],
		[
			{ kind: 'daysInStage', operator: 'gte', value: 90 },
			{ stageEnteredAt: now - 90 * DAY_MS },
			true,
			'days in stage: 90 ≥ 90',
		],
		// A stage entered "in the future" (another clock) has lasted 0 days, not a negative count.
		[
			{ kind: 'daysInStage', operator: 'lte', value: 0 },
			{ stageEnteredAt: now + DAY_MS },
			true,
			'days in stage: 0 ≤ 0',
		],
		[
			{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 },
			{ lastEventAt: now - 120 * DAY_MS },
			true,
			'days since last event: 120 ≥ 90',
		],
		[
			{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 },
			{ lastEventAt: now - 30 * DAY_MS },
			false,
			'days since last event: 30 ≥ 90',
		],
		[
			{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 },
			{ lastEventAt: null, stageEnteredAt: now - 100 * DAY_MS },
			true,
			'days since last event (none; counted from stage entry): 100 ≥ 90',
		],
	])('%j with %j → %s', (condition, customer, holds, text) => {
		expect(check(condition, facts(customer))).toEqual({ holds, text });
	});
});

describe('evaluateAutomation', () => {
	const loyalRule = {
		id: 'repeat_purchase',
		stage: 'loyal',
		conditions: [
			{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'gt', value: 1 } as const,
		],
	};

	test('a rule that holds moves the customer, with the reason as data', () => {
		const result = evaluateAutomation(
			journeyWith([loyalRule]),
			'customer',
			facts({ rollups: purchases(1, 40) }),
		);
		expect(result).toEqual({
			stage: 'loyal',
			stageEnteredAt: now,
			moved: true,
			moves: [
				{
					ruleId: 'repeat_purchase',
					from: 'customer',
					to: 'loyal',
					direction: 'advance',
					at: now,
					explanation:
						"advanced from Customer to Loyal (rule 'repeat_purchase': purchase.completed: 2 in lifetime > 1)",
					because: ['purchase.completed: 2 in lifetime > 1'],
				},
			],
			notMoved: [],
		});
	});

	test('a rule that does not hold moves nothing and is not reported', () => {
		const customer = facts({ rollups: purchases(1) });
		expect(evaluateAutomation(journeyWith([loyalRule]), 'customer', customer)).toEqual({
			stage: 'customer',
			stageEnteredAt: customer.stageEnteredAt,
			moved: false,
			moves: [],
			notMoved: [],
		});
	});

	test("match 'all' needs every condition; 'any' one, and says which held", () => {
		const conditions = [
			{ kind: 'attribute', attribute: 'tags', operator: 'contains', value: 'vip' } as const,
			{ kind: 'attribute', attribute: 'rating', operator: 'gte', value: 3 } as const,
		];
		const vipOnly = facts({ tags: ['vip'], rating: 1 });
		const all = journeyWith([{ id: 'r', stage: 'loyal', conditions }]);
		const any = journeyWith([{ id: 'r', stage: 'loyal', match: 'any', conditions }]);
		expect(evaluateAutomation(all, 'lead', vipOnly).moved).toBe(false);
		expect(
			evaluateAutomation(all, 'lead', facts({ tags: ['vip'], rating: 3 })).moves[0].because,
		).toEqual(['tags: [vip] contains vip', 'rating: 3 ≥ 3']);
		expect(evaluateAutomation(any, 'lead', vipOnly).moves[0].because).toEqual([
			'tags: [vip] contains vip',
		]);
		expect(evaluateAutomation(any, 'lead', facts({ tags: [], rating: 0 })).moved).toBe(false);
	});

	test('fromStages: the rule applies only in the stages it names', () => {
		const journey = journeyWith([{ ...loyalRule, fromStages: ['customer'] }]);
		const twice = facts({ rollups: purchases(1, 2) });
		expect(evaluateAutomation(journey, 'customer', twice).stage).toBe('loyal');
		expect(evaluateAutomation(journey, 'lead', twice)).toMatchObject({
			stage: 'lead',
			moved: false,
			notMoved: [],
		});
	});

	test('fixpoint: a move can make the next rule true (A → B enables B → C)', () => {
		const journey = journeyWith([
			{
				id: 'to_customer',
				stage: 'customer',
				fromStages: ['lead'],
				conditions: [{ kind: 'attribute', attribute: 'rating', operator: 'gte', value: 1 }],
			},
			{
				id: 'to_loyal',
				stage: 'loyal',
				fromStages: ['customer'],
				conditions: [{ kind: 'attribute', attribute: 'rating', operator: 'gte', value: 2 }],
			},
		]);
		const result = evaluateAutomation(journey, 'lead', facts({ rating: 3 }));
		expect(result.stage).toBe('loyal');
		expect(result.moves.map((m) => [m.ruleId, m.from, m.to, m.at])).toEqual([
			['to_customer', 'lead', 'customer', now],
			['to_loyal', 'customer', 'loyal', now],
		]);
	});

	test('days in stage restart at the move: a chained rule on dwell time waits', () => {
		const journey = journeyWith([
			{
				id: 'to_customer',
				stage: 'customer',
				conditions: [{ kind: 'attribute', attribute: 'tags', operator: 'contains', value: 'paid' }],
			},
			{
				id: 'settled',
				stage: 'loyal',
				fromStages: ['customer'],
				conditions: [{ kind: 'daysInStage', operator: 'gte', value: 7 }],
			},
		]);
		const paid = facts({ tags: ['paid'], stageEnteredAt: now - 30 * DAY_MS });
		const result = evaluateAutomation(journey, 'lead', paid);
		expect(result).toMatchObject({ stage: 'customer', stageEnteredAt: now });
		expect(result.moves).toHaveLength(1);
		// Seven days later, the dwell-time rule moves them on.
		const later = now + 7 * DAY_MS;
		expect(
			evaluateAutomation(journey, 'customer', { ...paid, now: later, stageEnteredAt: now }).moves,
		).toEqual([expect.objectContaining({ to: 'loyal', because: ['days in stage: 7 ≥ 7'] })]);
	});

	test('a move never starts before the stage it leaves was entered', () => {
		const entered = now + 3_600_000;
		const result = evaluateAutomation(
			journeyWith([loyalRule]),
			'customer',
			facts({ rollups: purchases(0, 1), stageEnteredAt: entered }),
		);
		expect(result.moves[0].at).toBe(entered);
		expect(result.stageEnteredAt).toBe(entered);
	});

	test('forward only: a rule to an earlier stage does nothing, and says why', () => {
		const journey = journeyWith([
			{
				id: 'back_to_lead',
				stage: 'lead',
				conditions: [{ kind: 'daysInStage', operator: 'gte', value: 1 }],
			},
		]);
		expect(evaluateAutomation(journey, 'loyal', facts())).toEqual({
			stage: 'loyal',
			stageEnteredAt: now - 10 * DAY_MS,
			moved: false,
			moves: [],
			notMoved: [
				{
					ruleId: 'back_to_lead',
					to: 'lead',
					explanation: 'already further: Loyal',
					because: ['days in stage: 10 ≥ 1'],
				},
			],
		});
	});

	test('several rules true at once: the furthest target wins, and an exit outranks the path', () => {
		const always = [{ kind: 'daysInStage', operator: 'gte', value: 0 } as const];
		const journey = journeyWith([
			{ id: 'a', stage: 'customer', conditions: always },
			{ id: 'b', stage: 'loyal', conditions: always },
		]);
		const result = evaluateAutomation(journey, 'new', facts());
		expect(result.moves.map((m) => m.ruleId)).toEqual(['b']);
		expect(result.notMoved).toEqual([
			expect.objectContaining({ ruleId: 'a', explanation: 'already further: Loyal' }),
		]);
		const withExit = journeyWith([
			...journey.automationRules,
			{ id: 'c', stage: 'churned', conditions: always },
		]);
		expect(evaluateAutomation(withExit, 'new', facts()).moves.map((m) => m.to)).toEqual([
			'churned',
		]);
	});

	test('the same target from two rules: the smaller rule id is the one recorded', () => {
		const always = [{ kind: 'daysInStage', operator: 'gte', value: 0 } as const];
		const journey = journeyWith([
			{ id: 'zeta', stage: 'loyal', conditions: always },
			{ id: 'alpha', stage: 'loyal', conditions: always },
		]);
		expect(evaluateAutomation(journey, 'lead', facts()).moves[0].ruleId).toBe('alpha');
	});

	test('exits: inactivity moves a customer off the path; from there rules apply only where named', () => {
		const journey = journeyWith([
			{
				id: 'inactive',
				stage: 'churned',
				fromStages: ['customer', 'loyal'],
				conditions: [{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 }],
			},
			loyalRule,
		]);
		const quiet = facts({ lastEventAt: now - 95 * DAY_MS, rollups: purchases(95, 300) });
		const result = evaluateAutomation(journey, 'customer', quiet);
		expect(result.moves).toEqual([
			expect.objectContaining({
				ruleId: 'inactive',
				direction: 'exit',
				explanation: "left the path for Churned (rule 'inactive': days since last event: 95 ≥ 90)",
			}),
		]);
		// The lifetime purchase rule names no stages, so it does not pull the customer back.
		expect(result).toMatchObject({ stage: 'churned', notMoved: [] });
		// A quiet lead is not churn: the rule does not apply there.
		const quietLead = facts({ lastEventAt: now - 95 * DAY_MS, rollups: purchases(95) });
		expect(evaluateAutomation(journey, 'lead', quietLead).stage).toBe('lead');
		// A quiet lead with two old purchases is loyal first, and as a loyal customer churns.
		expect(evaluateAutomation(journey, 'lead', quiet).moves.map((m) => m.to)).toEqual([
			'loyal',
			'churned',
		]);
	});

	test('no automatic move from one exit to another', () => {
		const journey = journeyWith([
			{
				id: 'gone',
				stage: 'lost',
				fromStages: ['churned'],
				conditions: [{ kind: 'daysInStage', operator: 'gte', value: 1 }],
			},
		]);
		expect(evaluateAutomation(journey, 'churned', facts()).notMoved).toEqual([
			expect.objectContaining({ ruleId: 'gone', explanation: 'already left the path: Churned' }),
		]);
	});

	test('re-entry by a rule that names the exit, only where the journey allows it', () => {
		const comeback = {
			id: 'comeback',
			stage: 'customer',
			fromStages: ['churned'],
			conditions: [
				{
					kind: 'eventCount',
					eventType: 'purchase.completed',
					windowDays: 7,
					operator: 'gte',
					value: 1,
				} as const,
			],
		};
		const buying = facts({ rollups: purchases(2) });
		expect(evaluateAutomation(journeyWith([comeback]), 'churned', buying)).toMatchObject({
			stage: 'churned',
			moved: false,
			notMoved: [
				{
					ruleId: 'comeback',
					explanation: 'in exit stage Churned; this journey does not allow re-entry',
					because: ['purchase.completed: 1 in last 7 days ≥ 1'],
				},
			],
		});
		expect(
			evaluateAutomation(journeyWith([comeback], { allowReentry: true }), 'churned', buying).moves,
		).toEqual([
			expect.objectContaining({ from: 'churned', to: 'customer', direction: 're-entry' }),
		]);
	});

	test('the bound: exit ⇄ re-entry rules never loop; a stage left is not entered again', () => {
		const always = [{ kind: 'daysInStage', operator: 'gte', value: 0 } as const];
		const journey = journeyWith(
			[
				{ id: 'out', stage: 'churned', fromStages: ['customer'], conditions: always },
				{ id: 'back', stage: 'customer', fromStages: ['churned'], conditions: always },
			],
			{ allowReentry: true },
		);
		const result = evaluateAutomation(journey, 'customer', facts());
		expect(result.moves.map((m) => `${m.from}→${m.to}`)).toEqual(['customer→churned']);
		expect(result.notMoved).toEqual([
			expect.objectContaining({
				ruleId: 'back',
				explanation: 'would return to Customer, which this evaluation already left',
			}),
		]);
	});

	test('the bound: at most one move per stage, even with a rule into every stage', () => {
		const twelve = Array.from({ length: 12 }, (_, i) => ({ key: `s${i}`, name: `S${i}` }));
		const journey = parseJourney({
			key: 'long',
			name: 'Long',
			stages: twelve,
			automationRules: twelve.slice(1).map((s, i) => ({
				id: `r${i + 1}`,
				stage: s.key,
				fromStages: [`s${i}`],
				conditions: [{ kind: 'daysInStage', operator: 'gte', value: 0 }],
			})),
		});
		const result = evaluateAutomation(journey, 's0', facts());
		expect(result.stage).toBe('s11');
		expect(result.moves).toHaveLength(11);
	});

	test('an unknown target or current stage does not throw', () => {
		const journey = journeyWith([loyalRule]);
		// A stage removed from the journey since the customer entered it: rules apply from it.
		expect(evaluateAutomation(journey, 'retired', facts({ rollups: purchases(1, 2) })).stage).toBe(
			'loyal',
		);
	});
});

describe('properties', () => {
	const condition = fc.oneof(
		fc.record({
			kind: fc.constant('eventCount' as const),
			eventType: fc.constantFrom('purchase.completed', 'email.opened', '*'),
			windowDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
			operator: fc.constantFrom('gt' as const, 'gte' as const, 'equals' as const, 'lt' as const),
			value: fc.integer({ min: 0, max: 3 }),
		}),
		fc.record({
			kind: fc.constant('daysInStage' as const),
			operator: fc.constantFrom('gte' as const, 'lt' as const),
			value: fc.integer({ min: 0, max: 20 }),
		}),
		fc.record({
			kind: fc.constant('activityLevel' as const),
			operator: fc.constantFrom('equals' as const, 'gte' as const),
			value: fc.constantFrom('low', 'medium', 'high'),
		}),
		fc.record({
			kind: fc.constant('attribute' as const),
			attribute: fc.constantFrom('tags', 'rating'),
			operator: fc.constantFrom('contains' as const, 'gte' as const),
			value: fc.constantFrom('vip', 1, 2),
		}),
	);
	const stageKeys = stages.map((s) => s.key);
	const rule = fc.record({
		stage: fc.constantFrom(...stageKeys),
		fromStages: fc.option(fc.subarray(stageKeys, { minLength: 1 }), { nil: undefined }),
		match: fc.constantFrom('all' as const, 'any' as const),
		conditions: fc.array(condition, { minLength: 1, maxLength: 3 }),
	});
	const customer = fc.record({
		current: fc.constantFrom(...stageKeys),
		daysInStage: fc.integer({ min: 0, max: 30 }),
		rollups: fc.array(
			fc.record({
				day: fc.integer({ min: today - 90, max: today }),
				eventType: fc.constantFrom('purchase.completed', 'email.opened'),
				count: fc.integer({ min: 1, max: 2 }),
			}),
			{ maxLength: 6 },
		),
		level: fc.constantFrom('inactive', 'low', 'medium', 'high'),
		tags: fc.subarray(['vip', 'fair']),
		rating: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
		allowReentry: fc.boolean(),
	});
	const scenario = fc.record({
		// Up to 8 rules, but never more on one stage than a journey may hold (the parser refuses that).
		rules: fc
			.array(rule, { maxLength: 8 })
			.map((rules) =>
				rules.filter(
					(r, i) =>
						rules.slice(0, i + 1).filter((o) => o.stage === r.stage).length <=
						LIMITS.automationRulesPerStage,
				),
			),
		customer,
		seed: fc.integer(),
	});

	type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

	function setUp({ rules, customer: c }: Scenario) {
		const automationRules = rules.map((r, i) => ({ ...r, id: `r${i}` }));
		const journey = journeyWith(automationRules, { allowReentry: c.allowReentry });
		const customerFacts = facts({
			rollups: c.rollups,
			stageEnteredAt: now - c.daysInStage * DAY_MS,
			activity: { score: 0, level: c.level },
			tags: c.tags,
			rating: c.rating,
		});
		return { journey, customerFacts };
	}

	test('the result does not depend on the order rules are listed in', () => {
		fc.assert(
			fc.property(scenario, (s) => {
				const { journey, customerFacts } = setUp(s);
				// Fisher–Yates driven by the generated seed (a small LCG), so failures replay.
				const shuffled = [...journey.automationRules];
				let state = s.seed;
				for (let i = shuffled.length - 1; i > 0; i--) {
					state = (Math.imul(state, 1103515245) + 12345) | 0;
					const j = (state >>> 8) % (i + 1);
					[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
				}
				expect(
					evaluateAutomation(
						{ ...journey, automationRules: shuffled },
						s.customer.current,
						customerFacts,
					),
				).toEqual(evaluateAutomation(journey, s.customer.current, customerFacts));
			}),
		);
	});

	test('never backwards on the path, never exit to exit, re-entry only where allowed, bounded', () => {
		let movedRuns = 0;
		let chainedRuns = 0;
		fc.assert(
			fc.property(scenario, (s) => {
				const { journey, customerFacts } = setUp(s);
				const result = evaluateAutomation(journey, s.customer.current, customerFacts);
				expect(result.moves.length).toBeLessThan(journey.stages.length);
				let at = s.customer.current;
				for (const move of result.moves) {
					expect(move.from).toBe(at);
					const fromExit = pathIndex(journey, move.from) < 0;
					const toExit = pathIndex(journey, move.to) < 0;
					expect(fromExit && toExit).toBe(false);
					if (fromExit) expect(journey.allowReentry).toBe(true);
					if (!fromExit && !toExit)
						expect(pathIndex(journey, move.to)).toBeGreaterThan(pathIndex(journey, move.from));
					expect(move.because.length).toBeGreaterThan(0);
					at = move.to;
				}
				expect(result.stage).toBe(at);
				// A fixpoint: with the same facts, a second evaluation can only take a move the
				// first one refused because it led back to a stage it had left.
				const again = evaluateAutomation(journey, result.stage, {
					...customerFacts,
					stageEnteredAt: result.stageEnteredAt,
				});
				const visited = new Set([s.customer.current, ...result.moves.map((m) => m.to)]);
				if (again.moved) expect(visited.has(again.moves[0].to)).toBe(true);
				if (result.moves.length > 0) movedRuns++;
				if (result.moves.length > 1) chainedRuns++;
			}),
			{ numRuns: 300 },
		);
		// The generated rules must actually move customers, or the property holds trivially.
		expect(movedRuns).toBeGreaterThan(60);
		expect(chainedRuns).toBeGreaterThan(5);
	});
});

describe('presets with the evaluator', () => {
	test('lifecycle: more than one purchase makes a customer loyal; one does not', () => {
		const [lifecycle] = presetJourneys('lifecycleCrm');
		expect(evaluateAutomation(lifecycle, 'customer', facts({ rollups: purchases(1) })).moved).toBe(
			false,
		);
		expect(
			evaluateAutomation(lifecycle, 'customer', facts({ rollups: purchases(1, 700) })).moves,
		).toEqual([
			expect.objectContaining({
				to: 'loyal_customer',
				because: ['purchase.completed: 2 in lifetime > 1'],
			}),
		]);
	});

	test('RevOps: a customer quiet for 90 days churns; a quiet prospect does not; a churned buyer returns by event', () => {
		const [revops] = presetJourneys('revopsLifecycle');
		const quiet = facts({ lastEventAt: now - 90 * DAY_MS });
		expect(evaluateAutomation(revops, 'customer', quiet).moves).toEqual([
			expect.objectContaining({
				ruleId: 'inactive_90_days',
				to: 'churned',
				direction: 'exit',
				because: ['days since last event: 90 ≥ 90'],
			}),
		]);
		expect(
			evaluateAutomation(revops, 'customer', facts({ lastEventAt: now - 89 * DAY_MS })).moved,
		).toBe(false);
		expect(evaluateAutomation(revops, 'prospect', quiet).moved).toBe(false);
	});

	test('marketing hub: a high 30-day activity level confirms a lead', () => {
		const [hub] = presetJourneys('marketingHub');
		expect(needsActivity(hub)).toBe(true);
		const active = facts({ activity: { score: 18, level: 'high' } });
		expect(evaluateAutomation(hub, 'intentional_leads', active).moves).toEqual([
			expect.objectContaining({
				to: 'confirmed_leads',
				because: ['activity level: high = high'],
			}),
		]);
		expect(
			evaluateAutomation(
				hub,
				'intentional_leads',
				facts({ activity: { score: 9, level: 'medium' } }),
			).moved,
		).toBe(false);
		expect(evaluateAutomation(hub, 'closed_customers', active).notMoved).toEqual([
			expect.objectContaining({ explanation: 'already further: Closed Customers' }),
		]);
	});

	test('WeCom retail: a second purchase makes a repeat buyer, five in a year a loyal fan', () => {
		const [retail] = presetJourneys('wecomJourneys');
		expect(
			evaluateAutomation(retail, 'first_purchase', facts({ rollups: purchases(3, 50) })).stage,
		).toBe('repeat_buyer');
		const five = facts({ rollups: purchases(1, 30, 100, 200, 364) });
		expect(evaluateAutomation(retail, 'first_purchase', five).moves.map((m) => m.to)).toEqual([
			'loyal_fan',
		]);
		// The fifth purchase a year and a day ago no longer counts for the year.
		const stale = facts({ rollups: purchases(1, 30, 100, 200, 365) });
		expect(evaluateAutomation(retail, 'first_purchase', stale).stage).toBe('repeat_buyer');
	});

	test('no preset journey has warnings', () => {
		for (const key of [
			'marketingHub',
			'lifecycleCrm',
			'b2bTrade',
			'revopsLifecycle',
			'wecomJourneys',
		]) {
			for (const journey of presetJourneys(key))
				expect([key, journeyWarnings(journey)]).toEqual([key, []]);
		}
	});
});

describe('journeyWarnings', () => {
	test('counts and weights of event types no event rule mentions, and rules that cannot move', () => {
		const journey = journeyWith(
			[
				{
					id: 'typo',
					stage: 'loyal',
					conditions: [
						{ kind: 'eventCount', eventType: 'purchase.complete', operator: 'gt', value: 1 },
						{ kind: 'eventCount', eventType: '*', operator: 'gt', value: 1 },
						{ kind: 'eventCount', eventType: 'email.opened', operator: 'gt', value: 1 },
					],
				},
				{
					id: 'backwards',
					stage: 'lead',
					fromStages: ['customer', 'loyal'],
					conditions: [{ kind: 'daysInStage', operator: 'gte', value: 1 }],
				},
				{
					id: 'first',
					stage: 'new',
					conditions: [{ kind: 'daysInStage', operator: 'gte', value: 1 }],
				},
			],
			{ activity: { weights: { 'page.scrolled': 1, 'email.opened': 2 } } },
		);
		expect(journeyWarnings(journey)).toEqual([
			"Automation rule 'typo' (automationRules[0].conditions[0]) counts 'purchase.complete' events, but no event rule of this journey mentions that event type",
			"Automation rule 'backwards' (automationRules[1]) can never move anyone to Lead: automatic moves go only forward, into exits, and out of exits only where re-entry is allowed (it applies in: Customer, Loyal)",
			"Automation rule 'first' (automationRules[2]) can never move anyone to New: automatic moves go only forward, into exits, and out of exits only where re-entry is allowed (it applies in: New, Lead, Customer, Loyal)",
			"Activity weight for 'page.scrolled' (activity.weights): no event rule of this journey mentions that event type",
		]);
	});

	test('a rule counting an unmentioned event type is still allowed', () => {
		expect(() =>
			journeyWith([
				{
					id: 'r',
					stage: 'loyal',
					conditions: [{ kind: 'eventCount', eventType: 'nobody.sends', operator: 'gt', value: 0 }],
				},
			]),
		).not.toThrow();
	});
});

describe('automation rule validation', () => {
	const fine = { kind: 'daysInStage', operator: 'gte', value: 1 };
	const rule = (condition: Record<string, unknown>, id = 'r') => ({
		id,
		stage: 'loyal',
		conditions: [condition],
	});
	const withRules =
		(...automationRules: unknown[]) =>
		() =>
			parseJourney({ key: 'j', name: 'J', stages, automationRules });

	test.each([
		[
			'a window of 0 days',
			[
				rule(fine, 'a'),
				rule(fine, 'b'),
				rule(
					{ kind: 'eventCount', eventType: 'x', windowDays: 0, operator: 'gt', value: 1 },
					'recent',
				),
			],
			"Invalid journey: automationRules[2].conditions[0].windowDays (rule 'recent'): must be from 1 to 3650 days",
		],
		[
			'a window over ten years',
			[rule({ kind: 'eventCount', eventType: 'x', windowDays: 3651, operator: 'gt', value: 1 })],
			"Invalid journey: automationRules[0].conditions[0].windowDays (rule 'r'): must be from 1 to 3650 days",
		],
		[
			'an unknown condition kind',
			[rule({ kind: 'weather', operator: 'equals', value: 'sunny' }, 'sunny_days')],
			"Invalid journey: automationRules[0].conditions[0].kind (rule 'sunny_days'): Invalid discriminator value",
		],
		[
			'an activity level the journey does not have',
			[rule({ kind: 'activityLevel', operator: 'equals', value: 'hot' }, 'hot_leads')],
			"Automation rule 'hot_leads' names activity level 'hot', which this journey does not have (its levels: inactive, low, medium, high)",
		],
		[
			'a rule with no conditions',
			[{ id: 'empty', stage: 'loyal', conditions: [] }],
			"Invalid journey: automationRules[0].conditions (rule 'empty'): Array must contain at least 1 element(s)",
		],
	])('%s is refused, naming the rule', (_label, rules, message) => {
		expect(withRules(...rules)).toThrow(message);
	});

	test('the 3650-day window is accepted, and the field is named for the node', () => {
		expect(
			withRules(
				rule({ kind: 'eventCount', eventType: 'x', windowDays: 3650, operator: 'gt', value: 1 }),
			),
		).not.toThrow();
		try {
			withRules(
				rule({ kind: 'eventCount', eventType: 'x', windowDays: 0, operator: 'gt', value: 1 }),
			)();
			throw new Error('expected a failure');
		} catch (error) {
			expect((error as { field?: string }).field).toBe(
				'automationRules[0].conditions[0].windowDays',
			);
		}
	});
});

describe('automationSteps: history records of an evaluation', () => {
	test('a chain of two moves gives two records, each from where the previous one left', () => {
		const journey = journeyWith([
			{
				id: 'bought',
				stage: 'customer',
				conditions: [
					{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'gte', value: 1 },
				],
			},
			{
				id: 'twice',
				stage: 'loyal',
				fromStages: ['customer'],
				conditions: [
					{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'gt', value: 1 },
				],
			},
		]);
		const before = { stage: 'lead', status: null, enteredAt: now - 3 * DAY_MS };
		const result = evaluateAutomation(
			journey,
			'lead',
			facts({
				stageEnteredAt: before.enteredAt,
				rollups: [{ day: today, eventType: 'purchase.completed', count: 2 }],
			}),
		);
		const steps = automationSteps(journey, before, result);
		expect(steps.map((s) => s.record)).toEqual([
			{
				fromStage: 'lead',
				toStage: 'customer',
				direction: 'advance',
				reasonKind: 'rule',
				reason:
					"advanced from Lead to Customer (rule 'bought': purchase.completed: 2 in lifetime ≥ 1)",
				eventType: null,
				eventId: null,
				ruleId: 'bought',
				actor: null,
				note: null,
				occurredAt: now,
				eventOccurredAt: now,
				fromEnteredAt: now - 3 * DAY_MS,
			},
			expect.objectContaining({
				fromStage: 'customer',
				toStage: 'loyal',
				ruleId: 'twice',
				reason:
					"advanced from Customer to Loyal (rule 'twice': purchase.completed: 2 in lifetime > 1)",
				fromEnteredAt: now,
			}),
		]);
		expect(steps[1].after).toEqual({ stage: 'loyal', status: null, enteredAt: now });
	});

	test('nothing moved, no steps', () => {
		const journey = journeyWith([
			{
				id: 'quiet',
				stage: 'churned',
				conditions: [{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 }],
			},
		]);
		const before = { stage: 'customer', status: null, enteredAt: now - DAY_MS };
		expect(
			automationSteps(journey, before, evaluateAutomation(journey, 'customer', facts())),
		).toEqual([]);
	});
});
