// Live-cluster collector (issue: live clusters). Being written; until then --kubeconfig reports so.
import { RbacgraphError, ErrorCode } from '../errors.js';
import type { LiveLoader } from '../cli/common.js';

export const liveLoader: LiveLoader = async () => {
  throw new RbacgraphError(ErrorCode.USAGE, '--kubeconfig is not supported yet in this build');
};
