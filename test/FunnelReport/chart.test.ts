import { PNG } from 'pngjs';
import {
	renderFunnelChart,
	type FunnelChartInput,
	type FunnelChartStage,
} from '../../nodes/FunnelReport/chart';

// These tests read the PNG's pixels rather than trusting the SVG: what people see is the PNG.

interface Image {
	width: number;
	height: number;
	pixel(x: number, y: number): [number, number, number];
}

function decode(png: Buffer): Image {
	const image = PNG.sync.read(png);
	return {
		width: image.width,
		height: image.height,
		pixel(x, y) {
			const at = (y * image.width + x) * 4;
			return [image.data[at], image.data[at + 1], image.data[at + 2]];
		},
	};
}

/** The bars are blue to teal; text is near-black, grey or white, so it never counts as bar. */
function isBar([red, , blue]: [number, number, number]): boolean {
	return blue - red > 40;
}

function isDark([red, green, blue]: [number, number, number]): boolean {
	return red + green + blue < 3 * 140;
}

interface Band {
	top: number;
	bottom: number;
	left: number;
	right: number;
	/** Widest run of bar pixels on one line of the band. */
	width: number;
}

/** The bars found in the image, top to bottom, from the pixels alone. */
function findBars(image: Image): Band[] {
	const bands: Band[] = [];
	let current: Band | undefined;
	for (let y = 0; y < image.height; y++) {
		let left = -1;
		let right = -1;
		let count = 0;
		for (let x = 0; x < image.width; x++) {
			if (!isBar(image.pixel(x, y))) continue;
			if (left < 0) left = x;
			right = x;
			count++;
		}
		if (count >= 3) {
			if (!current) {
				current = { top: y, bottom: y, left, right, width: 0 };
				bands.push(current);
			}
			current.bottom = y;
			current.left = Math.min(current.left, left);
			current.right = Math.max(current.right, right);
			current.width = Math.max(current.width, count);
		} else {
			current = undefined;
		}
	}
	return bands;
}

function countPixels(
	image: Image,
	area: { left: number; top: number; right: number; bottom: number },
	test: (pixel: [number, number, number]) => boolean,
): number {
	let count = 0;
	for (let y = Math.max(0, area.top); y <= Math.min(image.height - 1, area.bottom); y++) {
		for (let x = Math.max(0, area.left); x <= Math.min(image.width - 1, area.right); x++) {
			if (test(image.pixel(x, y))) count++;
		}
	}
	return count;
}

/** The dark pixels of one row's stage-name column, as a set of "x,y" (a picture of the name). */
function labelPixels(image: Image, bar: Band): Set<string> {
	const dark = new Set<string>();
	for (let y = bar.top; y <= bar.bottom; y++) {
		for (let x = 0; x < bar.left; x++) if (isDark(image.pixel(x, y))) dark.add(`${x},${y}`);
	}
	return dark;
}

function stagesOf(counts: number[], names?: string[]): FunnelChartStage[] {
	return counts.map((customers, index) => ({
		name: names?.[index] ?? `Stage ${index + 1}`,
		customers,
		stepConversion: index === 0 || counts[index - 1] === 0 ? null : customers / counts[index - 1],
	}));
}

function render(input: FunnelChartInput, options?: { width?: number; height?: number }) {
	const chart = renderFunnelChart(input, options);
	return { chart, image: decode(chart.png) };
}

