export { ticketWorkflow } from './ticket';
export { historyImportWorkflow } from './historyImport';
