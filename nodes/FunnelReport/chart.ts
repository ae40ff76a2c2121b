import { readFileSync } from 'fs';
import { dirname, join } from 'path';
import { Resvg } from '@resvg/resvg-js';

/** One stage of a journey's path, in path order. */
export interface FunnelChartStage {
	name: string;
	/** Customers who reached this stage. */
	customers: number;
	/** Share (0..1) of the previous stage's customers that reached this one; null for the first. */
	stepConversion: number | null;
}

export interface FunnelChartInput {
	title: string;
	subtitle?: string;
	stages: FunnelChartStage[];
}

export interface FunnelChartOptions {
	/** Pixels; 800 by default. */
	width?: number;
	/** Pixels; 500 by default, more when the stages need it. */
	height?: number;
}

export interface FunnelChart {
	svg: string;
	png: Buffer;
	width: number;
	height: number;
}

/** Image size in pixels: the default, and the bounds a caller's size is held to. */
const SIZE = { defaultWidth: 800, defaultHeight: 500, min: 200, max: 4000 };

/** Spacing and type sizes in pixels. Rows below minRowHeight get cramped: the height grows instead. */
const LAYOUT = {
	padding: 24,
	titleSize: 22,
	subtitleSize: 14,
	footerSize: 12,
	minRowHeight: 30,
	maxBarHeight: 56,
	percentColumnWidth: 72,
	columnGap: 16,
};

const TEXT_COLOUR = '#111827';
const MUTED_COLOUR = '#6b7280';
const BAR_TOP_COLOUR: Rgb = [37, 99, 235];
const BAR_BOTTOM_COLOUR: Rgb = [15, 118, 110];

/**
 * resvg sees only the fonts it is given (system fonts differ per host, and n8n's Docker image has
 * almost none), so the chart ships Noto Sans Hans: Latin and Simplified Chinese in one face. The
 * SVG names common CJK fonts after it so it also reads well where it is opened as SVG.
 */
const FONT_FAMILY = 'Noto Sans Hans';
const SVG_FONT_FAMILY = `'${FONT_FAMILY}', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif`;

type Rgb = [number, number, number];

interface FontFace {
	file: string;
	/** Advance width of a string, in pixels at `size`. */
	measure(text: string, size: number): number;
}

let loadedFonts: { regular: FontFace; bold: FontFace } | undefined;

function fonts(): { regular: FontFace; bold: FontFace } {
	if (!loadedFonts) {
		// The package exports only its index, so find the font files beside it. Resolving at run
		// time works from dist/ and from n8n's ~/.n8n/nodes/node_modules alike.
		const fontDir = join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts');
		loadedFonts = {
			regular: loadFontFace(join(fontDir, 'NotoSansHans-Regular.otf')),
			bold: loadFontFace(join(fontDir, 'NotoSansHans-Bold.otf')),
		};
	}
	return loadedFonts;
}

/**
 * Reads advance widths straight from the font's cmap and hmtx tables, so truncation and label
 * placement match what resvg draws (kerning aside, which only makes text narrower).
 */
function loadFontFace(file: string): FontFace {
	const data = readFileSync(file);
	const tableOffsets = new Map<string, number>();
	const tableCount = data.readUInt16BE(4);
	for (let index = 0; index < tableCount; index++) {
		const record = 12 + index * 16;
		tableOffsets.set(data.toString('latin1', record, record + 4), data.readUInt32BE(record + 8));
	}
	const table = (tag: string): number => {
		const offset = tableOffsets.get(tag);
		if (offset === undefined) throw new Error(`Font ${file} has no ${tag} table`);
		return offset;
	};
	const unitsPerEm = data.readUInt16BE(table('head') + 18);
	const horizontalMetricCount = data.readUInt16BE(table('hhea') + 34);
	const hmtx = table('hmtx');
	const glyphOf = characterToGlyphLookup(data, table('cmap'));
	const advanceCache = new Map<number, number>();
	const advanceOf = (codePoint: number): number => {
		let advance = advanceCache.get(codePoint);
		if (advance === undefined) {
			const glyph = Math.min(glyphOf(codePoint), horizontalMetricCount - 1);
			advance = data.readUInt16BE(hmtx + glyph * 4) / unitsPerEm;
			advanceCache.set(codePoint, advance);
		}
		return advance;
	};
	return {
		file,
		measure(text, size) {
			let width = 0;
			for (const character of text) width += advanceOf(character.codePointAt(0) ?? 0);
			return width * size;
		},
	};
}