describe('renderFunnelChart', () => {
	it('renders a PNG of the stated size, 800×500 on a white background by default', () => {
		const { chart, image } = render({ title: 'Leads', stages: stagesOf([100, 60]) });
		expect([chart.width, chart.height]).toEqual([800, 500]);
		expect([image.width, image.height]).toEqual([800, 500]);
		expect(image.pixel(2, 2)).toEqual([255, 255, 255]);
		expect(image.pixel(799, 499)).toEqual([255, 255, 255]);

		const small = render(
			{ title: 'Leads', stages: stagesOf([100, 60]) },
			{ width: 640, height: 360 },
		);
		expect([small.chart.width, small.chart.height]).toEqual([640, 360]);
		expect([small.image.width, small.image.height]).toEqual([640, 360]);
		expect(small.chart.svg).toContain('width="640" height="360"');
	});

	it('draws one bar per stage, as wide as its share of the largest stage', () => {
		const { image } = render({ title: 'Funnel', stages: stagesOf([1000, 500, 100]) });
		const bars = findBars(image);
		expect(bars).toHaveLength(3);
		const [first, second, third] = bars.map((bar) => bar.width);
		expect(first).toBeGreaterThan(300);
		expect(second / first).toBeGreaterThan(0.45);
		expect(second / first).toBeLessThan(0.55);
		expect(third / first).toBeGreaterThan(0.07);
		expect(third / first).toBeLessThan(0.13);
		// Filled, not outlines: most of a bar's box is bar colour.
		const box = bars[1];
		const filled = countPixels(image, box, isBar);
		expect(filled / ((box.right - box.left + 1) * (box.bottom - box.top + 1))).toBeGreaterThan(0.7);
	});

	it('sizes bars by customers, not by position: a later, larger stage gets the wider bar', () => {
		const { image } = render({ title: 'Reactivated', stages: stagesOf([100, 400]) });
		const [first, second] = findBars(image);
		expect(second.width).toBeGreaterThan(first.width * 3.5);
		expect(second.top).toBeGreaterThan(first.bottom);
	});

	it('shows counts and step conversions', () => {
		const { chart, image } = render({ title: 'Funnel', stages: stagesOf([1200, 744, 33]) });
		expect(chart.svg).toContain('>1,200<');
		expect(chart.svg).toContain('>↓ 62%<');
		expect(chart.svg).toContain('>↓ 4.4%<');
		expect(chart.svg.match(/↓ \d/g)).toHaveLength(2);
		// The percentage column is right of the bars; the first stage has none there.
		const bars = findBars(image);
		const column = (bar: Band) => ({ left: 700, top: bar.top, right: 799, bottom: bar.bottom });
		expect(countPixels(image, column(bars[0]), isDark)).toBe(0);
		expect(countPixels(image, column(bars[1]), isDark)).toBeGreaterThan(20);
		expect(countPixels(image, column(bars[2]), isDark)).toBeGreaterThan(20);
	});

	it('draws Chinese stage names as glyphs, distinct per name (not blank, not boxes)', () => {
		const withName = (name: string) => {
			const { image } = render({
				title: '客户旅程',
				stages: stagesOf([500, 200], [name, '成交客户']),
			});
			return labelPixels(image, findBars(image)[0]);
		};
		const blank = withName('');
		const firstContact = withName('初步接触');
		const qualifiedLead = withName('意向线索');
		expect(blank.size).toBe(0);
		expect(firstContact.size).toBeGreaterThan(80);
		expect(qualifiedLead.size).toBeGreaterThan(80);
		// Missing glyphs draw the same box for every character: different names would look alike.
		const onlyInOne = [...firstContact].filter((pixel) => !qualifiedLead.has(pixel)).length;
		expect(onlyInOne).toBeGreaterThan(firstContact.size * 0.3);
		// And the same name draws the same pixels, so the difference above is the names'.
		expect(withName('初步接触')).toEqual(firstContact);
	});

	it('escapes markup characters in names and titles', () => {
		const { chart, image } = render({
			title: 'R&D <funnel> "Q4"',
			subtitle: "Tom's & Jerry's",
			stages: stagesOf([10, 5], ['<script>alert("x")</script>', 'A & B']),
		});
		expect(chart.svg).toContain('R&amp;D &lt;funnel&gt; &quot;Q4&quot;');
		expect(chart.svg).toContain('Tom&apos;s &amp; Jerry&apos;s');
		expect(chart.svg).toContain('&lt;script&gt;');
		expect(chart.svg).toContain('A &amp; B');
		expect(chart.svg).not.toContain('<script>');
		expect(chart.svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
		expect(findBars(image)).toHaveLength(2);
	});

	it('drops control characters that XML cannot carry', () => {
		const { chart } = render({ title: 'Bell\u0007', stages: stagesOf([3], ['Tab\there\u0000']) });
		expect(chart.svg).toContain('>Bell<');
		expect(chart.svg).toContain('>Tab here<');
	});

	it('truncates long names with an ellipsis, inside the name column', () => {
		const longName =
			'商务谈判 with a very long stage name that goes on and on and on until the edge';
		const { chart, image } = render({
			title: 'A title that is far too long to fit on one line of the chart '.repeat(3),
			stages: stagesOf([100, 50], [longName, 'Won']),
		});
		expect(chart.svg).not.toContain(longName);
		expect(chart.svg).toContain('商务谈判 with a');
		expect(chart.svg.match(/…</g)).toHaveLength(2);
		const [first] = findBars(image);
		const row = { top: first.top, bottom: first.bottom };
		// Names are right-aligned to the column: an untruncated one would run off the left edge.
		expect(countPixels(image, { left: 0, right: 20, ...row }, isDark)).toBe(0);
		expect(countPixels(image, { left: 21, right: first.left - 1, ...row }, isDark)).toBeGreaterThan(
			100,
		);
		// Nor does the name reach the bar.
		expect(
			countPixels(image, { left: first.left - 10, right: first.left - 1, ...row }, isDark),
		).toBe(0);
	});

	it('handles stages nobody reached', () => {
		const { chart, image } = render({ title: 'Empty', stages: stagesOf([0, 0, 0]) });
		expect(findBars(image)).toHaveLength(0);
		expect(chart.svg.match(/>0</g)).toHaveLength(3);
		// The names and zero counts are still drawn.
		expect(
			countPixels(image, { left: 0, top: 80, right: 799, bottom: 460 }, isDark),
		).toBeGreaterThan(100);

		const partly = render({ title: 'Partly', stages: stagesOf([40, 0, 10]) });
		expect(findBars(partly.image)).toHaveLength(2);
	});

	it('treats missing or negative counts as zero', () => {
		const stages = [
			{ name: 'A', customers: Number.NaN, stepConversion: null },
			{ name: 'B', customers: -5, stepConversion: Number.NaN },
			{ name: 'C', customers: 7, stepConversion: null },
		];
		const { chart, image } = render({ title: 'Odd input', stages });
		expect(findBars(image)).toHaveLength(1);
		expect(chart.svg).not.toContain('NaN');
	});

	it('renders a single stage', () => {
		const { chart, image } = render({ title: 'One', stages: stagesOf([42], ['成交客户']) });
		const bars = findBars(image);
		expect(bars).toHaveLength(1);
		expect(bars[0].width).toBeGreaterThan(300);
		expect(chart.svg).not.toContain('↓');
	});

	it('renders twelve stages in separate, decreasing bars', () => {
		const counts = Array.from({ length: 12 }, (_, index) => Math.round(5000 * 0.75 ** index));
		const { chart, image } = render({ title: 'Twelve', stages: stagesOf(counts) });
		expect(chart.height).toBeGreaterThanOrEqual(500);
		const bars = findBars(image);
		expect(bars).toHaveLength(12);
		for (let index = 1; index < bars.length; index++) {
			expect(bars[index].width).toBeLessThan(bars[index - 1].width);
			expect(bars[index].top).toBeGreaterThan(bars[index - 1].bottom);
		}
		expect(chart.svg).toContain('>Stage 12<');
	});

	it('grows the default height for many stages but keeps a stated one', () => {
		const stages = stagesOf(Array.from({ length: 30 }, (_, index) => 300 - index * 10));
		const grown = render({ title: 'Thirty', stages });
		expect(grown.chart.height).toBeGreaterThan(500);
		expect(grown.image.height).toBe(grown.chart.height);
		expect(findBars(grown.image)).toHaveLength(30);

		const fixed = render({ title: 'Thirty', stages }, { height: 500 });
		expect(fixed.image.height).toBe(500);
	});

	it('shows a message when there are no stages', () => {
		const { chart, image } = render({ title: 'Nothing yet', stages: [] });
		expect(chart.svg).toContain('No stages to show');
		expect(findBars(image)).toHaveLength(0);
		expect(
			countPixels(image, { left: 300, top: 200, right: 500, bottom: 300 }, isDark),
		).toBeGreaterThan(50);
	});
});
