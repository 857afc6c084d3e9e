import type { Command } from 'commander';
import { registerAppCommands } from './apps.ts';
import { registerAttemptCommands } from './attempts.ts';
import { registerDestinationCommands } from './destinations.ts';
import { registerEndpointAuthCommands } from './endpoint-auth.ts';
import { registerEndpointCommands } from './endpoints.ts';
import { registerEventTypeCommands } from './event-types.ts';
import { registerMessageCommands } from './messages.ts';
import { registerTaskCommands } from './tasks.ts';
import { registerTokenCommands } from './tokens.ts';
import { registerSourceCommands } from './sources.ts';

/** herald app, event-type, endpoint, destination, message, attempt, task, token, portal-link and audit: the management commands over the REST API. */
export function registerManagementCommands(program: Command): void {
  registerAppCommands(program);
  registerEventTypeCommands(program);
  const endpoint = registerEndpointCommands(program);
  registerEndpointAuthCommands(endpoint);
  registerDestinationCommands(program);
  registerMessageCommands(program);
  registerAttemptCommands(program);
  registerTaskCommands(program, endpoint);
  registerTokenCommands(program);
  registerSourceCommands(program);
}
