/**
 * The few file operations a command needs, as promises over node:fs's callback API. Importing node:fs/promises
 * loads its FileHandle machinery with it (readline, directory and watcher modules: about 2.4 ms of every cold
 * `notary-gate check`, docs/performance.md), which these never use. Same errors (ENOENT and so on) either way.
 */
import {
  access as accessFile,
  readFile as readWholeFile,
  stat as statFile,
  writeFile as writeWholeFile,
} from 'node:fs';
import { promisify } from 'node:util';

export const access = promisify(accessFile);
export const readFile = promisify(readWholeFile);
export const stat = promisify(statFile);
export const writeFile = promisify(writeWholeFile);
