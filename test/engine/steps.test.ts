import { eventStep } from '../../nodes/engine/eventRules';
import { parseJourney } from '../../nodes/engine/journey';
import {
	applyDecision,
	customerSavedReason,
	decideMove,
	duplicateStep,
	manualStep,
	moveOutcome,
	statusAfter,
	type StageState,
} from '../../nodes/engine/movement';

// The engine's decision records, checked without any store: state + input → next state + record.
const journey = parseJourney({
	key: 'revops',
	name: 'RevOps',
	stages: [
		{ key: 'subscriber', name: 'Subscriber' },
		{ key: 'mql', name: 'MQL', status: 'open' },
		{ key: 'sql', name: 'SQL', status: 'contacted' },
		{ key: 'opportunity', name: 'Opportunity' },
		{ key: 'churned', name: 'Churned', kind: 'exit', status: 'inactive' },
	],
	statuses: [
		{ key: 'open', name: 'Open' },
		{ key: 'contacted', name: 'Contacted' },
		{ key: 'inactive', name: 'Inactive Customer' },
	],
	eventRules: [
		{ id: 'demo', eventType: 'demo.booked', stage: 'sql' },
		{ eventType: 'form.submitted', stage: 'mql' },
	],
});

const inMql: StageState = { stage: 'mql', status: 'open', enteredAt: 1_000 };

describe('stage → status sync', () => {
	test('a stage with a status sets it', () => {
		expect(statusAfter(journey, 'sql', 'open')).toBe('contacted');
	});
	test('a stage without a status keeps the last one', () => {
		expect(statusAfter(journey, 'opportunity', 'contacted')).toBe('contacted');
	});
	test('no status anywhere stays null', () => {
		expect(statusAfter(journey, 'subscriber', null)).toBeNull();
	});
});

describe('event steps', () => {
	test('a matching rule gives the new state and a complete history record', () => {
		const step = eventStep(journey, inMql, {
			eventType: 'demo.booked',
			eventId: 'e-1',
			properties: {},
			occurredAt: 5_000,
		});
		expect(step.after).toEqual({ stage: 'sql', status: 'contacted', enteredAt: 5_000 });
		expect(step.ruleId).toBe('demo');
		expect(step.record).toEqual({
			fromStage: 'mql',
			toStage: 'sql',
			direction: 'advance',
			reasonKind: 'event',
			reason: 'advanced from MQL to SQL',
			eventType: 'demo.booked',
			eventId: 'e-1',
			ruleId: 'demo',
			actor: null,
			note: null,
			occurredAt: 5_000,
			eventOccurredAt: 5_000,
			fromEnteredAt: 1_000,
		});
	});

	test('an unnamed rule is named by its event type and stage', () => {
		const step = eventStep(journey, null, {
			eventType: 'form.submitted',
			properties: {},
			occurredAt: 1,
		});
		expect(step.ruleId).toBe('form.submitted→mql');
		expect(step.record?.direction).toBe('initial');
	});

	test('a step that does not move keeps the state and writes no record', () => {
		const step = eventStep(journey, inMql, { eventType: 'fax', properties: {}, occurredAt: 9 });
		expect(step.after).toBe(inMql);
		expect(step.record).toBeNull();
		expect(step.decision.explanation).toBe("no rule in journey 'RevOps' for event type 'fax'");
	});
});

describe('wording the engine owns', () => {
	test('imports say so, and by whom', () => {
		const step = manualStep(journey, inMql, 'subscriber', {
			reasonKind: 'import',
			actor: 'ops@acme.test',
			occurredAt: 7,
		});
		expect(step.record).toMatchObject({
			reasonKind: 'import',
			direction: 'regress',
			reason: 'imported: moved manually from MQL to Subscriber by ops@acme.test',
			actor: 'ops@acme.test',
		});
		// Subscriber has no status of its own: the last one stays. Back-dated (7) before MQL was
		// entered (1,000), the move takes effect at 1,000 (rule 7).
		expect(step.after).toEqual({ stage: 'subscriber', status: 'open', enteredAt: 1_000 });
	});

	test('manual moves name the actor and keep the note', () => {
		const step = manualStep(journey, inMql, 'churned', {
			reasonKind: 'manual',
			actor: 'li.wei',
			note: 'asked to stop',
			occurredAt: 8,
		});
		expect(step.record).toMatchObject({
			reason: 'moved manually from MQL to Churned by li.wei',
			direction: 'exit',
			note: 'asked to stop',
		});
		expect(step.after?.status).toBe('inactive');
	});

	test('a duplicate event is reported and changes nothing', () => {
		const step = duplicateStep(inMql, 'e-1');
		expect(step).toEqual({
			decision: {
				moved: false,
				from: 'mql',
				to: 'mql',
				explanation:
					"duplicate: event id 'e-1' was already recorded in this journey; nothing changed",
			},
			before: inMql,
			after: inMql,
			record: null,
		});
	});

	test('saving a customer without a journey says whether it was created', () => {
		expect(customerSavedReason(true)).toBe('customer created');
		expect(customerSavedReason(false)).toBe('customer updated');
	});
});

describe('outcomes', () => {
	test('an outcome names stages and carries the synced status', () => {
		const decision = decideMove(journey, 'mql', 'sql', 'automatic');
		const step = applyDecision(journey, inMql, decision, { reasonKind: 'rule', occurredAt: 3 });
		expect(moveOutcome(journey, 'c-1', step)).toEqual({
			customerId: 'c-1',
			journey: 'revops',
			previousStage: 'mql',
			previousStageName: 'MQL',
			stage: 'sql',
			stageName: 'SQL',
			status: 'contacted',
			moved: true,
			direction: 'advance',
			reason: 'advanced from MQL to SQL',
		});
	});
});
