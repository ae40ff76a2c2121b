/**
 * A journey built in the editor's fields (Journey → Create or Update, source "Fields"): n8n's
 * fixed collections as they arrive, turned into the JSON definition parseJourney checks, so a
 * marketer never writes JSON and both sources obey the same rules and limits. A stage's key is
 * its identity: renaming it in the fields keeps its key, and with it the customers' history.
 */
type Raw = Record<string, unknown>;

const entries = (collection: unknown, name: string): Raw[] => {
	const list = (collection as Raw | undefined)?.[name];
	return Array.isArray(list) ? (list as Raw[]) : [];
};

/** Only the fields given: an empty text field is "not set", not an empty value. */
const given = (object: Raw): Raw =>
	Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== ''));

export function journeyFromFields(fields: Raw): Raw {
	const stages = entries(fields.stages, 'stage').map((stage) =>
		given({
			key: stage.key,
			name: stage.name,
			description: stage.description,
			kind: stage.kind || 'path',
			status: stage.status,
		}),
	);
	// The statuses the stages name become the journey's status list (named by their keys).
	const statuses = [...new Set(stages.map((s) => s.status).filter((s) => s !== undefined))].map(
		(key) => ({ key, name: String(key) }),
	);
	return given({
		key: fields.journeyKey,
		name: fields.journeyName,
		defaultStage: fields.defaultStage,
		allowReentry: fields.allowReentry === true,
		stages,
		statuses: statuses.length ? statuses : undefined,
		eventRules: entries(fields.eventRules, 'rule').map((rule) =>
			given({ eventType: rule.eventType, stage: rule.stage }),
		),
	});
}
