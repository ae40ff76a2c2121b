import { InputError } from './errors';
import { fieldLabel } from './labels';

/**
 * Text fidelity: every string is stored exactly as given or refused naming its field. Two
 * things cannot be stored as given: a NUL character (PostgreSQL's text and jsonb refuse it) and
 * a lone UTF-16 surrogate (half of a character; it has no UTF-8 form, so a driver would replace
 * it or throw).
 */

export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Array.isArray throws for a revoked Proxy; such a value is simply "an object" here. */
function isArray(value: unknown): boolean {
	try {
		return Array.isArray(value);
	} catch {
		return false;
	}
}

type WellFormedString = string & { isWellFormed?: () => boolean };

// isWellFormed is native from Node 20 on; the regex is the fallback and finds the position.
const nativeWellFormed = typeof (String.prototype as WellFormedString).isWellFormed === 'function';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function loneSurrogateIndex(text: string): number {
	if (nativeWellFormed && (text as WellFormedString).isWellFormed!()) return -1;
	return text.search(LONE_SURROGATE);
}

/** Why `text` cannot be stored as given, or undefined if it can. */
export function unstorableReason(text: string): string | undefined {
	const nul = text.indexOf('\u0000');
	if (nul >= 0) return `a NUL character (\\u0000) at index ${nul}`;
	const lone = loneSurrogateIndex(text);
	if (lone >= 0) {
		const unit = text.charCodeAt(lone).toString(16).toUpperCase();
		return `a lone UTF-16 surrogate (\\u${unit}, half of a character such as an emoji) at index ${lone}`;
	}
	return undefined;
}

/** Returns `text` unchanged, or throws naming `field` if it cannot be stored exactly. */
export function requireStorable(text: string, field: string): string {
	const reason = unstorableReason(text);
	if (reason)
		throw new InputError(`${fieldLabel(field)} contains ${reason}, which cannot be stored`, field);
	return text;
}

// Shown escaped in messages: control characters, lone surrogates and bidirectional controls
// (an RTL override would make the rest of the message read backwards).
const UNSAFE_TO_SHOW =
	/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A user's text, quoted and safe to put in a message: at most `max` characters (never cutting
 * a character in half), with invisible or unpairable characters shown as \uXXXX.
 */
export function quoteText(text: string, max = 40): string {
	let shown = text;
	if (text.length > max) {
		let end = max;
		const last = text.charCodeAt(end - 1);
		if (last >= 0xd800 && last <= 0xdbff) end--;
		shown = text.slice(0, end);
	}
	const escaped = shown.replace(
		UNSAFE_TO_SHOW,
		(c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
	);
	return `'${escaped}'${shown.length < text.length ? `… (${text.length} characters)` : ''}`;
}

/** An error's message, whatever was thrown (a getter on the error may throw too). */
export function reasonOf(error: unknown): string {
	try {
		if (error instanceof Error) return quoteText(String(error.message), 120);
		if (typeof error === 'string') return quoteText(error, 120);
	} catch {
		// fall through
	}
	return describeType(error);
}
