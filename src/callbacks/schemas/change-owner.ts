/** Live.CallbackAfterChangeOwner: the room passes from OriginalOwner_Account to CurrentOwner_Account. */
import { commandSchema } from './command-schema';
import { accountId } from './fields';

export const changeOwner = commandSchema(
  {
    CurrentOwner_Account: accountId.required(),
    OriginalOwner_Account: accountId,
  },
  { room: 'required' },
);
