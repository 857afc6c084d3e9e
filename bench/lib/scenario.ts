import type { Scale } from './scale.ts';

/** A scenario's figures: numbers (or null where nothing could be measured), a few strings and flags, one level of nesting. */
export type Figure = number | string | boolean | null;
export type Figures = Record<string, Figure | Record<string, Figure>>;

export interface ScenarioContext {
  scaleName: 'full' | 'smoke';
  scale: Scale;
  log(message: string): void;
}

export interface Scenario {
  name: string;
  /** One line: what it measures. */
  title: string;
  run(ctx: ScenarioContext): Promise<Figures>;
}
