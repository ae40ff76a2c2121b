import { InputError } from './errors';
import { parseJourney, type JourneyDefinition, type JourneyInput } from './journey';

/**
 * Ready-made journeys from the systems our users come from. Names and rules are editable after
 * creation (save the journey again as JSON). Event types follow `channel.action` throughout.
 */
export type PresetKey =
	| 'marketingHub'
	| 'lifecycleCrm'
	| 'b2bTrade'
	| 'revopsLifecycle'
	| 'wecomJourneys';

export interface Preset {
	key: PresetKey;
	name: string;
	description: string;
	journeys: JourneyInput[];
}

/** Event rules from a map of stage → event types. */
function rules(map: Record<string, string[]>): JourneyInput['eventRules'] {
	return Object.entries(map).flatMap(([stage, types]) =>
		types.map((eventType) => ({ eventType, stage })),
	);
}

/** "More than N purchases" style rule (automation.ts), counted over a lifetime or a window. */
function purchaseCountRule(
	id: string,
	stage: string,
	operator: 'gt' | 'gte',
	value: number,
	windowDays?: number,
) {
	return {
		id,
		stage,
		conditions: [
			{ kind: 'eventCount' as const, eventType: 'purchase.completed', operator, value, windowDays },
		],
	};
}

const marketingHub: Preset = {
	key: 'marketingHub',
	name: 'Marketing Hub Default',
	description:
		'Six stages from an unknown contact to a closed customer, driven by WeChat, app, e-mail and SMS events',
	journeys: [
		{
			key: 'marketing_hub',
			name: 'Marketing Hub Default',
			description:
				'Moves contacts forward as they interact on WeChat, apps, e-mail and SMS, and when they buy',
			defaultStage: 'unknown',
			stages: [
				{
					key: 'unknown',
					name: 'Unknown',
					description: 'Known to the system, but no interaction yet',
				},
				{
					key: 'initial_contact',
					name: 'Initial Contact',
					description: 'First interaction with the company',
				},
				{
					key: 'primary_leads',
					name: 'Primary Leads',
					description: 'Started engaging: messages, clicks, shares',
				},
				{
					key: 'intentional_leads',
					name: 'Intentional Leads',
					description: 'Filled in a form or took a coupon',
				},
				{
					key: 'confirmed_leads',
					name: 'Confirmed Leads',
					description: 'Purchase intent confirmed in conversation',
				},
				{
					key: 'closed_customers',
					name: 'Closed Customers',
					description: 'Bought a product or service',
				},
			],
			eventRules: rules({
				initial_contact: [
					'wechat.follow',
					'wechat.qr_scanned',
					'app.opened',
					'app.event_tracked',
					'wechat.page_visited',
					'wechat.page_link_clicked',
					'email.received',
					'email.opened',
				],
				primary_leads: [
					'wechat.message_sent',
					'wechat.menu_clicked',
					'wechat.shared_to_moments',
					'wechat.shared_to_friend',
					'email.link_clicked',
					'sms.link_clicked',
				],
				intentional_leads: ['coupon.received', 'coupon.used', 'form.submitted'],
				closed_customers: ['purchase.completed'],
			}),
			// No event means "confirmed"; a busy last 30 days is the supplementary basis for it.
			automationRules: [
				{
					id: 'high_activity',
					stage: 'confirmed_leads',
					conditions: [{ kind: 'activityLevel', operator: 'equals', value: 'high' }],
				},
			],
			// Engagement counts more than a glance; other events score 1.
			activity: {
				windowDays: 30,
				weights: {
					'wechat.message_sent': 2,
					'wechat.shared_to_moments': 2,
					'wechat.shared_to_friend': 2,
					'form.submitted': 3,
					'coupon.used': 3,
				},
			},
		},
	],
};

