import type { Store } from '../../nodes/store/Store';

/**
 * The hand-counted Funnel Report fixture: 12 customers, owners ann and bob (department east),
 * cai (west) and the unassigned pool, over February–April 2026 (UTC, every move at 10:00).
 * Regressions (c02), an exit and a re-entry (c03), an exit (c06), an owner change between moves
 * (c10), a customer who entered before the first period (c11) and a late event (c12: the demo
 * happened on 30 March, before the customer entered Lead on 2 April; it counts at 2 April).
 */
export const REPORT_JOURNEY = {
	key: 'sales',
	name: 'Sales',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'mql', name: 'MQL' },
		{ key: 'sql', name: 'SQL' },
		{ key: 'won', name: 'Won' },
		{ key: 'lost', name: 'Lost', kind: 'exit' },
	],
	eventRules: [{ eventType: 'demo', stage: 'sql' }],
	reminderRules: [
		{ id: 'mql_sla', stage: 'mql', kind: 'daysInStage', days: 17 },
		{ id: 'mql_later', stage: 'mql', kind: 'daysInStage', days: 40 },
		{ id: 'sql_sla', stage: 'sql', kind: 'daysInStage', days: 21 },
		{ id: 'sql_contact', stage: 'sql', kind: 'daysWithoutContact', days: 1 },
	],
};

const OWNERS: Record<string, { owner?: string; department?: string }> = {
	c01: { owner: 'ann', department: 'east' },
	c02: { owner: 'ann', department: 'east' },
	c03: { owner: 'ann', department: 'east' },
	c04: { owner: 'bob', department: 'east' },
	c05: { owner: 'bob', department: 'east' },
	c06: { owner: 'bob', department: 'east' },
	c07: { owner: 'cai', department: 'west' },
	c08: { owner: 'cai', department: 'west' },
	c09: {},
	c10: { owner: 'ann', department: 'east' },
	c11: { owner: 'cai', department: 'west' },
	c12: { owner: 'bob', department: 'east' },
};

/** `M05` = 5 March 2026 10:00 UTC, `A12` = 12 April, `F20` = 20 February. */
export function at(day: string): string {
	const month = { F: '02', M: '03', A: '04' }[day[0]];
	return `2026-${month}-${day.slice(1)}T10:00:00Z`;
}

/** Each customer's moves in order; `owner:` changes the customer's owner before the next move. */
const MOVES: Record<string, string[]> = {
	c01: ['lead M02', 'mql M05', 'sql M12', 'won A03'],
	c02: ['lead M03', 'mql M10', 'lead M15', 'mql A02', 'sql A10'],
	c03: ['lead M04', 'lost M20', 'lead A05', 'mql A12'],
	c04: ['mql M06', 'sql M08', 'won M25'],
	c05: ['lead M07', 'mql A04'],
	c06: ['lead A01', 'mql A06', 'sql A08', 'lost A20'],
	c07: ['lead M01', 'mql M03', 'sql M09', 'won M18'],
	c08: ['lead A03', 'mql A09'],
	c09: ['lead M11', 'mql A14'],
	c10: ['lead M08', 'owner:cai/west', 'mql M28', 'sql A07'],
	c11: ['lead F20', 'mql M02'],
	c12: ['lead A02', 'event:demo M30'],
};

export async function loadReportFixture(store: Store): Promise<void> {
	await store.saveJourney(REPORT_JOURNEY);
	await store.importCustomers(
		Object.entries(OWNERS).map(([customerId, owner]) => ({ customerId, ...owner })),
	);
	for (const [customerId, moves] of Object.entries(MOVES)) {
		for (const move of moves) {
			const [what, day] = move.split(' ');
			let outcome;
			if (what.startsWith('owner:')) {
				const [owner, department] = what.slice('owner:'.length).split('/');
				[outcome] = await store.importCustomers([{ customerId, owner, department }]);
			} else if (what.startsWith('event:')) {
				[outcome] = await store.recordEvents([
					{ journey: 'sales', customerId, eventType: what.slice(6), occurredAt: at(day) },
				]);
			} else {
				[outcome] = await store.setStages([
					{ journey: 'sales', customerId, stage: what, occurredAt: at(day) },
				]);
			}
			if (!outcome.ok) throw outcome.error;
		}
	}
}
