import type { PretrainEvent } from '@coin/training';
import { clock, etaSeconds, progressBar, REDRAW } from './progress-line.js';

interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const PHASES: Readonly<Record<string, string>> = {
  world: 'generating the default CoIN-Synth world',
  tokenizer: 'training the tokenizer',
  load: 'reading captions and images',
  eval: 'held-out caption loss',
};

/**
 * Draws pretraining's progress from the library's events (the vision warm-up's steps, then
 * captioning's, each with its own bar): on a TTY one line redrawn in place
 * (bar, step, loss, ETA), otherwise a plain line every `logIntervalMs`. The loss shown is a running
 * mean over the last steps, which reads better than one noisy batch.
 */
export function pretrainProgress(stream: Stream, label: string, logIntervalMs = 10_000): (e: PretrainEvent) => void {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  const recent: number[] = [];
  let phase = '';
  return (e) => {
    if (e.phase !== 'train' && e.phase !== 'vision') {
      stream.write(`${tty ? REDRAW : ''}${label}: ${PHASES[e.phase]}…\n`);
      return;
    }
    if (e.phase !== phase) recent.length = 0; // the warm-up's loss is another quantity
    phase = e.phase;
    recent.push(e.loss);
    if (recent.length > 20) recent.shift();
    const now = Date.now();
    const last = e.step === e.steps;
    if (!last && now - lastDraw < (tty ? 200 : logIntervalMs)) return;
    lastDraw = now;
    const loss = recent.reduce((a, b) => a + b, 0) / recent.length;
    const seconds = e.elapsedMs / 1000;
    const what = e.phase === 'vision' ? `${label} vision warm-up` : label;
    const text = `${what} ${progressBar(e.step, e.steps)} ${e.step}/${e.steps} loss ${loss.toFixed(3)} ${last ? `in ${clock(seconds)}` : `ETA ${clock(etaSeconds(seconds, e.step, e.steps))}`}`;
    stream.write(tty ? `${REDRAW}${text}${last ? '\n' : ''}` : `${text}\n`);
  };
}
