export { Controller, type ControllerOptions } from './controller.ts';
export { assignReplicas, rackAlternatedBrokers, type AssignmentOptions, type AssignmentResult, type PlacementBroker } from './assignment.ts';
export { nextPartitionState, NO_LEADER } from './election.ts';
