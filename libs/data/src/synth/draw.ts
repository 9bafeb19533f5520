import type { SKRSContext2D } from '@napi-rs/canvas';

/**
 * Simple drawings of the world's classes. Each draws into its box (x, y, w, h) in pixels and
 * reaches all four sides of it, so the box is the tight bounding box that Grounding answers use.
 * Shapes are given in unit coordinates (u, v) ∈ [0, 1]² of the box.
 */
export type Rgb = readonly [number, number, number];
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const css = (c: Rgb): string => `rgb(${c[0]},${c[1]},${c[2]})`;
const shade = (c: Rgb, f: number): Rgb => [Math.round(c[0] * f), Math.round(c[1] * f), Math.round(c[2] * f)];
const isDark = (c: Rgb): boolean => c[0] + c[1] + c[2] < 200;

class Pen {
  constructor(
    readonly ctx: SKRSContext2D,
    readonly box: Box,
  ) {}
  private px(u: number): number {
    return this.box.x + u * this.box.w;
  }
  private py(v: number): number {
    return this.box.y + v * this.box.h;
  }
  ellipse(u: number, v: number, ru: number, rv: number, colour: Rgb, from = 0, to = Math.PI * 2): void {
    const { ctx } = this;
    ctx.beginPath();
    ctx.ellipse(this.px(u), this.py(v), ru * this.box.w, rv * this.box.h, 0, from, to);
    ctx.closePath();
    ctx.fillStyle = css(colour);
    ctx.fill();
  }
  poly(points: ReadonlyArray<readonly [number, number]>, colour: Rgb): void {
    const { ctx } = this;
    ctx.beginPath();
    points.forEach(([u, v], i) => (i === 0 ? ctx.moveTo(this.px(u), this.py(v)) : ctx.lineTo(this.px(u), this.py(v))));
    ctx.closePath();
    ctx.fillStyle = css(colour);
    ctx.fill();
  }
  rect(u0: number, v0: number, u1: number, v1: number, colour: Rgb): void {
    this.poly(
      [
        [u0, v0],
        [u1, v0],
        [u1, v1],
        [u0, v1],
      ],
      colour,
    );
  }
  ring(u: number, v: number, ru: number, rv: number, thickness: number, colour: Rgb): void {
    // Outer ellipse minus inner ellipse (even-odd), so the background shows through the hole.
    const { ctx } = this;
    ctx.beginPath();
    ctx.ellipse(this.px(u), this.py(v), ru * this.box.w, rv * this.box.h, 0, 0, Math.PI * 2);
    ctx.moveTo(this.px(u + ru - thickness), this.py(v));
    ctx.ellipse(
      this.px(u),
      this.py(v),
      (ru - thickness) * this.box.w,
      (rv - thickness * (this.box.w / this.box.h)) * this.box.h,
      0,
      0,
      Math.PI * 2,
    );
    ctx.fillStyle = css(colour);
    ctx.fill('evenodd');
  }
}

type Drawer = (pen: Pen, colour: Rgb, ink: Rgb) => void;

