/**
 * The move queues as the system names them everywhere: serverless/queues.yml's stage queues end with these
 * names, and the local stack creates them on the emulator.
 */
export const MOVE_QUEUE_NAME = 'moves.fifo';
export const DLQ_NAME = 'moves-dlq.fifo';
/** The redrive maxReceiveCount of moves.fifo on AWS (serverless.yml, custom.moveQueueMaxReceiveCount); the local default. */
export const MAX_RECEIVE_COUNT = 5;
