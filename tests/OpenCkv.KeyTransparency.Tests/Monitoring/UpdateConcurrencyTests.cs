using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Auditing;
using OpenCkv.KeyTransparency.Tests.Search;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>
/// Updates under pressure: two devices of one account updating one label at the same moment both get answers
/// they verify (one writes, the other is shown the first's version); an update that would overfill an audited
/// entry is refused without jamming the log; hostile version numbers are refused, not overflowed.
/// </summary>
public sealed class UpdateConcurrencyTests
{
    [Fact]
    public void Two_devices_updating_one_label_at_once_both_verify_and_exactly_one_writes()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: 1_000);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 31, labels: 2, start: 1_000_000, step: 100);
        (OwnerState owner, ClientState client) = UpdateTests.Initialize(log, null, 1, now);
        var catchUp = new UpdateRequest(client.TreeSize, owner.Label, owner.GreatestVersion, []);
        VerifiedUpdate current = UpdateVerifier.VerifyAll(LogFixture.Suite, log.Configuration, client, owner, catchUp, log.Update(catchUp, now), now);

        for (int round = 0; round < 40; round++)
        {
            ulong at = now += 10;
            var requests = Enumerable.Range(0, 2)
                .Select(d => new UpdateRequest(current.State.TreeSize, owner.Label, current.Owner.GreatestVersion, [new LabelValue([(byte)d, (byte)round])]))
                .ToArray();
            IReadOnlyList<UpdateResponse>[] answers = new IReadOnlyList<UpdateResponse>[2];
            Parallel.For(0, 2, d => answers[d] = log.Update(requests[d], at));

            VerifiedUpdate[] results = [.. Enumerable.Range(0, 2).Select(d =>
                UpdateVerifier.VerifyAll(LogFixture.Suite, log.Configuration, current.State, current.Owner, requests[d], answers[d], at))];
            Assert.Single(results, r => r.OthersValues.Count == 0);     // one device wrote
            VerifiedUpdate shown = Assert.Single(results, r => r.OthersValues.Count == 1); // the other was shown its value
            current = results.Single(r => r.OthersValues.Count == 0) with { };
            Assert.Equal(current.Owner.GreatestVersion, shown.Owner.GreatestVersion);
        }
    }

    [Fact]
    public void An_update_that_would_overfill_an_audited_entry_is_refused_and_the_log_keeps_sequencing()
    {
        var audited = new AuditedLog();
        audited.Log.Stage(LogFixture.Label(7), [1]);
        var tooMany = new UpdateRequest(null, LogFixture.Label(8), null, [.. Enumerable.Range(0, PrefixProof.MaxResults).Select(i => new LabelValue([(byte)i]))]);
        Assert.Throws<ArgumentException>(() => audited.Log.Update(tooMany, 1_000_000));
        audited.Sequence(1_000_000);
        Assert.Equal(1UL, audited.Log.Size);

        // Staging one by one stops at the limit, before anything is left that could not be sequenced.
        for (int i = 0; i < PrefixProof.MaxResults; i++)
        {
            audited.Log.Stage(LogFixture.Label(1_000 + i), [1]);
        }

        Assert.Throws<InvalidOperationException>(() => audited.Log.Stage(LogFixture.Label(9), [1]));
        audited.Sequence(1_000_100);
        Assert.Equal(2UL, audited.Log.Size);
    }

    [Fact]
    public void A_greatest_version_at_the_top_of_the_range_is_refused_as_ahead_of_the_label()
    {
        TransparencyLog log = LogFixture.NewLog();
        LogFixture.PublishRoundRobin(log, entries: 3, labels: 1, start: 1_000_000, step: 100);
        Assert.Throws<ArgumentException>(() => log.Update(new UpdateRequest(null, LogFixture.Label(0), uint.MaxValue, [new LabelValue([1])]), 1_000_400));
        Assert.Throws<ArgumentException>(() => log.Update(new UpdateRequest(null, LogFixture.Label(0), (uint)int.MaxValue, [new LabelValue([1])]), 1_000_400));
    }
}
