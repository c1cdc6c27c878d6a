export { Controller, type ControllerOptions } from './controller.ts';
export { assignReplicas, rackAlternatedBrokers, type AssignmentOptions, type AssignmentResult, type PlacementBroker } from './assignment.ts';
export { nextPartitionState, NO_LEADER } from './election.ts';
export { controlledShutdown, ledPartitions, shutdownPartitionState, type ControlledShutdownOptions, type ControlledShutdownResult } from './controlled-shutdown.ts';
export { ElectionType, electLeader, imbalancedPartitions, planElection, type ElectionPlan, type ElectionResult } from './preferred-election.ts';
