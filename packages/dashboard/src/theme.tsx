import { createContext, useContext } from 'react';

/** Colours by role; all undefined when colour is off (NO_COLOR), so Ink prints plain text. */
export interface Theme {
  train?: string;
  dev?: string;
  both?: string;
  good?: string;
  bad?: string;
  warn?: string;
  accent?: string;
  dim: boolean;
}

export const COLOR_THEME: Theme = { train: 'cyan', dev: 'magenta', both: 'white', good: 'green', bad: 'red', warn: 'yellow', accent: 'blue', dim: true };
export const PLAIN_THEME: Theme = { dim: false };

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

export const ThemeContext = createContext<Theme>(COLOR_THEME);

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
