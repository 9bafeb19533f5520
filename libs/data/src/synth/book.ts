import type { Rng } from '@coin/core';
import { canvasModule } from './canvas.js';
import { css, drawObject, type Rgb } from './draw.js';
import { drawText } from './scene.js';
import {
  AUTHOR_FIRST,
  AUTHOR_LAST,
  COLOURS,
  GENRES,
  TITLE_ADJECTIVES,
  TITLE_TAILS,
  classByName,
  type Genre,
} from './world.js';

/** An OCR-VQA-like book: the cover shows title, author and an icon that hints at the genre. */
export interface Book {
  readonly title: string;
  readonly author: string;
  readonly genre: Genre;
  readonly icon: string;
  readonly iconColour: string;
  readonly cover: Rgb;
}

const COVERS: readonly Rgb[] = [
  [250, 245, 230],
  [30, 50, 90],
  [120, 20, 30],
  [235, 225, 170],
  [20, 80, 70],
  [60, 60, 60],
];

export function makeBook(rng: Rng): Book {
  const genre = rng.pick(GENRES);
  const icon = rng.pick(genre.icons);
  const cls = classByName(icon);
  const noun = cls.name
    .split(' ')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
  const adjective = rng.pick(TITLE_ADJECTIVES);
  const title = rng.chance(0.5) ? `The ${adjective} ${noun}` : `${noun} ${rng.pick(TITLE_TAILS)}`;
  const author = `${rng.pick(AUTHOR_FIRST)} ${rng.pick(AUTHOR_LAST)}`;
  const cover = rng.pick(COVERS);
  const iconColour = rng.pick(
    COLOURS.filter((c) => Math.abs(c.rgb[0] + c.rgb[1] + c.rgb[2] - (cover[0] + cover[1] + cover[2])) > 150),
  ).name;
  return { title, author, genre, icon, iconColour, cover };
}

/** Cover of height `size` and width 3/4 of it, as PNG bytes. */
export function renderBook(book: Book, size: number): Buffer {
  const width = Math.round(size * 0.75);
  const height = size;
  const canvas = canvasModule().createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = css(book.cover);
  ctx.fillRect(0, 0, width, height);
  const dark = book.cover[0] + book.cover[1] + book.cover[2] < 380;
  const ink: Rgb = dark ? [250, 250, 250] : [20, 20, 20];
  const words = book.title.split(' ');
  const cut = Math.ceil(words.length / 2);
  const lines = words.length > 2 ? [words.slice(0, cut).join(' '), words.slice(cut).join(' ')] : [book.title];
  const lineH = height * 0.14;
  lines.forEach((line, i) =>
    drawText(ctx, line, { x: 0, y: height * 0.03 + i * lineH, w: width, h: lineH }, ink, lineH * 0.9),
  );
  const iconBox = { x: width * 0.25, y: height * 0.36, w: width * 0.5, h: height * 0.36 };
  const colour = COLOURS.find((c) => c.name === book.iconColour)?.rgb ?? ink;
  const cls = classByName(book.icon);
  const ih = Math.min(iconBox.h, iconBox.w / cls.aspect);
  const iw = ih * cls.aspect;
  drawObject(
    ctx,
    book.icon,
    { x: iconBox.x + (iconBox.w - iw) / 2, y: iconBox.y + (iconBox.h - ih) / 2, w: iw, h: ih },
    colour,
  );
  drawText(ctx, book.author, { x: 0, y: height * 0.8, w: width, h: height * 0.14 }, ink, height * 0.11);
  return canvas.toBuffer('image/png');
}
