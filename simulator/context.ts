// What each dialect module is given: the shared task store, media, webhook sender, ledger and faults.
// Dialects own only their routes and wire shapes.

import type { CallbackSender } from './callbackSender';
import type { FaultPlan } from './faults';
import type { LedgerEntry } from './ledger';
import type { MediaLibrary } from './media';
import type { ResolvedSimulatorOptions } from './options';
import type { TaskContent } from './taskContent';
import type { TaskStore } from './taskStore';

export interface SimulatorContext {
  options: ResolvedSimulatorOptions;
  store: TaskStore<TaskContent>;
  media: MediaLibrary;
  callbacks: CallbackSender;
  ledger: LedgerEntry[];
  faults: FaultPlan;
  /** Public URL of a file served from the media directory. */
  mediaUrl(name: string): string;
  log(line: string): void;
}
