using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// Pruning by maximum lifetime (KT §7.1): exactly the versions the log answers as expired lose their openings and
/// values; every other version, and every label's greatest, still verifies; a log without a lifetime prunes nothing.
/// Reclaiming the prefix trees of expired entries frees their pages and changes no answer the log still gives;
/// monitoring or auditing through an expired entry is refused whether or not it ran.
/// </summary>
public sealed class PruningTests
{
    private static readonly EcdsaP256PrivateKey Signing = EcdsaP256PrivateKey.Generate();
    private static readonly VrfKeyPair Vrf = LogFixture.Suite.Vrf.GenerateKeyPair();

    private static Configuration Config(ulong? lifetime) => new()
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = Signing.PublicKey.Encoded.ToArray(),
        VrfPublicKey = Vrf.PublicKey.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 100_000_000,
        ReasonableMonitoringWindow = 1_000,
        MaximumLifetime = lifetime,
    };

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Exactly_the_expired_versions_are_pruned_and_everything_else_still_verifies(int seed)
    {
        var random = new Random(seed);
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config(5_000), Signing, Vrf, store);
        var counts = new Dictionary<int, int>();
        ulong now = PublishHistory(log, random, counts);

        // The slow reference: the log's own answer to a fixed-version search, before pruning.
        var expired = new HashSet<(int Label, uint Version)>();
        foreach ((int label, int count) in counts)
        {
            for (uint v = 0; v + 1 < count; v++)
            {
                try
                {
                    log.Search(new SearchRequest(null, LogFixture.Label(label), v));
                }
                catch (ArgumentException)
                {
                    expired.Add((label, v));
                }
            }
        }

        Assert.NotEmpty(expired);
        Assert.Equal(expired.Count, log.PruneExpired());
        Assert.Equal(0, log.PruneExpired());
        foreach ((int label, int count) in counts)
        {
            IReadOnlyList<PublishedVersion> stored = store.Versions(LogFixture.Label(label));
            for (uint v = 0; v < count; v++)
            {
                Assert.Equal(expired.Contains((label, v)), stored[(int)v].Opening.Length == 0);
                if (!expired.Contains((label, v)))
                {
                    var request = new SearchRequest(null, LogFixture.Label(label), v);
                    Assert.Equal(v, SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, log.Search(request), now).Version);
                }
            }

            var greatest = new SearchRequest(null, LogFixture.Label(label), null);
            Assert.Equal((uint)(count - 1), SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, greatest, log.Search(greatest), now).Version);
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Reclaiming_expired_trees_frees_their_pages_and_changes_no_answer_the_log_still_gives(int seed)
    {
        var random = new Random(seed);
        var table = new InMemoryPrefixPageTable();
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes, new PagedPrefixVersions(LogFixture.Suite.TreeHashes, table, levelsPerPage: 2));
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config(5_000), Signing, Vrf, store);
        var counts = new Dictionary<int, int>();
        ulong now = PublishHistory(log, random, counts);

        // Every answer the log gives before: each label's greatest version, and each version it still finds.
        var answers = new Dictionary<SearchRequest, byte[]>();
        foreach ((int label, int count) in counts)
        {
            foreach (uint? version in Enumerable.Range(0, count).Select(v => (uint?)v).Append(null))
            {
                var request = new SearchRequest(null, LogFixture.Label(label), version);
                try
                {
                    answers[request] = KtMessages.Encode(log.Search(request), version is not null, DeploymentMode.ContactMonitoring);
                }
                catch (ArgumentException)
                {
                    // expired: there is no answer to keep
                }
            }
        }

        ulong firstUnexpired = 0;
        while (now - store.Entry(firstUnexpired).Timestamp >= 5_000)
        {
            firstUnexpired++;
        }

        Assert.True(firstUnexpired > 1, "nothing expired");
        int pagesBefore = table.Count;

        PrefixSweepResult result = log.ReclaimExpiredTrees();

        Assert.True(result.DeletedPages > 0, "no page reclaimed");
        Assert.Equal(pagesBefore - result.DeletedPages, table.Count);
        foreach ((SearchRequest request, byte[] answer) in answers)
        {
            SearchResponse response = log.Search(request);
            Assert.Equal(answer, KtMessages.Encode(response, request.Version is not null, DeploymentMode.ContactMonitoring));
            SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, response, now);
        }

        // The first unexpired entry can still be audited (against the tree before it, which is kept); an expired one cannot.
        Assert.Equal(store.Entry(firstUnexpired).Timestamp, log.AuditorUpdateFor(firstUnexpired).Timestamp);
        Assert.Contains("maximum lifetime", Assert.Throws<ArgumentException>(() => log.AuditorUpdateFor(firstUnexpired - 1)).Message);
        Assert.Equal(0, log.ReclaimExpiredTrees().DeletedPages);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Monitoring_through_an_expired_entry_is_refused_whether_or_not_trees_were_reclaimed(bool reclaim)
    {
        var table = new InMemoryPrefixPageTable();
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes, new PagedPrefixVersions(LogFixture.Suite.TreeHashes, table, levelsPerPage: 2));
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config(5_000), Signing, Vrf, store);
        ulong now = LogFixture.PublishRoundRobin(log, 40, 5, 1_000_000, 100);

        // A client looks a label up right after its newest version, so it must monitor it (KT §8.2).
        log.Stage(LogFixture.Label(1), [42]);
        log.Sequence(now += 10);
        var lookup = new SearchRequest(null, LogFixture.Label(1), null);
        VerifiedSearch seen = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, lookup, log.Search(lookup), now);
        Assert.True(seen.MustMonitor);
        MonitoredLabel monitored = MonitoredLabel.After(LogFixture.Label(1), seen);

        // The client stays away longer than the maximum lifetime.
        now = LogFixture.PublishRoundRobin(log, 30, 5, now, 400, firstValue: 100);
        if (reclaim)
        {
            Assert.True(log.ReclaimExpiredTrees().DeletedPages > 0);
        }

        ArgumentException refused = Assert.Throws<ArgumentException>(() => log.ContactMonitor(monitored.Request(seen.State.TreeSize)));
        Assert.Contains("maximum lifetime", refused.Message);
    }

    [Fact]
    public void A_log_without_a_maximum_lifetime_prunes_nothing()
    {
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config(null), Signing, Vrf);
        LogFixture.PublishRoundRobin(log, 50, 2, 1_000_000, 10_000);
        Assert.Equal(0, log.PruneExpired());
        Assert.Equal(new PrefixSweepResult(0, 0), log.ReclaimExpiredTrees());
    }

    /// <summary>120 entries, 50–250 ms apart, each with up to two versions among 8 labels; counts the versions per label.</summary>
    private static ulong PublishHistory(TransparencyLog log, Random random, Dictionary<int, int> counts)
    {
        ulong now = 1_000_000;
        for (int entry = 0; entry < 120; entry++)
        {
            for (int u = random.Next(0, 3); u > 0; u--)
            {
                int label = random.Next(0, 8);
                log.Stage(LogFixture.Label(label), [(byte)entry]);
                counts[label] = counts.GetValueOrDefault(label) + 1;
            }

            log.Sequence(now += (ulong)random.Next(50, 250));
        }

        return now;
    }
}
