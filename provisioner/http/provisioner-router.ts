import express, { type Request, Router } from 'express';
import { dataProductPath } from '../../shared/descriptor/types.js';
import { ValidationError } from '../../shared/errors.js';
import { dataProductRefFromPath } from '../../shared/http/request-validation.js';
import type { OperationAccepted, ProvisioningUseCases } from '../provisioning-use-cases.js';
import { descriptorFromBody } from './descriptor-body.js';

/** The endpoints of the thesis' figure 5.2. */
export function provisionerRouter(useCases: ProvisioningUseCases, bodyLimitBytes: number): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: bodyLimitBytes });

  const accepted = (res: express.Response, result: OperationAccepted) => {
    res
      .status(202)
      .location(`/v1/dataproduct/state/${dataProductPath(result)}`)
      .json(result);
  };

  router.post('/v1/dataproduct', rawBody, async (req, res) => {
    accepted(res, await useCases.deploy(descriptorFromBody(req)));
  });

  router.delete('/v1/dataproduct', rawBody, async (req, res) => {
    accepted(res, await useCases.removeByDescriptor(descriptorFromBody(req), removeDataFlag(req)));
  });

  router.delete('/v1/dataproduct/:environment/:domain/:name/:version', async (req, res) => {
    accepted(res, await useCases.remove(dataProductRefFromPath(req.params), removeDataFlag(req)));
  });

  router.get('/v1/dataproduct/state/:environment/:domain/:name/:version', async (req, res) => {
    res.json(await useCases.getState(dataProductRefFromPath(req.params)));
  });

  return router;
}

function removeDataFlag(req: Request): boolean {
  const value = req.query.removeData;
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ValidationError('The query is invalid', [
    { path: '/query/removeData', message: 'must be true or false' },
  ]);
}
