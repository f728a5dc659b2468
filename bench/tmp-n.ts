import { measureNpmStart } from './parts/npm-start';
measureNpmStart({ httpSeconds: 3, log: (s) => console.error(s) }).then((r) =>
  console.log(JSON.stringify({ ...r, first: undefined })),
);
