#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadWorkshopConfig, WorkshopConfigError } from '../lib/config';
import { addPolicyChecks } from '../lib/policy-checks';
import { createWorkshop } from '../lib/workshop';

const app = new App();
try {
  createWorkshop(
    app,
    loadWorkshopConfig((key) => app.node.tryGetContext(key)),
  );
} catch (error) {
  if (!(error instanceof WorkshopConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
addPolicyChecks(app);
