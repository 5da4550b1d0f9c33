import { type Request, type Response, Router } from 'express';
import { bodyValidator, dataProductRefFromPath } from '../../shared/http/request-validation.js';
import type { DataProductWrite, ResourceWrite } from '../../shared/state/records.js';
import type { StateUseCases } from '../state-use-cases.js';
import { dataProductWriteSchema, resourceWriteSchema } from './write-schemas.js';

const parseDataProductWrite = bodyValidator<DataProductWrite>(dataProductWriteSchema, 'data product state');
const parseResourceWrite = bodyValidator<ResourceWrite>(resourceWriteSchema, 'resource state');

/** The endpoints of the thesis' figure 5.4. */
export function stateRouter(useCases: StateUseCases): Router {
  const router = Router();

  router.get('/v1/state/dataproduct/:environment/:domain/:name/:version', async (req, res) => {
    res.json(await useCases.getDataProduct(dataProductRefFromPath(req.params)));
  });

  router.get(
    '/v1/state/dataproduct/resource/:environment/:domain/:dataProduct/:version/:resource',
    async (req, res) => {
      const ref = dataProductRefFromPath(req.params, 'dataProduct');
      res.json(await useCases.getResource(ref, req.params.resource));
    },
  );

  const upsertDataProduct = async (req: Request, res: Response) => {
    const { record, changed } = await useCases.writeDataProduct(parseDataProductWrite(req.body));
    const { revision: _revision, ...body } = record;
    res.json({ ...body, changed });
  };
  router.put('/v1/state/dataproduct', upsertDataProduct);
  router.post('/v1/state/dataproduct', upsertDataProduct);

  router.post('/v1/state/dataproduct/resource', async (req, res) => {
    const { record, changed } = await useCases.writeResource(parseResourceWrite(req.body));
    const { revision: _revision, ...body } = record;
    res.json({ ...body, changed });
  });

  return router;
}
