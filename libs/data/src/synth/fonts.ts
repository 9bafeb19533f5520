import { existsSync } from 'node:fs';
import { CoinError } from '@coin/core';
import { canvasModule } from './canvas.js';

/**
 * Fonts are registered from explicit files so that rendering never depends on fontconfig's
 * defaults (which differ between machines and would break byte-identical output).
 */
export const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const FONT_FAMILY = 'CoinSynthSans';
export const FONT_FAMILY_CONDENSED = 'CoinSynthSansCondensed';
const FILES: ReadonlyArray<readonly [string, string]> = [
  [FONT_FAMILY, 'DejaVuSans-Bold.ttf'],
  [FONT_FAMILY_CONDENSED, 'DejaVuSansCondensed-Bold.ttf'],
];

let registered = false;

export function ensureFonts(dir = FONT_DIR): void {
  if (registered) return;
  for (const [alias, file] of FILES) {
    const path = `${dir}/${file}`;
    if (!existsSync(path)) {
      throw new CoinError(
        'SYNTH.FONT_MISSING',
        'UNAVAILABLE',
        `font file ${path} not found; CoIN-Synth renders text with DejaVu fonts`,
        {
          hint: 'install the Debian package fonts-dejavu-core (apt-get install -y fonts-dejavu-core)',
          details: { path },
        },
      );
    }
    canvasModule().GlobalFonts.registerFromPath(path, alias);
  }
  registered = true;
}
