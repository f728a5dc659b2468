/**
 * A local serverless plugin: `serverless package` and `deploy` stop, before
 * anything is built, on a stage whose functions would have no secrets (no
 * PLM_SSM_PREFIX), naming what is missing. Stages `local` and `dev` may go
 * without (serverless-offline; offline packaging), with a warning for `dev`.
 */
const { prefixProblem, STAGES_WITHOUT_SECRETS } = require('./secret-roles');

class SecretsGuard {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:initialize': () => this.check() };
  }

  check() {
    const stage = this.serverless.service.provider.stage;
    const prefix = (process.env.PLM_SSM_PREFIX ?? '').trim();
    const problem = prefixProblem(stage, prefix);
    if (problem) throw new this.serverless.classes.Error(problem);
    if (!prefix && STAGES_WITHOUT_SECRETS.includes(stage) && stage !== 'local')
      process.stderr.write(
        `Warning: stage "${stage}" without PLM_SSM_PREFIX: deployed functions would have no secrets and answer 503 SERVICE_MISCONFIGURED.\n`,
      );
  }
}

module.exports = SecretsGuard;
