import fc from 'fast-check';
import { groupByCustomer } from '../../nodes/store/reports';

/**
 * A report reads the period's moves in the time index's order and groups them itself: whatever
 * order they come in, the result is by customer, then by history id — the order the engine
 * counts a timeline in — with no row lost or repeated. Large customer ids take the comparator
 * path (the numeric key would pass 2^53).
 */
const byCustomerThenId = (a: unknown[], b: unknown[]) =>
	Number(a[0]) - Number(b[0]) || Number(a[a.length - 1]) - Number(b[b.length - 1]);

function rowsOf(customerIds: fc.Arbitrary<number>) {
	return fc
		.array(fc.tuple(customerIds, fc.string({ maxLength: 3 })), { maxLength: 200 })
		.chain((cells) =>
			// Distinct history ids, in a random order: the time index sorts by time, not id.
			fc
				.shuffledSubarray(
					cells.map((_, i) => i + 1),
					{ minLength: cells.length, maxLength: cells.length },
				)
				.map((ids) => cells.map(([customer, stage], i) => [customer, stage, ids[i]])),
		);
}

describe('groupByCustomer', () => {
	for (const [name, customerIds] of [
		['small customer ids', fc.integer({ min: 1, max: 30 })],
		[
			'customer ids near 2^53',
			fc.integer({ min: 0, max: 30 }).map((n) => Number.MAX_SAFE_INTEGER - n),
		],
	] as const) {
		it(`orders any rows by customer, then id (${name})`, () => {
			fc.assert(
				fc.property(rowsOf(customerIds), (rows) => {
					const grouped = groupByCustomer(rows);
					expect(grouped).toEqual([...rows].sort(byCustomerThenId));
				}),
				{ numRuns: 500 },
			);
		});
	}
});
