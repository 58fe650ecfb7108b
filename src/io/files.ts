import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, lstatSync, unlinkSync } from 'node:fs';
import { dirname, basename, join, extname, resolve } from 'node:path';
import YAML from 'yaml';
import { UsageError } from './errors.js';

/** Reads a JSON or YAML file (by extension; unknown extensions are tried as YAML, a superset of JSON). */
export function readStructuredFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${what} ${showPath(path)}: file not found`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${showPath(path)}: cannot read (${(e as Error).message.split('\n')[0]})`);
  }
  return parseStructuredText(text, `${what} ${showPath(path)}`, extname(path).toLowerCase() === '.json');
}

export function parseStructuredText(text: string, where: string, json = false): unknown {
  try {
    return json ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new UsageError(`${where}: not valid ${json ? 'JSON' : 'YAML/JSON'} (${msg})`);
  }
}

function showPath(p: string): string {
  return JSON.stringify(p);
}

/**
 * Writes a file atomically: a temporary sibling, then a rename. A crash or an error leaves the
 * previous content (or nothing), never half a file.
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * `runs/<prefix><timestamp>` with a sortable UTC stamp; a suffix avoids collisions within one
 * second (checked on the final name, prefix included).
 */
export function newRunDir(root = 'runs', now = new Date(), prefix = ''): string {
  const stamp = prefix + now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  let dir = join(root, stamp);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `${stamp}-${i}`);
  return dir;
}

/** Points `<root>/latest` at `dir` (a relative symlink, replaced atomically where the platform allows). */
export function linkLatest(dir: string, root = dirname(resolve(dir))): void {
  const link = join(root, 'latest');
  const target = basename(resolve(dir));
  const tmp = join(root, `.latest.${process.pid}.tmp`);
  try {
    symlinkSync(target, tmp, 'dir');
    renameSync(tmp, link);
  } catch {
    // Filesystems without symlinks: fall back to replacing the link in place.
    try {
      if (existsSync(tmp)) unlinkSync(tmp);
      if (lstatSync(link, { throwIfNoEntry: false })) rmSync(link, { recursive: true, force: true });
      symlinkSync(target, link, 'dir');
    } catch {
      writeFileAtomic(link, `${target}\n`);
    }
  }
}
