import { decideEvent } from '../../nodes/engine/eventRules';
import { parseJourney } from '../../nodes/engine/journey';
import { decideMove, directionOf } from '../../nodes/engine/movement';

const journey = parseJourney({
	key: 'j',
	name: 'J',
	stages: [
		{ key: 'new', name: 'New' },
		{ key: 'lead', name: 'Lead' },
		{ key: 'customer', name: 'Customer' },
		{ key: 'unsubscribed', name: 'Unsubscribed', kind: 'exit' },
		{ key: 'churned', name: 'Churned', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'email.opened', stage: 'lead' },
		{ eventType: 'purchase.completed', stage: 'customer' },
		{ eventType: 'email.unsubscribed', stage: 'unsubscribed' },
	],
});
const reentering = parseJourney({ ...journey, allowReentry: true });

describe('rule 1: automatic moves only go forward along the path', () => {
	test('forward is an advance', () => {
		expect(decideMove(journey, 'new', 'customer', 'automatic')).toEqual({
			moved: true,
			from: 'new',
			to: 'customer',
			direction: 'advance',
			explanation: 'advanced from New to Customer',
		});
	});
	test('backward is recorded as no move, saying where the customer already is', () => {
		expect(decideMove(journey, 'customer', 'lead', 'automatic')).toEqual({
			moved: false,
			from: 'customer',
			to: 'customer',
			explanation: 'already further: Customer',
		});
	});
	test('the same stage is no move', () => {
		expect(decideMove(journey, 'lead', 'lead', 'automatic')).toMatchObject({
			moved: false,
			explanation: 'already in Lead',
		});
	});
	test('an unknown target stage moves nothing and says so', () => {
		expect(decideMove(journey, 'lead', 'vip', 'automatic')).toMatchObject({
			moved: false,
			to: 'lead',
			explanation: "stage 'vip' is not in journey 'J'",
		});
	});
});

describe('rule 2: exits and re-entry', () => {
	test('an automatic move into an exit is allowed from any path stage', () => {
		expect(decideMove(journey, 'customer', 'unsubscribed', 'automatic')).toMatchObject({
			moved: true,
			direction: 'exit',
		});
	});
	test('no automatic move from one exit to another: the first exit stands', () => {
		expect(decideMove(journey, 'unsubscribed', 'churned', 'automatic')).toMatchObject({
			moved: false,
			explanation: 'already left the path: Unsubscribed',
		});
	});
	test('leaving an exit automatically needs the journey to allow re-entry', () => {
		expect(decideMove(journey, 'churned', 'customer', 'automatic')).toMatchObject({
			moved: false,
			explanation: 'in exit stage Churned; this journey does not allow re-entry',
		});
		expect(decideMove(reentering, 'churned', 'customer', 'automatic')).toMatchObject({
			moved: true,
			direction: 're-entry',
		});
	});
});

describe('rule 3: manual moves go anywhere', () => {
	test.each([
		['customer', 'new', 'regress'],
		['new', 'customer', 'advance'],
		['unsubscribed', 'lead', 're-entry'],
		['unsubscribed', 'churned', 'exit'],
		['lead', 'churned', 'exit'],
	])('%s → %s is a %s', (from, to, direction) => {
		expect(decideMove(journey, from, to, 'manual')).toMatchObject({
			moved: true,
			from,
			to,
			direction,
		});
	});
	test('manual re-entry works even where automatic re-entry is off', () => {
		expect(decideMove(journey, 'churned', 'new', 'manual')).toMatchObject({
			moved: true,
			direction: 're-entry',
		});
	});
});

describe('entering a journey', () => {
	test('a new customer enters at the event rule stage (initial)', () => {
		expect(decideEvent(journey, null, 'purchase.completed', {})).toMatchObject({
			rule: { eventType: 'purchase.completed' },
			decision: { moved: true, from: null, to: 'customer', direction: 'initial' },
		});
	});
	test('a new customer with an event that has no rule enters at the default stage', () => {
		expect(decideEvent(journey, null, 'fax.received', {}).decision).toEqual({
			moved: true,
			from: null,
			to: 'new',
			direction: 'initial',
			explanation: "entered New (default stage; no rule for event type 'fax.received')",
		});
	});
	test('a known customer with an event that has no rule stays, and the reason says so', () => {
		expect(decideEvent(journey, 'lead', 'fax.received', {}).decision).toEqual({
			moved: false,
			from: 'lead',
			to: 'lead',
			explanation: "no rule in journey 'J' for event type 'fax.received'",
		});
	});
	test('directionOf covers every direction', () => {
		expect([
			directionOf(journey, null, 'lead'),
			directionOf(journey, 'new', 'lead'),
			directionOf(journey, 'customer', 'lead'),
			directionOf(journey, 'lead', 'churned'),
			directionOf(journey, 'churned', 'lead'),
		]).toEqual(['initial', 'advance', 'regress', 'exit', 're-entry']);
	});
});
