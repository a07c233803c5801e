/** A USE-lite vocabulary (vocab.json): [piece, score] by token id. */
export type Vocabulary = ReadonlyArray<readonly [string, number]>;

/** The first ids are unk and control symbols: never matched. */
const RESERVED_SYMBOLS = 6;
/** SentencePiece's word boundary, '▁'. */
const SEPARATOR = '\u2581';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Token id when a piece ends here, else -1. */
  id: number;
  score: number;
}

/**
 * USE-lite's SentencePiece tokenizer, with the ids of the one in
 * `@tensorflow-models/universal-sentence-encoder` 1.3.3, quirks included
 * (tested on the sample's posts), 5-10x faster. That one copies the rest of
 * the text at every character (`symbols.slice(i)`, quadratic in the length
 * of a post) and keeps its lattice in objects walked with `for...in`: 0.3 ms
 * a post, run on the main thread while the workers wait for batches.
 */
export class SentencePieceTokenizer {
  private readonly root: TrieNode = { children: new Map(), id: -1, score: 0 };
  /** Piece lengths in UTF-16 units, as the reference's backward pass steps. */
  private readonly pieceLengths: number[];

  constructor(vocabulary: Vocabulary) {
    this.pieceLengths = vocabulary.map(([piece]) => piece.length);
    for (let id = RESERVED_SYMBOLS; id < vocabulary.length; id++) {
      const [piece, score] = vocabulary[id]!;
      let node = this.root;
      for (const symbol of piece) {
        let child = node.children.get(symbol);
        if (!child) node.children.set(symbol, (child = { children: new Map(), id: -1, score: 0 }));
        node = child;
      }
      // A repeated piece keeps its last id, as in the reference.
      node.id = id;
      node.score = score;
    }
  }

  encode(input: string): number[] {
    const normalized = input.normalize('NFKC');
    const symbols = Array.from(normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized);
    const n = symbols.length;
    // best[end], words[end]: the best segmentation of symbols[0, end) and its last token. The
    // reference visits the pieces that end at `end` by ascending start, replacing on ties (>=)
    // and whenever best[end] is still exactly 0: the same order and rule here.
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    const ending: Array<Array<[start: number, id: number, score: number]>> = Array.from({ length: n + 1 }, () => []);
    for (let start = 0; start < n; start++) {
      let node = this.root.children.get(symbols[start]!);
      let matched = false;
      for (let end = start + 1; node; end++) {
        if (node.id >= 0) {
          ending[end]!.push([start, node.id, node.score]);
          matched = true;
        }
        node = end < n ? node.children.get(symbols[end]!) : undefined;
      }
      // No piece starts with this symbol: one unknown token (id 0, score 0) for it.
      if (!matched) ending[start + 1]!.push([start, 0, 0]);
    }
    for (let end = 1; end <= n; end++) {
      for (const [start, id, score] of ending[end]!) {
        const total = score + best[start]!;
        if (best[end] === 0 || total >= best[end]!) {
          best[end] = total;
          words[end] = id;
        }
      }
    }
    const reversed: number[] = [];
    for (let at = n; at > 0; at -= this.pieceLengths[words[at]!]!) reversed.push(words[at]!);
    // Consecutive unknown tokens become one.
    const merged: number[] = [];
    for (let i = 0; i < reversed.length; i++) if (!(i > 0 && reversed[i - 1] === 0 && reversed[i] === 0)) merged.push(reversed[i]!);
    return merged.reverse();
  }
}
