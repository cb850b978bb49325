import {
  DeleteCampaignCommand, DeleteEventTrackerCommand, DeleteSolutionCommand, DescribeCampaignCommand, DescribeEventTrackerCommand,
  DescribeSolutionCommand, ListCampaignsCommand, ListEventTrackersCommand, ListSolutionsCommand, ListSolutionVersionsCommand,
  PersonalizeClient, ResourceInUseException, ResourceNotFoundException,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsPersonalizeAdmin } from '../../../core/aws/personalize-admin';
import { ValidationError } from '../../../core/errors';

const client = new PersonalizeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(client);
const group = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/image-search-styles';
const solution = 'arn:aws:personalize:us-east-1:123456789012:solution/style-ranking';
const campaign = 'arn:aws:personalize:us-east-1:123456789012:campaign/style-ranking';
const tracker = 'arn:aws:personalize:us-east-1:123456789012:event-tracker/abc123';
const notFound = () => new ResourceNotFoundException({ message: 'gone', $metadata: {} });
const inUse = () => new ResourceInUseException({ message: 'busy', $metadata: {} });

let sleeps: number[];
const admin = (maxWaitMs = 50) => new AwsPersonalizeAdmin({ client, pollIntervalMs: 10, maxWaitMs, sleep: async (ms) => void sleeps.push(ms) });

beforeEach(() => {
  mock.reset();
  sleeps = [];
});

describe('AwsPersonalizeAdmin.listCreated', () => {
  it('follows nextToken on every list and finds campaigns through the solutions of the dataset group', async () => {
    mock.on(ListSolutionsCommand, { datasetGroupArn: group, nextToken: undefined })
      .resolves({ solutions: [{ solutionArn: solution, name: 'style-ranking', status: 'ACTIVE' }], nextToken: 's2' });
    mock.on(ListSolutionsCommand, { datasetGroupArn: group, nextToken: 's2' })
      .resolves({ solutions: [{ solutionArn: `${solution}-old`, name: 'style-ranking-old', status: 'ACTIVE' }] });
    mock.on(ListSolutionVersionsCommand, { solutionArn: solution }).resolves({ solutionVersions: [{ solutionVersionArn: `${solution}/v1`, status: 'ACTIVE' }] });
    mock.on(ListSolutionVersionsCommand, { solutionArn: `${solution}-old` }).resolves({ solutionVersions: [] });
    mock.on(ListCampaignsCommand, { solutionArn: solution, nextToken: undefined }).resolves({ campaigns: [{ campaignArn: campaign, name: 'style-ranking', status: 'ACTIVE' }], nextToken: 'c2' });
    mock.on(ListCampaignsCommand, { solutionArn: solution, nextToken: 'c2' }).resolves({ campaigns: [{ campaignArn: `${campaign}-2`, name: 'style-ranking-2', status: 'ACTIVE' }] });
    mock.on(ListCampaignsCommand, { solutionArn: `${solution}-old` }).resolves({ campaigns: [] });
    mock.on(ListEventTrackersCommand, { datasetGroupArn: group }).resolves({ eventTrackers: [{ eventTrackerArn: tracker, name: 'image-search-events', status: 'ACTIVE' }] });

    const inventory = await admin().listCreated(group);

    expect(inventory.solutions.map((s) => [s.arn, s.versions.map((v) => v.arn)])).toEqual([[solution, [`${solution}/v1`]], [`${solution}-old`, []]]);
    expect(inventory.campaigns.map((c) => c.arn)).toEqual([campaign, `${campaign}-2`]);
    expect(inventory.eventTrackers).toEqual([{ arn: tracker, name: 'image-search-events', status: 'ACTIVE' }]);
    expect(mock.commandCalls(ListSolutionsCommand).map((c) => c.args[0].input)).toEqual([{ datasetGroupArn: group }, { datasetGroupArn: group, nextToken: 's2' }]);
    expect(mock.commandCalls(ListCampaignsCommand)).toHaveLength(3);
  });

  it('rejects a dataset group that is not an ARN', async () => {
    await expect(admin().listCreated('styles')).rejects.toThrow(ValidationError);
  });
});

describe('AwsPersonalizeAdmin deletes', () => {
  it('deletes the campaign and polls Describe until ResourceNotFoundException', async () => {
    mock.on(DeleteCampaignCommand).resolves({});
    mock.on(DescribeCampaignCommand).resolvesOnce({ campaign: { status: 'DELETE PENDING' } }).resolvesOnce({ campaign: { status: 'DELETE IN_PROGRESS' } }).rejects(notFound());

    await admin().deleteCampaign(campaign);

    expect(mock.commandCalls(DeleteCampaignCommand).map((c) => c.args[0].input)).toEqual([{ campaignArn: campaign }]);
    expect(mock.commandCalls(DescribeCampaignCommand).map((c) => c.args[0].input)).toEqual(Array(3).fill({ campaignArn: campaign }));
    expect(sleeps).toEqual([10, 10]);
  });

  it('treats a resource that is already gone as deleted', async () => {
    mock.on(DeleteSolutionCommand).rejects(notFound());
    await admin().deleteSolution(solution);
    expect(mock.commandCalls(DescribeSolutionCommand)).toHaveLength(0);
  });

  it('sends the delete again while the resource is still in use, then waits for it to go', async () => {
    mock.on(DeleteSolutionCommand).rejectsOnce(inUse()).resolves({});
    mock.on(DescribeSolutionCommand).rejects(notFound());
    await admin().deleteSolution(solution);
    expect(mock.commandCalls(DeleteSolutionCommand).map((c) => c.args[0].input)).toEqual([{ solutionArn: solution }, { solutionArn: solution }]);
  });

  it('deletes an event tracker by its ARN', async () => {
    mock.on(DeleteEventTrackerCommand).resolves({});
    mock.on(DescribeEventTrackerCommand).rejects(notFound());
    await admin().deleteEventTracker(tracker);
    expect(mock.commandCalls(DeleteEventTrackerCommand)[0]?.args[0].input).toEqual({ eventTrackerArn: tracker });
    expect(mock.commandCalls(DescribeEventTrackerCommand)[0]?.args[0].input).toEqual({ eventTrackerArn: tracker });
  });

  it('gives up after the wait bound and names the resource and its last status', async () => {
    mock.on(DeleteCampaignCommand).resolves({});
    mock.on(DescribeCampaignCommand).resolves({ campaign: { status: 'DELETE IN_PROGRESS' } });
    await expect(admin(30).deleteCampaign(campaign)).rejects.toThrow(/campaign .*style-ranking still exists after 30 ms of polling .*DELETE IN_PROGRESS/);
    expect(sleeps).toEqual([10, 10, 10]);
  });

  it('fails at once on an error that waiting cannot fix', async () => {
    mock.on(DeleteCampaignCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await expect(admin().deleteCampaign(campaign)).rejects.toThrow(/delete of campaign .* failed: AccessDeniedException: not allowed/);
    expect(sleeps).toEqual([]);
  });
});
