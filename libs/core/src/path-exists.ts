import { access } from 'node:fs/promises';

/** Whether anything (file, folder, link target) exists at `path`; an unreadable parent reads as absent. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