const lifecycleCrm: Preset = {
	key: 'lifecycleCrm',
	name: 'Lifecycle with CRM Sync',
	description:
		'Lead → MQL → SQL → Customer → Loyal Customer, moved by marketing events and CRM hand-offs',
	journeys: [
		{
			key: 'lifecycle_crm',
			name: 'Lifecycle with CRM Sync',
			description:
				'Marketing lifecycle kept in step with the CRM: qualification, opportunities, booked sales',
			defaultStage: 'lead',
			stages: [
				{
					key: 'lead',
					name: 'Lead',
					description: 'Interacted with a form, landing page, CTA or e-mail',
				},
				{
					key: 'mql',
					name: 'MQL',
					description: 'Qualified by marketing; handed to the CRM opportunity pool',
				},
				{ key: 'sql', name: 'SQL', description: 'Sales opened an opportunity' },
				{ key: 'customer', name: 'Customer', description: 'A sale was booked' },
				{ key: 'loyal_customer', name: 'Loyal Customer', description: 'More than one booked sale' },
				{
					key: 'unsubscribed',
					name: 'Unsubscribed',
					kind: 'exit',
					description: 'Opted out or reported spam',
				},
				{
					key: 'disqualified',
					name: 'Disqualified',
					kind: 'exit',
					description: 'Invalid address, test account, …',
				},
			],
			eventRules: rules({
				lead: [
					'form.submitted',
					'page.visited',
					'cta.clicked',
					'email.opened',
					'email.link_clicked',
				],
				mql: ['crm.lead_qualified'],
				sql: ['crm.opportunity_created'],
				customer: ['purchase.completed'],
				unsubscribed: ['email.unsubscribed', 'email.spam_reported'],
			}),
			automationRules: [purchaseCountRule('repeat_purchase', 'loyal_customer', 'gt', 1)],
		},
	],
};

const b2bTrade: Preset = {
	key: 'b2bTrade',
	name: 'B2B Trade',
	description:
		'Foreign-trade deal stages from an unmarked contact to a repeat buyer; rate intent with 1–3 stars',
	journeys: [
		{
			key: 'b2b_trade',
			name: 'B2B Trade',
			description:
				'Inquiry to repeat order; use the customer rating (1–3 stars) for purchase intent',
			defaultStage: 'unmarked',
			stages: [
				{ key: 'unmarked', name: 'Unmarked', description: 'Not yet classified' },
				{ key: 'inquiry', name: 'Inquiry', description: 'Sent an inquiry' },
				{ key: 'sample_order', name: 'Sample Order', description: 'Ordered samples' },
				{ key: 'not_closed', name: 'Not Closed', description: 'Quoted, no deal yet' },
				{ key: 'transaction', name: 'Transaction', description: 'Placed an order' },
				{ key: 'repeat', name: 'Repeat', description: 'Ordered again' },
			],
			eventRules: rules({
				inquiry: ['inquiry.received'],
				sample_order: ['sample.ordered'],
				not_closed: ['quote.sent'],
				transaction: ['purchase.completed'],
			}),
			automationRules: [purchaseCountRule('repeat_order', 'repeat', 'gt', 1)],
			contactEventTypes: ['email.sent', 'call.completed', 'quote.sent'],
			reminderRules: [
				{
					id: 'inquiry_follow_up',
					stage: 'inquiry',
					kind: 'daysWithoutContact',
					days: 3,
					recipient: 'owner',
				},
				{
					id: 'sample_follow_up',
					stage: 'sample_order',
					kind: 'daysWithoutContact',
					days: 7,
					recipient: 'owner',
					repeatEveryDays: 7,
				},
				{
					id: 'quote_stalled',
					stage: 'not_closed',
					kind: 'daysInStage',
					days: 14,
					recipient: 'ownerAndAdmin',
				},
				{
					id: 'reorder_follow_up',
					stage: 'transaction',
					kind: 'daysWithoutContact',
					days: 30,
					recipient: 'owner',
					repeatEveryDays: 30,
				},
			],
		},
	],
};