const DRAWERS: Readonly<Record<string, Drawer>> = {
  cat: (p, c, ink) => {
    p.poly(
      [
        [0.06, 0.45],
        [0.16, 0],
        [0.45, 0.3],
      ],
      c,
    );
    p.poly(
      [
        [0.55, 0.3],
        [0.84, 0],
        [0.94, 0.45],
      ],
      c,
    );
    p.ellipse(0.5, 0.6, 0.5, 0.4, c);
    p.ellipse(0.33, 0.55, 0.07, 0.07, ink);
    p.ellipse(0.67, 0.55, 0.07, 0.07, ink);
    p.poly(
      [
        [0.45, 0.72],
        [0.55, 0.72],
        [0.5, 0.8],
      ],
      ink,
    );
  },
  fish: (p, c, ink) => {
    p.poly(
      [
        [0.66, 0.5],
        [1, 0.08],
        [1, 0.92],
      ],
      c,
    );
    p.ellipse(0.4, 0.5, 0.4, 0.5, c);
    p.ellipse(0.2, 0.4, 0.06, 0.09, ink);
  },
  bird: (p, c, ink) => {
    p.ellipse(0.4, 0.62, 0.4, 0.38, c);
    p.ellipse(0.74, 0.3, 0.18, 0.3, c);
    p.poly(
      [
        [0.88, 0.2],
        [1, 0.3],
        [0.88, 0.4],
      ],
      ink,
    );
    p.ellipse(0.78, 0.24, 0.04, 0.06, ink);
    p.ellipse(0.35, 0.6, 0.22, 0.16, shade(c, 0.7));
  },
  tree: (p, c) => {
    p.rect(0.4, 0.55, 0.6, 1, isDark(c) ? [150, 100, 60] : [110, 70, 35]);
    p.ellipse(0.5, 0.35, 0.5, 0.35, c);
  },
  flower: (p, c, ink) => {
    p.rect(0.46, 0.45, 0.54, 1, c[1] > 140 && c[0] < 100 ? [20, 90, 30] : [50, 150, 60]);
    for (let k = 0; k < 5; k++) {
      const a = -Math.PI / 2 + (k * 2 * Math.PI) / 5;
      p.ellipse(0.5 + 0.29 * Math.cos(a), 0.3 + 0.16 * Math.sin(a), 0.21, 0.14, c);
    }
    p.ellipse(0.5, 0.3, 0.14, 0.1, ink[0] > 128 ? [240, 220, 90] : [120, 70, 20]);
  },
  apple: (p, c) => {
    p.rect(0.46, 0, 0.54, 0.3, [100, 60, 25]);
    p.ellipse(0.68, 0.12, 0.16, 0.07, [50, 150, 60]);
    p.ellipse(0.5, 0.6, 0.5, 0.4, c);
  },
  car: (p, c, ink) => {
    p.poly(
      [
        [0.2, 0.42],
        [0.32, 0],
        [0.7, 0],
        [0.82, 0.42],
      ],
      c,
    );
    p.poly(
      [
        [0.3, 0.4],
        [0.37, 0.1],
        [0.65, 0.1],
        [0.72, 0.4],
      ],
      [215, 235, 250],
    );
    p.rect(0, 0.38, 1, 0.8, c);
    const wheel: Rgb = isDark(c) ? [90, 90, 90] : [30, 30, 30];
    p.ellipse(0.25, 0.8, 0.12, 0.2, wheel);
    p.ellipse(0.75, 0.8, 0.12, 0.2, wheel);
    void ink;
  },
  sailboat: (p, c, ink) => {
    p.rect(0.47, 0, 0.53, 0.76, ink);
    p.poly(
      [
        [0.55, 0.04],
        [0.55, 0.7],
        [0.95, 0.7],
      ],
      [250, 250, 250],
    );
    p.poly(
      [
        [0.45, 0.14],
        [0.45, 0.7],
        [0.12, 0.7],
      ],
      [235, 235, 235],
    );
    p.poly(
      [
        [0, 0.74],
        [1, 0.74],
        [0.8, 1],
        [0.2, 1],
      ],
      c,
    );
  },
  house: (p, c, ink) => {
    p.rect(0.1, 0.45, 0.9, 1, c);
    p.poly(
      [
        [0, 0.5],
        [0.5, 0],
        [1, 0.5],
      ],
      shade(c, 0.6),
    );
    p.rect(0.42, 0.7, 0.58, 1, ink);
    p.rect(0.2, 0.58, 0.34, 0.72, [215, 235, 250]);
  },
  'coffee mug': (p, c) => {
    p.ring(0.78, 0.48, 0.22, 0.28, 0.09, c);
    p.rect(0, 0, 0.76, 1, c);
    p.rect(0.06, 0.04, 0.7, 0.12, shade(c, 0.6));
  },
  umbrella: (p, c, ink) => {
    p.rect(0.48, 0.4, 0.54, 0.88, ink);
    p.ring(0.4, 0.88, 0.14, 0.12, 0.06, ink);
    p.ellipse(0.5, 0.46, 0.5, 0.46, c, Math.PI, Math.PI * 2);
  },
  key: (p, c) => {
    p.ring(0.2, 0.5, 0.2, 0.5, 0.08, c);
    p.rect(0.36, 0.4, 1, 0.6, c);
    p.rect(0.74, 0.6, 0.81, 0.88, c);
    p.rect(0.88, 0.6, 0.95, 0.8, c);
  },
  star: (p, c) => {
    // Outer radius R: the star spans R(1 + sin 54°) vertically and 2R cos 18° horizontally.
    const rv = 1 / (1 + Math.sin((54 * Math.PI) / 180));
    const ru = 0.5 / Math.cos((18 * Math.PI) / 180);
    const pts: Array<[number, number]> = [];
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const r = k % 2 === 0 ? 1 : 0.42;
      pts.push([0.5 + ru * r * Math.cos(a), rv + rv * r * Math.sin(a)]);
    }
    p.poly(pts, c);
  },
  heart: (p, c) => {
    p.ellipse(0.27, 0.3, 0.27, 0.3, c);
    p.ellipse(0.73, 0.3, 0.27, 0.3, c);
    p.poly(
      [
        [0.02, 0.42],
        [0.98, 0.42],
        [0.5, 1],
      ],
      c,
    );
  },
};

/** Draws one object of class `name` filling `box`. */
export function drawObject(ctx: SKRSContext2D, name: string, box: Box, colour: Rgb): void {
  const drawer = DRAWERS[name];
  if (!drawer) throw new RangeError(`no drawing for class ${name}`);
  const ink: Rgb = isDark(colour) ? [235, 235, 235] : [30, 30, 30];
  drawer(new Pen(ctx, box), colour, ink);
}

export function hasDrawing(name: string): boolean {
  return name in DRAWERS;
}

export { css };
