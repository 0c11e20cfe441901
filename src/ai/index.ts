import type { Config } from '../config';
import type { Db } from '../db/client';
import { createLogger } from '../logger';
import { createLocalSupportAI } from './localProvider';
import { createOpenAISupportAI } from './openaiProvider';
import type { SupportAI } from './supportAI';

/** The OpenAI-compatible provider when a key or an endpoint is configured; the local one otherwise. */
export function createSupportAI(config: Config, db: Db): SupportAI {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) return createLocalSupportAI(db);
  return createOpenAISupportAI({
    db,
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    temperature: config.OPENAI_TEMPERATURE,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    logger: createLogger(config.LOG_LEVEL),
  });
}
