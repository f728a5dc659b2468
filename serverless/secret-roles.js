/**
 * The IAM roles of the functions that read secrets, read by serverless.yml with
 * ${file(./serverless/secret-roles.js):roles.<access>}. One role per access level
 * of lib/secrets/catalog.ts (the same table the functions read at run time): it
 * may read exactly its parameters `${PLM_SSM_PREFIX}/<NAME>` and decrypt them
 * only through SSM, and write its functions' logs. Functions that read no secret
 * keep the framework's role, which has no SSM or KMS permission at all.
 *
 * A stage other than `local` (serverless-offline) and `dev` (offline packaging)
 * refuses to package or deploy without PLM_SSM_PREFIX (serverless/secrets-guard.js).
 */
const tsx = require('tsx/cjs/api');

/** @type {typeof import('../lib/secrets/catalog')} */
const catalog = tsx.require('../lib/secrets/catalog.ts', __filename);

const STAGES_WITHOUT_SECRETS = ['local', 'dev'];

/**
 * Why `serverless package`/`deploy` must stop for this stage, or undefined.
 * (serverless/secrets-guard.js asks before packaging; the roles below just leave
 * out the secrets when the prefix is unusable.)
 */
const prefixProblem = (stage, prefix = '') => {
  if (prefix && !catalog.SSM_PREFIX_PATTERN.test(prefix))
    return `PLM_SSM_PREFIX=${prefix} is not a parameter path such as /plm/${stage} (leading slash, no trailing slash)`;
  if (prefix || STAGES_WITHOUT_SECRETS.includes(stage)) return undefined;
  const required = catalog.REQUIRED_SECRETS.map((name) => `/plm/${stage}/${name}`).join(', ');
  return (
    `Stage "${stage}" reads its secrets from SSM Parameter Store, but PLM_SSM_PREFIX (the path of its parameters) is not set. ` +
    `Set it, e.g. PLM_SSM_PREFIX=/plm/${stage} for ${required}: see docs/deploy.md.`
  );
};

const partitionArn = (service, resource) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

const usablePrefix = () => {
  const prefix = (process.env.PLM_SSM_PREFIX ?? '').trim();
  return catalog.SSM_PREFIX_PATTERN.test(prefix) ? prefix : undefined;
};

const logStatements = (service, stage, functions) => [
  {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream'],
    Resource: functions.map((fn) => partitionArn('logs', `log-group:/aws/lambda/${service}-${stage}-${fn}:*`)),
  },
  {
    Effect: 'Allow',
    Action: ['logs:PutLogEvents'],
    Resource: functions.map((fn) => partitionArn('logs', `log-group:/aws/lambda/${service}-${stage}-${fn}:*:*`)),
  },
];

const secretStatements = (prefix, variables) => {
  const parameters = variables.map((name) => partitionArn('ssm', `parameter${catalog.parameterNameOf(prefix, name)}`));
  return [
    { Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: parameters },
    {
      // SecureStrings under a customer-managed key; the AWS-managed aws/ssm key needs no grant.
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: partitionArn('kms', 'key/*'),
      Condition: {
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          'kms:EncryptionContext:PARAMETER_ARN': parameters,
        },
      },
    },
  ];
};

const roleOf = ({ service, stage, prefix, access }) => {
  const functions = Object.keys(catalog.FUNCTION_SECRET_ACCESS).filter(
    (fn) => catalog.FUNCTION_SECRET_ACCESS[fn] === access,
  );
  const statements = [
    ...logStatements(service, stage, functions),
    ...(prefix ? secretStatements(prefix, catalog.SECRET_ACCESS[access]) : []),
  ];
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [
        {
          PolicyName: `${service}-${stage}-${access}-secrets`,
          PolicyDocument: { Version: '2012-10-17', Statement: statements },
        },
      ],
    },
  };
};

module.exports.roles = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const service = await resolveVariable('self:service');
  const prefix = usablePrefix();
  return Object.fromEntries(
    Object.keys(catalog.ROLE_OF_ACCESS).map((access) => [access, roleOf({ service, stage, prefix, access })]),
  );
};

module.exports.prefixProblem = prefixProblem;
module.exports.STAGES_WITHOUT_SECRETS = STAGES_WITHOUT_SECRETS;
