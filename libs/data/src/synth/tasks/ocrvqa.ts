import { makeBook, renderBook } from '../book.js';
import { GENRES } from '../world.js';
import { pad, type GenContext, type SynthItem } from './types.js';

/**
 * OCR-VQA-like book covers: title, author and genre questions (the genre is shown by the cover's
 * icon, drawn from the same world objects). Question ids are "<book id>_<question index>".
 */
export function generateOCRVQA(ctx: GenContext): SynthItem {
  const { rng } = ctx;
  const book = makeBook(rng);
  const kind = rng.int(5);
  let question: string;
  let answer: string;
  if (kind === 0) {
    question = 'Who wrote this book?';
    answer = book.author;
  } else if (kind === 1) {
    question = 'What is the title of this book?';
    answer = book.title;
  } else if (kind === 2) {
    question = 'What is the genre of this book?';
    answer = book.genre.name;
  } else if (kind === 3) {
    question = 'Who is the author of this book?';
    answer = book.author;
  } else {
    const asked = rng.chance(0.5) ? book.genre : rng.pick(GENRES.filter((g) => g !== book.genre));
    question = `Is this ${asked.kind}?`;
    answer = asked === book.genre ? 'Yes' : 'No';
  }
  const bookId = pad((ctx.split === 'train' ? 100_000_000 : 200_000_000) + ctx.index, 10);
  return {
    id: `${bookId}_${kind}`,
    imagePath: `OCR-VQA/images/${bookId}.png`,
    renderImage: () => renderBook(book, ctx.imageSize),
    prompt: question,
    answer,
    caption: `The cover of the book "${book.title}" by ${book.author}, shelved under ${book.genre.name}; it shows ${book.iconColour === 'orange' ? 'an' : 'a'} ${book.iconColour} ${book.icon}.`,
  };
}
