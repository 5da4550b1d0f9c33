import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../../shared/config/env-reader.js';

/** The user and group an invocation process runs as. */
export interface InvocationUser {
  uid: number;
  gid: number;
}

/** "nobody" and "nogroup" on Debian and Ubuntu; "nobody" on most other systems. */
export const DEFAULT_INVOCATION_USER: InvocationUser = { uid: 65534, gid: 65534 };

/**
 * Who runs a function's code: `configured` when the platform runs as root
 * (the only user that may start a process as another); the platform's own
 * user otherwise, where the permission model and the bootstrap's guard on
 * signals are the wall.
 */
export function invocationUserOf(
  configured: InvocationUser = DEFAULT_INVOCATION_USER,
): InvocationUser | undefined {
  return process.getuid?.() === 0 ? configured : undefined;
}

/** "uid:gid" as DMP_LAMBDA_RUN_AS spells it; undefined when malformed. */
export function parseInvocationUser(text: string): InvocationUser | undefined {
  const match = /^(\d{1,10}):(\d{1,10})$/.exec(text);
  if (!match) return undefined;
  const [uid, gid] = [Number(match[1]), Number(match[2])];
  return uid <= 0xfffffffe && gid <= 0xfffffffe ? { uid, gid } : undefined;
}

/**
 * The folders on the way to `folder` that `user` may not pass through
 * (search permission); empty when it can reach it.
 */
export async function foldersBlocking(folder: string, user: InvocationUser): Promise<string[]> {
  const blocking: string[] = [];
  for (let current = folder; ; current = dirname(current)) {
    const stats = await stat(current);
    const bit = stats.uid === user.uid ? 0o100 : stats.gid === user.gid ? 0o010 : 0o001;
    if ((stats.mode & bit) === 0 && user.uid !== 0) blocking.push(current);
    if (dirname(current) === current) return blocking.reverse();
  }
}

/** Stops the start of a runtime whose invocation user could not reach the code, saying what to change. */
export async function assertCanReach(codeRoot: string, user: InvocationUser): Promise<void> {
  const blocking = await foldersBlocking(codeRoot, user);
  if (blocking.length === 0) return;
  throw new ConfigError(
    `the local Lambda runtime runs functions as uid ${user.uid} (DMP_LAMBDA_RUN_AS), which cannot reach the code folder ${codeRoot}: ${blocking.join(', ')} must let it pass (chmod o+x), or DMP_LAMBDA_CODE_DIR must be elsewhere`,
  );
}
