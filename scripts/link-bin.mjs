// npm links the bins of dependencies into node_modules/.bin but not the project's own, so inside a
// clone `npx gibbslab` would reinstall the whole project into npx's cache (slow, and a broken
// cache entry after an interruption). Linking our own bin here makes `npx gibbslab` resolve
// locally, instantly, to the freshly built dist/cli/main.js.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
const target = join(root, 'dist', 'cli', 'main.js');
const link = join(binDir, 'gibbslab');
mkdirSync(binDir, { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(binDir, target), link);
chmodSync(target, 0o755);
