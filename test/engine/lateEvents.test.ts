import { eventStep } from '../../nodes/engine/eventRules';
import type { JourneyDefinition } from '../../nodes/engine/journey';
import {
	effectiveTime,
	manualStep,
	type HistoryRecord,
	type StageState,
} from '../../nodes/engine/movement';
import { presetJourneys } from '../../nodes/engine/presets';

/**
 * Movement rule 7: time never runs backwards in a timeline. Webhooks arrive late: a move's
 * effective time is the later of the event's own time and the time the customer entered the
 * stage it leaves; the event's own time is kept beside it.
 */
const [hub] = presetJourneys('marketingHub');
const H = 3_600_000;
const at = (hour: number) => Date.UTC(2026, 10, 22, hour);

interface Arrival {
	eventType: string;
	occurredAt: number;
}

function replay(journey: JourneyDefinition, arrivals: Arrival[]) {
	let state: StageState | null = null;
	const records: HistoryRecord[] = [];
	for (const [i, event] of arrivals.entries()) {
		const step = eventStep(journey, state, { ...event, eventId: `e${i}`, properties: {} });
		if (step.record) records.push(step.record);
		state = step.after;
	}
	return { state, records };
}

/** The arithmetic every timeline must satisfy, whatever the arrival order. */
function expectSoundTimeline(records: HistoryRecord[]) {
	for (const [i, record] of records.entries()) {
		expect(record.occurredAt).toBeGreaterThanOrEqual(record.eventOccurredAt);
		if (i === 0) {
			expect(record.fromEnteredAt).toBeNull();
			continue;
		}
		// No negative stay, and never entered before the stage it was left from.
		expect(record.fromEnteredAt).toBe(records[i - 1].occurredAt);
		expect(record.occurredAt).toBeGreaterThanOrEqual(record.fromEnteredAt!);
	}
}

const opened = { eventType: 'email.opened', occurredAt: at(10) };
const purchased = { eventType: 'purchase.completed', occurredAt: at(9) };

test('a late purchase (stamped 09:00, after a 10:00 open) takes effect at 10:00, keeps 09:00', () => {
	const { state, records } = replay(hub, [opened, purchased]);
	expect(records.map((r) => [r.fromStage, r.toStage, r.occurredAt, r.eventOccurredAt])).toEqual([
		[null, 'initial_contact', at(10), at(10)],
		['initial_contact', 'closed_customers', at(10), at(9)],
	]);
	expect(records[1].fromEnteredAt).toBe(at(10));
	expect(state).toMatchObject({ stage: 'closed_customers', enteredAt: at(10) });
	expectSoundTimeline(records);
});

test('in time order the same two events keep their own times', () => {
	const { state, records } = replay(hub, [purchased, opened]);
	expect(records.map((r) => [r.toStage, r.occurredAt, r.eventOccurredAt])).toEqual([
		['closed_customers', at(9), at(9)],
	]);
	expect(state?.stage).toBe('closed_customers');
	expectSoundTimeline(records);
});

test('any arrival order: sound arithmetic, and the final stage does not depend on it', () => {
	const types = [...new Set(hub.eventRules.map((r) => r.eventType))];
	let seed = 7;
	const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	let late = 0;
	for (let set = 0; set < 300; set++) {
		const events = Array.from({ length: 2 + Math.floor(random() * 8) }, () => ({
			eventType: types[Math.floor(random() * types.length)],
			occurredAt: at(0) + Math.floor(random() * 48) * H,
		}));
		const inTimeOrder = [...events].sort((a, b) => a.occurredAt - b.occurredAt);
		const expected = replay(hub, inTimeOrder).state?.stage;
		for (let p = 0; p < 10; p++) {
			const shuffled = [...events].sort(() => random() - 0.5);
			const { state, records } = replay(hub, shuffled);
			expect(state?.stage).toBe(expected);
			expectSoundTimeline(records);
			late += records.filter((r) => r.occurredAt > r.eventOccurredAt).length;
		}
	}
	// Late arrivals really happened, or the property would hold trivially.
	expect(late).toBeGreaterThan(100);
});

test('a manual move back-dated before the current stage was entered takes effect at that entry', () => {
	const { state } = replay(hub, [opened]);
	const step = manualStep(hub, state, 'unknown', {
		reasonKind: 'manual',
		actor: 'alice',
		occurredAt: at(8),
	});
	expect(step.record).toMatchObject({
		fromStage: 'initial_contact',
		toStage: 'unknown',
		occurredAt: at(10),
		eventOccurredAt: at(8),
		fromEnteredAt: at(10),
	});
	expect(step.after?.enteredAt).toBe(at(10));
	expect(effectiveTime(null, at(8))).toBe(at(8));
});
