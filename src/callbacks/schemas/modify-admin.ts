/** Live.CallbackAfterModifyAdmin: admins added or removed (opType add | delete). */
import { commandSchema } from './command-schema';
import { accountList, text } from './fields';

export const modifyAdmin = commandSchema({ Admin_Account: accountList, opType: text }, { room: 'required' });
