import fc from 'fast-check';
import { applyCustomerUpdate, shareOut } from '../../nodes/engine/customerEdits';
import { InputError } from '../../nodes/engine/errors';
import {
	parseCustomerQuery,
	parseCustomerUpdate,
	TAG_LIMITS,
	toOwnerList,
} from '../../nodes/engine/inputs';
import { FIELD_LABELS } from '../../nodes/engine/labels';

/**
 * Customer → Update, Get Many and Assign under hostile input: nothing but an InputError naming
 * a labelled field is ever thrown; accepted tags and owners keep to their rules; a tag update
 * never loses a stored tag it was not asked to remove.
 */
const hostile = fc.oneof(
	fc.string(),
	fc.string({ unit: 'binary' }),
	fc.integer(),
	fc.double(),
	fc.boolean(),
	fc.constant(null),
	fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 120 }),
	fc.dictionary(fc.string(), fc.string()),
	fc.constantFrom('a,b', ' li.wei , wang.fang ', 'Li Wei', 'x'.repeat(600), '\u0000', '\uD800'),
);

function expectNamedInputError(error: unknown) {
	expect(error).toBeInstanceOf(InputError);
	const field = (error as InputError).field!;
	expect(Object.keys(FIELD_LABELS)).toContain(field.replace(/[[.].*$/, ''));
}

test('Update items: accepted or an InputError naming a labelled field', () => {
	fc.assert(
		fc.property(
			fc.record(
				{
					customerId: hostile,
					owner: hostile,
					tags: hostile,
					tagMode: hostile,
					rating: hostile,
					properties: hostile,
					scope: fc.oneof(hostile, fc.record({ scope: hostile, owners: hostile })),
				},
				{ requiredKeys: [] },
			),
			(raw) => {
				try {
					const input = parseCustomerUpdate(raw);
					for (const tag of input.tags ?? []) {
						expect(tag.includes(',')).toBe(false);
						expect(tag.length).toBeLessThanOrEqual(TAG_LIMITS.length);
					}
					expect((input.tags ?? []).length).toBeLessThanOrEqual(TAG_LIMITS.perCustomer);
					if (input.owner !== undefined) expect(input.owner).toMatch(/^[^\s,]+$/u);
				} catch (error) {
					expectNamedInputError(error);
				}
			},
		),
		{ numRuns: 3000 },
	);
});

test('Get Many queries: accepted or an InputError naming a labelled field', () => {
	fc.assert(
		fc.property(
			fc.record(
				{
					journey: hostile,
					stages: hostile,
					owners: hostile,
					unassigned: hostile,
					tagsAny: hostile,
					minRating: hostile,
					minDaysInStage: hostile,
					createdAfter: hostile,
					sortBy: hostile,
					limit: hostile,
				},
				{ requiredKeys: [] },
			),
			(raw) => {
				try {
					parseCustomerQuery(raw, { timeZone: 'UTC' });
				} catch (error) {
					expectNamedInputError(error);
				}
			},
		),
		{ numRuns: 3000 },
	);
});

test('owner lists: every accepted owner has no space or comma; errors name the list field', () => {
	fc.assert(
		fc.property(hostile, (value) => {
			try {
				for (const owner of toOwnerList(value, 'employees') ?? [])
					expect(owner).toMatch(/^[^\s,]+$/u);
			} catch (error) {
				expect(error).toBeInstanceOf(InputError);
				expect((error as InputError).field).toBe('employees');
			}
		}),
	);
});

test('adding tags keeps every stored tag; removing keeps every tag not named', () => {
	const tag = fc.stringMatching(/^[a-z]{1,4}$/);
	fc.assert(
		fc.property(
			fc.uniqueArray(tag, { maxLength: 30 }),
			fc.array(tag, { maxLength: 30 }),
			(stored, given) => {
				const before = {
					name: null,
					email: null,
					phone: null,
					owner: null,
					department: null,
					rating: null,
					tags: stored,
					properties: {},
				};
				const base = {
					customerId: 'c',
					scope: { kind: 'all' as const },
					propertiesMode: 'merge' as const,
				};
				const added = applyCustomerUpdate(before, { ...base, tags: given, tagMode: 'add' }).after
					.tags;
				expect(added).toEqual([...new Set([...stored, ...given])]);
				const removed = applyCustomerUpdate(before, { ...base, tags: given, tagMode: 'remove' })
					.after.tags;
				expect(removed).toEqual(stored.filter((t) => !given.includes(t)));
			},
		),
	);
});

test('least loaded evens out the loads; round robin deals in list order', () => {
	fc.assert(
		fc.property(
			fc.integer({ min: 0, max: 200 }),
			fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 6 }),
			(count, startLoads) => {
				const employees = startLoads.map((_, i) => `e${i}`);
				const loads = new Map(employees.map((e, i) => [e, startLoads[i]]));
				const owners = shareOut(count, employees, 'leastLoaded', loads);
				const after = employees.map((e, i) => startLoads[i] + owners.filter((o) => o === e).length);
				// Anyone who was given a customer ends at most one above the least loaded.
				const least = Math.min(...after);
				employees.forEach((e, i) => {
					if (owners.includes(e)) expect(after[i]).toBeLessThanOrEqual(least + 1);
				});
				const dealt = shareOut(count, employees, 'roundRobin', loads);
				expect(dealt).toEqual(
					Array.from({ length: count }, (_, i) => employees[i % employees.length]),
				);
			},
		),
	);
});