const revopsLifecycle: Preset = {
	key: 'revopsLifecycle',
	name: 'RevOps Lifecycle + Lead Status',
	description:
		'Subscriber → … → Customer with churn and disqualification, and the sales lead status kept in sync',
	journeys: [
		{
			key: 'revops_lifecycle',
			name: 'RevOps Lifecycle',
			description:
				'Lifecycle stage for reporting, lead status for the sales team; churned customers may come back',
			defaultStage: 'subscriber',
			allowReentry: true,
			statuses: [
				{ key: 'open', name: 'Open' },
				{ key: 'contacted', name: 'Contacted' },
				{ key: 'meeting_set', name: 'Meeting Set' },
				{ key: 'qualified', name: 'Qualified' },
				{ key: 'customer', name: 'Customer' },
				{ key: 'opportunity_lost', name: 'Opportunity Lost' },
				{ key: 'unqualified', name: 'Unqualified' },
				{ key: 'inactive_customer', name: 'Inactive Customer' },
			],
			stages: [
				{
					key: 'subscriber',
					name: 'Subscriber',
					status: 'open',
					description: 'Wants to hear from us',
				},
				{
					key: 'prospect',
					name: 'Prospect',
					status: 'open',
					description: 'Converted beyond subscribing',
				},
				{ key: 'mql', name: 'MQL', status: 'contacted', description: 'Marketing-qualified' },
				{ key: 'sql', name: 'SQL', status: 'meeting_set', description: 'Accepted by sales' },
				{
					key: 'opportunity',
					name: 'Opportunity',
					status: 'qualified',
					description: 'In an active deal',
				},
				{ key: 'customer', name: 'Customer', status: 'customer', description: 'Deal won' },
				{
					key: 'churned',
					name: 'Churned',
					kind: 'exit',
					status: 'inactive_customer',
					description: 'Cancelled or inactive',
				},
				{
					key: 'disqualified',
					name: 'Disqualified',
					kind: 'exit',
					status: 'unqualified',
					description: 'Not a fit',
				},
			],
			eventRules: rules({
				subscriber: ['email.subscribed'],
				prospect: ['form.submitted', 'content.downloaded'],
				mql: ['demo.requested'],
				sql: ['sales.accepted'],
				opportunity: ['deal.created'],
				customer: ['deal.won', 'purchase.completed'],
				churned: ['subscription.cancelled'],
				disqualified: ['lead.disqualified'],
			}),
			// Churned means an inactive customer: prospects who go quiet are not churn.
			automationRules: [
				{
					id: 'inactive_90_days',
					stage: 'churned',
					fromStages: ['customer'],
					conditions: [{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 }],
				},
			],
		},
	],
};

