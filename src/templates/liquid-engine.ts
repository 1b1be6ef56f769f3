/**
 * The Liquid instances templates are parsed and rendered with: one per output escaping, all
 * strict, without file access and with resource limits.
 */
import { Liquid, type FS } from 'liquidjs';
import { outputText } from './typed-values';

/** How every `{{ output }}` of a part is escaped. */
export type Escaping = 'html' | 'slack' | 'none';

/** Bounds on one parse or render, so that no template (or data) can hang or exhaust an instance. */
export const LIQUID_LIMITS = Object.freeze({
  /** Characters per parse: a compiled email is some 10–40k. */
  parseChars: 1_000_000,
  /** Milliseconds per render: a render takes well under one. */
  renderMs: 1_000,
  /** LiquidJS allocation units per render (characters and array items created). */
  memoryUnits: 10_000_000,
});

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

const ESCAPES: Record<Escaping, (text: string) => string> = {
  html: (text) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!),
  // Slack mrkdwn: only these three are control characters (api.slack.com/reference/surfaces/formatting#escaping).
  slack: (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  none: (text) => text,
};

function refuse(): never {
  throw new Error('templates cannot read files');
}

/** A file system that has no files: a second guard behind the removed include/render/layout tags. */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => refuse(),
  readFileSync: refuse,
  resolve: refuse,
  contains: async () => false,
  containsSync: () => false,
};

/** Tags that read other files. */
const REMOVED_TAGS = ['include', 'render', 'layout'] as const;

function makeLiquid(escaping: Escaping): Liquid {
  const escape = ESCAPES[escaping];
  const liquid = new Liquid({
    fs: NO_FILES,
    root: [],
    relativeReference: false,
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    // Liquid truthiness (only nil and false are false): what the Liquid documentation teaches authors.
    jsTruthy: false,
    // The date filter would otherwise use the server's zone; localised dates come from typed values.
    timezoneOffset: 0,
    outputEscape: (value: unknown) => escape(outputText(value)),
    parseLimit: LIQUID_LIMITS.parseChars,
    renderLimit: LIQUID_LIMITS.renderMs,
    memoryLimit: LIQUID_LIMITS.memoryUnits,
  });
  for (const tag of REMOVED_TAGS) delete liquid.tags[tag];
  // `| raw` would let an output skip escaping; under strictFilters it is now a load error.
  liquid.unregisterFilter('raw');
  return liquid;
}

const engines = new Map<Escaping, Liquid>();

/** The shared instance for `escaping` (instances hold no per-render state). */
export function liquidFor(escaping: Escaping): Liquid {
  let liquid = engines.get(escaping);
  if (!liquid) {
    liquid = makeLiquid(escaping);
    engines.set(escaping, liquid);
  }
  return liquid;
}
