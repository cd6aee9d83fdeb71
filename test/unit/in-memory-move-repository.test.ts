/** The unit tests' in-memory MoveRepository keeps the port's promises, as the DynamoDB adapter does. */
import { InMemoryMoveRepository } from '../support/in-memory-move-repository';
import { moveRepositoryContract } from '../support/move-repository-contract';

moveRepositoryContract('InMemoryMoveRepository', async () => {
  const repository = new InMemoryMoveRepository();
  return {
    repository,
    putCard: async (card) => void repository.cards.set(card.id, structuredClone(card)),
  };
});
