import { decideEvent } from '../../nodes/engine/eventRules';
import type { JourneyDefinition } from '../../nodes/engine/journey';
import { presetJourneys } from '../../nodes/engine/presets';
import { prng, shuffled } from '../helpers/random';

/**
 * Movement rule 5: automatic movement is monotone, so the final stage after a set of events does
 * not depend on their order. Property test over random event sets and random permutations.
 */
function finalStage(journey: JourneyDefinition, events: string[]): string | null {
	return events.reduce<string | null>(
		(stage, type) => decideEvent(journey, stage, type, {}).decision.to ?? stage,
		null,
	);
}

function checkOrderIndependence(journey: JourneyDefinition, types: string[], seed: number) {
	const random = prng(seed);
	let differentStages = 0;
	for (let set = 0; set < 60; set++) {
		const events = Array.from(
			{ length: 1 + Math.floor(random() * 12) },
			() => types[Math.floor(random() * types.length)],
		);
		const expected = finalStage(journey, events);
		for (let p = 0; p < 200; p++)
			expect(finalStage(journey, shuffled(events, random))).toBe(expected);
		if (expected !== journey.defaultStage) differentStages++;
	}
	// The sets must actually move customers, or the property would hold trivially.
	expect(differentStages).toBeGreaterThan(30);
}

test('marketing hub: final stage is independent of event order (incl. types with no rule)', () => {
	const [hub] = presetJourneys('marketingHub');
	checkOrderIndependence(
		hub,
		[...new Set(hub.eventRules.map((r) => r.eventType)), 'page.scrolled'],
		1,
	);
});

test('lifecycle with one exit type: the exit absorbs, and order still does not matter', () => {
	const [lifecycle] = presetJourneys('lifecycleCrm');
	const types = [...new Set(lifecycle.eventRules.map((r) => r.eventType))].filter(
		(t) => t !== 'email.spam_reported',
	);
	checkOrderIndependence(lifecycle, types, 2);
});

test('the property test can fail: with re-entry allowed, order matters', () => {
	const [revops] = presetJourneys('revopsLifecycle');
	expect(finalStage(revops, ['deal.won', 'subscription.cancelled'])).toBe('churned');
	expect(finalStage(revops, ['subscription.cancelled', 'deal.won'])).toBe('customer');
});
