// An example workload for `npm start`: it answers with what the platform told it
// about the resources it depends on, which is what a real job would read before
// doing its work (say, listing the objects under DMP_DEP_<FOLDER>_URI).
export async function handler(event) {
  const dependencies = JSON.parse(process.env.DMP_DEPENDENCIES ?? '{}');
  const variables = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name.startsWith('DMP_DEP_')),
  );
  return {
    dataProduct: process.env.DMP_DATA_PRODUCT,
    resource: process.env.DMP_RESOURCE,
    dependencies,
    variables,
    event,
  };
}