/** A code point → glyph lookup from the cmap's Unicode subtable (format 12, else format 4). */
function characterToGlyphLookup(data: Buffer, cmap: number): (codePoint: number) => number {
	const subtables: Array<{ format: number; offset: number }> = [];
	const subtableCount = data.readUInt16BE(cmap + 2);
	for (let index = 0; index < subtableCount; index++) {
		const record = cmap + 4 + index * 8;
		const platform = data.readUInt16BE(record);
		const encoding = data.readUInt16BE(record + 2);
		const offset = cmap + data.readUInt32BE(record + 4);
		const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
		if (unicode) subtables.push({ format: data.readUInt16BE(offset), offset });
	}
	const full = subtables.find((subtable) => subtable.format === 12);
	if (full) {
		const groupCount = data.readUInt32BE(full.offset + 12);
		const groups = full.offset + 16;
		return (codePoint) => {
			let low = 0;
			let high = groupCount - 1;
			while (low <= high) {
				const middle = (low + high) >> 1;
				const group = groups + middle * 12;
				if (codePoint < data.readUInt32BE(group)) high = middle - 1;
				else if (codePoint > data.readUInt32BE(group + 4)) low = middle + 1;
				else return data.readUInt32BE(group + 8) + codePoint - data.readUInt32BE(group);
			}
			return 0;
		};
	}
	const basic = subtables.find((subtable) => subtable.format === 4);
	if (!basic) throw new Error('Font has no Unicode cmap subtable');
	const segmentCount = data.readUInt16BE(basic.offset + 6) / 2;
	const endCodes = basic.offset + 14;
	const startCodes = endCodes + segmentCount * 2 + 2;
	const deltas = startCodes + segmentCount * 2;
	const rangeOffsets = deltas + segmentCount * 2;
	return (codePoint) => {
		if (codePoint > 0xffff) return 0;
		for (let segment = 0; segment < segmentCount; segment++) {
			if (codePoint > data.readUInt16BE(endCodes + segment * 2)) continue;
			const start = data.readUInt16BE(startCodes + segment * 2);
			if (codePoint < start) return 0;
			const delta = data.readUInt16BE(deltas + segment * 2);
			const rangeOffsetAt = rangeOffsets + segment * 2;
			const rangeOffset = data.readUInt16BE(rangeOffsetAt);
			if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
			const glyph = data.readUInt16BE(rangeOffsetAt + rangeOffset + (codePoint - start) * 2);
			return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
		}
		return 0;
	};
}

/** Cuts text to fit `maxWidth`, ending in an ellipsis when anything was cut. */
function fitText(text: string, face: FontFace, size: number, maxWidth: number): string {
	if (face.measure(text, size) <= maxWidth) return text;
	const characters = Array.from(text);
	let kept = characters.length;
	while (kept > 0) {
		kept--;
		const candidate = characters.slice(0, kept).join('').trimEnd() + '…';
		if (face.measure(candidate, size) <= maxWidth) return candidate;
	}
	return '';
}

/** Names come from users: XML's special characters are escaped and control characters dropped. */
function escapeXml(text: string): string {
	return text
		.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
		.replace(/[\t\n\r]/g, ' ')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;');
}

