import type { Config } from '../config';
import type { Db } from '../db/client';
import { createLocalSupportAI } from './localProvider';
import type { SupportAI } from './supportAI';

/** The local provider unless a model is configured. */
export function createSupportAI(_config: Config, db: Db): SupportAI {
  return createLocalSupportAI(db);
}