const wecomJourneys: Preset = {
	key: 'wecomJourneys',
	name: 'WeCom Journeys',
	description:
		'Two journeys side by side — retail repeat purchase and a consultative high-value sale — with reminders',
	journeys: [
		{
			key: 'wecom_retail',
			name: 'Retail Repeat Purchase',
			description: 'High-frequency, low-price: grow first buyers into loyal fans',
			displayOrder: 1,
			defaultStage: 'new_friend',
			stages: [
				{ key: 'new_friend', name: 'New Friend', description: 'Added us on WeCom' },
				{ key: 'engaged', name: 'Engaged', description: 'Chatting or using coupons' },
				{ key: 'first_purchase', name: 'First Purchase', description: 'Bought once' },
				{ key: 'repeat_buyer', name: 'Repeat Buyer', description: 'Bought more than once' },
				{ key: 'loyal_fan', name: 'Loyal Fan', description: 'Five or more purchases in a year' },
				{ key: 'lost', name: 'Lost', kind: 'exit', description: 'Deleted us' },
			],
			eventRules: rules({
				new_friend: ['wecom.friend_added'],
				engaged: ['wecom.message_received', 'coupon.used'],
				first_purchase: ['purchase.completed'],
				lost: ['wecom.friend_deleted'],
			}),
			automationRules: [
				purchaseCountRule('second_purchase', 'repeat_buyer', 'gt', 1),
				purchaseCountRule('five_a_year', 'loyal_fan', 'gte', 5, 365),
			],
			contactEventTypes: ['wecom.message_sent', 'call.completed'],
			reminderRules: [
				{
					id: 'greet_new_friend',
					stage: 'new_friend',
					kind: 'daysInStage',
					days: 2,
					recipient: 'owner',
				},
				{
					id: 'nudge_engaged',
					stage: 'engaged',
					kind: 'daysWithoutContact',
					days: 7,
					recipient: 'owner',
				},
				{
					id: 'second_order',
					stage: 'first_purchase',
					kind: 'daysInStage',
					days: 30,
					recipient: 'owner',
					repeatEveryDays: 30,
				},
			],
		},
		{
			key: 'wecom_consultative',
			name: 'Consultative Sale',
			description: 'Low-frequency, high-price (cars, property, travel): from lead to referral',
			displayOrder: 2,
			defaultStage: 'new_lead',
			stages: [
				{ key: 'new_lead', name: 'New Lead', description: 'Just came in' },
				{
					key: 'needs_confirmed',
					name: 'Needs Confirmed',
					description: 'We understand what they want',
				},
				{
					key: 'visit_booked',
					name: 'Visit Booked',
					description: 'Showroom visit or test drive booked',
				},
				{ key: 'visited', name: 'Visited', description: 'Came to the visit' },
				{ key: 'quoted', name: 'Quoted', description: 'Received a price' },
				{ key: 'deal_closed', name: 'Deal Closed', description: 'Signed' },
				{ key: 'referral', name: 'Referral', description: 'Referred someone' },
				{ key: 'lost', name: 'Lost', kind: 'exit', description: 'Deleted us or went elsewhere' },
			],
			eventRules: rules({
				new_lead: ['form.submitted'],
				needs_confirmed: ['wecom.message_received'],
				visit_booked: ['visit.booked'],
				visited: ['visit.completed'],
				quoted: ['quote.sent'],
				deal_closed: ['purchase.completed'],
				referral: ['referral.made'],
				lost: ['wecom.friend_deleted'],
			}),
			contactEventTypes: ['wecom.message_sent', 'call.completed'],
			reminderRules: [
				{
					id: 'first_call',
					stage: 'new_lead',
					kind: 'daysWithoutContact',
					days: 1,
					businessDays: true,
					recipient: 'owner',
				},
				{
					id: 'book_visit',
					stage: 'needs_confirmed',
					kind: 'daysInStage',
					days: 5,
					recipient: 'owner',
				},
				{
					id: 'quote_follow_up',
					stage: 'quoted',
					kind: 'daysWithoutContact',
					days: 3,
					recipient: 'owner',
					repeatEveryDays: 3,
					escalateAfter: 2,
				},
				{
					id: 'quote_stalled',
					stage: 'quoted',
					kind: 'daysInStage',
					days: 14,
					recipient: 'ownerAndAdmin',
				},
			],
		},
	],
};

export const PRESETS: Record<PresetKey, Preset> = {
	marketingHub,
	lifecycleCrm,
	b2bTrade,
	revopsLifecycle,
	wecomJourneys,
};

/** For the node's Preset dropdown. */
export const PRESET_OPTIONS = Object.values(PRESETS).map((p) => ({
	name: p.name,
	value: p.key,
	description: p.description,
}));

/** A preset's journeys, validated like any user definition. */
export function presetJourneys(key: string): JourneyDefinition[] {
	const preset = PRESETS[key as PresetKey];
	if (!preset) {
		throw new InputError(
			`Unknown preset '${key}'; choose one of: ${Object.keys(PRESETS).join(', ')}`,
			'preset',
		);
	}
	return preset.journeys.map(parseJourney);
}