function formatCount(customers: number): string {
	return String(customers).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "62%"; one decimal below 10% so small steps do not all read "0%" or "1%". */
function formatShare(share: number): string {
	const percent = share * 100;
	if (percent >= 9.95 || percent === 0) return `${Math.round(percent)}%`;
	return `${percent.toFixed(1)}%`;
}

function customerCount(value: number): number {
	return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function clampSize(value: number | undefined, fallback: number): number {
	if (value === undefined || !Number.isFinite(value)) return fallback;
	return Math.min(SIZE.max, Math.max(SIZE.min, Math.round(value)));
}

function mix(from: Rgb, to: Rgb, amount: number): string {
	const channel = (index: number) => Math.round(from[index] + (to[index] - from[index]) * amount);
	return `rgb(${channel(0)},${channel(1)},${channel(2)})`;
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}

interface TextOptions {
	x: number;
	y: number;
	size: number;
	colour: string;
	bold?: boolean;
	anchor?: 'start' | 'middle' | 'end';
}

function svgText(content: string, options: TextOptions): string {
	const weight = options.bold ? ' font-weight="700"' : '';
	const anchor =
		options.anchor && options.anchor !== 'start' ? ` text-anchor="${options.anchor}"` : '';
	return `<text x="${round(options.x)}" y="${round(options.y)}" font-size="${round(options.size)}" fill="${options.colour}"${weight}${anchor}>${escapeXml(content)}</text>`;
}

/**
 * A horizontal funnel of the path's stages: one centred bar per stage, as wide as its share of the
 * largest stage, with the stage name on the left, the customer count on the bar and the step
 * conversion ("↓ 62%") on the right. Returns the SVG and the PNG rendered from it.
 */
export function renderFunnelChart(
	input: FunnelChartInput,
	options: FunnelChartOptions = {},
): FunnelChart {
	const { regular, bold } = fonts();
	const stages = input.stages;
	const subtitle = input.subtitle?.trim() ?? '';

	const headerHeight =
		LAYOUT.padding + LAYOUT.titleSize + (subtitle ? LAYOUT.subtitleSize + 10 : 0) + 20;
	const footerHeight = LAYOUT.footerSize + 14;
	const neededHeight =
		headerHeight + Math.max(stages.length, 1) * LAYOUT.minRowHeight + footerHeight + LAYOUT.padding;
	const width = clampSize(options.width, SIZE.defaultWidth);
	const height = clampSize(
		options.height,
		Math.min(SIZE.max, Math.max(SIZE.defaultHeight, neededHeight)),
	);

	const parts: string[] = [
		`<rect width="${width}" height="${height}" fill="#ffffff"/>`,
		svgText(fitText(input.title, bold, LAYOUT.titleSize, width - 2 * LAYOUT.padding), {
			x: LAYOUT.padding,
			y: LAYOUT.padding + LAYOUT.titleSize * 0.9,
			size: LAYOUT.titleSize,
			colour: TEXT_COLOUR,
			bold: true,
		}),
	];
	if (subtitle) {
		parts.push(
			svgText(fitText(subtitle, regular, LAYOUT.subtitleSize, width - 2 * LAYOUT.padding), {
				x: LAYOUT.padding,
				y: LAYOUT.padding + LAYOUT.titleSize + 10 + LAYOUT.subtitleSize * 0.9,
				size: LAYOUT.subtitleSize,
				colour: MUTED_COLOUR,
			}),
		);
	}

	const rowsTop = headerHeight;
	const rowsBottom = height - LAYOUT.padding - footerHeight;
	const labelWidth = Math.round(width * 0.24);
	const labelRight = LAYOUT.padding + labelWidth;
	const barLeft = labelRight + LAYOUT.columnGap;
	const barRight = width - LAYOUT.padding - LAYOUT.percentColumnWidth - LAYOUT.columnGap;
	const barAreaWidth = Math.max(barRight - barLeft, 1);
	const barCentre = (barLeft + barRight) / 2;

	if (stages.length === 0) {
		parts.push(
			svgText('No stages to show', {
				x: width / 2,
				y: (rowsTop + rowsBottom) / 2,
				size: 16,
				colour: MUTED_COLOUR,
				anchor: 'middle',
			}),
		);
	}

	const counts = stages.map((stage) => customerCount(stage.customers));
	const largest = Math.max(0, ...counts);
	const rowHeight = (rowsBottom - rowsTop) / Math.max(stages.length, 1);
	const barHeight = Math.min(LAYOUT.maxBarHeight, rowHeight * 0.72);
	const labelSize = Math.max(12, Math.min(15, rowHeight * 0.45));
	const countSize = Math.max(12, Math.min(14, barHeight * 0.55));

	stages.forEach((stage, index) => {
		const rowCentre = rowsTop + rowHeight * (index + 0.5);
		const baseline = (size: number) => rowCentre + size * 0.36;
		const count = counts[index];
		// A stage anyone reached stays visible, however small beside the first.
		const barWidth = largest > 0 && count > 0 ? Math.max(3, (barAreaWidth * count) / largest) : 0;
		const colour = mix(
			BAR_TOP_COLOUR,
			BAR_BOTTOM_COLOUR,
			stages.length > 1 ? index / (stages.length - 1) : 0,
		);

		parts.push(
			svgText(fitText(stage.name, regular, labelSize, labelWidth), {
				x: labelRight,
				y: baseline(labelSize),
				size: labelSize,
				colour: TEXT_COLOUR,
				anchor: 'end',
			}),
		);
		if (barWidth > 0) {
			parts.push(
				`<rect x="${round(barCentre - barWidth / 2)}" y="${round(rowCentre - barHeight / 2)}" width="${round(barWidth)}" height="${round(barHeight)}" rx="4" fill="${colour}"/>`,
			);
		}

		// The count sits on its bar when it fits there, else just right of it; a lone 0 is centred
		// where the bar would be.
		const countText = formatCount(count);
		const fitsOnBar = bold.measure(countText, countSize) + 16 <= barWidth;
		const besideBar = !fitsOnBar && barWidth > 0;
		parts.push(
			svgText(countText, {
				x: besideBar ? barCentre + barWidth / 2 + 8 : barCentre,
				y: baseline(countSize),
				size: countSize,
				colour: fitsOnBar ? '#ffffff' : count === 0 ? MUTED_COLOUR : TEXT_COLOUR,
				bold: true,
				anchor: besideBar ? 'start' : 'middle',
			}),
		);

		if (stage.stepConversion !== null && Number.isFinite(stage.stepConversion)) {
			parts.push(
				svgText(`↓ ${formatShare(Math.max(0, stage.stepConversion))}`, {
					x: width - LAYOUT.padding,
					y: baseline(labelSize),
					size: labelSize,
					colour: TEXT_COLOUR,
					bold: true,
					anchor: 'end',
				}),
			);
		}
	});

	const legend: string[] = [];
	if (
		stages.some((stage) => stage.stepConversion !== null && Number.isFinite(stage.stepConversion))
	) {
		legend.push('↓ share of the previous stage');
	}
	if (stages.length > 1 && counts[0] > 0) {
		legend.push(`overall ${formatShare(counts[counts.length - 1] / counts[0])}`);
	}
	if (legend.length > 0) {
		parts.push(
			svgText(legend.join('  ·  '), {
				x: width - LAYOUT.padding,
				y: height - LAYOUT.padding,
				size: LAYOUT.footerSize,
				colour: MUTED_COLOUR,
				anchor: 'end',
			}),
		);
	}

	const svg =
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${SVG_FONT_FAMILY}">` +
		parts.join('') +
		'</svg>';

	const png = new Resvg(svg, {
		fitTo: { mode: 'original' },
		font: {
			fontFiles: [regular.file, bold.file],
			loadSystemFonts: false,
			defaultFontFamily: FONT_FAMILY,
			sansSerifFamily: FONT_FAMILY,
		},
	})
		.render()
		.asPng();

	return { svg, png, width, height };
}
