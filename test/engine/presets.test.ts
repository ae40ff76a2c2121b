import { decideEvent } from '../../nodes/engine/eventRules';
import { PRESET_OPTIONS, PRESETS, presetJourneys } from '../../nodes/engine/presets';
import { decideReminder } from '../../nodes/engine/reminders';

describe('presets', () => {
	const all = Object.keys(PRESETS).flatMap((key) =>
		presetJourneys(key).map((journey) => [key, journey] as const),
	);

	test('every preset parses, and the dropdown lists each once', () => {
		expect(all.length).toBe(6);
		expect(PRESET_OPTIONS.map((o) => o.value)).toEqual([
			'marketingHub',
			'lifecycleCrm',
			'b2bTrade',
			'revopsLifecycle',
			'wecomJourneys',
		]);
		expect(new Set(all.map(([, j]) => j.key)).size).toBe(all.length);
	});

	test.each(
		all.flatMap(([preset, journey]) =>
			journey.eventRules.map(
				(rule) => [preset, journey.key, rule.eventType, rule.stage, journey] as const,
			),
		),
	)(
		'%s / %s: %s moves a new customer to %s, and one at the default stage too',
		(_preset, _key, eventType, stage, journey) => {
			expect(decideEvent(journey, null, eventType, {}).decision).toMatchObject({
				moved: true,
				to: stage,
				direction: 'initial',
			});
			const fromDefault = decideEvent(journey, journey.defaultStage, eventType, {}).decision;
			expect(fromDefault.to).toBe(stage === journey.defaultStage ? journey.defaultStage : stage);
			expect(fromDefault.moved).toBe(stage !== journey.defaultStage);
		},
	);

	test('the marketing hub map, by hand', () => {
		const [hub] = presetJourneys('marketingHub');
		const stageOf = (eventType: string) => decideEvent(hub, 'unknown', eventType, {}).decision.to;
		expect(hub.stages.map((s) => s.name)).toEqual([
			'Unknown',
			'Initial Contact',
			'Primary Leads',
			'Intentional Leads',
			'Confirmed Leads',
			'Closed Customers',
		]);
		expect(hub.defaultStage).toBe('unknown');
		for (const type of [
			'wechat.follow',
			'wechat.qr_scanned',
			'app.opened',
			'wechat.page_visited',
			'email.received',
			'email.opened',
		]) {
			expect(stageOf(type)).toBe('initial_contact');
		}
		for (const type of [
			'wechat.message_sent',
			'wechat.menu_clicked',
			'wechat.shared_to_moments',
			'email.link_clicked',
			'sms.link_clicked',
		]) {
			expect(stageOf(type)).toBe('primary_leads');
		}
		for (const type of ['coupon.received', 'coupon.used', 'form.submitted'])
			expect(stageOf(type)).toBe('intentional_leads');
		expect(stageOf('purchase.completed')).toBe('closed_customers');
		expect(hub.eventRules.some((r) => r.stage === 'confirmed_leads')).toBe(false);
	});

	test('lifecycle: exits, the loyal-customer rule, manual-only disqualification', () => {
		const [lifecycle] = presetJourneys('lifecycleCrm');
		expect(lifecycle.stages.filter((s) => s.kind === 'exit').map((s) => s.key)).toEqual([
			'unsubscribed',
			'disqualified',
		]);
		expect(lifecycle.automationRules).toEqual([
			expect.objectContaining({
				stage: 'loyal_customer',
				conditions: [
					expect.objectContaining({
						kind: 'eventCount',
						eventType: 'purchase.completed',
						operator: 'gt',
						value: 1,
					}),
				],
			}),
		]);
		expect(lifecycle.eventRules.some((r) => r.stage === 'disqualified')).toBe(false);
		expect(decideEvent(lifecycle, 'customer', 'email.unsubscribed', {}).decision).toMatchObject({
			moved: true,
			direction: 'exit',
		});
	});

	test('RevOps: statuses follow stages, churned customers may re-enter', () => {
		const [revops] = presetJourneys('revopsLifecycle');
		expect(Object.fromEntries(revops.stages.map((s) => [s.key, s.status]))).toEqual({
			subscriber: 'open',
			prospect: 'open',
			mql: 'contacted',
			sql: 'meeting_set',
			opportunity: 'qualified',
			customer: 'customer',
			churned: 'inactive_customer',
			disqualified: 'unqualified',
		});
		expect(decideEvent(revops, 'churned', 'purchase.completed', {}).decision).toMatchObject({
			moved: true,
			direction: 're-entry',
			to: 'customer',
		});
	});

	test('WeCom: two journeys side by side, each within 12 stages, with reminders', () => {
		const journeys = presetJourneys('wecomJourneys');
		expect(journeys.length).toBeGreaterThanOrEqual(2);
		for (const journey of journeys) {
			expect(journey.stages.length).toBeLessThanOrEqual(12);
			expect(journey.reminderRules.length).toBeGreaterThan(0);
			expect(journey.remindersEnabled).toBe(true);
		}
		expect(journeys.map((j) => j.displayOrder)).toEqual([1, 2]);
	});

	test('WeCom: too long in a stage and no contact, with messages and calls counting as contact', () => {
		for (const journey of presetJourneys('wecomJourneys')) {
			expect(journey.contactEventTypes).toEqual(['wecom.message_sent', 'call.completed']);
			const kinds = new Set(journey.reminderRules.map((r) => r.kind));
			expect(kinds).toEqual(new Set(['daysInStage', 'daysWithoutContact']));
		}
	});

	test('WeCom consultative: an unanswered quote follow-up reaches the admins on the third try', () => {
		const consultative = presetJourneys('wecomJourneys').find(
			(j) => j.key === 'wecom_consultative',
		)!;
		const followUp = consultative.reminderRules.find((r) => r.id === 'quote_follow_up')!;
		const quotedAt = Date.UTC(2024, 2, 4, 9);
		const customer = {
			customerId: 'c-1',
			customerName: 'Wang Fang',
			owner: 'li.wei',
			stage: 'quoted',
			stageEnteredAt: quotedAt,
			lastContactAt: null,
		};
		const options = { timeZone: 'Asia/Shanghai', admins: ['manager'] };
		const day = 24 * 60 * 60 * 1000;
		const third = decideReminder(
			consultative,
			followUp,
			customer,
			null,
			quotedAt + 9 * day,
			options,
		);
		expect(third).toMatchObject({
			occurrence: 3,
			escalated: true,
			recipients: [
				{ role: 'owner', id: 'li.wei' },
				{ role: 'admin', id: 'manager' },
			],
			message:
				'Wang Fang has not been contacted for 9 days in Quoted (limit 3). Reminder 3, escalated to the admins. Owner: li.wei',
		});
	});

	test('B2B trade: follow-ups while samples and orders are open, repeating until contact', () => {
		const [trade] = presetJourneys('b2bTrade');
		expect(trade.contactEventTypes).toEqual(['email.sent', 'call.completed', 'quote.sent']);
		const repeating = trade.reminderRules.filter(
			(r) => r.kind === 'daysWithoutContact' && r.repeatEveryDays !== undefined,
		);
		expect(repeating.map((r) => [r.stage, r.days, r.repeatEveryDays])).toEqual([
			['sample_order', 7, 7],
			['transaction', 30, 30],
		]);
		expect(trade.reminderRules.find((r) => r.id === 'inquiry_follow_up')).toMatchObject({
			stage: 'inquiry',
			kind: 'daysWithoutContact',
			days: 3,
		});
	});

	test('an unknown preset names the valid ones', () => {
		expect(() => presetJourneys('hubspot')).toThrow(
			"Unknown preset 'hubspot'; choose one of: marketingHub, lifecycleCrm, b2bTrade, revopsLifecycle, wecomJourneys",
		);
	});
});
