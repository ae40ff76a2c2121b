/**
 * The labels the node's forms give each item field, for messages people read: an error says
 * "Customer ID is required", as the form says, while InputError.field keeps the machine key
 * (`customerId`) for code. The node tests check that each label matches its form.
 */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
	item: 'Item',
	journey: 'Journey',
	stage: 'Stage',
	customerId: 'Customer ID',
	eventType: 'Event Type',
	eventId: 'Event ID',
	channel: 'Channel',
	occurredAt: 'Occurred At',
	properties: 'Properties',
	actor: 'Actor',
	note: 'Note',
	name: 'Name',
	email: 'Email',
	phone: 'Phone',
	owner: 'Owner',
	department: 'Department',
	rating: 'Rating',
	tags: 'Tags',
	lastContactAt: 'Last Contact At',
	stageEnteredAt: 'Stage Entered At',
	employee: 'Employee',
	contactedAt: 'Contacted At',
	timeZone: 'Time Zone',
	scope: 'Scope',
	departments: 'Departments',
	owners: 'Owners',
	tagMode: 'Tag Mode',
	propertiesMode: 'Properties Mode',
	stages: 'Stages',
	unassigned: 'Unassigned Only',
	tagsAny: 'Has Any of Tags',
	tagsAll: 'Has All of Tags',
	minRating: 'Rating At Least',
	minDaysInStage: 'Days in Stage At Least',
	maxDaysInStage: 'Days in Stage At Most',
	noContactForDays: 'No Contact for Days',
	createdAfter: 'Created After',
	createdBefore: 'Created Before',
	sortBy: 'Sort By',
	sortDirection: 'Sort Direction',
	limit: 'Limit',
	employees: 'Employees',
	method: 'Method',
	status: 'Status',
	asOf: 'As Of',
	draft: 'Draft Definition',
};

/**
 * A field key or path as shown in messages: `customerId` → "Customer ID",
 * `properties.order.items[1]` → "Properties › order.items[1]", `tags[2]` → "Tags › [2]".
 * Keys without a label (a journey definition's JSON keys) are shown as they are.
 */
export function fieldLabel(field: string): string {
	const key = /^[A-Za-z_$][\w$]*/.exec(field)?.[0];
	if (key === undefined || !Object.prototype.hasOwnProperty.call(FIELD_LABELS, key)) return field;
	const rest = field.slice(key.length).replace(/^\./, '');
	return rest ? `${FIELD_LABELS[key]} › ${rest}` : FIELD_LABELS[key];
}
