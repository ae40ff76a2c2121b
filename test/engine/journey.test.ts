import { parseJourney } from '../../nodes/engine/journey';

const stages = (n: number) =>
	Array.from({ length: n }, (_, i) => ({ key: `s${i}`, name: `Stage ${i}` }));
const base = { key: 'j', name: 'J', stages: stages(3) };
/** A journey with one reminder rule, valid but for the fields a case sets. */
const withReminder = (fields: object) => ({
	...base,
	reminderRules: [{ id: 'm', stage: 's0', kind: 'daysInStage', days: 3, ...fields }],
});

describe('parseJourney', () => {
	test('a minimal journey gets sensible defaults', () => {
		const journey = parseJourney(base);
		expect(journey).toMatchObject({
			defaultStage: 's0',
			allowReentry: false,
			remindersEnabled: true,
			contactEventTypes: [],
			eventRules: [],
			activity: { windowDays: 30, defaultWeight: 1 },
		});
		expect(journey.stages.every((s) => s.kind === 'path')).toBe(true);
	});

	test.each([
		['13 stages', { ...base, stages: stages(13) }, "Journey 'j' has 13 stages; the limit is 12"],
		[
			'7 automation rules for one stage',
			{
				...base,
				automationRules: Array.from({ length: 7 }, (_, i) => ({
					id: `r${i}`,
					stage: 's1',
					conditions: [{ kind: 'activityScore', operator: 'gt', value: i }],
				})),
			},
			"Stage 's1' has more than 6 automation rules (rule 'r6' is number 7)",
		],
		[
			'4 conditions in a rule',
			{
				...base,
				automationRules: [
					{
						id: 'busy',
						stage: 's2',
						conditions: Array.from({ length: 4 }, () => ({
							kind: 'daysInStage',
							operator: 'gt',
							value: 3,
						})),
					},
				],
			},
			"Automation rule 'busy' for stage 's2' has 4 conditions; the limit is 3",
		],
		[
			'7 reminder rules for one stage',
			{
				...base,
				reminderRules: Array.from({ length: 7 }, (_, i) => ({
					id: `m${i}`,
					stage: 's0',
					kind: 'daysInStage',
					days: i + 1,
				})),
			},
			"Stage 's0' has more than 6 reminder rules (rule 'm6' is number 7)",
		],
		[
			'duplicate stage keys',
			{ ...base, stages: [...stages(2), { key: 's1', name: 'Again' }] },
			"Stage key 's1' is used twice (stages[2])",
		],
		[
			'an event rule to an unknown stage',
			{ ...base, eventRules: [{ eventType: 'x.y', stage: 'vip' }] },
			"Event rule 1 (x.y) names stage 'vip', which this journey does not have",
		],
		[
			'an unknown default stage',
			{ ...base, defaultStage: 'nope' },
			"The default stage names stage 'nope', which this journey does not have",
		],
		[
			'an exit as default stage',
			{
				...base,
				stages: [...stages(1), { key: 'gone', name: 'Gone', kind: 'exit' }],
				defaultStage: 'gone',
			},
			"The default stage 'gone' must be a path stage, not an exit",
		],
		[
			'no path stage',
			{ ...base, stages: [{ key: 'gone', name: 'Gone', kind: 'exit' }] },
			"Journey 'j' needs at least one path stage",
		],
		[
			'a status not in the status list',
			{
				...base,
				statuses: [{ key: 'open', name: 'Open' }],
				stages: [{ key: 's0', name: 'S', status: 'won' }],
			},
			"Stage 's0' maps to status 'won', which is not in the status list",
		],
		[
			'SQL as a stage key',
			{ ...base, stages: [{ key: "x'; DROP TABLE journeys; --", name: 'Evil' }] },
			'Invalid journey: stages[0].key: may contain only letters, digits, "_", "." and "-"',
		],
		['a missing name', { key: 'j', stages: stages(1) }, 'Invalid journey: name: Required'],
		[
			'stages not a list',
			{ ...base, stages: 'a,b,c' },
			'Invalid journey: stages: Expected array, received string',
		],
		[
			'an automation rule to an unknown stage',
			{
				...base,
				automationRules: [
					{
						id: 'r',
						stage: 'zz',
						conditions: [{ kind: 'activityScore', operator: 'gt', value: 1 }],
					},
				],
			},
			"Automation rule 'r' names stage 'zz', which this journey does not have",
		],
		[
			'a reminder rule with an unknown kind',
			withReminder({ kind: 'weekly', days: 1 }),
			"Invalid journey: reminderRules[0].kind: Invalid enum value. Expected 'daysInStage' | 'daysWithoutContact', received 'weekly'",
		],
		[
			'a reminder that escalates but never repeats',
			{
				...base,
				reminderRules: [
					{ id: 'ok', stage: 's0', kind: 'daysInStage', days: 3 },
					{ id: 'loud', stage: 's1', kind: 'daysInStage', days: 3, escalateAfter: 2 },
				],
			},
			"Reminder rule 'loud' (reminderRules[1]) escalates after 2 reminders but fires only once: set repeatEveryDays, or remove escalateAfter",
		],
		[
			'a reminder escalating after 0 reminders',
			withReminder({ repeatEveryDays: 1, escalateAfter: 0 }),
			'Invalid journey: reminderRules[0].escalateAfter: Number must be greater than 0',
		],
		[
			'a reminder escalating after 1.5 reminders',
			withReminder({ repeatEveryDays: 1, escalateAfter: 1.5 }),
			'Invalid journey: reminderRules[0].escalateAfter: Expected integer, received float',
		],
		[
			'a reminder repeating every 0 days',
			withReminder({ repeatEveryDays: 0 }),
			'Invalid journey: reminderRules[0].repeatEveryDays: Number must be greater than 0',
		],
		[
			'business days that are not true or false',
			withReminder({ businessDays: 'yes' }),
			'Invalid journey: reminderRules[0].businessDays: Expected boolean, received string',
		],
		[
			'an empty contact event type',
			{ ...base, contactEventTypes: ['call.completed', ' '] },
			'Invalid journey: contactEventTypes[1]: must not be empty',
		],
	])('%s is refused with a message naming it', (_label, input, message) => {
		expect(() => parseJourney(input)).toThrow(message);
	});

	test('the error carries the offending field for the node to show', () => {
		try {
			parseJourney({
				...base,
				eventRules: [
					{ eventType: 'a', stage: 's1' },
					{ eventType: 'b', stage: 'zz' },
				],
			});
			throw new Error('expected a failure');
		} catch (error) {
			expect((error as { field?: string }).field).toBe('eventRules[1].stage');
		}
	});

	test('12 stages, 6 rules per stage and 3 conditions per rule are fine', () => {
		const automationRules = Array.from({ length: 6 }, (_, i) => ({
			id: `r${i}`,
			stage: 's11',
			conditions: [
				{ kind: 'activityScore', operator: 'gt', value: i },
				{ kind: 'eventCount', eventType: 'purchase.completed', operator: 'gt', value: 1 },
				{ kind: 'attribute', attribute: 'rating', operator: 'gte', value: 2 },
			],
		}));
		expect(
			parseJourney({ ...base, stages: stages(12), automationRules }).automationRules,
		).toHaveLength(6);
	});

	test('reminder rules: business days off by default; repeats, escalation and contact types kept', () => {
		const journey = parseJourney({
			...base,
			contactEventTypes: [' wecom.message_sent ', 'call.completed'],
			reminderRules: [
				{ id: 'stay', stage: 's1', kind: 'daysInStage', days: 7 },
				{
					id: 'call',
					stage: 's1',
					kind: 'daysWithoutContact',
					days: 2,
					businessDays: true,
					recipient: 'owner',
					repeatEveryDays: 2,
					escalateAfter: 3,
				},
			],
		});
		expect(journey.contactEventTypes).toEqual(['wecom.message_sent', 'call.completed']);
		expect(journey.reminderRules).toEqual([
			{
				id: 'stay',
				stage: 's1',
				kind: 'daysInStage',
				days: 7,
				businessDays: false,
				recipient: 'owner',
			},
			{
				id: 'call',
				stage: 's1',
				kind: 'daysWithoutContact',
				days: 2,
				businessDays: true,
				recipient: 'owner',
				repeatEveryDays: 2,
				escalateAfter: 3,
			},
		]);
	});

	test("an escalation error points at the rule's escalateAfter field", () => {
		expect(() => parseJourney(withReminder({ days: 1, escalateAfter: 1 }))).toThrow(
			expect.objectContaining({ field: 'reminderRules[0].escalateAfter' }),
		);
	});
});
