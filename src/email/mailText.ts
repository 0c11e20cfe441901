// Cutting mail text, which can be megabytes long. cutText walks graphemes with Intl.Segmenter,
// and on Node 20 each step costs time in proportion to the whole string (8,000 steps over 250 KB
// take 2 s), so the text is first sliced to a little over the limit. A grapheme cluster is far
// shorter than the margin, and boundaries before the slice's end are the whole text's boundaries,
// so the cut lands where cutText would have put it.
import { cutText, type CutOptions } from '../domain/text';

const SLICE_MARGIN = 256;

/** cutText, keeping the start, at a cost that does not grow with the length of `text`. */
export const cutMailText = (text: string, max: number, options: Omit<CutOptions, 'keep'> = {}): string =>
  cutText(text.length > max + SLICE_MARGIN ? text.slice(0, max + SLICE_MARGIN) : text, max, options);
