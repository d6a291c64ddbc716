using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>
/// Owner monitoring (KT §8.3, §13.4): owners who update their labels and monitor them over randomized histories
/// with long offline stretches always verify, advance to the rightmost distinguished entry, and never complete a
/// pass while someone else's version is hidden from them; every byte change of a fixed corpus is rejected.
/// </summary>
public sealed class OwnerMonitoringTests
{
    private const ulong Window = 1_000;

    private sealed class Owner(int label)
    {
        public int Label { get; } = label;

        public OwnerState? State { get; set; }

        public ClientState? Client { get; set; }

        public bool ForeignPending { get; set; }

        public int OfflineUntil { get; set; }
    }

    [Theory]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    public void Owners_monitoring_verifies_and_catches_versions_they_did_not_write(int seed)
    {
        var random = new Random(seed);
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: Window);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 40, labels: 5, start: 1_000_000, step: 100);
        var owners = Enumerable.Range(0, 6).Select(i => new Owner(i)).ToArray();
        int passes = 0, complete = 0, blocked = 0;

        for (int step = 0; step < 300; step++)
        {
            now += random.Next(0, 10) == 0 ? Window + (ulong)random.Next(0, 2_000) : (ulong)random.Next(0, 150);
            log.Sequence(now); // the log keeps moving whether or not anyone writes
            Owner owner = owners[random.Next(owners.Length)];
            if (owner.OfflineUntil > step)
            {
                continue;
            }

            if (owner.State is null)
            {
                (owner.State, owner.Client) = UpdateTests.Initialize(log, owner.Client, owner.Label, now);
                continue;
            }

            switch (random.Next(0, 8))
            {
                case 0:
                    log.Stage(LogFixture.Label(owner.Label), [0xEE, (byte)step]); // someone else writes
                    log.Sequence(now);
                    owner.ForeignPending = true;
                    break;
                case 1:
                    owner.OfflineUntil = step + random.Next(20, 120);
                    break;
                case 2 or 3:
                    Write(log, owner, [(byte)owner.Label, (byte)step], now);
                    break;
                default:
                    var request = OwnerMonitorVerifier.Request(owner.State, owner.Client?.TreeSize);
                    VerifiedOwnerMonitor result = OwnerMonitorVerifier.Verify(
                        LogFixture.Suite, log.Configuration, owner.Client, owner.State, Wire.Decode(Wire.Encode(log.OwnerMonitor(request), log), log), now);
                    Assert.True(result.Owner.Start >= owner.State.Start);
                    passes++;
                    if (result.Complete)
                    {
                        complete++;
                    }
                    else if (result.Owner.Start == owner.State.Start && owner.ForeignPending)
                    {
                        blocked++; // stopped before the version the owner does not know of
                    }

                    (owner.State, owner.Client) = (result.Owner, result.State);
                    break;
            }
        }

        Assert.True(passes > 40 && complete > 15, $"{passes} passes, {complete} complete");
        Assert.True(blocked > 0, "no pass stopped at a version the owner had not seen");

        // Everyone catches up: an update with no values shows the others' versions, then monitoring completes; long
        // after the last write, with distinguished entries right of everything, nothing is left to monitor.
        for (int i = 0; i < 6; i++)
        {
            log.Sequence(now += Window * 4);
        }

        foreach (Owner owner in owners.Where(o => o.State is not null))
        {
            if (owner.ForeignPending)
            {
                Write(log, owner, null, now);
            }

            for (int pass = 0; ; pass++)
            {
                var request = OwnerMonitorVerifier.Request(owner.State!, owner.Client?.TreeSize);
                VerifiedOwnerMonitor result = OwnerMonitorVerifier.Verify(LogFixture.Suite, log.Configuration, owner.Client, owner.State!, log.OwnerMonitor(request), now);
                (owner.State, owner.Client) = (result.Owner, result.State);
                if (result.Complete)
                {
                    Assert.Empty(result.Owner.Map);
                    Assert.Empty(result.Owner.Insertions);
                    break;
                }

                Assert.True(pass < 10, "monitoring never completed");
            }
        }
    }

    [Fact]
    public void Every_single_byte_change_of_an_owner_monitoring_response_is_rejected()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: Window);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 31, labels: 3, start: 1_000_000, step: 100);
        (OwnerState owner, ClientState? client) = UpdateTests.Initialize(log, null, 1, now);
        var o = new Owner(1) { State = owner, Client = client };
        Write(log, o, null, now); // catch up with the versions written after the start
        Write(log, o, [1, 2, 3], now += 50);
        for (int i = 0; i < 30; i++)
        {
            log.Sequence(now += 300); // new distinguished entries to walk
        }

        OwnerMonitorRequest request = OwnerMonitorVerifier.Request(o.State!, o.Client!.TreeSize);
        byte[] encoded = Wire.Encode(log.OwnerMonitor(request), log);
        VerifiedOwnerMonitor honest = OwnerMonitorVerifier.Verify(LogFixture.Suite, log.Configuration, o.Client, o.State!, Wire.Decode(encoded, log), now);
        Assert.True(honest.Owner.Start > o.State!.Start);
        Assert.Empty(honest.Owner.Map);

        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Assert.True(
                Rejection.Rejected(() => OwnerMonitorVerifier.Verify(LogFixture.Suite, log.Configuration, o.Client, o.State!, Wire.Decode(mutated, log), now)),
                $"flipped byte {i} of {encoded.Length} was accepted");
        }
    }

    /// <summary>An update of the owner's label: a new value, or with no value only to learn others' versions.</summary>
    private static void Write(TransparencyLog log, Owner owner, byte[]? value, ulong now)
    {
        var request = new UpdateRequest(owner.Client?.TreeSize, LogFixture.Label(owner.Label), owner.State!.GreatestVersion, value is null ? [] : [new LabelValue(value)]);
        VerifiedUpdate result = UpdateVerifier.VerifyAll(LogFixture.Suite, log.Configuration, owner.Client, owner.State, request, log.Update(request, now), now);
        (owner.State, owner.Client) = (result.Owner, result.State);
        if (result.OthersValues.Count > 0)
        {
            owner.ForeignPending = false;
        }
    }
}
